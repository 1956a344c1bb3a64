using Aes.Contracts.Tenancy.V1;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>`aes clients create`: a client for automation, with one role in one agency or state.</summary>
public static class ClientCommands
{
    public static async Task<int> CreateAsync(Endpoints endpoints, string name, string role, string? agency, string? state, IReadOnlyList<string> projects,
        IAnsiConsole console, CancellationToken cancellationToken)
    {
        var tenancy = endpoints.Tenancy();
        var assignment = new RoleAssignment { Role = Enum.Parse<Role>(role), StateCode = state?.ToUpperInvariant() ?? "" };
        var request = new CreateAutomationClientRequest { DisplayName = name, Assignment = assignment };
        if (agency is not null)
        {
            var directory = await AgencyDirectory.LoadAsync(tenancy, cancellationToken);
            assignment.AgencyId = directory.RequireAgencyId(agency);
            foreach (var project in projects)
            {
                request.ProjectIds.Add(await directory.ProjectIdAsync(tenancy, agency, project, cancellationToken)
                    ?? throw new UsageException($"Projet inconnu / unknown project: {project}"));
            }
        }
        else if (projects.Count > 0)
        {
            throw new UsageException("--project demande --agency / --project needs --agency");
        }
        var client = await tenancy.CreateAutomationClientAsync(request, cancellationToken: cancellationToken);
        console.MarkupLine($"client_id     {Markup.Escape(client.ClientId)}");
        console.MarkupLine($"client_secret {Markup.Escape(client.ClientSecret)}");
        console.MarkupLine("[yellow]Conservez ce secret : il ne sera plus affiché. / Keep this secret: it will not be shown again.[/]");
        console.MarkupLine($"aes login --client-id {Markup.Escape(client.ClientId)} --client-secret …");
        return ExitCodes.Ok;
    }
}
