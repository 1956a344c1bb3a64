namespace Aes.Contracts.Billing;

// Integration events published by the billing service through its outbox. Amounts are whole XOF.

/// <summary>An invoice was issued: from now on it never changes; corrections are credit notes.</summary>
public sealed record InvoiceIssued(
    Guid InvoiceId, string Number, Guid AgencyId, string StateCode, string Month, long TotalXof, DateTime IssuedAt);

public sealed record InvoicePaid(Guid InvoiceId, string Number, Guid AgencyId, long TotalXof, DateTime PaidAt);

public sealed record InvoiceCancelled(Guid InvoiceId, string Number, Guid AgencyId, long CreditedXof, string Reason, DateTime CancelledAt);

public sealed record SettlementStatementClosed(string DebtorStateCode, string CreditorStateCode, long AmountXof);

/// <summary>A month between states is closed: what each guest state owes each host, and each state's net position.</summary>
public sealed record SettlementClosed(
    Guid SettlementId, string Month, IReadOnlyList<SettlementStatementClosed> Statements,
    IReadOnlyDictionary<string, long> NetPositions, DateTime ClosedAt);

/// <summary>
/// A facility's list prices in XOF from <paramref name="EffectiveFrom"/> (until <paramref name="EffectiveUntil"/>, or open-ended);
/// the catalogue it supersedes, if any, ends at <paramref name="EffectiveFrom"/>. Placement ranks facilities by price with these.
/// <paramref name="UnitPrices"/>: every class's price (GPUs included). The four fixed prices that stood beside them are gone
/// (ADR 046); a message an earlier version left in an outbox still reads, its fixed prices ignored.
/// </summary>
public sealed record FacilityPricesPublished(
    Guid CatalogueId, Guid FacilityId, DateTime EffectiveFrom, DateTime? EffectiveUntil, IReadOnlyList<ResourcePrice> UnitPrices,
    Guid? SupersededCatalogueId, DateTime PublishedAt);
