using Aes.ServiceDefaults.Identity;
using Google.Protobuf;
using static Aes.ServiceDefaults.Identity.Allowed;
using V1 = Aes.Contracts.Provisioning.V1;

namespace Aes.Provisioning.Extensions;

/// <summary>Who may call each provisioning method, over what (docs/access-matrix.md lists them all).</summary>
public static class ProvisioningAccessRules
{
    private const Allowed Readers = AgencyMembers | StateOperators | HostOperators | Auditors | ConfederalAdministrators;

    public static Google.Protobuf.Reflection.ServiceDescriptor Service => Aes.Contracts.Provisioning.V1.ProvisioningService.Descriptor;

    public static IReadOnlyDictionary<string, AccessRule> Rules { get; } = new Dictionary<string, AccessRule>
    {
        ["ListAgreementsInForce"] = AccessRule.Reference,
        ["ListCatalogue"] = AccessRule.Reference,
        // A requester asks only for a project they work on (the method checks the project is the agency's).
        ["SubmitRequest"] = AccessRule.ProjectWrite(AgencyMembers, SubmissionAsync),
        ["GetRequest"] = AccessRule.ProjectRead(Readers, Scopes.ById("request_id", RequestAsync)),
        ["GetPlacementDecision"] = AccessRule.ProjectRead(Readers, Scopes.ById("request_id", RequestAsync)),
        ["PreviewPlacement"] = AccessRule.Read(AgencyMembers | StateOperators, Scopes.ById("agency_id", AgencyAsync)),
        // By state: that state's agencies' requests and those placed in its facilities. A requester gets only those of their projects.
        ["ListRequests"] = AccessRule.Read(Readers, Scopes.FirstOf(("agency_id", Scopes.ById("agency_id", AgencyAsync)), ("state_code", HostingStateAsync))),
        ["Approve"] = AccessRule.Write(StateOperators | HostOperators, Scopes.ById("request_id", RequestAsync)),
        ["Reject"] = AccessRule.Write(StateOperators | HostOperators, Scopes.ById("request_id", RequestAsync)),
        // Its submitter or an agency administrator (the service checks which).
        ["WithdrawRequest"] = AccessRule.ProjectWrite(AgencyMembers, Scopes.ById("request_id", RequestAsync)),
        ["SetAutoApprovalPolicy"] = AccessRule.Write(StateOperators, PolicyStateAsync),
        ["GetAutoApprovalPolicy"] = AccessRule.Read(StateOperators | Auditors | ConfederalAdministrators, Scopes.StateField("state_code")),
        // A requester gets only the VMs of their projects.
        ["ListVms"] = AccessRule.Read(AgencyMembers | StateOperators | Auditors | ConfederalAdministrators, Scopes.ById("agency_id", AgencyAsync)),
        ["DecommissionVm"] = AccessRule.ProjectWrite(AgencyMembers | StateOperators | HostOperators, Scopes.ById("vm_id", VmAsync)),
        ["ResizeVm"] = AccessRule.ProjectWrite(AgencyMembers | StateOperators | HostOperators, Scopes.ById("vm_id", VmAsync)),
        // The VM's requester or an agency administrator (the service checks which).
        ["StopVm"] = AccessRule.ProjectWrite(AgencyMembers, Scopes.ById("vm_id", VmAsync)),
        ["StartVm"] = AccessRule.ProjectWrite(AgencyMembers, Scopes.ById("vm_id", VmAsync)),
        ["RebootVm"] = AccessRule.ProjectWrite(AgencyMembers, Scopes.ById("vm_id", VmAsync)),
        ["OpenVmConsole"] = AccessRule.ProjectWrite(AgencyMembers, Scopes.ById("vm_id", VmAsync)),
        ["TakeVmSnapshot"] = AccessRule.ProjectWrite(AgencyMembers, Scopes.ById("vm_id", VmAsync)),
        ["ListVmSnapshots"] = AccessRule.ProjectRead(AgencyMembers | StateOperators | HostOperators | Auditors | ConfederalAdministrators, Scopes.ById("vm_id", VmAsync)),
        // A member's own keys in their agency: actor_user_id is the caller (the caller interceptor sees to it).
        ["RegisterSshKey"] = AccessRule.Write(AgencyMembers, Scopes.ById("agency_id", AgencyAsync)),
        ["ListSshKeys"] = AccessRule.Read(AgencyMembers, Scopes.ById("agency_id", AgencyAsync)),
        ["DeleteSshKey"] = AccessRule.Write(AgencyMembers, Scopes.ById("agency_id", AgencyAsync)),
        ["GetProjectFirewall"] = AccessRule.ProjectRead(AgencyMembers | StateOperators | HostOperators | Auditors | ConfederalAdministrators, Scopes.ById("project_id", ProjectAsync)),
        ["SetProjectFirewall"] = AccessRule.Write(AgencyAdministrators, Scopes.ById("project_id", ProjectAsync)),
        ["SetAgencySshAccess"] = AccessRule.Write(AgencyAdministrators, Scopes.ById("agency_id", AgencyAsync)),
        ["ListFacilityVms"] = AccessRule.Read(StateOperators | Auditors | ConfederalAdministrators, Scopes.ById("facility_id", FacilityAsync)),
        // A facility's cloud is its state's operators' to connect and map; auditors and the confederation read.
        ["ConnectFacility"] = AccessRule.Write(StateOperators, Scopes.ById("facility_id", FacilityAsync)),
        ["RefreshFacilityCatalogue"] = AccessRule.Write(StateOperators, Scopes.ById("facility_id", FacilityAsync)),
        ["MapFacilityFlavour"] = AccessRule.Write(StateOperators, Scopes.ById("facility_id", FacilityAsync)),
        ["MapFacilityImage"] = AccessRule.Write(StateOperators, Scopes.ById("facility_id", FacilityAsync)),
        ["GetFacilityConnection"] = AccessRule.Read(StateOperators | Auditors | ConfederalAdministrators, Scopes.ById("facility_id", FacilityAsync)),
        ["TestFacilityConnection"] = AccessRule.Read(StateOperators | Auditors | ConfederalAdministrators, Scopes.ById("facility_id", FacilityAsync)),
        ["GetFacilityCatalogue"] = AccessRule.Read(StateOperators | Auditors | ConfederalAdministrators, Scopes.ById("facility_id", FacilityAsync)),
        ["ListReconciliationFindings"] = AccessRule.Read(StateOperators | Auditors | ConfederalAdministrators,
            Scopes.FirstOf(("facility_id", Scopes.ById("facility_id", FacilityAsync)), ("state_code", Scopes.StateField("state_code")))),
        // A facility's measured availability against its target is public, as its target is.
        // Each facility's measured availability is on the portal's public home page.
        ["GetFacilityAvailability"] = AccessRule.Public,
        // A campaign is its owning state's: its operators (or the confederal administrator) create, import and plan; its auditors read.
        ["CreateCampaign"] = AccessRule.Write(StateOperators | ConfederalAdministrators, Scopes.StateField("owner_state_code")),
        ["GetCampaign"] = AccessRule.Read(StateOperators | Auditors | ConfederalAdministrators, Scopes.ById("campaign_id", CampaignAsync)),
        // An agency's members see the campaigns it takes part in, and only its own workloads in them.
        ["ListCampaigns"] = AccessRule.Read(AgencyMembers | StateOperators | Auditors | ConfederalAdministrators,
            Scopes.FirstOf(("agency_id", Scopes.ById("agency_id", AgencyAsync)), ("state_code", Scopes.StateField("state_code")))),
        ["ImportCampaignWorkloads"] = AccessRule.Write(StateOperators | ConfederalAdministrators, Scopes.ById("campaign_id", CampaignAsync)),
        ["PlanCampaign"] = AccessRule.Write(StateOperators | ConfederalAdministrators, Scopes.ById("campaign_id", CampaignAsync)),
        ["ListCampaignWorkloads"] = AccessRule.Read(AgencyMembers | StateOperators | Auditors | ConfederalAdministrators,
            Scopes.FirstOf(("only_agency_id", Scopes.ById("only_agency_id", AgencyAsync)), ("campaign_id", Scopes.ById("campaign_id", CampaignAsync)))),
        // Launching submits requests in the agencies' name: the owning state's operators' decision, as the plan was.
        ["LaunchCampaignWave"] = AccessRule.Write(StateOperators | ConfederalAdministrators, Scopes.ById("campaign_id", CampaignAsync)),
        // A workload's step is its agency's to record (the transfer is theirs), or its state's operators' on their behalf.
        ["RecordCampaignStep"] = AccessRule.Write(AgencyMembers | StateOperators | ConfederalAdministrators, CampaignWorkloadAsync),
    };

    private static ProvisioningDbContext Db(IServiceProvider services) => services.GetRequiredService<ProvisioningDbContext>();

    private static async Task<ResourceScope?> AgencyAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Agencies.AsNoTracking().Where(a => a.AgencyId == id)
            .Select(a => new ResourceScope(a.StateCode, a.AgencyId, null)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> ProjectAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Projects.AsNoTracking().Where(p => p.ProjectId == id)
            .Join(Db(services).Agencies, p => p.AgencyId, a => a.AgencyId, (p, a) => new ResourceScope(a.StateCode, a.AgencyId, null, p.ProjectId))
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>The agency asked for, and the project named (a malformed one is left for the method to refuse).</summary>
    private static async ValueTask<ResourceScope> SubmissionAsync(IMessage request, IServiceProvider services, CancellationToken cancellationToken)
    {
        var agency = await Scopes.ById("agency_id", AgencyAsync)(request, services, cancellationToken);
        return agency.Agency is not null && Scopes.Id(request, "project_id") is { } project ? agency with { Project = project } : agency;
    }

    private static async Task<ResourceScope?> CampaignAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Campaigns.AsNoTracking().Where(c => c.Id == id).Select(c => new ResourceScope(c.OwnerStateCode, null, null)).SingleOrDefaultAsync(cancellationToken);

    /// <summary>The workload's agency, found by the campaign and the workload's name (an unknown one is left for the method to refuse).</summary>
    private static async ValueTask<ResourceScope> CampaignWorkloadAsync(IMessage request, IServiceProvider services, CancellationToken cancellationToken)
    {
        var campaign = Scopes.Id(request, "campaign_id");
        var key = Scopes.Text(request, "workload").Trim();
        var scope = campaign is { } id
            ? await Db(services).CampaignWorkloads.AsNoTracking().Where(w => w.CampaignId == id && w.Key == key)
                .Select(w => new ResourceScope(w.AgencyStateCode, w.AgencyId, null)).SingleOrDefaultAsync(cancellationToken)
            : null;
        return scope ?? (campaign is not null ? await Scopes.ById("campaign_id", CampaignAsync)(request, services, cancellationToken) : ResourceScope.Confederation);
    }

    private static async Task<ResourceScope?> FacilityAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Facilities.AsNoTracking().Where(f => f.FacilityId == id)
            .Select(f => new ResourceScope(f.StateCode, null, null)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> RequestAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Requests.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new ResourceScope(r.AgencyStateCode, r.AgencyId, r.FacilityStateCode, r.ProjectId)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> VmAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Vms.AsNoTracking().Where(v => v.Id == id)
            .Join(Db(services).Requests, v => v.RequestId, r => r.Id, (v, r) => new ResourceScope(v.AgencyStateCode, v.AgencyId, v.FacilityStateCode, r.ProjectId))
            .SingleOrDefaultAsync(cancellationToken);

    private static ValueTask<ResourceScope> HostingStateAsync(IMessage request, IServiceProvider services, CancellationToken cancellationToken)
    {
        var state = Scopes.Text(request, "state_code").ToUpperInvariant();
        return ValueTask.FromResult(new ResourceScope(state, null, state));
    }

    private static ValueTask<ResourceScope> PolicyStateAsync(IMessage request, IServiceProvider services, CancellationToken cancellationToken) =>
        ValueTask.FromResult(((V1.SetAutoApprovalPolicyRequest)request).Policy?.StateCode is { Length: > 0 } state
            ? new ResourceScope(state.ToUpperInvariant())
            : ResourceScope.Confederation);
}
