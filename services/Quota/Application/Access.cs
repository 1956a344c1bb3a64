namespace Aes.Quota.Application;

/// <summary>
/// Who may change what, from the roles tenancy announced. Until tokens carry identity (the
/// identity issue), mutating calls name their actor and quota checks that actor's roles.
/// </summary>
public sealed class Access(QuotaDbContext db)
{
    public async Task RequireOperatorAsync(Guid actor, string stateCode, CancellationToken cancellationToken)
    {
        if (!await db.Roles.AnyAsync(r => r.UserId == actor && r.Role == "state-operator" && r.StateCode == stateCode, cancellationToken))
        {
            throw new ForbiddenException(new(
                $"Seul un opérateur national de {stateCode} peut faire cela.", $"Only a state operator of {stateCode} can do this."));
        }
    }

    public async Task RequireAgencyAdministratorAsync(Guid actor, Guid agencyId, CancellationToken cancellationToken)
    {
        if (!await db.Roles.AnyAsync(r => r.UserId == actor && r.Role == "agency-administrator" && r.AgencyId == agencyId, cancellationToken))
        {
            throw new ForbiddenException(new(
                "Seul un administrateur de cet organisme peut demander un changement de quota.",
                "Only an administrator of this agency can ask for a quota change."));
        }
    }
}
