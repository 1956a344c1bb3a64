using Aes.ServiceDefaults.Identity;

namespace Aes.Provisioning.Application;

/// <summary>
/// What a method checks once it has loaded what it acts on (home or host operator, submitter or agency administrator),
/// from the roles the call acts with (<see cref="ActingRoles"/>): the token's grants, the same the per-method rule read.
/// </summary>
public sealed class Access(ProvisioningDbContext db, ActingRoles acting)
{
    public async Task<IReadOnlyList<Grant>> RolesAsync(Guid userId, CancellationToken cancellationToken) =>
        acting.FromToken(userId)
        ?? (await db.Roles.AsNoTracking().Where(r => r.UserId == userId).ToListAsync(cancellationToken))
            .Select(r => ActingRoles.Replicated(r.Role, r.StateCode, r.AgencyId)).OfType<Grant>().ToList();

    public static bool OperatesIn(IEnumerable<Grant> roles, string? stateCode) =>
        stateCode is not null && roles.Any(r => r.Role == AccessDecision.StateOperator && r.State == stateCode);

    public static bool ActsFor(IEnumerable<Grant> roles, Guid agencyId) =>
        roles.Any(r => r.Role is AccessDecision.Requester or AccessDecision.AgencyAdministrator && r.Agency == agencyId);

    public static bool Administers(IEnumerable<Grant> roles, Guid agencyId) =>
        roles.Any(r => r.Role == AccessDecision.AgencyAdministrator && r.Agency == agencyId);

    /// <summary>Who owns what an agency member asked for: the person who submitted it, or an administrator of the agency.</summary>
    public static bool OwnsOrAdministers(IEnumerable<Grant> roles, Guid actor, Guid submittedBy, Guid agencyId) =>
        actor == submittedBy || Administers(roles, agencyId);

    public async Task RequireAgencyMemberAsync(Guid userId, Guid agencyId, CancellationToken cancellationToken)
    {
        if (!ActsFor(await RolesAsync(userId, cancellationToken), agencyId))
        {
            throw new ForbiddenException(new(
                "Seuls les demandeurs et les administrateurs de l'organisme peuvent demander un hébergement pour lui.",
                "Only the agency's requesters and administrators may request hosting for it."));
        }
    }

    public async Task RequireOperatorAsync(Guid userId, string stateCode, CancellationToken cancellationToken)
    {
        if (!OperatesIn(await RolesAsync(userId, cancellationToken), stateCode))
        {
            throw new ForbiddenException(new(
                $"Seul un opérateur national de {stateCode} peut faire cela.", $"Only a state operator of {stateCode} may do this."));
        }
    }
}

/// <summary>Tenancy's project memberships as provisioning last heard them (<see cref="Consumers.ProjectMembershipChangedConsumer"/>).</summary>
public sealed class ProjectMemberships(ProvisioningDbContext db) : Aes.ServiceDefaults.Identity.IProjectMembership
{
    public async ValueTask<bool> IsMemberAsync(Guid projectId, Guid userId, CancellationToken cancellationToken) =>
        await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.UserId == userId && m.IsMember, cancellationToken);

    /// <summary>Keeps tenancy's latest word on the pair: an older revision, arriving late, changes nothing.</summary>
    public async Task RecordAsync(Aes.Contracts.Tenancy.ProjectMembershipChanged change, CancellationToken cancellationToken)
    {
        var known = new KnownProjectMember { ProjectId = change.ProjectId, UserId = change.UserId, IsMember = change.IsMember, Revision = change.Revision };
        if (!await db.InsertIfAbsentAsync(known, cancellationToken))
        {
            await db.ProjectMembers.Where(m => m.ProjectId == change.ProjectId && m.UserId == change.UserId && m.Revision < change.Revision)
                .ExecuteUpdateAsync(set => set.SetProperty(m => m.IsMember, change.IsMember).SetProperty(m => m.Revision, change.Revision), cancellationToken);
        }
    }
}
