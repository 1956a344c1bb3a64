using System.Globalization;
using Aes.Contracts;
using Aes.Provisioning.Application;
using Aes.ServiceDefaults.Identity;
using Aes.ServiceDefaults.Paging;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Aes.Contracts.Provisioning.V1;

namespace Aes.Provisioning.Grpc;

/// <summary>Repatriation campaigns over gRPC (ADR 051): each field checked and refused by name.</summary>
public sealed partial class ProvisioningGrpcService
{
    private static readonly string[] CampaignFormats = ["csv", "json"];

    public override async Task<V1.Campaign> CreateCampaign(V1.CreateCampaignRequest request, ServerCallContext context)
    {
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var name = Validate.Name(request.Name, "name", 200);
        var owner = Validate.StateCode(request.OwnerStateCode, "owner_state_code");
        if (request.AgencyIds.Count is 0 or > 500)
        {
            throw new InvalidFieldException("agency_ids", new("de 1 à 500 organismes.", "from 1 to 500 agencies."));
        }
        var agencies = request.AgencyIds.Select((id, index) => Validate.Id(id, $"agency_ids[{index}]")).ToList();
        if (request.Waves.Count > 50)
        {
            throw new InvalidFieldException("waves", new("au plus 50 vagues.", "at most 50 waves."));
        }
        var waves = request.Waves.Select((wave, index) =>
        {
            if (wave.Number != index + 1)
            {
                throw new InvalidFieldException($"waves[{index}].number", new($"doit valoir {index + 1} : les vagues se suivent.", $"must be {index + 1}: waves follow each other."));
            }
            return new CampaignWaveTerms(wave.Number, Validate.Name(wave.Name, $"waves[{index}].name", 200), Date(wave.TargetDate, $"waves[{index}].target_date"));
        }).ToList();
        for (var i = 1; i < waves.Count; i++)
        {
            if (waves[i].TargetDate < waves[i - 1].TargetDate)
            {
                throw new InvalidFieldException($"waves[{i}].target_date", new("avant la vague précédente.", "before the wave before it."));
            }
        }
        var confederal = (await access.RolesAsync(actor, context.CancellationToken)).Any(r => r.Role == AccessDecision.ConfederalAdministrator);
        var campaign = await campaigns.CreateAsync(actor, name, owner, agencies, waves, confederal, context.CancellationToken);
        return ToMessage(campaign, 0);
    }

    public override async Task<V1.Campaign> GetCampaign(V1.CampaignIdRequest request, ServerCallContext context)
    {
        var campaign = await campaigns.GetAsync(Validate.Id(request.CampaignId, "campaign_id"), context.CancellationToken);
        var counts = await campaigns.CountsAsync([campaign.Id], context.CancellationToken);
        var message = ToMessage(campaign, counts.GetValueOrDefault(campaign.Id));
        message.Progress.AddRange((await campaignExecution.ProgressAsync(campaign.Id, context.CancellationToken)).Select(p => new V1.CampaignProgress
        {
            Wave = p.Wave, AgencyId = p.AgencyId.ToString(), Step = p.Step, RequestStatus = p.RequestStatus, Workloads = p.Workloads,
        }));
        return message;
    }

    public override async Task<V1.ListCampaignsResponse> ListCampaigns(V1.ListCampaignsRequest request, ServerCallContext context)
    {
        var query = db.Campaigns.AsNoTracking();
        if (request.AgencyId.Length > 0)
        {
            var agency = Validate.Id(request.AgencyId, "agency_id").ToString();
            query = query.Where(c => c.AgencyIds.Contains(agency));
        }
        else
        {
            var state = Validate.StateCode(request.StateCode, "state_code");
            query = query.Where(c => c.OwnerStateCode == state);
        }
        var list = await query.OrderByDescending(c => c.CreatedAt).Take(200).ToListAsync(context.CancellationToken);
        var counts = await campaigns.CountsAsync([.. list.Select(c => c.Id)], context.CancellationToken);
        return new V1.ListCampaignsResponse { Campaigns = { list.Select(c => ToMessage(c, counts.GetValueOrDefault(c.Id))) } };
    }

    public override async Task<V1.CampaignImport> ImportCampaignWorkloads(V1.ImportCampaignWorkloadsRequest request, ServerCallContext context)
    {
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var campaignId = Validate.Id(request.CampaignId, "campaign_id");
        var format = request.Format.Trim().ToLowerInvariant();
        if (!CampaignFormats.Contains(format))
        {
            throw new InvalidFieldException("format", new("csv ou json.", "csv or json."));
        }
        var sha = request.FileSha256.Trim().ToLowerInvariant();
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
        {
            throw new InvalidFieldException("file_sha256", new("l'empreinte SHA-256 du fichier, 64 chiffres hexadécimaux.", "the file's SHA-256, 64 hexadecimal digits."));
        }
        var parts = Validate.Range(request.Parts, "parts", 1, Campaigns.MaxParts);
        var part = Validate.Range(request.Part, "part", 0, parts - 1);
        if (request.Content.Length is 0 or > Campaigns.MaxPartBytes)
        {
            throw new InvalidFieldException("content", new($"de 1 octet à {Campaigns.MaxPartBytes} octets par partie.", $"from 1 to {Campaigns.MaxPartBytes} bytes a part."));
        }
        var outcome = await campaigns.ImportAsync(actor, campaignId, format, sha, part, parts, request.Content.ToByteArray(), context.CancellationToken);
        var record = outcome.Record;
        return new V1.CampaignImport
        {
            CampaignId = record.CampaignId.ToString(), FileSha256 = record.FileSha256, Status = record.Status, MissingParts = { outcome.MissingParts },
            Added = record.Added, Updated = record.Updated, Unchanged = record.Unchanged,
            BadRows = { outcome.BadRows.Select(b => new V1.CampaignBadRow { Line = b.Line, Field = b.Field, ProblemFr = b.ProblemFr, ProblemEn = b.ProblemEn }) },
        };
    }

    public override async Task<V1.CampaignPlan> PlanCampaign(V1.PlanCampaignRequest request, ServerCallContext context)
    {
        Validate.Id(request.ActorUserId, "actor_user_id");
        var campaignId = Validate.Id(request.CampaignId, "campaign_id");
        return ToMessage(campaignId, await campaigns.PlanAsync(campaignId, context.CancellationToken));
    }

    public override async Task<V1.ListCampaignWorkloadsResponse> ListCampaignWorkloads(V1.ListCampaignWorkloadsRequest request, ServerCallContext context)
    {
        var campaignId = Validate.Id(request.CampaignId, "campaign_id");
        var filter = new CampaignWorkloadFilter(request.StillAbroad, Validate.Range(request.Wave, "wave", 0, 50),
            request.OnlyAgencyId.Length > 0 ? Validate.Id(request.OnlyAgencyId, "only_agency_id") : null);
        var (items, next) = await campaignExecution.ListWorkloadsAsync(campaignId, filter, KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2),
            context.CancellationToken);
        return new V1.ListCampaignWorkloadsResponse { NextPageToken = next, Workloads = { items.Select(ToMessage) } };
    }

    public override async Task<V1.CampaignWaveLaunch> LaunchCampaignWave(V1.LaunchCampaignWaveRequest request, ServerCallContext context)
    {
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var campaignId = Validate.Id(request.CampaignId, "campaign_id");
        var wave = Validate.Range(request.Wave, "wave", 1, 50);
        var outcome = await campaignExecution.LaunchWaveAsync(actor, campaignId, wave, context.CancellationToken);
        return new V1.CampaignWaveLaunch
        {
            CampaignId = campaignId.ToString(), Wave = wave, Submitted = outcome.Submitted, AlreadyRequested = outcome.AlreadyRequested, Further = outcome.Further,
            Skipped = { outcome.Skipped.Select(s => new V1.CampaignLaunchSkip { Workload = s.Workload, ReasonFr = s.ReasonFr, ReasonEn = s.ReasonEn }) },
        };
    }

    public override async Task<V1.CampaignWorkload> RecordCampaignStep(V1.RecordCampaignStepRequest request, ServerCallContext context)
    {
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var campaignId = Validate.Id(request.CampaignId, "campaign_id");
        var key = Validate.Name(request.Workload, "workload", 200);
        static string? Text(string value) => value.Trim() is { Length: > 0 } trimmed ? trimmed : null;
        var record = new CampaignStepRecord(request.Step.Trim().ToLowerInvariant(),
            request.Step.Trim() == CampaignSteps.DataTransferred ? request.TransferredGb : null,
            Text(request.ChecksumSha256)?.ToLowerInvariant(), Text(request.AttestedBy),
            // To the microsecond, as PostgreSQL keeps it: the same attestation sent again must compare equal.
            Validate.OptionalInstant(request.DeletedAt, "deleted_at") is { } deleted ? ToMicrosecond(deleted) : null,
            Text(request.EvidenceReference), Text(request.EvidenceDocumentSha256)?.ToLowerInvariant());
        return ToMessage(await campaignExecution.RecordStepAsync(actor, campaignId, key, record, context.CancellationToken));
    }

    private static DateTime ToMicrosecond(DateTime instant) => new(instant.Ticks - instant.Ticks % 10, DateTimeKind.Utc);

    private static Timestamp? At(DateTime? instant) => instant is { } value ? Timestamp.FromDateTime(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;

    private static V1.CampaignWorkload ToMessage(CampaignWorkload w) => new()
    {
        Id = w.Id.ToString(), Key = w.Key, Line = w.Line, AgencyId = w.AgencyId.ToString(), Project = w.Project, Classification = w.Classification.Code(),
        SourceProvider = w.SourceProvider, SourceRegion = w.SourceRegion, DataGb = w.DataGb, TargetDate = w.TargetDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Wave = w.Wave, Image = w.Image, Count = w.Count, Resources = { VmSpecs.ToMessages(w.Resources) }, Step = w.Step,
        PlannedFacilityCode = w.PlannedFacilityCode ?? "", PlannedStateCode = w.PlannedStateCode ?? "", PlannedMonthlyXof = w.PlannedMonthlyXof ?? -1,
        PlanReasonFr = w.PlanReasonFr ?? "", PlanReasonEn = w.PlanReasonEn ?? "",
        ImportedAt = At(w.ImportedAt), RequestId = w.RequestId?.ToString() ?? "", RequestStatus = w.RequestStatus ?? "", HostedFacilityCode = w.HostedFacilityCode ?? "",
        HostingActiveAt = At(w.HostingActiveAt), TransferredGb = w.TransferredGb ?? -1, TransferSha256 = w.TransferSha256 ?? "", TransferredAt = At(w.TransferredAt),
        CutOverAt = At(w.CutOverAt), ForeignCopyDeletedAt = At(w.ForeignCopyDeletedAt), DeletionAttestedBy = w.DeletionAttestedBy ?? "",
        DeletionReference = w.DeletionReference ?? "", DeletionDocumentSha256 = w.DeletionDocumentSha256 ?? "",
    };

    private static DateOnly Date(string text, string field) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new InvalidFieldException(field, new("une date AAAA-MM-JJ.", "a date YYYY-MM-DD."));

    private static V1.Campaign ToMessage(Campaign campaign, int workloads)
    {
        var message = new V1.Campaign
        {
            Id = campaign.Id.ToString(), Name = campaign.Name, OwnerStateCode = campaign.OwnerStateCode, AgencyIds = { campaign.Agencies.Select(a => a.ToString()) },
            Waves =
            {
                Campaigns.Waves(campaign).Select(w => new V1.CampaignWave
                {
                    Number = w.Number, Name = w.Name, TargetDate = w.TargetDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                }),
            },
            Workloads = workloads, CreatedAt = Timestamp.FromDateTime(campaign.CreatedAt),
        };
        if (campaign.PlannedAt is { } planned && CampaignPlanSummary.FromJson(campaign.LastPlanJson) is { } summary)
        {
            message.PlannedAt = Timestamp.FromDateTime(planned);
            message.LastPlan = ToMessage(campaign.Id, summary);
        }
        return message;
    }

    private static V1.CampaignPlan ToMessage(Guid campaignId, CampaignPlanSummary plan) => new()
    {
        CampaignId = campaignId.ToString(), PlannedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(plan.PlannedAt, DateTimeKind.Utc)),
        Workloads = plan.Workloads, Placed = plan.Placed, Unplaced = plan.Workloads - plan.Placed,
        Gaps = { plan.Gaps.Select(ToMessage) },
        Costs = { plan.Costs.Select(c => new V1.CampaignAgencyCost { AgencyId = c.AgencyId.ToString(), AgencyCode = c.AgencyCode, Placed = c.Placed, MonthlyXof = c.MonthlyXof }) },
        Blocked =
        {
            plan.Blocked.Select(b => new V1.CampaignBlockedGroup
            {
                StateCode = b.StateCode, Classification = b.Classification.Code(), Workloads = b.Workloads, ReasonFr = b.ReasonFr, ReasonEn = b.ReasonEn,
                UnblockedBy = { b.UnblockedBy },
            }),
        },
        QuotaShortfalls = { plan.QuotaShortfalls.Select(s => new V1.CampaignQuotaShortfall { AgencyId = s.AgencyId.ToString(), ResourceClass = s.Class, Amount = s.Amount }) },
        Facilities =
        {
            plan.Facilities.Select(f => new V1.CampaignFacilityLoad
            {
                FacilityCode = f.FacilityCode, StateCode = f.StateCode, Workloads = f.Workloads, Resources = { VmSpecs.ToMessages(ResourceVector.FromList(f.Resources)) },
            }),
        },
        Difference = new V1.CampaignPlanDifference
        {
            FirstPlan = plan.Difference.FirstPlan, NewlyPlaced = plan.Difference.NewlyPlaced, NewlyUnplaced = plan.Difference.NewlyUnplaced,
            Moved = plan.Difference.Moved, GapsBefore = { plan.Difference.GapsBefore.Select(ToMessage) },
        },
    };

    private static V1.CampaignCapacityGap ToMessage(CapacityGap gap) =>
        new() { StateCode = gap.StateCode, FacilityCode = gap.FacilityCode, ResourceClass = gap.Class, Amount = gap.Amount, Unplaced = gap.Unplaced };
}
