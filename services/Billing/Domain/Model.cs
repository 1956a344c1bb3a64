using Aes.Contracts;

namespace Aes.Billing.Domain;

public enum InvoiceStatus { Draft = 1, Issued = 2, Paid = 3, Cancelled = 4 }

public enum UsageEventKind { Activated = 1, Resized = 2, Decommissioned = 3 }

public enum PriceSource { Catalogue = 1, Agreement = 2 }

/// <summary>
/// A class of the catalogue as billing knows it: the standard four from its first migration, the others as tenancy
/// defines them (<c>ResourceClassDefined</c>). How a class is metered and named on invoices comes from here (ADR 043).
/// </summary>
public sealed class KnownResourceClass
{
    public required string Code { get; init; }
    public required string Unit { get; init; }
    public required string NameFr { get; init; }
    public required string NameEn { get; init; }
    public ResourceMetering Metering { get; init; }
    public ResourceConsumption Consumption { get; init; }
    public DateTime DefinedAt { get; init; }

    public ResourceClassDefinition Definition => new(Code, Unit, NameFr, NameEn, Metering, Consumption);

    public static KnownResourceClass From(ResourceClassDefinition definition, DateTime definedAt) => new()
    {
        Code = definition.Code, Unit = definition.Unit, NameFr = definition.NameFr, NameEn = definition.NameEn,
        Metering = definition.Metering, Consumption = definition.Consumption, DefinedAt = definedAt,
    };
}

/// <summary>The classes billing can meter, rate and name: what a usage's or a price's class means to an invoice.</summary>
public sealed class MeteredClasses
{
    private readonly Dictionary<string, ResourceClassDefinition> _byCode;

    public MeteredClasses(IEnumerable<ResourceClassDefinition> classes) => _byCode = classes.ToDictionary(c => c.Code, StringComparer.Ordinal);

    public static MeteredClasses Standard { get; } = new(ResourceClasses.Standard);

    public bool Knows(string code) => _byCode.ContainsKey(code);

    /// <summary>
    /// The class's definition. A class billing has not heard of (usage of a class defined a moment ago, whose definition is
    /// still on its way) is refused, never billed by a guess.
    /// </summary>
    public ResourceClassDefinition this[string code] => _byCode.TryGetValue(code, out var definition) ? definition
        : throw new RuleViolationException(new(
            $"La classe de ressource {code} n'est pas encore connue de la facturation : réessayez dans un instant.",
            $"Resource class {code} is not known to billing yet: try again in a moment."));

    public bool IsHourly(string code) => this[code].Metering == ResourceMetering.Hourly;

    /// <summary>The unit a price or a line of the class is quoted in: <c>vcpu-hour</c>, <c>gib-month</c>, <c>gpu-hour</c>.</summary>
    public string Unit(string code) => ResourceClasses.BillingUnit(this[code].Unit, this[code].Metering);

    /// <summary>An invoice's words for it: "Mémoire (Gio·heure)", "Public IPv4 address (month)", "GPU A100 80 Go (heure)".</summary>
    public (string French, string English) Label(string code)
    {
        var resourceClass = this[code];
        var (periodFr, periodEn) = resourceClass.Metering == ResourceMetering.Hourly ? ("heure", "hour") : ("mois", "month");
        return resourceClass.Consumption == ResourceConsumption.Count
            ? ($"{resourceClass.NameFr} ({periodFr})", $"{resourceClass.NameEn} ({periodEn})")
            : ($"{resourceClass.NameFr} ({(resourceClass.Unit == "gib" ? "Gio" : resourceClass.Unit)}·{periodFr})",
                $"{resourceClass.NameEn} ({(resourceClass.Unit == "gib" ? "GiB" : resourceClass.Unit)}-{periodEn})");
    }

    /// <summary>
    /// What invoice lines call a class (<c>resource</c>): the words lines used before the catalogue for memory and storage,
    /// kept in the v1 API and the CSV so an issued invoice reads the same as when it was issued; the code for every other class.
    /// </summary>
    public static string LineName(string code) => code switch
    {
        ResourceClasses.MemoryGib => "memory",
        ResourceClasses.StorageGib => "storage",
        _ => code,
    };
}

// Projections of tenancy's events, kept so billing decides alone.

public sealed class KnownState
{
    public required string Code { get; init; }
    public required string TimeZone { get; set; }
}

public sealed class KnownFacility
{
    public Guid Id { get; init; }
    public required string Code { get; set; }
    public required string StateCode { get; init; }
    public required string Name { get; set; }
}

/// <summary>An agreement's price terms: they apply to the guest state's usage of the facility while it is in force.</summary>
public sealed class KnownAgreement
{
    public Guid Id { get; init; }
    public required string HostStateCode { get; init; }
    public Guid FacilityId { get; init; }
    public required string GuestStateCode { get; init; }
    public bool FacilityListPrice { get; init; }
    /// <summary>The fixed price of each class the terms name; the classes they do not name are at the facility's list price.</summary>
    public ResourceVector UnitPrices { get; init; } = ResourceVector.Zero;
    public DateTime StartsAt { get; init; }
    public DateTime EndsAt { get; set; }
}

/// <summary>
/// An agreement's end as tenancy announced it, kept even when its activation has not arrived yet (events are not
/// ordered across queues): the activation, when it comes, ends there and not at its planned end.
/// </summary>
public sealed class EndedAgreement
{
    public Guid AgreementId { get; init; }
    public DateTime EndedAt { get; init; }
}

public sealed class KnownRole
{
    public long Id { get; init; }
    public Guid UserId { get; init; }
    public required string Role { get; init; }
    public string? StateCode { get; init; }
    public Guid? AgencyId { get; init; }
}

public sealed class PriceCatalogue
{
    public Guid Id { get; init; }
    public Guid FacilityId { get; init; }
    public DateTime EffectiveFrom { get; init; }
    /// <summary>Exclusive; null while open-ended. Set once, when a later catalogue takes over.</summary>
    public DateTime? EffectiveUntil { get; set; }
    /// <summary>Whole XOF per unit of each class it prices: per hour or per month, as the class is metered.</summary>
    public ResourceVector UnitPrices { get; init; } = ResourceVector.Zero;
    public string Currency { get; init; } = "XOF";
    public Guid CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>One row per metered VM: its fixed facts, and the row every change to its usage locks first.</summary>
public sealed class VmMeter
{
    public Guid VmId { get; init; }
    public Guid AgencyId { get; init; }
    public required string AgencyStateCode { get; init; }
    public Guid FacilityId { get; init; }
    public required string FacilityStateCode { get; init; }
    public long Version { get; set; }
}

/// <summary>A lifecycle event as billing received it; (VM, kind, instant) identifies it, so a copy counts once.</summary>
public sealed class UsageEvent
{
    public long Id { get; init; }
    public Guid VmId { get; init; }
    public UsageEventKind Kind { get; init; }
    public DateTime OccurredAt { get; init; }
    /// <summary>The size from this instant (activated, resized) or at the end (decommissioned).</summary>
    public ResourceVector Size { get; init; } = ResourceVector.Zero;
    /// <summary>A resize's size before; a decommission's activation instant is kept in <see cref="ActivatedAt"/>.</summary>
    public ResourceVector OldSize { get; init; } = ResourceVector.Zero;
    public DateTime? ActivatedAt { get; init; }
    public DateTime ReceivedAt { get; init; }
}

/// <summary>A VM ran at one size over [From, Until); Until is null while it still runs.</summary>
public sealed class UsageSegment
{
    public Guid Id { get; init; }
    public Guid VmId { get; init; }
    public Guid AgencyId { get; init; }
    public required string AgencyStateCode { get; init; }
    public Guid FacilityId { get; init; }
    public required string FacilityStateCode { get; init; }
    public DateTime From { get; init; }
    public DateTime? Until { get; set; }
    /// <summary>The amount of each class the VM held.</summary>
    public ResourceVector Size { get; set; } = ResourceVector.Zero;
}

public sealed class Invoice
{
    public Guid Id { get; init; }
    public string? Number { get; set; }
    public Guid AgencyId { get; init; }
    public required string AgencyName { get; init; }
    public required string StateCode { get; init; }
    public required string Month { get; init; }
    public required string TimeZone { get; init; }
    public DateTime PeriodFrom { get; init; }
    public DateTime PeriodUntil { get; init; }
    public InvoiceStatus Status { get; set; } = InvoiceStatus.Draft;
    public string Currency { get; init; } = "XOF";
    public long TotalXof { get; set; }
    public long CreditedXof { get; set; }
    public DateTime DraftedAt { get; set; }
    public DateTime? IssuedAt { get; set; }
    public DateTime? PaidAt { get; set; }
    public DateTime? CancelledAt { get; set; }
    public string? CancelReason { get; set; }
    public long Version { get; set; }
    public List<InvoiceLine> Lines { get; init; } = [];
    public List<CreditNote> CreditNotes { get; init; } = [];
}

/// <summary>
/// One resource class at one facility over one price period. <see cref="ResourceSeconds"/> is the exact
/// usage (quantity × seconds); the amount is ResourceSeconds × UnitPriceXof / Divisor, rounded once.
/// </summary>
public sealed class InvoiceLine
{
    public Guid Id { get; init; }
    public Guid InvoiceId { get; init; }
    public Guid FacilityId { get; init; }
    public required string FacilityCode { get; init; }
    public required string FacilityStateCode { get; init; }
    /// <summary>The catalogue's code of the class.</summary>
    public required string ResourceClass { get; init; }
    public DateTime PeriodFrom { get; init; }
    public DateTime PeriodUntil { get; init; }
    public long ResourceSeconds { get; init; }
    public long Divisor { get; init; }
    public long UnitPriceXof { get; init; }
    public long AmountXof { get; init; }
    public PriceSource PriceSource { get; init; }
    public Guid PriceSourceId { get; init; }
}

public static class InvoiceLines
{
    /// <summary>How an invoice lists its lines: by facility, then class in the catalogue's display order, then period.</summary>
    public static IEnumerable<InvoiceLine> InReadingOrder(this IEnumerable<InvoiceLine> lines) =>
        lines.OrderBy(l => l.FacilityCode, StringComparer.Ordinal).ThenBy(l => ResourceClasses.DisplayRank(l.ResourceClass))
            .ThenBy(l => l.ResourceClass, StringComparer.Ordinal).ThenBy(l => l.PeriodFrom);
}

/// <summary>
/// The usage an invoice was rated from: a slice of one metered period under one price. A line's usage
/// is the invoice's pieces at its facility, under its price, within its period; each piece feeds the
/// line of every resource the VM had.
/// </summary>
public sealed class RatedPiece
{
    public Guid Id { get; init; }
    public Guid InvoiceId { get; init; }
    public Guid SegmentId { get; init; }
    public Guid VmId { get; init; }
    public Guid FacilityId { get; init; }
    public Guid PriceSourceId { get; init; }
    public DateTime From { get; init; }
    public DateTime Until { get; init; }
}

public sealed class CreditNote
{
    public Guid Id { get; init; }
    public Guid InvoiceId { get; init; }
    public required string Number { get; init; }
    public long AmountXof { get; init; }
    public required string Reason { get; init; }
    public DateTime IssuedAt { get; init; }
    public List<CreditAllocation> Allocations { get; init; } = [];
}

/// <summary>The part of a credit note that reverses one invoice line.</summary>
public sealed class CreditAllocation
{
    public long Id { get; init; }
    public Guid CreditNoteId { get; init; }
    public Guid InvoiceLineId { get; init; }
    public long AmountXof { get; init; }
}

/// <summary>Gap-free numbering per state and year: INV-ML-2026-000001, AV-ML-2026-000001 for credit notes.</summary>
public sealed class NumberSequence
{
    public required string Key { get; init; }
    public long Next { get; set; }
}

public sealed class JournalEntry
{
    public Guid Id { get; init; }
    public DateTime PostedAt { get; init; }
    public required string Kind { get; init; }
    public Guid Reference { get; init; }
    public required string Description { get; init; }
    public List<JournalLine> Lines { get; init; } = [];
}

public sealed class JournalLine
{
    public long Id { get; init; }
    public Guid EntryId { get; init; }
    public required string Account { get; init; }
    public long DebitXof { get; init; }
    public long CreditXof { get; init; }
    public Guid? InvoiceLineId { get; init; }
}

public sealed class SettlementRun
{
    public Guid Id { get; init; }
    public required string Month { get; init; }
    public DateTime ClosedAt { get; init; }
    public Guid ClosedBy { get; init; }
    public List<SettlementStatement> Statements { get; init; } = [];
}

public sealed class SettlementStatement
{
    public Guid Id { get; init; }
    public Guid SettlementId { get; init; }
    public required string DebtorStateCode { get; init; }
    public required string CreditorStateCode { get; init; }
    public long AmountXof { get; init; }
    public List<StatementLine> Lines { get; init; } = [];
}

/// <summary>An invoice line's guest amount, net of its credits, carried into a statement.</summary>
public sealed class StatementLine
{
    public long Id { get; init; }
    public Guid StatementId { get; init; }
    public Guid InvoiceLineId { get; init; }
    public long AmountXof { get; init; }
}
