using Aes.Contracts;

namespace Aes.Billing.Domain;

public enum Resource { Vcpu = 1, Memory = 2, Storage = 3, PublicIpv4 = 4 }

public enum InvoiceStatus { Draft = 1, Issued = 2, Paid = 3, Cancelled = 4 }

public enum UsageEventKind { Activated = 1, Resized = 2, Decommissioned = 3 }

public enum PriceSource { Catalogue = 1, Agreement = 2 }

/// <summary>A VM's size, the quantity metered per resource.</summary>
public readonly record struct Size(long Vcpu, long MemoryGib, long StorageGib, long PublicIpv4)
{
    public long Of(Resource resource) => resource switch
    {
        Resource.Vcpu => Vcpu,
        Resource.Memory => MemoryGib,
        Resource.Storage => StorageGib,
        Resource.PublicIpv4 => PublicIpv4,
        _ => throw new ArgumentOutOfRangeException(nameof(resource)),
    };
}

/// <summary>Per-unit prices in whole XOF: hourly for vCPU and memory, monthly for storage and IPv4.</summary>
public readonly record struct Prices(long VcpuHourXof, long MemoryGibHourXof, long StorageGibMonthXof, long PublicIpv4MonthXof)
{
    public long Of(Resource resource) => resource switch
    {
        Resource.Vcpu => VcpuHourXof,
        Resource.Memory => MemoryGibHourXof,
        Resource.Storage => StorageGibMonthXof,
        Resource.PublicIpv4 => PublicIpv4MonthXof,
        _ => throw new ArgumentOutOfRangeException(nameof(resource)),
    };
}

/// <summary>What billing knows of each resource it meters comes from the resource-class catalogue (ADR 039).</summary>
public static class Resources
{
    public static readonly Resource[] All = [Resource.Vcpu, Resource.Memory, Resource.Storage, Resource.PublicIpv4];

    /// <summary>The catalogue's class a metered resource is.</summary>
    public static ResourceClassDefinition Class(Resource resource)
    {
        var code = resource switch
        {
            Resource.Vcpu => ResourceClasses.Vcpu,
            Resource.Memory => ResourceClasses.MemoryGib,
            Resource.Storage => ResourceClasses.StorageGib,
            Resource.PublicIpv4 => ResourceClasses.PublicIpv4,
            _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "not a metered resource"),
        };
        return ResourceClasses.Standard.Single(c => c.Code == code);
    }

    public static bool IsHourly(Resource resource) => Class(resource).Metering == ResourceMetering.Hourly;

    /// <summary>The class's code in the catalogue (an invoice line's <c>resource_class</c>).</summary>
    public static string Code(Resource resource) => Class(resource).Code;

    /// <summary>
    /// What invoice lines called it before the catalogue (<c>resource</c>, kept as it was in the v1 API and the CSV, so an issued
    /// invoice reads the same as when it was issued and a reader keyed on it loses no line).
    /// </summary>
    public static string LineName(Resource resource) => resource switch
    {
        Resource.Vcpu => "vcpu",
        Resource.Memory => "memory",
        Resource.Storage => "storage",
        Resource.PublicIpv4 => "public_ipv4",
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "not a metered resource"),
    };

    public static string Unit(Resource resource)
    {
        var resourceClass = Class(resource);
        return ResourceClasses.BillingUnit(resourceClass.Unit, resourceClass.Metering);
    }

    /// <summary>An invoice's words for it: "Mémoire (Gio·heure)", "Public IPv4 address (month)".</summary>
    public static (string French, string English) Label(Resource resource)
    {
        var resourceClass = Class(resource);
        var (periodFr, periodEn) = resourceClass.Metering == ResourceMetering.Hourly ? ("heure", "hour") : ("mois", "month");
        return resourceClass.Consumption == ResourceConsumption.Count
            ? ($"{resourceClass.NameFr} ({periodFr})", $"{resourceClass.NameEn} ({periodEn})")
            : ($"{resourceClass.NameFr} ({(resourceClass.Unit == "gib" ? "Gio" : resourceClass.Unit)}·{periodFr})",
                $"{resourceClass.NameEn} ({(resourceClass.Unit == "gib" ? "GiB" : resourceClass.Unit)}-{periodEn})");
    }
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
    public Prices Prices { get; init; }
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
    public Prices Prices { get; init; }
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
    public Size Size { get; init; }
    /// <summary>A resize's size before; a decommission's activation instant is kept in <see cref="ActivatedAt"/>.</summary>
    public Size OldSize { get; init; }
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
    public Size Size { get; set; }
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
/// One resource at one facility over one price period. <see cref="ResourceSeconds"/> is the exact
/// usage (quantity × seconds); the amount is ResourceSeconds × UnitPriceXof / Divisor, rounded once.
/// </summary>
public sealed class InvoiceLine
{
    public Guid Id { get; init; }
    public Guid InvoiceId { get; init; }
    public Guid FacilityId { get; init; }
    public required string FacilityCode { get; init; }
    public required string FacilityStateCode { get; init; }
    public Resource Resource { get; init; }
    public DateTime PeriodFrom { get; init; }
    public DateTime PeriodUntil { get; init; }
    public long ResourceSeconds { get; init; }
    public long Divisor { get; init; }
    public long UnitPriceXof { get; init; }
    public long AmountXof { get; init; }
    public PriceSource PriceSource { get; init; }
    public Guid PriceSourceId { get; init; }
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
