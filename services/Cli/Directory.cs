using Aes.Contracts.Tenancy.V1;

namespace Aes.Cli;

/// <summary>Agencies by their code (ML/MEF) and their projects by name, as people write them, read once from tenancy.</summary>
public sealed class AgencyDirectory
{
    private readonly Dictionary<string, (string Id, Dictionary<string, string> Projects)> _agencies = new(StringComparer.OrdinalIgnoreCase);

    public static async Task<AgencyDirectory> LoadAsync(TenancyService.TenancyServiceClient tenancy, CancellationToken cancellationToken)
    {
        var directory = new AgencyDirectory();
        foreach (var agency in (await tenancy.ListAgenciesAsync(new ListAgenciesRequest(), cancellationToken: cancellationToken)).Agencies)
        {
            directory._agencies[$"{agency.StateCode}/{agency.Code}"] = (agency.Id, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        }
        return directory;
    }

    public string? AgencyId(string code) => _agencies.TryGetValue(code.Trim(), out var agency) ? agency.Id : null;

    /// <summary>The project's id, reading the agency's projects the first time (only its members may).</summary>
    public async Task<string?> ProjectIdAsync(TenancyService.TenancyServiceClient tenancy, string agencyCode, string project, CancellationToken cancellationToken)
    {
        if (!_agencies.TryGetValue(agencyCode.Trim(), out var agency))
        {
            return null;
        }
        if (agency.Projects.Count == 0)
        {
            foreach (var known in (await tenancy.ListProjectsAsync(new ListProjectsRequest { AgencyId = agency.Id }, cancellationToken: cancellationToken)).Projects)
            {
                agency.Projects[known.Name] = known.Id;
            }
        }
        return agency.Projects.GetValueOrDefault(project.Trim());
    }
}
