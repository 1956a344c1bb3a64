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
/// <paramref name="UnitPrices"/>: every class's price (GPUs included); absent in messages written before classes, whose four
/// fields hold them all.
/// </summary>
public sealed record FacilityPricesPublished(
    Guid CatalogueId, Guid FacilityId, DateTime EffectiveFrom, DateTime? EffectiveUntil,
    long VcpuHourXof, long MemoryGibHourXof, long StorageGibMonthXof, long PublicIpv4MonthXof, Guid? SupersededCatalogueId, DateTime PublishedAt,
    IReadOnlyList<ResourcePrice>? UnitPrices = null);
