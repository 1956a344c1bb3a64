using Aes.Contracts.Tenancy.V1;
using Aes.ServiceDefaults.Paging;

namespace Aes.Cli;

/// <summary>Agencies by their code (ML/MEF) and their projects by name, as people write them, read once from tenancy.</summary>
public sealed class AgencyDirectory
{
    private readonly Dictionary<string, (string Id, Dictionary<string, string> Projects)> _agencies = new(StringComparer.OrdinalIgnoreCase);

    public static async Task<AgencyDirectory> LoadAsync(TenancyService.TenancyServiceClient tenancy, CancellationToken cancellationToken)
    {
        var directory = new AgencyDirectory();
        var agencies = await PagedLists.AllAsync(async token =>
        {
            var page = await tenancy.ListAgenciesAsync(new ListAgenciesRequest { PageToken = token }, cancellationToken: cancellationToken);
            return (page.Agencies.AsEnumerable(), page.NextPageToken);
        });
        foreach (var agency in agencies)
        {
            directory._agencies[$"{agency.StateCode}/{agency.Code}"] = (agency.Id, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
        }
        return directory;
    }

    public string? AgencyId(string code) => _agencies.TryGetValue(code.Trim(), out var agency) ? agency.Id : null;

    /// <summary>The agency's id; an unknown code is the user's mistake (exit code 2).</summary>
    public string RequireAgencyId(string code) => AgencyId(code) ?? throw new UsageException($"Organisme inconnu / unknown agency: {code}");

    public static async Task<string> RequireAgencyIdAsync(TenancyService.TenancyServiceClient tenancy, string code, CancellationToken cancellationToken) =>
        (await LoadAsync(tenancy, cancellationToken)).RequireAgencyId(code);

    /// <summary>A facility's id from its code (ML-BKO-1).</summary>
    public static async Task<string> RequireFacilityIdAsync(TenancyService.TenancyServiceClient tenancy, string code, CancellationToken cancellationToken) =>
        (await PagedLists.AllAsync(async token =>
        {
            var page = await tenancy.ListFacilitiesAsync(new ListFacilitiesRequest { PageToken = token }, cancellationToken: cancellationToken);
            return (page.Facilities.AsEnumerable(), page.NextPageToken);
        })).FirstOrDefault(f => string.Equals(f.Code, code.Trim(), StringComparison.OrdinalIgnoreCase))?.Id
        ?? throw new UsageException($"Centre inconnu / unknown facility: {code}");

    /// <summary>The project's id from the agency's code and its name; one the caller cannot see is the user's mistake (exit code 2).</summary>
    public static async Task<string> RequireProjectIdAsync(TenancyService.TenancyServiceClient tenancy, string agencyCode, string project, CancellationToken cancellationToken) =>
        await (await LoadAsync(tenancy, cancellationToken)).ProjectIdAsync(tenancy, agencyCode, project, cancellationToken)
        ?? throw new UsageException($"Projet inconnu, ou dont vous n'êtes pas membre / unknown project, or not one of yours: {project}");

    /// <summary>All the agency's projects the caller may see, page after page.</summary>
    public static Task<List<Project>> ProjectsAsync(TenancyService.TenancyServiceClient tenancy, string agencyId, CancellationToken cancellationToken) =>
        PagedLists.AllAsync(async token =>
        {
            var page = await tenancy.ListProjectsAsync(new ListProjectsRequest { AgencyId = agencyId, PageToken = token }, cancellationToken: cancellationToken);
            return (page.Projects.AsEnumerable(), page.NextPageToken);
        });

    /// <summary>All the caller's SSH keys in the agency, page after page.</summary>
    public static Task<List<Aes.Contracts.Provisioning.V1.SshKey>> SshKeysAsync(Aes.Contracts.Provisioning.V1.ProvisioningService.ProvisioningServiceClient provisioning,
        string agencyId, CancellationToken cancellationToken) =>
        PagedLists.AllAsync(async token =>
        {
            var page = await provisioning.ListSshKeysAsync(new Aes.Contracts.Provisioning.V1.ListSshKeysRequest { AgencyId = agencyId, PageToken = token },
                cancellationToken: cancellationToken);
            return (page.Keys.AsEnumerable(), page.NextPageToken);
        });

    /// <summary>The project's id, reading the agency's projects the first time (only its members may).</summary>
    public async Task<string?> ProjectIdAsync(TenancyService.TenancyServiceClient tenancy, string agencyCode, string project, CancellationToken cancellationToken)
    {
        if (!_agencies.TryGetValue(agencyCode.Trim(), out var agency))
        {
            return null;
        }
        if (agency.Projects.Count == 0)
        {
            foreach (var known in await ProjectsAsync(tenancy, agency.Id, cancellationToken))
            {
                agency.Projects[known.Name] = known.Id;
            }
        }
        return agency.Projects.GetValueOrDefault(project.Trim());
    }
}
