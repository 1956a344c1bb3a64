namespace Aes.Contracts.Quota;

// Integration events published by the quota service through its outbox.
// Resource classes travel as their codes: vcpu, memory_gib, storage_gib, public_ipv4, or a class an operator added.
// Amounts travel as lists by class (ByClass, OldByClass, NewByClass). The fixed amounts of the four standard classes
// that stood beside them are gone (ADR 045); a row written before still reads, its old member ignored.

public sealed record CapacityChanged(
    Guid PoolId, Guid FacilityId, string StateCode, string ResourceClass, long Total, long Reserved,
    decimal AllocationRatio, long Capacity, long Used, DateTime ChangedAt);

public sealed record QuotaChanged(
    Guid AgencyId, string StateCode, string ResourceClass, long OldLimit, long NewLimit, Guid? ChangedByUserId,
    Guid? ChangeRequestId, DateTime ChangedAt);

/// <summary><paramref name="RequestedByUserId"/>: the agency administrator who asked, told of the decision (null in a message an earlier version left in an outbox).</summary>
public sealed record QuotaChangeRequested(
    Guid RequestId, Guid AgencyId, string StateCode, string ResourceClass, long CurrentLimit, long RequestedLimit, DateTime RequestedAt,
    Guid? RequestedByUserId = null);

/// <summary>
/// A pool's use of one class went from below to at or above <see cref="PoolThresholds.AlertPercent"/> % of its capacity: once per
/// crossing, and again only after it has fallen below <see cref="PoolThresholds.ClearPercent"/> %, so a pool at the edge does not flap.
/// </summary>
public sealed record PoolThresholdCrossed(
    Guid PoolId, Guid FacilityId, string FacilityCode, string PoolName, string StateCode, string ResourceClass, long Used, long Capacity, DateTime At);

public static class PoolThresholds
{
    public const int AlertPercent = 85;
    public const int ClearPercent = 80;
}

/// <summary>
/// A quota change decided, with what was asked and who asked (null in outbox rows of the version before), so the one who asked
/// is told without waiting for the request's own event, which travels on another queue.
/// </summary>
public sealed record QuotaChangeDecided(Guid RequestId, Guid AgencyId, bool Approved, string? Reason, DateTime DecidedAt,
    Guid? RequestedByUserId = null, string? ResourceClass = null, long? RequestedLimit = null);

/// <summary>Capacity held; <paramref name="ActingUserId"/> is the user the calling service took it for.</summary>
public sealed record HoldPlaced(
    Guid ClaimId, Guid AgencyId, Guid PoolId, Guid FacilityId, Guid? AgreementId, IReadOnlyList<ResourceAmount> ByClass,
    DateTime ExpiresAt, string Reference, DateTime PlacedAt, Guid? ActingUserId = null);

public sealed record HoldCommitted(Guid ClaimId, Guid AgencyId, Guid PoolId, DateTime CommittedAt);

/// <summary>A hold or a committed claim was given back: its capacity and quota are free again.</summary>
public sealed record HoldReleased(
    Guid ClaimId, Guid AgencyId, Guid PoolId, Guid FacilityId, Guid? AgreementId, IReadOnlyList<ResourceAmount> ByClass, string Reason, DateTime ReleasedAt);

/// <summary>A live claim's amounts changed (a VM resized).</summary>
public sealed record ClaimResized(
    Guid ClaimId, Guid AgencyId, Guid PoolId, Guid FacilityId, Guid? AgreementId, IReadOnlyList<ResourceAmount> OldByClass,
    IReadOnlyList<ResourceAmount> NewByClass, DateTime ResizedAt);

public sealed record HoldExpired(
    Guid ClaimId, Guid AgencyId, Guid PoolId, Guid FacilityId, Guid? AgreementId, IReadOnlyList<ResourceAmount> ByClass, DateTime ExpiredAt);
