namespace Aes.Contracts.Provisioning;

// Integration events published by the provisioning service through its outbox.
// Sizes travel as lists by class (ADR 047); the fixed sizes of the four standard classes that stood beside them are
// gone, and a message an earlier version left in an outbox still reads (its old members ignored).

/// <summary>
/// A request was received. <paramref name="TotalResources"/>: its VMs' total by class (GPUs included).
/// <paramref name="SubmittedByUserId"/>: its requester, whom notifications tell what becomes of it (null in a message an
/// earlier version left in an outbox).
/// </summary>
public sealed record HostingRequestSubmitted(
    Guid RequestId, Guid AgencyId, string AgencyStateCode, string Classification, IReadOnlyList<ResourceAmount> TotalResources, DateTime SubmittedAt,
    Guid? SubmittedByUserId = null);

/// <summary>
/// A request waits for one state's operators: <paramref name="Role"/> <c>home</c> (the agency's state) first, then, across
/// a border, <c>host</c> (the facility's state). Published once per turn. If nobody approves, its holds lapse at
/// <paramref name="HoldsExpireAt"/>, and the request with them.
/// </summary>
public sealed record ApprovalAwaited(
    Guid RequestId, Guid AgencyId, string AgencyStateCode, string Role, string StateCode, Guid? FacilityId, Guid SubmittedByUserId,
    DateTime HoldsExpireAt, DateTime At);

/// <summary>
/// A request changed status (placed, waiting, approved, rejected, expired, failed…), with the reason in both languages, who
/// submitted it and the status it left (so "placed after waiting" needs no history). The last two are null in outbox rows
/// written by the version before.
/// </summary>
public sealed record HostingRequestStatusChanged(
    Guid RequestId, Guid AgencyId, string AgencyStateCode, string Status, string ReasonFr, string ReasonEn, Guid? FacilityId, DateTime ChangedAt,
    Guid? SubmittedByUserId = null, string? PreviousStatus = null);

/// <summary>A VM started to run: metering starts here. <paramref name="Resources"/>: its size by class (GPUs included).</summary>
public sealed record VmActivated(
    Guid VmId, Guid RequestId, Guid AgencyId, string AgencyStateCode, Guid FacilityId, string FacilityStateCode,
    IReadOnlyList<ResourceAmount> Resources, DateTime ActivatedAt);

/// <summary>A VM's size changed: metering continues at the new size, by class, from <paramref name="ResizedAt"/>.</summary>
public sealed record VmResized(
    Guid VmId, Guid AgencyId, string AgencyStateCode, Guid FacilityId, string FacilityStateCode,
    IReadOnlyList<ResourceAmount> OldResources, IReadOnlyList<ResourceAmount> NewResources, DateTime ResizedAt);

/// <summary>A VM is gone: metering stops at <paramref name="DecommissionedAt"/>. <paramref name="Resources"/>: its size by class.</summary>
public sealed record VmDecommissioned(
    Guid VmId, Guid RequestId, Guid AgencyId, string AgencyStateCode, Guid FacilityId, string FacilityStateCode,
    IReadOnlyList<ResourceAmount> Resources, DateTime ActivatedAt, DateTime DecommissionedAt);

/// <summary>
/// A snapshot of a VM was taken: its storage (the VM's disk, in GiB) is metered from <paramref name="TakenAt"/>, per GiB-month,
/// under its own id as if it were a VM holding storage only.
/// </summary>
public sealed record VmSnapshotTaken(
    Guid SnapshotId, Guid VmId, Guid AgencyId, string AgencyStateCode, Guid FacilityId, string FacilityStateCode, long SizeGib, DateTime TakenAt);

/// <summary>A snapshot is gone (with its VM): its metering stops at <paramref name="RemovedAt"/>.</summary>
public sealed record VmSnapshotRemoved(
    Guid SnapshotId, Guid VmId, Guid AgencyId, string AgencyStateCode, Guid FacilityId, string FacilityStateCode, long SizeGib, DateTime TakenAt,
    DateTime RemovedAt);

/// <summary>
/// Reconciliation found a facility out of step with the marketplace: a VM's server gone behind its back ("lost"),
/// a server carrying our metadata that the marketplace does not run ("orphan"), or one whose state differs ("state_differs").
/// </summary>
public sealed record FacilityDifferenceFound(
    Guid FacilityId, string FacilityCode, string Kind, Guid? VmId, string? ServerId, Guid? AgencyId, string DetailFr, string DetailEn, DateTime FoundAt);
