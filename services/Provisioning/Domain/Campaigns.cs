using Aes.Contracts;

namespace Aes.Provisioning.Domain;

/// <summary>A state's repatriation campaign (ADR 051): the agencies taking part, its waves, and the workloads it brings home.</summary>
public sealed class Campaign
{
    public Guid Id { get; init; }
    public required string Name { get; init; }
    public required string OwnerStateCode { get; init; }
    /// <summary>The agencies taking part, comma-separated ids.</summary>
    public required string AgencyIds { get; init; }
    /// <summary>The waves, as JSON: number, name and target date.</summary>
    public required string WavesJson { get; init; }
    public Guid CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? PlannedAt { get; set; }
    /// <summary>The last plan's summary (gaps, costs, blocked groups, difference), as JSON, so that reading it costs no re-plan.</summary>
    public string? LastPlanJson { get; set; }

    public IReadOnlyList<Guid> Agencies => [.. AgencyIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse)];
}

public sealed record CampaignWaveTerms(int Number, string Name, DateOnly TargetDate);

/// <summary>Where a workload stands, from planned to its foreign copy deleted, in this order.</summary>
public static class CampaignSteps
{
    public const string Planned = "planned";
    /// <summary>Its wave launched: a hosting request submitted for it, not active yet.</summary>
    public const string HostingRequested = "hosting_requested";
    public const string HostingActive = "hosting_active";
    /// <summary>The agency copied the data home: the volume and a checksum recorded.</summary>
    public const string DataTransferred = "data_transferred";
    /// <summary>The service now runs at home.</summary>
    public const string CutOver = "cut_over";
    /// <summary>The copy abroad deleted, attested by someone with evidence: the workload is home.</summary>
    public const string ForeignCopyDeleted = "foreign_copy_deleted";

    public static readonly IReadOnlyList<string> InOrder = [Planned, HostingRequested, HostingActive, DataTransferred, CutOver, ForeignCopyDeleted];

    /// <summary>The steps a person records (the others follow the hosting request).</summary>
    public static readonly IReadOnlyList<string> Recorded = [DataTransferred, CutOver, ForeignCopyDeleted];

    public static int Rank(string step) => InOrder.ToList().IndexOf(step);
}

/// <summary>One workload hosted abroad that a campaign brings home: what it is, where it is now, and where the last plan put it.</summary>
public sealed class CampaignWorkload
{
    public Guid Id { get; init; }
    public Guid CampaignId { get; init; }
    public required string Key { get; init; }
    public int Line { get; set; }
    public Guid AgencyId { get; set; }
    public required string AgencyStateCode { get; set; }
    public required string Project { get; set; }
    public Classification Classification { get; set; }
    public required string SourceProvider { get; set; }
    public required string SourceRegion { get; set; }
    public long DataGb { get; set; }
    public DateOnly TargetDate { get; set; }
    public int Wave { get; set; }
    public required string Image { get; set; }
    public int Count { get; set; }
    /// <summary>One VM's size, by class.</summary>
    public ResourceVector Resources { get; set; } = ResourceVector.Zero;
    public required string Step { get; set; }
    public string? PlannedFacilityCode { get; set; }
    public string? PlannedStateCode { get; set; }
    public long? PlannedMonthlyXof { get; set; }
    public string? PlanReasonFr { get; set; }
    public string? PlanReasonEn { get; set; }

    /// <summary>When the campaign first knew of it abroad (its first import).</summary>
    public DateTime ImportedAt { get; init; }
    /// <summary>Its current hosting request, once its wave is launched; a new one replaces it if that one ends without VMs.</summary>
    public Guid? RequestId { get; set; }
    /// <summary>How many requests were submitted for it: the next request's id follows from this.</summary>
    public int LaunchAttempts { get; set; }
    public DateTime? LaunchedAt { get; set; }
    /// <summary>The status of its request as last announced (submitted, awaiting approval, active, rejected…).</summary>
    public string? RequestStatus { get; set; }
    /// <summary>When that status was announced: an older event arriving late changes nothing.</summary>
    public DateTime? RequestStatusAt { get; set; }
    public string? HostedFacilityCode { get; set; }
    public DateTime? HostingActiveAt { get; set; }
    public long? TransferredGb { get; set; }
    public string? TransferSha256 { get; set; }
    public DateTime? TransferredAt { get; set; }
    public Guid? TransferredBy { get; set; }
    public DateTime? CutOverAt { get; set; }
    public Guid? CutOverBy { get; set; }
    /// <summary>When the copy abroad was deleted, as attested.</summary>
    public DateTime? ForeignCopyDeletedAt { get; set; }
    /// <summary>Who attests the deletion (a person and their organisation, free text).</summary>
    public string? DeletionAttestedBy { get; set; }
    /// <summary>The evidence: a reference (the provider's ticket, a certificate's number)…</summary>
    public string? DeletionReference { get; set; }
    /// <summary>…or the SHA-256 of an uploaded document.</summary>
    public string? DeletionDocumentSha256 { get; set; }
    public Guid? DeletionRecordedBy { get; set; }
    public DateTime? DeletionRecordedAt { get; set; }

    /// <summary>True until the foreign copy is attested deleted.</summary>
    public bool StillAbroad => Step != CampaignSteps.ForeignCopyDeleted;

    /// <summary>The whole workload: one VM's size times its count.</summary>
    public ResourceVector Total => Resources.Map(amount => amount * Count);
}

/// <summary>A file being imported, named by its SHA-256: its parts until all are in, then its outcome.</summary>
public sealed class CampaignImportRecord
{
    public Guid CampaignId { get; init; }
    public required string FileSha256 { get; init; }
    public required string Format { get; init; }
    public int Parts { get; init; }
    public required string Status { get; set; }
    public int Added { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    /// <summary>Every bad row of a refused file, as JSON.</summary>
    public string? BadRowsJson { get; set; }
    public Guid ImportedBy { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? EndedAt { get; set; }
}

/// <summary>One part of a file still being received; deleted once the file is imported or refused.</summary>
public sealed class CampaignImportPart
{
    public Guid CampaignId { get; init; }
    public required string FileSha256 { get; init; }
    public int Part { get; init; }
    public required byte[] Content { get; init; }
}

public static class CampaignImportStatus
{
    public const string Receiving = "receiving";
    public const string Imported = "imported";
    public const string Refused = "refused";
}
