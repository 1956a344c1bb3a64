namespace Aes.Quota.Domain;

public enum ResourceClass { Vcpu = 1, MemoryGib = 2, StorageGib = 3, PublicIpv4 = 4 }

public enum ClaimStatus { Held = 1, Committed = 2, Released = 3, Expired = 4, Refused = 5 }

public enum QuotaChangeStatus { Pending = 1, Approved = 2, Rejected = 3 }

public static class ResourceClasses
{
    /// <summary>Every class, in the fixed order in which claims lock their rows (no deadlock between claims).</summary>
    public static readonly ResourceClass[] All = [ResourceClass.Vcpu, ResourceClass.MemoryGib, ResourceClass.StorageGib, ResourceClass.PublicIpv4];

    public static string Code(this ResourceClass resourceClass) => resourceClass switch
    {
        ResourceClass.Vcpu => "vcpu",
        ResourceClass.MemoryGib => "memory_gib",
        ResourceClass.StorageGib => "storage_gib",
        ResourceClass.PublicIpv4 => "public_ipv4",
        _ => throw new ArgumentOutOfRangeException(nameof(resourceClass)),
    };
}

/// <summary>Amounts per resource class.</summary>
public readonly record struct Amounts(long Vcpu, long MemoryGib, long StorageGib, long PublicIpv4)
{
    public long this[ResourceClass resourceClass] => resourceClass switch
    {
        ResourceClass.Vcpu => Vcpu,
        ResourceClass.MemoryGib => MemoryGib,
        ResourceClass.StorageGib => StorageGib,
        ResourceClass.PublicIpv4 => PublicIpv4,
        _ => throw new ArgumentOutOfRangeException(nameof(resourceClass), resourceClass, "not a resource class"),
    };

    public IEnumerable<(ResourceClass Class, long Amount)> NonZero()
    {
        var amounts = this;
        return ResourceClasses.All.Select(c => (c, amounts[c])).Where(pair => pair.Item2 > 0);
    }

    public Aes.Contracts.ResourceAmounts ToContract() => new(Vcpu, MemoryGib, StorageGib, PublicIpv4);
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
    public ResourceClass Class { get; init; }
    public long Total { get; set; }
    public long Reserved { get; set; }
    public decimal AllocationRatio { get; set; } = 1m;
    public long Capacity { get; set; }
    public long Used { get; set; }

    public static long CapacityOf(long total, long reserved, decimal ratio) => (long)decimal.Floor(total * ratio) - reserved;
}

public sealed class StateQuotaDefault
{
    public required string StateCode { get; init; }
    public ResourceClass Class { get; init; }
    public long Limit { get; set; }
}

/// <summary>
/// An agency's effective limit and usage for one class, on one row, so that a claim checks and
/// takes quota in one conditional UPDATE. <see cref="Overridden"/>: the agency's own limit, not the state's default.
/// </summary>
public sealed class AgencyAllocation
{
    public Guid AgencyId { get; init; }
    public ResourceClass Class { get; init; }
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
    public ResourceClass Class { get; init; }
    public long Limit { get; init; }
    public long Used { get; set; }
}

public sealed class QuotaChangeRequest
{
    public Guid Id { get; init; }
    public Guid AgencyId { get; init; }
    public required string StateCode { get; init; }
    public ResourceClass Class { get; init; }
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
    public ResourceClass Class { get; init; }
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
    public long Vcpu { get; init; }
    public long MemoryGib { get; init; }
    public long StorageGib { get; init; }
    public long PublicIpv4 { get; init; }
    public ClaimStatus Status { get; set; }
    public DateTime ExpiresAt { get; init; }
    public string Reference { get; init; } = "";
    public string? Reason { get; set; }
    public string? RefusedClass { get; set; }
    public long RefusedShortfall { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public Amounts Amounts => new(Vcpu, MemoryGib, StorageGib, PublicIpv4);
}
