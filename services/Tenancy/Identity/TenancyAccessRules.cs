using Aes.ServiceDefaults.Identity;
using Google.Protobuf;
using static Aes.ServiceDefaults.Identity.Allowed;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Identity;

/// <summary>Who may call each tenancy method, over what (docs/access-matrix.md lists them all).</summary>
public static class TenancyAccessRules
{
    private const Allowed Operators = StateOperators | ConfederalAdministrators;

    public static Google.Protobuf.Reflection.ServiceDescriptor Service => Aes.Contracts.Tenancy.V1.TenancyService.Descriptor;

    public static IReadOnlyDictionary<string, AccessRule> Rules { get; } = new Dictionary<string, AccessRule>
    {
        // What the portal's home page shows to anyone: the member states and their facilities.
        ["ListMemberStates"] = AccessRule.Public,
        ["GetMemberState"] = AccessRule.Public,
        ["ListResourceClasses"] = AccessRule.Reference,
        // A class is the confederation's, for every state's pools and prices; a state's operators add one in its name.
        ["DefineResourceClass"] = AccessRule.Write(Operators, Scopes.StateField("state_code")),
        ["GetFacility"] = AccessRule.Public,
        ["ListFacilities"] = AccessRule.Public,
        ["GetAgency"] = AccessRule.Reference,
        ["ListAgencies"] = AccessRule.Reference,
        ["RegisterFacility"] = AccessRule.Write(Operators, Scopes.StateField("state_code")),
        ["OpenFacility"] = AccessRule.Write(Operators, Scopes.ById("id", FacilityAsync)),
        ["SetFacilityCapacity"] = AccessRule.Write(Operators, Scopes.ById("id", FacilityAsync)),
        ["CloseFacility"] = AccessRule.Write(Operators, Scopes.ById("id", FacilityAsync)),
        ["RegisterAgency"] = AccessRule.Write(Operators, Scopes.StateField("state_code")),
        ["CreateProject"] = AccessRule.Write(AgencyAdministrators | Operators, Scopes.ById("agency_id", AgencyAsync)),
        ["ListProjects"] = AccessRule.Read(AgencyMembers | Operators | Auditors, Scopes.ById("agency_id", AgencyAsync)),
        ["AddProjectMember"] = AccessRule.Write(AgencyAdministrators | Operators, Scopes.ById("project_id", ProjectAsync)),
        ["RemoveProjectMember"] = AccessRule.Write(AgencyAdministrators | Operators, Scopes.ById("project_id", ProjectAsync)),
        ["ListProjectMembers"] = AccessRule.Read(AgencyAdministrators | Operators | Auditors, Scopes.ById("project_id", ProjectAsync)),
        ["CreateUser"] = AccessRule.Write(AgencyAdministrators | Operators, NewUserAsync),
        ["GetUser"] = AccessRule.Read(AgencyAdministrators | Operators | Auditors, Scopes.ById("id", UserAsync)),
        // Anyone signed in reads themselves, and only themselves: the method takes no id.
        ["GetSignedInUser"] = AccessRule.Reference,
        ["ListUsers"] = AccessRule.Read(AgencyAdministrators | Operators | Auditors,
            Scopes.FirstOf(("agency_id", Scopes.ById("agency_id", AgencyAsync)), ("state_code", Scopes.StateField("state_code")))),
        ["AssignRole"] = AccessRule.Write(AgencyAdministrators | Operators, AssignmentAsync),
        ["RevokeRole"] = AccessRule.Write(AgencyAdministrators | Operators, AssignmentAsync),
        ["CreateAutomationClient"] = AccessRule.Write(AgencyAdministrators | Operators, AssignmentAsync),
        // A state's operators link their provider's subjects to their state's users; the scope is the user's.
        ["LinkExternalIdentity"] = AccessRule.Write(StateOperators, Scopes.ById("user_id", UserAsync)),
        ["UnlinkExternalIdentity"] = AccessRule.Write(StateOperators, Scopes.ById("user_id", UserAsync)),
        ["ListExternalIdentityLinks"] = AccessRule.Read(StateOperators | Auditors,
            Scopes.FirstOf(("user_id", Scopes.ById("user_id", UserAsync)), ("state_code", Scopes.StateField("state_code")))),
        // An agreement concerns two states: the host (scope) and the guest (the "other" state, as a host is for a guest request).
        ["DraftAgreement"] = AccessRule.Write(Operators, Scopes.ById("facility_id", FacilityAsync)),
        ["GetAgreement"] = AccessRule.Read(Operators | HostOperators | Auditors, Scopes.ById("id", AgreementAsync)),
        ["ListAgreements"] = AccessRule.Read(Operators | Auditors, Scopes.StateField("state_code")),
        // The two states sign; the confederal administration drafts and may end an agreement, never signs for a state.
        ["SignAgreement"] = AccessRule.Write(StateOperators | HostOperators, Scopes.ById("agreement_id", AgreementAsync)),
        ["TerminateAgreement"] = AccessRule.Write(Operators | HostOperators, Scopes.ById("agreement_id", AgreementAsync)),
    };

    private static TenancyDbContext Db(IServiceProvider services) => services.GetRequiredService<TenancyDbContext>();

    private static async Task<ResourceScope?> FacilityAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Facilities.AsNoTracking().Where(f => f.Id == id).Select(f => new ResourceScope(f.StateCode, null, null)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> AgencyAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Agencies.AsNoTracking().Where(a => a.Id == id).Select(a => new ResourceScope(a.StateCode, a.Id, null)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> ProjectAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Projects.AsNoTracking().Where(p => p.Id == id)
            .Join(Db(services).Agencies, p => p.AgencyId, a => a.Id, (p, a) => new ResourceScope(a.StateCode, a.Id, null))
            .SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> AgreementAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Agreements.AsNoTracking().Where(a => a.Id == id)
            .Select(a => new ResourceScope(a.HostStateCode, null, a.GuestStateCode)).SingleOrDefaultAsync(cancellationToken);

    /// <summary>A user belongs where its first role does; a user without roles to the confederation.</summary>
    private static async Task<ResourceScope?> UserAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken)
    {
        var user = await Db(services).Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return null;
        }
        return user.Roles.FirstOrDefault() is { } role ? await OfAsync(role.StateCode, role.AgencyId, services, cancellationToken) : ResourceScope.Confederation;
    }

    /// <summary>
    /// Every role the new user is given must lie within the caller's reach: the one scope that holds them all
    /// (one agency; else one state, for its operators; else the confederation).
    /// </summary>
    private static async ValueTask<ResourceScope> NewUserAsync(IMessage request, IServiceProvider services, CancellationToken cancellationToken)
    {
        var roles = ((V1.CreateUserRequest)request).Roles;
        if (roles.Count == 0)
        {
            return ResourceScope.Confederation;
        }
        var scopes = new List<ResourceScope>();
        foreach (var role in roles)
        {
            scopes.Add(await OfAsync(role, services, cancellationToken));
        }
        return scopes.Contains(ResourceScope.Missing) ? ResourceScope.Missing
            : scopes.Distinct().Count() == 1 ? scopes[0]
            : scopes.Select(s => s.State).Distinct().ToList() is [{ } state] ? new ResourceScope(state)
            : ResourceScope.Confederation;
    }

    private static async ValueTask<ResourceScope> AssignmentAsync(IMessage request, IServiceProvider services, CancellationToken cancellationToken)
    {
        var assignment = request switch
        {
            V1.AssignRoleRequest assign => assign.Assignment,
            V1.RevokeRoleRequest revoke => revoke.Assignment,
            V1.CreateAutomationClientRequest client => client.Assignment,
            _ => null,
        };
        return assignment is null ? ResourceScope.Confederation : await OfAsync(assignment, services, cancellationToken);
    }

    private static Task<ResourceScope> OfAsync(V1.RoleAssignment assignment, IServiceProvider services, CancellationToken cancellationToken) =>
        OfAsync(assignment.StateCode is { Length: > 0 } state ? state : null,
            Guid.TryParse(assignment.AgencyId, out var agency) ? agency : null, services, cancellationToken);

    private static async Task<ResourceScope> OfAsync(string? state, Guid? agency, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (agency is { } agencyId)
        {
            return await AgencyAsync(agencyId, services, cancellationToken) ?? ResourceScope.Missing;
        }
        return state is null ? ResourceScope.Confederation : new ResourceScope(state);
    }
}
