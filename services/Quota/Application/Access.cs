using Aes.ServiceDefaults.Identity;

namespace Aes.Quota.Application;

/// <summary>
/// What a method checks once it has loaded what it acts on (the state of a facility, a pool, a change request),
/// from the roles the call acts with (<see cref="ActingRoles"/>): the token's grants, the same the per-method rule read.
/// </summary>
public sealed class Access(QuotaDbContext db, ActingRoles acting)
{
    public async Task RequireOperatorAsync(Guid actor, string stateCode, CancellationToken cancellationToken)
    {
        if (!(await RolesAsync(actor, cancellationToken)).Any(r => r.Role == AccessDecision.StateOperator && r.State == stateCode))
        {
            throw new ForbiddenException(new(
                $"Seul un opérateur national de {stateCode} peut faire cela.", $"Only a state operator of {stateCode} can do this."));
        }
    }

    public async Task RequireAgencyAdministratorAsync(Guid actor, Guid agencyId, CancellationToken cancellationToken)
    {
        if (!(await RolesAsync(actor, cancellationToken)).Any(r => r.Role == AccessDecision.AgencyAdministrator && r.Agency == agencyId))
        {
            throw new ForbiddenException(new(
                "Seul un administrateur de cet organisme peut demander un changement de quota.",
                "Only an administrator of this agency can ask for a quota change."));
        }
    }

    private async Task<IReadOnlyList<Grant>> RolesAsync(Guid userId, CancellationToken cancellationToken) =>
        acting.FromToken(userId)
        ?? (await db.Roles.AsNoTracking().Where(r => r.UserId == userId).ToListAsync(cancellationToken))
            .Select(r => ActingRoles.Replicated(r.Role, r.StateCode, r.AgencyId)).OfType<Grant>().ToList();
}
