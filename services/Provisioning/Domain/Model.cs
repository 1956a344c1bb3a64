using Aes.Contracts;

namespace Aes.Provisioning.Domain;

public enum Classification { Strategic = 1, Sensitive = 2, Internal = 3, Public = 4 }

/// <summary>The lifecycle of DOMAIN.md, with its side exits.</summary>
public enum RequestStatus
{
    Submitted = 1, WaitingForCapacity = 2, AwaitingApproval = 3, Approved = 4, Provisioning = 5, Active = 6,
    Rejected = 7, Expired = 8, Failed = 9, Decommissioned = 10, Withdrawn = 11,
}

public enum ApprovalState { NotNeeded = 0, Pending = 1, Approved = 2, Rejected = 3 }

public enum VmStatus
{
    Pending = 1, Held = 2, Creating = 3, Active = 4, Decommissioning = 5, Decommissioned = 6, Removed = 7, Resizing = 8, Lost = 9,
    Stopping = 10, Stopped = 11, Starting = 12, Rebooting = 13,
}

/// <summary>What the owner asks of a running or stopped VM; the workflow carries it out in the facility.</summary>
public enum PowerAction { Stop = 1, Start = 2, Reboot = 3, HardReboot = 4 }

public static class Codes
{
    public static string Code(this Classification classification) => classification.ToString().ToLowerInvariant();

    public static Classification? ParseClassification(string value) => value.Trim().ToLowerInvariant() switch
    {
        "strategic" => Classification.Strategic,
        "sensitive" => Classification.Sensitive,
        "internal" => Classification.Internal,
        "public" => Classification.Public,
        _ => null,
    };

    public static string Code(this RequestStatus status) => status switch
    {
        RequestStatus.WaitingForCapacity => "waiting_for_capacity",
        RequestStatus.AwaitingApproval => "awaiting_approval",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static string Code(this VmStatus status) => status.ToString().ToLowerInvariant();

    public static string Code(this FindingKind kind) => kind switch
    {
        FindingKind.Lost => "lost",
        FindingKind.Orphan => "orphan",
        FindingKind.StateDiffers => "state_differs",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Code(this ApprovalState state) => state switch
    {
        ApprovalState.NotNeeded => "not_needed",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static bool IsFinal(this RequestStatus status) =>
        status is RequestStatus.Rejected or RequestStatus.Expired or RequestStatus.Failed or RequestStatus.Decommissioned or RequestStatus.Withdrawn;
}

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
    public required string Code { get; init; }
}

public sealed class KnownProject
{
    public Guid ProjectId { get; init; }
    public Guid AgencyId { get; init; }
    /// <summary>As tenancy announced it; absent for projects known before names were kept.</summary>
    public string? Name { get; init; }
}

/// <summary>Tenancy's word on whether a user works on a project, at its latest revision (a leave is kept, as false).</summary>
public sealed class KnownProjectMember
{
    public Guid ProjectId { get; init; }
    public Guid UserId { get; init; }
    public bool IsMember { get; set; }
    public long Revision { get; set; }
}

public sealed class KnownRole
{
    public long Id { get; init; }
    public Guid UserId { get; init; }
    public required string Role { get; init; }
    public string? StateCode { get; init; }
    public Guid? AgencyId { get; init; }
}

/// <summary>
/// A hosting request and where its workflow stands. Every step reads it, acts idempotently on other
/// services (claim ids and VM ids are fixed before they are used), and saves the next state under
/// optimistic concurrency; <see cref="NextStepAt"/> tells the workflow runner when to look again.
/// </summary>
public sealed class HostingRequest
{
    public Guid Id { get; init; }
    public Guid AgencyId { get; init; }
    public required string AgencyStateCode { get; init; }
    public Guid ProjectId { get; init; }
    public Guid SubmittedBy { get; init; }
    public Classification Classification { get; init; }
    public string? PreferredStateCode { get; init; }
    public Guid? PreferredFacilityId { get; init; }
    public required string Justification { get; init; }
    public DateTime Deadline { get; init; }
    public required string VmLinesJson { get; init; }
    /// <summary>Its VMs together, every class (disks as storage, addresses as public IPv4, GPUs by their class).</summary>
    public ResourceVector Total { get; init; } = ResourceVector.Zero;

    public RequestStatus Status { get; set; } = RequestStatus.Submitted;
    public string StatusReasonFr { get; set; } = "";
    public string StatusReasonEn { get; set; } = "";
    public Guid? FacilityId { get; set; }
    public string? FacilityCode { get; set; }
    public string? FacilityStateCode { get; set; }
    public Guid? PoolId { get; set; }
    public Guid? AgreementId { get; set; }
    public DateTime? HoldsExpireAt { get; set; }
    public int PlacementAttempts { get; set; }

    public ApprovalState HomeApproval { get; set; } = ApprovalState.Pending;
    public Guid? HomeDecidedBy { get; set; }
    public bool HomeAutomatic { get; set; }
    public DateTime? HomeDecidedAt { get; set; }
    public ApprovalState HostApproval { get; set; } = ApprovalState.NotNeeded;
    public Guid? HostDecidedBy { get; set; }
    public bool HostAutomatic { get; set; }
    public DateTime? HostDecidedAt { get; set; }
    public string? RejectionReason { get; set; }

    /// <summary>Holds or facility VMs still to be given back after a rejection, expiry or failure.</summary>
    public bool CleanupPending { get; set; }
    public DateTime? NextStepAt { get; set; }
    /// <summary>While set and in the future, one runner is taking this request's step; no other may.</summary>
    public DateTime? LeasedUntil { get; set; }
    /// <summary>Whose lease it is: written afresh by each runner that takes it; renewals, releases and saves are conditional on it.</summary>
    public Guid? LeaseToken { get; set; }
    public DateTime SubmittedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }

    /// <summary>The W3C trace context of the submission: every later workflow step joins that trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The public SSH keys to install, one per line, as they were when the request was submitted.</summary>
    public string? SshPublicKeys { get; init; }
    /// <summary>Their fingerprints, comma-separated, in the same order.</summary>
    public string? SshKeyFingerprints { get; init; }
    /// <summary>Cloud-init user data, given to the facility as is.</summary>
    public string? UserData { get; init; }

    public List<VmRecord> Vms { get; init; } = [];

    public bool CrossesBorder => FacilityStateCode is not null && FacilityStateCode != AgencyStateCode;
}

/// <summary>One VM of a request: its id is fixed at submission and is also its claim's id in quota.</summary>
public sealed class VmRecord
{
    public Guid Id { get; init; }
    public Guid RequestId { get; init; }
    public Guid AgencyId { get; init; }
    public required string AgencyStateCode { get; init; }
    public required string Name { get; init; }
    public string? Flavour { get; init; }
    /// <summary>
    /// Its size, every class (ADR 052): vCPU, memory, disk as storage, a public address as 1 public IPv4, and devices beyond
    /// the standard four (1 gpu_a100_80g) that the facility attaches through its flavour. A resize keeps the address and devices.
    /// </summary>
    public ResourceVector Size { get; set; } = ResourceVector.Zero;
    public required string Image { get; init; }
    public VmStatus Status { get; set; } = VmStatus.Pending;
    /// <summary>The claim in quota for the current placement; a new placement attempt takes a new one.</summary>
    public Guid? ClaimId { get; set; }
    public Guid? FacilityId { get; set; }
    public string? FacilityCode { get; set; }
    public string? FacilityStateCode { get; set; }
    public DateTime? ActivatedAt { get; set; }
    public DateTime? DecommissionedAt { get; set; }
    public string? DecommissionReason { get; set; }
    /// <summary>The size asked for while <see cref="VmStatus.Resizing"/>, every class.</summary>
    public ResourceVector? TargetSize { get; set; }
    /// <summary>Quota already holds the larger of the old and the target size (the resize's first move is done).</summary>
    public bool ResizeGrown { get; set; }
    public string? ResizeRefusedReason { get; set; }
    /// <summary>When the marketplace first asked the facility for the resize under way.</summary>
    public DateTime? ResizeAskedAt { get; set; }
    /// <summary>The facility's own id for the server (Nova's server id), once it has one.</summary>
    public string? ServerId { get; set; }
    /// <summary>A build not finished by then has failed: the facility is stuck (Provisioning:BuildTimeout).</summary>
    public DateTime? BuildDeadline { get; set; }
    /// <summary>When reconciliation saw the VM's server gone from its facility without the marketplace asking.</summary>
    public DateTime? LostAt { get; set; }
    /// <summary>The server's addresses as the facility last reported them, comma-separated.</summary>
    public string? Addresses { get; set; }
    /// <summary>The caller's id of the last stop, start or reboot: the same id again is the same operation.</summary>
    public Guid? PowerOperationId { get; set; }
    public PowerAction? PowerAction { get; set; }
    /// <summary>When the facility was asked for the power change under way; null until it is.</summary>
    public DateTime? PowerAskedAt { get; set; }
    public string? PowerRefusedReason { get; set; }
    /// <summary>Its public IPv4 address once the facility gave one (a floating IP on OpenStack).</summary>
    public string? PublicAddress { get; set; }
    public int Version { get; set; }
}

/// <summary>A user's public SSH key, validated (<see cref="Application.SshPublicKeys"/>) and named by its fingerprint.</summary>
public sealed class SshKeyRecord
{
    public Guid Id { get; init; }
    public Guid UserId { get; init; }
    /// <summary>The agency the person registered it in: requests of that agency may name it.</summary>
    public Guid AgencyId { get; init; }
    public required string Name { get; init; }
    public required string Algorithm { get; init; }
    public int Bits { get; init; }
    public required string Fingerprint { get; init; }
    public required string PublicKey { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// How the marketplace reaches a facility's cloud: today OpenStack (ADR 015). The credentials are not here:
/// <see cref="CredentialReference"/> names them in the secret store.
/// </summary>
public sealed class FacilityConnection
{
    public Guid FacilityId { get; init; }
    public required string FacilityCode { get; set; }
    public required string Driver { get; set; }
    public required string AuthUrl { get; set; }
    public required string Region { get; set; }
    public required string Project { get; set; }
    public required string ProjectDomain { get; set; }
    public required string CredentialReference { get; set; }
    public required string Network { get; set; }
    public Guid? UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A flavour as a facility has it, and the marketplace size an operator mapped it to (none until mapped).</summary>
public sealed class FacilityFlavour
{
    public Guid FacilityId { get; init; }
    public required string NativeId { get; init; }
    public required string NativeName { get; set; }
    /// <summary>What the facility's flavour fixes, by class: vCPU, memory and disk (<see cref="VmSizes.ServerShape"/>).</summary>
    public ResourceVector Shape { get; set; } = ResourceVector.Zero;
    /// <summary>The marketplace flavour it is offered as (s1.large…), or null: not offered.</summary>
    public string? Code { get; set; }
    /// <summary>False once the facility no longer lists it: no longer offered, whatever its mapping.</summary>
    public bool Present { get; set; }
    public DateTime SeenAt { get; set; }
}

/// <summary>An image as a facility has it, and the marketplace image it is offered as.</summary>
public sealed class FacilityImage
{
    public Guid FacilityId { get; init; }
    public required string NativeId { get; init; }
    public required string NativeName { get; set; }
    public string? Code { get; set; }
    public bool Present { get; set; }
    public DateTime SeenAt { get; set; }
}

/// <summary>What a facility's catalogue allows beyond its rows: the simulated facility builds any size.</summary>
public sealed class FacilityCatalogueState
{
    public Guid FacilityId { get; init; }
    public bool AnySize { get; set; }
    public DateTime RefreshedAt { get; set; }
    public string? RefreshErrorFr { get; set; }
    public string? RefreshErrorEn { get; set; }
}

public enum FindingKind { Lost = 1, Orphan = 2, StateDiffers = 3 }

/// <summary>A difference between what a facility runs and what the marketplace holds, found by reconciliation.</summary>
public sealed class ReconciliationFinding
{
    public long Id { get; init; }
    public Guid FacilityId { get; init; }
    public required string FacilityCode { get; init; }
    public FindingKind Kind { get; init; }
    public Guid? VmId { get; init; }
    public string? ServerId { get; init; }
    public Guid? AgencyId { get; init; }
    public required string DetailFr { get; set; }
    public required string DetailEn { get; set; }
    public DateTime FoundAt { get; init; }
    /// <summary>When a later pass no longer saw it (an orphan removed by the facility's operators, a state back in step).</summary>
    public DateTime? ClearedAt { get; set; }
}

/// <summary>A time a facility's probe failed: from the first failed minute to the first one that passed again.</summary>
public sealed class FacilityOutage
{
    public long Id { get; init; }
    public Guid FacilityId { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? EndedAt { get; set; }
    public required string CauseFr { get; set; }
    public required string CauseEn { get; set; }
}

/// <summary>Since when a facility is watched, and how its last probe went: availability counts from here.</summary>
public sealed class FacilityWatch
{
    public Guid FacilityId { get; init; }
    public DateTime Since { get; init; }
    public DateTime LastProbeAt { get; set; }
    public DateTime LastCatalogueAt { get; set; }
    public DateTime LastReconcileAt { get; set; }
    public bool LastReachable { get; set; }
    public double LastLatencyMs { get; set; }
}

/// <summary>Why a request went where it went, or waits: every facility considered, kept or excluded.</summary>
public sealed class PlacementDecisionRecord
{
    public long Id { get; init; }
    public Guid RequestId { get; init; }
    public int Attempt { get; init; }
    public DateTime DecidedAt { get; init; }
    public required string Outcome { get; init; }
    public Guid? FacilityId { get; init; }
    public Guid? PoolId { get; init; }
    public Guid? AgreementId { get; init; }
    public required string ReasonFr { get; init; }
    public required string ReasonEn { get; init; }
    public required string ConsideredJson { get; init; }
}

public sealed class AutoApprovalPolicy
{
    public required string StateCode { get; init; }
    public bool Enabled { get; set; }
    /// <summary>The most of each listed class a request may hold and still be approved without a person (each at least 1).</summary>
    public ResourceVector MaxPerRequest { get; set; } = ResourceVector.Zero;
    public string Classifications { get; set; } = "";
    public Guid? UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>
    /// Strategic data is never approved automatically, whatever the policy says. A standard class the policy leaves out is
    /// not bounded; any other class it leaves out (a GPU, a class added tomorrow) is never approved automatically: a person
    /// looks at each such request unless the state's operators named the class and how much of it they let through.
    /// </summary>
    public bool Approves(Classification classification, ResourceVector total) =>
        Enabled && classification != Classification.Strategic
        && Classifications.Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(classification.Code())
        && total.NonZero().All(amount => MaxPerRequest[amount.Class] is var max && (max > 0 ? amount.Amount <= max : ResourceClasses.IsStandard(amount.Class)));
}

/// <summary>
/// A class of the catalogue as provisioning knows it: the standard four from its migration, the others as tenancy defines
/// them (<c>ResourceClassDefined</c>). A request may ask only for classes known here; metering sets the monthly estimate.
/// </summary>
public sealed class KnownResourceClass
{
    public required string Code { get; init; }
    public ResourceMetering Metering { get; init; }
    public DateTime DefinedAt { get; init; }
}

/// <summary>What a size costs a month at unit prices by class (whole XOF per unit-hour or unit-month, as billing prices it).</summary>
public static class MonthlyCost
{
    /// <summary>Hours in an average month (8,766 h a year / 12), to put hourly and monthly prices on one scale.</summary>
    public const long HoursPerMonth = 730;

    /// <summary>
    /// Hourly classes for <see cref="HoursPerMonth"/> hours, monthly ones once. A standard class the prices leave out costs
    /// nothing (an agreement that includes the public address); another class they leave out (a GPU the facility does not
    /// price) makes the estimate unknown (null), as billing would refuse to bill it. A class whose metering is not known is
    /// refused, never estimated by a guess.
    /// </summary>
    public static long? Xof(ResourceVector size, ResourceVector unitPrices, IReadOnlyDictionary<string, ResourceMetering> metering)
    {
        if (size.Classes.Any(c => !ResourceClasses.IsStandard(c) && unitPrices[c] == 0))
        {
            return null;
        }
        return size.NonZero().Sum(amount =>
        {
            var perMonth = metering.TryGetValue(amount.Class, out var how) ? how == ResourceMetering.Hourly ? HoursPerMonth : 1
                : throw new InvalidOperationException($"Provisioning does not know how {amount.Class} is metered.");
            return amount.Amount * unitPrices[amount.Class] * perMonth;
        });
    }

    /// <summary>What a guest pays under fixed prices: those prices, and the list price for a GPU they leave out (a standard class they leave out is free).</summary>
    public static ResourceVector UnderAgreement(ResourceVector fixedPrices, ResourceVector? listPrices) =>
        fixedPrices.Add(ResourceVector.Of((listPrices ?? ResourceVector.Zero).NonZero().Where(p => !ResourceClasses.IsStandard(p.Class) && fixedPrices[p.Class] == 0)));
}

/// <summary>A project's inbound rules beyond SSH (set by the agency administrator); applied as the project's security group.</summary>
public sealed class ProjectFirewall
{
    public Guid ProjectId { get; init; }
    public Guid AgencyId { get; init; }
    public required string RulesJson { get; set; }
    public Guid UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>The address ranges an agency lets SSH come from, into every VM of its projects.</summary>
public sealed class AgencySshAccess
{
    public Guid AgencyId { get; init; }
    /// <summary>Comma-separated CIDRs.</summary>
    public required string SourceCidrs { get; set; }
    public Guid UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>Whether a facility holds a project's current rules: <see cref="Digest"/> names the rules it was given, <see cref="Error"/> why not.</summary>
public sealed class FirewallApplication
{
    public Guid ProjectId { get; init; }
    public Guid FacilityId { get; init; }
    public required string FacilityCode { get; init; }
    public required string Digest { get; set; }
    public DateTime? AppliedAt { get; set; }
    public string? Error { get; set; }
}

public enum SnapshotStatus { Creating = 1, Available = 2, Error = 3, Removed = 4 }

/// <summary>
/// A snapshot of a VM's disk, taken in its facility. Its id is the caller's, so the same call again is the same snapshot; it is
/// billed per GiB-month at the VM's disk size from when it was taken until it is removed with its VM.
/// </summary>
public sealed class SnapshotRecord
{
    public Guid Id { get; init; }
    public Guid VmId { get; init; }
    public Guid AgencyId { get; init; }
    public required string AgencyStateCode { get; init; }
    public Guid FacilityId { get; init; }
    public required string FacilityCode { get; init; }
    public required string FacilityStateCode { get; init; }
    public required string Name { get; init; }
    public long SizeGib { get; init; }
    public SnapshotStatus Status { get; set; }
    public string? ImageId { get; set; }
    public Guid TakenBy { get; init; }
    public DateTime TakenAt { get; init; }
    public DateTime? RemovedAt { get; set; }
}

