using System.CommandLine;
using Aes.Contracts.Tenancy.V1;
using Spectre.Console;
using Aes.ServiceDefaults.Paging;

namespace Aes.Cli;

/// <summary>`aes projects …`: an agency's projects and who works on each (a requester sees only their projects' requests and VMs).</summary>
public static class ProjectCommands
{
    public static Command Projects(SignedRun run, IAnsiConsole console)
    {
        var agency = new Option<string>("--agency") { Description = "Organisme / agency (ML/MEF)", Required = true };
        var project = new Option<string>("--project") { Description = "Nom du projet / project name", Required = true };
        var user = new Option<string>("--user") { Description = "Nom d'utilisateur / user name (agent.mef.ml)", Required = true };

        var list = new Command("list", "Les projets que vous voyez / the projects you see") { agency };
        list.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var agencyId = await AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), parse.GetValue(agency)!, cancellationToken);
            var table = new Table().AddColumns("projet / project", "id");
            foreach (var known in await AgencyDirectory.ProjectsAsync(endpoints.Tenancy(), agencyId, cancellationToken))
            {
                table.AddRow(Markup.Escape(known.Name), known.Id);
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        var members = new Command("members", "Les membres d'un projet / a project's members") { agency, project };
        members.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var projectId = await AgencyDirectory.RequireProjectIdAsync(endpoints.Tenancy(), parse.GetValue(agency)!, parse.GetValue(project)!, cancellationToken);
            var tenancy = endpoints.Tenancy();
            await PrintAsync(tenancy, await tenancy.ListProjectMembersAsync(new ListProjectMembersRequest { ProjectId = projectId }, cancellationToken: cancellationToken),
                console, cancellationToken);
            return ExitCodes.Ok;
        }));

        var add = new Command("add-member", "Ajouter un membre au projet / add a member to the project") { agency, project, user };
        add.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var (projectId, userId) = await ProjectAndUserAsync(endpoints, parse.GetValue(agency)!, parse.GetValue(project)!, parse.GetValue(user)!, cancellationToken);
            var tenancy = endpoints.Tenancy();
            await PrintAsync(tenancy, await tenancy.AddProjectMemberAsync(new AddProjectMemberRequest { ProjectId = projectId, UserId = userId }, cancellationToken: cancellationToken),
                console, cancellationToken);
            return ExitCodes.Ok;
        }));

        var remove = new Command("remove-member", "Retirer un membre du projet / remove a member from the project") { agency, project, user };
        remove.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var (projectId, userId) = await ProjectAndUserAsync(endpoints, parse.GetValue(agency)!, parse.GetValue(project)!, parse.GetValue(user)!, cancellationToken);
            var tenancy = endpoints.Tenancy();
            await PrintAsync(tenancy, await tenancy.RemoveProjectMemberAsync(new RemoveProjectMemberRequest { ProjectId = projectId, UserId = userId }, cancellationToken: cancellationToken),
                console, cancellationToken);
            return ExitCodes.Ok;
        }));
        return new Command("projects", "Projets et leurs membres / projects and their members") { list, members, add, remove };
    }


    /// <summary>The project's id and the user's, found among the agency's people by user name.</summary>
    private static async Task<(string ProjectId, string UserId)> ProjectAndUserAsync(Endpoints endpoints, string agency, string project, string userName,
        CancellationToken cancellationToken)
    {
        var tenancy = endpoints.Tenancy();
        var directory = await AgencyDirectory.LoadAsync(tenancy, cancellationToken);
        var projectId = await directory.ProjectIdAsync(tenancy, agency, project, cancellationToken) ?? throw new UsageException($"Projet inconnu / unknown project: {project}");
        var people = await PagedLists.AllAsync(async token =>
        {
            var page = await tenancy.ListUsersAsync(new ListUsersRequest { AgencyId = directory.RequireAgencyId(agency), PageToken = token }, cancellationToken: cancellationToken);
            return (page.Users.AsEnumerable(), page.NextPageToken);
        });
        var user = people.FirstOrDefault(u => string.Equals(u.UserName, userName.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"Personne de {agency} ne s'appelle {userName} / nobody of {agency} is called {userName}");
        return (projectId, user.Id);
    }

    /// <summary>Prints the members from their first page (the answer of a list, an addition or a removal), reading the pages after it.</summary>
    private static async Task PrintAsync(TenancyService.TenancyServiceClient tenancy, ProjectMembers first, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var members = first.Members.ToList();
        for (var token = first.NextPageToken; token.Length > 0;)
        {
            var page = await tenancy.ListProjectMembersAsync(new ListProjectMembersRequest { ProjectId = first.ProjectId, PageToken = token }, cancellationToken: cancellationToken);
            members.AddRange(page.Members);
            token = page.NextPageToken;
        }
        var table = new Table().AddColumns("membre / member", "nom / name", "depuis / since");
        foreach (var member in members)
        {
            table.AddRow(Markup.Escape(member.UserName), Markup.Escape(member.DisplayName), member.AddedAt.ToDateTime().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        }
        console.Write(table);
    }
}
