using Aes.ServiceDefaults.Identity;
using static Aes.ServiceDefaults.Identity.Allowed;

namespace Aes.Billing.Extensions;

/// <summary>Who may call each billing method, over what (docs/access-matrix.md lists them all).</summary>
public static class BillingAccessRules
{
    private const Allowed Overseers = StateOperators | Auditors | ConfederalAdministrators;
    /// <summary>Each state invoices its own agencies: only its operators write its invoices.</summary>
    private const Allowed Invoicers = StateOperators;

    public static Google.Protobuf.Reflection.ServiceDescriptor Service => Aes.Contracts.Billing.V1.BillingService.Descriptor;

    public static IReadOnlyDictionary<string, AccessRule> Rules { get; } = new Dictionary<string, AccessRule>
    {
        ["ListAccounts"] = AccessRule.Read(Overseers, Scopes.StateField("state_code")),
        ["SetPriceCatalogue"] = AccessRule.Write(StateOperators, Scopes.ById("facility_id", FacilityAsync)),
        ["ListPriceCatalogues"] = AccessRule.Reference,
        ["ListUsage"] = AccessRule.Read(AgencyMembers | Overseers, Scopes.ById("agency_id", AccountAsync)),
        ["DraftInvoice"] = AccessRule.Write(Invoicers, Scopes.ById("agency_id", AccountAsync)),
        ["DraftInvoices"] = AccessRule.Write(Invoicers, Scopes.StateField("state_code")),
        ["GetInvoice"] = AccessRule.Read(AgencyMembers | Overseers, Scopes.ById("invoice_id", InvoiceAsync)),
        ["ListInvoices"] = AccessRule.Read(AgencyMembers | Overseers,
            Scopes.FirstOf(("agency_id", Scopes.ById("agency_id", AccountAsync)), ("state_code", Scopes.StateField("state_code")))),
        ["IssueInvoice"] = AccessRule.Write(Invoicers, Scopes.ById("invoice_id", InvoiceAsync)),
        ["PayInvoice"] = AccessRule.Write(Invoicers, Scopes.ById("invoice_id", InvoiceAsync)),
        ["CancelInvoice"] = AccessRule.Write(Invoicers, Scopes.ById("invoice_id", InvoiceAsync)),
        ["IssueCreditNote"] = AccessRule.Write(Invoicers, Scopes.ById("invoice_id", InvoiceAsync)),
        ["ExportInvoices"] = AccessRule.Read(Overseers, Scopes.StateField("state_code")),
        ["RenderInvoice"] = AccessRule.Read(AgencyMembers | Overseers, Scopes.ById("invoice_id", InvoiceAsync)),
        ["CloseSettlement"] = AccessRule.Write(ConfederalAdministrators, Scopes.Confederation),
        ["GetSettlement"] = AccessRule.Read(Overseers, (_, _, _) => ValueTask.FromResult(ResourceScope.EveryState)),
        ["AuditLedger"] = AccessRule.Read(Overseers, (_, _, _) => ValueTask.FromResult(ResourceScope.EveryState)),
        ["ListLedgerBalances"] = AccessRule.Read(Overseers, (_, _, _) => ValueTask.FromResult(ResourceScope.EveryState)),
    };

    private static BillingDbContext Db(IServiceProvider services) => services.GetRequiredService<BillingDbContext>();

    private static async Task<ResourceScope?> AccountAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Accounts.AsNoTracking().Where(a => a.AgencyId == id)
            .Select(a => new ResourceScope(a.StateCode, a.AgencyId, null)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> FacilityAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Facilities.AsNoTracking().Where(f => f.Id == id)
            .Select(f => new ResourceScope(f.StateCode, null, null)).SingleOrDefaultAsync(cancellationToken);

    private static async Task<ResourceScope?> InvoiceAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Invoices.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new ResourceScope(i.StateCode, i.AgencyId, null)).SingleOrDefaultAsync(cancellationToken);
}
