namespace Aes.Portal.Api;

/// <summary>A VM line of a hosting request: a catalogue flavour, or explicit sizes.</summary>
public sealed record VmSpecBody(string? Flavour, long Vcpu, long MemoryGib, long DiskGib, string Image, int Count, bool PublicIpv4);

/// <summary>A hosting request as an agency submits it (journey 1).</summary>
public sealed record SubmitRequestBody(
    string AgencyId, string ProjectId, string Classification, IReadOnlyList<VmSpecBody> Vms, string? Justification,
    string? PreferredStateCode, string? PreferredFacilityId, DateTimeOffset? Deadline);

public sealed record ReasonBody(string Reason);

public sealed record ApprovalView(string Role, string StateCode, string Decision, string? DecidedByUserId, bool Automatic, string? Reason, DateTimeOffset? DecidedAt);

public sealed record HostingRequestView(
    string Id, string AgencyId, string AgencyStateCode, string ProjectId, string Classification, string Status,
    string StatusReasonFr, string StatusReasonEn, string? FacilityId, string? FacilityCode, string? FacilityStateCode,
    IReadOnlyList<ApprovalView> Approvals, IReadOnlyList<string> VmIds, string SubmittedByUserId, DateTimeOffset SubmittedAt, DateTimeOffset UpdatedAt);

/// <summary>A page of requests, newest first; <c>NextPageToken</c> (absent on the last page) asks for the next.</summary>
public sealed record HostingRequestList(IReadOnlyList<HostingRequestView> Requests, string? NextPageToken = null);

public sealed record VmView(
    string Id, string RequestId, string AgencyId, string FacilityCode, string Name, long Vcpu, long MemoryGib, long DiskGib,
    bool PublicIpv4, string Image, string Status, DateTimeOffset? ActivatedAt, DateTimeOffset? DecommissionedAt);

public sealed record VmList(IReadOnlyList<VmView> Vms);

public sealed record ConsideredFacilityView(string FacilityCode, string StateCode, bool Kept, string ReasonFr, string ReasonEn, long EstimatedMonthlyXof);

public sealed record PlacementView(string RequestId, string Outcome, IReadOnlyList<ConsideredFacilityView> Considered);
