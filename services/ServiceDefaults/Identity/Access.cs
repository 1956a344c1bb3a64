using System.Security.Claims;
using Google.Protobuf;

namespace Aes.ServiceDefaults.Identity;

/// <summary>Whom a method lets in; combined with the scope of what the request touches.</summary>
[Flags]
public enum Allowed
{
    /// <summary>Any signed-in caller: reference data such as states, facilities and catalogues.</summary>
    Everyone = 1,
    /// <summary>Requesters and agency administrators of the agency the request concerns.</summary>
    AgencyMembers = 2,
    /// <summary>Administrators of the agency the request concerns.</summary>
    AgencyAdministrators = 4,
    /// <summary>Operators of the state the request concerns.</summary>
    StateOperators = 8,
    /// <summary>Operators of the state hosting the facility of a guest request, VM or claim.</summary>
    HostOperators = 16,
    /// <summary>Auditors of that state, or of the confederation; never on a method that writes.</summary>
    Auditors = 32,
    ConfederalAdministrators = 64,
    /// <summary>Anyone, signed in or not: the public reference data the portal's home page shows (with <see cref="Everyone"/>).</summary>
    Anonymous = 128,
}

/// <summary>
/// What a request touches: its state, its agency, for guest resources the host state of the facility, and for
/// what belongs to a project (a request, a VM, a project's firewall) that project.
/// <see cref="Confederation"/> touches no one state: only confederal roles may act on it.
/// </summary>
public sealed record ResourceScope(string? State, Guid? Agency = null, string? HostState = null, Guid? Project = null)
{
    public static readonly ResourceScope Confederation = new((string?)null);
    /// <summary>Concerns every state alike (a settlement, the ledger): each state's operators and auditors may read it.</summary>
    public static readonly ResourceScope EveryState = new("*");
    /// <summary>What the request names does not exist: the method itself answers NotFound.</summary>
    public static readonly ResourceScope Missing = new("-missing-");
}

/// <summary>Answers whether a user works on a project, from the service's own copy of tenancy's memberships.</summary>
public interface IProjectMembership
{
    ValueTask<bool> IsMemberAsync(Guid projectId, Guid userId, CancellationToken cancellationToken);
}

public delegate ValueTask<ResourceScope> ScopeResolver(IMessage request, IServiceProvider services, CancellationToken cancellationToken);

/// <summary>
/// One method's rule: who, over what scope, and whether it changes anything (auditors only read).
/// <see cref="WithinProject"/>: what it touches belongs to a project, and a requester must work on that project.
/// </summary>
public sealed record AccessRule(Allowed Who, bool Writes, ScopeResolver ScopeOf, bool WithinProject = false)
{
    public static AccessRule Read(Allowed who, ScopeResolver scope) => new(who, false, scope);
    public static AccessRule Write(Allowed who, ScopeResolver scope) => new(who, true, scope);
    public static AccessRule ProjectRead(Allowed who, ScopeResolver scope) => new(who, false, scope, WithinProject: true);
    public static AccessRule ProjectWrite(Allowed who, ScopeResolver scope) => new(who, true, scope, WithinProject: true);
    public static readonly AccessRule Reference = new(Allowed.Everyone, false, (_, _, _) => ValueTask.FromResult(ResourceScope.Confederation));
    /// <summary>Public reference data, served without a token: the method carries [AllowAnonymous] too, and only such methods do.</summary>
    public static readonly AccessRule Public = new(Allowed.Everyone | Allowed.Anonymous, false, (_, _, _) => ValueTask.FromResult(ResourceScope.Confederation));
    /// <summary>Only the marketplace's own services call it (quota's claims, for provisioning).</summary>
    public static readonly AccessRule ServicesOnly = new(0, true, (_, _, _) => ValueTask.FromResult(ResourceScope.Confederation));
}

/// <summary>The grants of a token, as <c>role:STATE:agency</c>.</summary>
public sealed record Grant(string Role, string? State, Guid? Agency)
{
    public static IReadOnlyList<Grant> Of(ClaimsPrincipal caller) =>
        caller.FindAll(AesClaims.Grant).Select(claim => Parse(claim.Value)).OfType<Grant>().ToList();

    /// <summary>The claim's value: <c>role:STATE:agency</c>, state and agency empty when the role has no such scope.</summary>
    public override string ToString() => $"{Role}:{State}:{(Agency is { } agency ? agency.ToString() : "")}";

    /// <summary>
    /// A well-formed grant, or null: a known role with the scope it needs and no other (an agency role names its agency
    /// and that agency's state, a state operator its state, a confederal administrator neither; an auditor is of one
    /// state or of the confederation).
    /// </summary>
    public static Grant? Parse(string value)
    {
        var parts = value.Split(':');
        if (parts.Length != 3)
        {
            return null;
        }
        var (role, state) = (parts[0], parts[1].Length == 0 ? null : parts[1]);
        Guid? agency = null;
        if (parts[2].Length > 0)
        {
            if (!Guid.TryParse(parts[2], out var id))
            {
                return null;
            }
            agency = id;
        }
        var wellFormed = role switch
        {
            AccessDecision.ConfederalAdministrator => state is null && agency is null,
            AccessDecision.Auditor => agency is null,
            AccessDecision.StateOperator => state is not null && agency is null,
            AccessDecision.Requester or AccessDecision.AgencyAdministrator => state is not null && agency is not null,
            _ => false,
        };
        return wellFormed ? new Grant(role, state, agency) : null;
    }
}

public static class AccessDecision
{
    public const string Requester = "Requester";
    public const string AgencyAdministrator = "AgencyAdministrator";
    public const string StateOperator = "StateOperator";
    public const string ConfederalAdministrator = "ConfederalAdministrator";
    public const string Auditor = "Auditor";

    /// <summary>
    /// True when one of the caller's grants lets it do what the rule guards on that scope; an auditor never
    /// on a rule that writes; a requester, on a rule within a project, only when <paramref name="memberOfProject"/>.
    /// (Services are let through before this, by the interceptor.)
    /// </summary>
    public static bool Allows(IReadOnlyList<Grant> grants, AccessRule rule, ResourceScope scope, bool memberOfProject = false)
    {
        if (rule.Who.HasFlag(Allowed.Everyone) || scope == ResourceScope.Missing)
        {
            return true;
        }
        return grants.Any(grant => grant.Role switch
        {
            ConfederalAdministrator => rule.Who.HasFlag(Allowed.ConfederalAdministrators),
            Auditor => !rule.Writes && rule.Who.HasFlag(Allowed.Auditors)
                && (grant.State is null || (scope.State is not null && (Concerns(scope.State, grant.State) || scope.HostState == grant.State))),
            StateOperator => grant.State is not null
                && ((rule.Who.HasFlag(Allowed.StateOperators) && Concerns(scope.State, grant.State))
                    || (rule.Who.HasFlag(Allowed.HostOperators) && scope.HostState == grant.State)),
            AgencyAdministrator => InAgency(grant, scope)
                && (rule.Who.HasFlag(Allowed.AgencyAdministrators) || rule.Who.HasFlag(Allowed.AgencyMembers)),
            Requester => InAgency(grant, scope) && rule.Who.HasFlag(Allowed.AgencyMembers)
                && (!rule.WithinProject || scope.Project is null || memberOfProject),
            _ => false,
        });
    }

    private static bool Concerns(string? scopeState, string state) => scopeState == state || scopeState == ResourceScope.EveryState.State;

    /// <summary>
    /// The agency is the grant's, and lies in the grant's state by the service's own data (the scope's state): a state's
    /// issuer, trusted for its state only, cannot reach another state's agency by naming its id.
    /// </summary>
    private static bool InAgency(Grant grant, ResourceScope scope) =>
        grant.Agency is not null && scope.Agency == grant.Agency && scope.State == grant.State;
}

/// <summary>
/// What of an agency's project-bound data (requests, VMs, project firewalls) a caller sees: its administrators, the
/// operators and auditors of its state, confederal roles and the marketplace's services see every project; a
/// requester sees only the projects they belong to.
/// </summary>
public static class ProjectVisibility
{
    public static bool SeesWholeAgency(ClaimsPrincipal caller, string agencyState, Guid agency) =>
        caller.IsInRole(AesClaims.ServiceRole) || SeesWholeAgency(Grant.Of(caller), agencyState, agency);

    public static bool SeesWholeAgency(IReadOnlyList<Grant> grants, string agencyState, Guid agency) => grants.Any(grant => grant.Role switch
    {
        AccessDecision.ConfederalAdministrator => true,
        AccessDecision.Auditor => grant.State is null || grant.State == agencyState,
        AccessDecision.StateOperator => grant.State == agencyState,
        AccessDecision.AgencyAdministrator => grant.Agency == agency && grant.State == agencyState,
        _ => false,
    });

    /// <summary>The token's subject as a user id, when it is one.</summary>
    public static Guid? UserOf(ClaimsPrincipal caller) => Guid.TryParse(caller.FindFirst(AesClaims.Subject)?.Value, out var user) ? user : null;
}
