using Aes.ServiceDefaults.Identity;

namespace Aes.Billing.Application;

/// <summary>
/// Who may do what with money, once the method knows whose it is (an account's state, an invoice's agency), from the
/// roles the call acts with (<see cref="ActingRoles"/>): the token's grants, the same the per-method rule read.
/// </summary>
public sealed class BillingAccess(BillingDbContext db, ActingRoles acting)
{
    private const string Requester = AccessDecision.Requester, AgencyAdministrator = AccessDecision.AgencyAdministrator,
        StateOperator = AccessDecision.StateOperator, ConfederalAdministrator = AccessDecision.ConfederalAdministrator, Auditor = AccessDecision.Auditor;

    private async Task<IReadOnlyList<Grant>> RolesAsync(Guid userId, CancellationToken cancellationToken) =>
        acting.FromToken(userId)
        ?? (await db.Roles.AsNoTracking().Where(r => r.UserId == userId).ToListAsync(cancellationToken))
            .Select(r => ActingRoles.Replicated(r.Role, r.StateCode, r.AgencyId)).OfType<Grant>().ToList();

    /// <summary>Operators keep their state's prices and invoices.</summary>
    public async Task RequireOperatorAsync(Guid userId, string stateCode, CancellationToken cancellationToken)
    {
        var roles = await RolesAsync(userId, cancellationToken);
        if (!roles.Any(r => r.Role == StateOperator && r.State == stateCode))
        {
            throw new ForbiddenException(new(
                $"Seul un opérateur national de {stateCode} peut faire cela.", $"Only a state operator of {stateCode} may do this."));
        }
    }

    public async Task RequireConfederalAdministratorAsync(Guid userId, CancellationToken cancellationToken)
    {
        var roles = await RolesAsync(userId, cancellationToken);
        if (!roles.Any(r => r.Role == ConfederalAdministrator))
        {
            throw new ForbiddenException(new(
                "Seule l'administration confédérale peut clore un règlement entre États.",
                "Only the confederal administration may close a settlement between states."));
        }
    }

    /// <summary>The confederal administration and the confederation's auditors read every state's billing.</summary>
    private static bool IsConfederalReader(Grant role) =>
        role.Role == ConfederalAdministrator || (role.Role == Auditor && role.State is null);

    /// <summary>An agency's invoices and usage: its own members, its state's operators and auditors, the confederation.</summary>
    public async Task RequireReaderAsync(Guid userId, Guid agencyId, string stateCode, CancellationToken cancellationToken)
    {
        var roles = await RolesAsync(userId, cancellationToken);
        if (!roles.Any(r => IsConfederalReader(r)
                || (r.Role is StateOperator or Auditor && r.State == stateCode)
                || (r.Role is Requester or AgencyAdministrator && r.Agency == agencyId)))
        {
            throw new ForbiddenException(new(
                "Vous ne pouvez voir que la facturation de votre organisme ou de votre État.",
                "You may only see the billing of your own agency or state."));
        }
    }

    /// <summary>What a reader may list: null means everything (the confederation), else these states and agencies.</summary>
    public async Task<(bool All, HashSet<string> States, HashSet<Guid> Agencies)> ScopeAsync(Guid userId, CancellationToken cancellationToken)
    {
        var roles = await RolesAsync(userId, cancellationToken);
        return (roles.Any(IsConfederalReader),
            roles.Where(r => r.Role is StateOperator or Auditor && r.State is not null).Select(r => r.State!).ToHashSet(),
            roles.Where(r => r.Role is Requester or AgencyAdministrator && r.Agency is not null).Select(r => r.Agency!.Value).ToHashSet());
    }

    /// <summary>Settlements and the ledger concern states: the confederation, and any state's operators and auditors.</summary>
    public async Task RequireStateLevelAsync(Guid userId, CancellationToken cancellationToken)
    {
        var roles = await RolesAsync(userId, cancellationToken);
        if (!roles.Any(r => r.Role is ConfederalAdministrator or StateOperator or Auditor))
        {
            throw new ForbiddenException(new(
                "Réservé à l'administration confédérale, aux opérateurs nationaux et aux auditeurs.",
                "Reserved to the confederal administration, state operators and auditors."));
        }
    }
}
