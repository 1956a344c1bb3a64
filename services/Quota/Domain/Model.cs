namespace Aes.Quota.Domain;

public enum ClaimStatus { Held = 1, Committed = 2, Released = 3, Expired = 4, Refused = 5 }

public enum QuotaChangeStatus { Pending = 1, Approved = 2, Rejected = 3 }

/// <summary>A class of the confederation's catalogue as quota knows it from tenancy's events: holds and inventories may use it.</summary>
public sealed class KnownResourceClass
{
    public required string Code { get; init; }
    public required string Unit { get; init; }
    public DateTime DefinedAt { get; init; }
}

/// <summary>A facility as quota knows it from tenancy's events.</summary>
public sealed class KnownFacility
{
    public Guid FacilityId { get; init; }
    public required string Code { get; init; }
    public required string StateCode { get; init; }
    public required string Status { get; set; }
}

public sealed class KnownAgency
{
    public Guid AgencyId { get; init; }
    public required string StateCode { get; init; }
}

/// <summary>A user's role as tenancy announced it; quota checks who may change capacity and quotas.</summary>
public sealed class KnownRole
{
    public long Id { get; init; }
    public Guid UserId { get; init; }
    public required string Role { get; init; }
    public string? StateCode { get; init; }
    public Guid? AgencyId { get; init; }
}

/// <summary>A cluster or a general-purpose / high-memory pool of one facility.</summary>
public sealed class CapacityPool
{
    public Guid Id { get; init; }
    public Guid FacilityId { get; init; }
    public required string FacilityCode { get; init; }
    public required string StateCode { get; init; }
    public required string Name { get; init; }
    public DateTime CreatedAt { get; init; }
    public List<PoolInventory> Inventories { get; init; } = [];
}

/// <summary>
/// A pool's inventory of one class. <see cref="Capacity"/> = floor(total × ratio) − reserved is kept
/// on the row, so that a claim is one conditional UPDATE: used + n ≤ capacity.
/// </summary>
public sealed class PoolInventory
{
    public Guid PoolId { get; init; }
    public required string Class { get; init; }
    public long Total { get; set; }
    public long Reserved { get; set; }
    public decimal AllocationRatio { get; set; } = 1m;
    public long Capacity { get; set; }
    public long Used { get; set; }
    /// <summary>Set when use passed the alert threshold (PoolThresholds), cleared below the clear one: one alert per crossing.</summary>
    public bool AboveAlert { get; set; }

    public static long CapacityOf(long total, long reserved, decimal ratio) => (long)decimal.Floor(total * ratio) - reserved;
}

public sealed class StateQuotaDefault
{
    public required string StateCode { get; init; }
    public required string Class { get; init; }
    public long Limit { get; set; }
}

/// <summary>
/// An agency's effective limit and usage for one class, on one row, so that a claim checks and
/// takes quota in one conditional UPDATE. <see cref="Overridden"/>: the agency's own limit, not the state's default.
/// </summary>
public sealed class AgencyAllocation
{
    public Guid AgencyId { get; init; }
    public required string Class { get; init; }
    public required string StateCode { get; init; }
    public long Limit { get; set; }
    public bool Overridden { get; set; }
    public long Used { get; set; }
}

/// <summary>An agreement as quota knows it; <see cref="Active"/> false once it ended.</summary>
public sealed class AgreementSliceInfo
{
    public Guid AgreementId { get; init; }
    public Guid FacilityId { get; init; }
    public required string HostStateCode { get; init; }
    public required string GuestStateCode { get; init; }
    public bool Active { get; set; }
}

public sealed class AgreementSlice
{
    public Guid AgreementId { get; init; }
    public required string Class { get; init; }
    public long Limit { get; init; }
    public long Used { get; set; }
}

public sealed class QuotaChangeRequest
{
    public Guid Id { get; init; }
    public Guid AgencyId { get; init; }
    public required string StateCode { get; init; }
    public required string Class { get; init; }
    public long CurrentLimit { get; init; }
    public long RequestedLimit { get; init; }
    public required string Justification { get; init; }
    public Guid RequestedBy { get; init; }
    public DateTime RequestedAt { get; init; }
    public QuotaChangeStatus Status { get; set; } = QuotaChangeStatus.Pending;
    public Guid? DecidedBy { get; set; }
    public string? DecisionReason { get; set; }
    public DateTime? DecidedAt { get; set; }
    public int Version { get; set; }
}

public sealed class QuotaHistoryEntry
{
    public long Id { get; init; }
    public Guid AgencyId { get; init; }
    public required string Class { get; init; }
    public long OldLimit { get; init; }
    public long NewLimit { get; init; }
    public Guid? ChangedBy { get; init; }
    public Guid? ChangeRequestId { get; init; }
    public DateTime ChangedAt { get; init; }
}

/// <summary>
/// A claim on capacity, keyed by the caller's id so that every operation is idempotent.
/// Refused claims are kept too: a retry gets the same refusal.
/// </summary>
public sealed class Claim
{
    public Guid ClaimId { get; init; }
    public Guid AgencyId { get; init; }
    public Guid PoolId { get; init; }
    public Guid FacilityId { get; init; }
    public Guid? AgreementId { get; init; }
    /// <summary>What the claim holds of each class; kept whole on the claim, as one value.</summary>
    public ResourceVector Amounts { get; set; } = ResourceVector.Zero;
    public ClaimStatus Status { get; set; }
    public DateTime ExpiresAt { get; init; }
    public string Reference { get; init; } = "";
    public string? Reason { get; set; }
    public string? RefusedClass { get; set; }
    public long RefusedShortfall { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}
