using Aes.Contracts.Tenancy.V1;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>`aes clients create`: a client for automation, with one role in one agency or state.</summary>
public static class ClientCommands
{
    public static async Task<int> CreateAsync(Endpoints endpoints, string name, string role, string? agency, string? state, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var tenancy = endpoints.Tenancy();
        var assignment = new RoleAssignment { Role = Enum.Parse<Role>(role), StateCode = state?.ToUpperInvariant() ?? "" };
        if (agency is not null)
        {
            assignment.AgencyId = await AgencyDirectory.RequireAgencyIdAsync(tenancy, agency, cancellationToken);
        }
        var client = await tenancy.CreateAutomationClientAsync(new CreateAutomationClientRequest { DisplayName = name, Assignment = assignment }, cancellationToken: cancellationToken);
        console.MarkupLine($"client_id     {Markup.Escape(client.ClientId)}");
        console.MarkupLine($"client_secret {Markup.Escape(client.ClientSecret)}");
        console.MarkupLine("[yellow]Conservez ce secret : il ne sera plus affiché. / Keep this secret: it will not be shown again.[/]");
        console.MarkupLine($"aes login --client-id {Markup.Escape(client.ClientId)} --client-secret …");
        return ExitCodes.Ok;
    }
}
