using Aes.ServiceDefaults.Identity;
using Google.Protobuf;
using static Aes.ServiceDefaults.Identity.Allowed;
using V1 = Aes.Contracts.Quota.V1;

namespace Aes.Quota.Extensions;

/// <summary>Who may call each quota method, over what (docs/access-matrix.md lists them all).</summary>
public static class QuotaAccessRules
{
    private const Allowed Overseers = StateOperators | Auditors | ConfederalAdministrators;

    public static Google.Protobuf.Reflection.ServiceDescriptor Service => Aes.Contracts.Quota.V1.QuotaService.Descriptor;

    public static IReadOnlyDictionary<string, AccessRule> Rules { get; } = new Dictionary<string, AccessRule>
    {
        ["ListKnownFacilities"] = AccessRule.Reference,
        ["CreatePool"] = AccessRule.Write(StateOperators, Scopes.ById("facility_id", FacilityAsync)),
        ["SetInventory"] = AccessRule.Write(StateOperators, Scopes.ById("pool_id", PoolAsync)),
        ["GetPool"] = AccessRule.Read(Overseers, Scopes.ById("id", PoolAsync)),
        ["ListPools"] = AccessRule.Read(Overseers, Scopes.FirstOf(("facility_id", Scopes.ById("facility_id", FacilityAsync)), ("state_code", Scopes.StateField("state_code")))),
        ["SetStateDefaultQuota"] = AccessRule.Write(StateOperators, Scopes.StateField("state_code")),
        ["GetAgencyQuota"] = AccessRule.Read(AgencyMembers | Overseers, Scopes.ById("agency_id", AgencyAsync)),
        ["RequestQuotaChange"] = AccessRule.Write(AgencyAdministrators, Scopes.ById("agency_id", AgencyAsync)),
        ["DecideQuotaChange"] = AccessRule.Write(StateOperators, Scopes.ById("request_id", ChangeRequestAsync)),
        ["ListQuotaChangeRequests"] = AccessRule.Read(AgencyMembers | Overseers,
            Scopes.FirstOf(("agency_id", Scopes.ById("agency_id", AgencyAsync)), ("state_code", Scopes.StateField("state_code")))),
        ["ListQuotaHistory"] = AccessRule.Read(AgencyMembers | Overseers, Scopes.ById("agency_id", AgencyAsync)),
        // Claims are provisioning's: people act through their hosting requests.
        ["Hold"] = AccessRule.ServicesOnly,
        ["Commit"] = AccessRule.ServicesOnly,
        ["Release"] = AccessRule.ServicesOnly,
        ["Resize"] = AccessRule.ServicesOnly,
        ["GetClaim"] = AccessRule.ServicesOnly,
        ["GetUsage"] = AccessRule.Read(AgencyMembers | HostOperators | Overseers, UsageScopeAsync),
        ["GetAllocationHistory"] = AccessRule.Read(Overseers, Scopes.ById("pool_id", PoolAsync)),
        ["GetPlanningCapacity"] = AccessRule.ServicesOnly,
        ["ListCandidates"] = AccessRule.Read(AgencyMembers | Overseers, Scopes.ById("agency_id", AgencyAsync)),
    };

    private static QuotaDbContext Db(IServiceProvider services) => services.GetRequiredService<QuotaDbContext>();

    private static async Task<ResourceScope?> AgencyAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Agencies.AsNoTracking().Where(a => a.AgencyId == id)
            .Select(a => new ResourceScope(a.StateCode, a.AgencyId, null)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> FacilityAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Facilities.AsNoTracking().Where(f => f.FacilityId == id)
            .Select(f => new ResourceScope(f.StateCode, null, null)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> PoolAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Pools.AsNoTracking().Where(p => p.Id == id)
            .Select(p => new ResourceScope(p.StateCode, null, null)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> ChangeRequestAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).QuotaChangeRequests.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new ResourceScope(r.StateCode, r.AgencyId, null)).SingleOrDefaultAsync(cancellationToken);

    /// <summary>An agreement's usage concerns its host (scope) and its guest (the other state).</summary>
    private static async Task<ResourceScope?> AgreementAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Agreements.AsNoTracking().Where(a => a.AgreementId == id)
            .Select(a => new ResourceScope(a.HostStateCode, null, a.GuestStateCode)).SingleOrDefaultAsync(cancellationToken);

    private static ValueTask<ResourceScope> UsageScopeAsync(IMessage request, IServiceProvider services, CancellationToken cancellationToken) =>
        ((V1.GetUsageRequest)request).Scope switch
        {
            V1.UsageScope.Agency => Scopes.ById("id", AgencyAsync)(request, services, cancellationToken),
            V1.UsageScope.Pool => Scopes.ById("id", PoolAsync)(request, services, cancellationToken),
            V1.UsageScope.Facility => Scopes.ById("id", FacilityAsync)(request, services, cancellationToken),
            V1.UsageScope.Agreement => Scopes.ById("id", AgreementAsync)(request, services, cancellationToken),
            V1.UsageScope.State => Scopes.StateField("id")(request, services, cancellationToken),
            _ => ValueTask.FromResult(ResourceScope.Missing),
        };
}
