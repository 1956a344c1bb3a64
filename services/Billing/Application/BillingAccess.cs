using Aes.Billing.Domain;

namespace Aes.Billing.Application;

/// <summary>Who may do what with money, from the roles tenancy announced (until the identity issue brings tokens).</summary>
public sealed class BillingAccess(BillingDbContext db)
{
    public const string Requester = "requester", AgencyAdministrator = "agency-administrator", StateOperator = "state-operator",
        ConfederalAdministrator = "confederal-administrator", Auditor = "auditor";

    private async Task<List<KnownRole>> RolesAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Roles.AsNoTracking().Where(r => r.UserId == userId).ToListAsync(cancellationToken);

    /// <summary>Operators keep their state's prices and invoices.</summary>
    public async Task RequireOperatorAsync(Guid userId, string stateCode, CancellationToken cancellationToken)
    {
        var roles = await RolesAsync(userId, cancellationToken);
        if (!roles.Any(r => r.Role == StateOperator && r.StateCode == stateCode))
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
    private static bool IsConfederalReader(KnownRole role) =>
        role.Role == ConfederalAdministrator || (role.Role == Auditor && role.StateCode is null);

    /// <summary>An agency's invoices and usage: its own members, its state's operators and auditors, the confederation.</summary>
    public async Task RequireReaderAsync(Guid userId, Guid agencyId, string stateCode, CancellationToken cancellationToken)
    {
        var roles = await RolesAsync(userId, cancellationToken);
        if (!roles.Any(r => IsConfederalReader(r)
                || (r.Role is StateOperator or Auditor && r.StateCode == stateCode)
                || (r.Role is Requester or AgencyAdministrator && r.AgencyId == agencyId)))
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
            roles.Where(r => r.Role is StateOperator or Auditor && r.StateCode is not null).Select(r => r.StateCode!).ToHashSet(),
            roles.Where(r => r.Role is Requester or AgencyAdministrator && r.AgencyId is not null).Select(r => r.AgencyId!.Value).ToHashSet());
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
