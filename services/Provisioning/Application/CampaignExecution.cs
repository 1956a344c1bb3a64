using Aes.Contracts.Provisioning;
using System.Security.Cryptography;
using System.Text;
using Aes.ServiceDefaults.Paging;

namespace Aes.Provisioning.Application;

public sealed record CampaignLaunchSkip(string Workload, string ReasonFr, string ReasonEn);

public sealed record CampaignWaveLaunchOutcome(int Submitted, int AlreadyRequested, int Further, IReadOnlyList<CampaignLaunchSkip> Skipped);

/// <summary>How many of a campaign's workloads stand where: by wave, agency, step and their request's status.</summary>
public sealed record CampaignProgressCount(int Wave, Guid AgencyId, string Step, string RequestStatus, int Workloads);

public sealed record CampaignWorkloadFilter(bool StillAbroad, int Wave, Guid? AgencyId = null);

/// <summary>
/// A campaign carried out (ADR 051): a wave launched as real hosting requests, their progress followed from provisioning's
/// own request events, and the steps people record up to the proof that the copy abroad is gone.
/// </summary>
public sealed class CampaignExecution(ProvisioningDbContext db, RequestIntake intake, TimeProvider clock)
{
    /// <summary>A request made by a launch is placed by this date at the latest, however near the wave's target.</summary>
    private static readonly TimeSpan LeastPlacementTime = TimeSpan.FromDays(30);

    /// <summary>
    /// Submits a request for each workload of the wave still planned, in its agency's name: its project (the row's, by
    /// name, or the agency's first), its image (the row's, or Debian 12), its classification, the facility the plan chose
    /// as preference. The whole launch is one transaction; ids follow from (campaign, workload, attempt), so a launch sent
    /// again finds its requests and submits none twice.
    /// </summary>
    public async Task<CampaignWaveLaunchOutcome> LaunchWaveAsync(Guid actor, Guid campaignId, int wave, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.Id == campaignId, cancellationToken)
            ?? throw new NotFoundException("Campaign", campaignId.ToString());
        var terms = Campaigns.Waves(campaign).SingleOrDefault(w => w.Number == wave)
            ?? throw new InvalidFieldException("wave", new($"la campagne n'a pas de vague {wave}.", $"the campaign has no wave {wave}."));
        var workloads = await db.CampaignWorkloads.Where(w => w.CampaignId == campaignId && w.Wave == wave).OrderBy(w => w.Line).ToListAsync(cancellationToken);
        var agencyIds = workloads.Select(w => w.AgencyId).Distinct().ToList();
        var projects = (await db.Projects.AsNoTracking().Where(p => agencyIds.Contains(p.AgencyId)).ToListAsync(cancellationToken))
            .GroupBy(p => p.AgencyId).ToDictionary(g => g.Key, g => g.OrderBy(p => p.ProjectId).ToList());
        var facilities = await db.Facilities.AsNoTracking().ToDictionaryAsync(f => f.Code, cancellationToken);
        var openRequests = await OpenRequestsAsync(workloads, cancellationToken);

        var now = clock.GetUtcNow().UtcDateTime;
        var targetEnd = terms.TargetDate.ToDateTime(new TimeOnly(23, 59), DateTimeKind.Utc);
        var deadline = targetEnd < now + LeastPlacementTime ? now + LeastPlacementTime : targetEnd > now.AddDays(365) ? now.AddDays(365) : targetEnd;
        int submitted = 0, alreadyRequested = 0, further = 0;
        var skipped = new List<CampaignLaunchSkip>();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        foreach (var workload in workloads)
        {
            if (CampaignSteps.Rank(workload.Step) > CampaignSteps.Rank(CampaignSteps.HostingActive))
            {
                further++;
                continue;
            }
            if (workload.Step != CampaignSteps.Planned && workload.RequestId is { } requestId && openRequests.Contains(requestId))
            {
                alreadyRequested++;
                continue;
            }
            var project = ProjectOf(workload, projects.GetValueOrDefault(workload.AgencyId) ?? []);
            if (project is null)
            {
                skipped.Add(new(workload.Key,
                    workload.Project.Length > 0 ? $"l'organisme n'a pas de projet « {workload.Project} »." : "l'organisme n'a aucun projet.",
                    workload.Project.Length > 0 ? $"the agency has no project \"{workload.Project}\"." : "the agency has no project."));
                continue;
            }
            var image = workload.Image.Length > 0 ? workload.Image : Catalogue.Images[0].Code;
            if (Catalogue.Images.All(i => i.Code != image))
            {
                skipped.Add(new(workload.Key, $"image « {image} » inconnue du catalogue.", $"image \"{image}\" is not in the catalogue."));
                continue;
            }
            var line = VmLine.Of(null, workload.Resources, image, workload.Count);
            var attempt = workload.LaunchAttempts + 1;
            var request = await intake.SubmitAsync(new SubmitCommand(RequestIdOf(campaignId, workload.Id, attempt), actor, workload.AgencyId, project.ProjectId, [line],
                workload.Classification, null, workload.PlannedFacilityCode is { } code && facilities.TryGetValue(code, out var facility) ? facility.FacilityId : null,
                $"Campagne de rapatriement « {campaign.Name} », vague {wave} : {workload.Key} ({workload.SourceProvider}, {workload.SourceRegion}). "
                + $"Repatriation campaign \"{campaign.Name}\", wave {wave}.",
                deadline, [], null, LaunchedByCampaign: true), cancellationToken);
            workload.RequestId = request.Id;
            workload.LaunchAttempts = attempt;
            workload.LaunchedAt = now;
            workload.RequestStatus = request.Status.Code();
            workload.Step = CampaignSteps.HostingRequested;
            await db.SaveChangesAsync(cancellationToken);
            submitted++;
        }
        await transaction.CommitAsync(cancellationToken);
        return new CampaignWaveLaunchOutcome(submitted, alreadyRequested, further, skipped);
    }

    /// <summary>The workloads' requests that are neither ended without VMs nor gone: a launch leaves those as they are.</summary>
    private async Task<HashSet<Guid>> OpenRequestsAsync(IReadOnlyList<CampaignWorkload> workloads, CancellationToken cancellationToken)
    {
        var ids = workloads.Where(w => w.RequestId is not null).Select(w => w.RequestId!.Value).ToList();
        var ended = new[] { RequestStatus.Rejected, RequestStatus.Expired, RequestStatus.Failed, RequestStatus.Withdrawn, RequestStatus.Decommissioned };
        return [.. await db.Requests.AsNoTracking().Where(r => ids.Contains(r.Id) && !ended.Contains(r.Status)).Select(r => r.Id).ToListAsync(cancellationToken)];
    }

    private static KnownProject? ProjectOf(CampaignWorkload workload, IReadOnlyList<KnownProject> projects) =>
        workload.Project.Length == 0
            ? projects.FirstOrDefault()
            : projects.FirstOrDefault(p => string.Equals(p.Name?.Trim(), workload.Project, StringComparison.OrdinalIgnoreCase));

    /// <summary>The same for the same attempt at the same workload, whoever launches and however often.</summary>
    public static Guid RequestIdOf(Guid campaignId, Guid workloadId, int attempt) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"campaign/{campaignId:N}/{workloadId:N}/{attempt}"))[..16]);

    /// <summary>Records a step a person vouches for; refused out of order or without its evidence.</summary>
    public async Task<CampaignWorkload> RecordStepAsync(Guid actor, Guid campaignId, string workloadKey, CampaignStepRecord record, CancellationToken cancellationToken)
    {
        var workload = await db.CampaignWorkloads.SingleOrDefaultAsync(w => w.CampaignId == campaignId && w.Key == workloadKey, cancellationToken)
            ?? throw new InvalidFieldException("workload", new($"la campagne n'a pas de charge « {workloadKey} ».", $"the campaign has no workload \"{workloadKey}\"."));
        if (CampaignStepRules.Apply(workload, record, actor, clock.GetUtcNow().UtcDateTime))
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        return workload;
    }

    public async Task<IReadOnlyList<CampaignProgressCount>> ProgressAsync(Guid campaignId, CancellationToken cancellationToken) =>
        (await db.CampaignWorkloads.AsNoTracking().Where(w => w.CampaignId == campaignId)
            .GroupBy(w => new { w.Wave, w.AgencyId, w.Step, w.RequestStatus })
            .Select(g => new { g.Key.Wave, g.Key.AgencyId, g.Key.Step, g.Key.RequestStatus, Count = g.Count() })
            .ToListAsync(cancellationToken))
        .Select(g => new CampaignProgressCount(g.Wave, g.AgencyId, g.Step, g.RequestStatus ?? "", g.Count))
        .OrderBy(g => g.Wave).ThenBy(g => g.AgencyId).ThenBy(g => CampaignSteps.Rank(g.Step)).ThenBy(g => g.RequestStatus, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Follows a request made by a launch: active moves its workload to hosting active; an end without VMs returns it to
    /// planned, for the next launch to submit again. Each move is in the audit trail, in the same transaction.
    /// </summary>
    public static async Task FollowAsync(ProvisioningDbContext db, Aes.Messaging.Audit.AuditTrail<ProvisioningDbContext> audit, HostingRequestStatusChanged change,
        CancellationToken cancellationToken)
    {
        var workload = await db.CampaignWorkloads.SingleOrDefaultAsync(w => w.RequestId == change.RequestId, cancellationToken);
        if (workload is null || (workload.RequestStatusAt is { } seen && seen > change.ChangedAt))
        {
            return; // not a campaign's, or older than what the workload already knows
        }
        workload.RequestStatus = change.Status;
        workload.RequestStatusAt = change.ChangedAt;
        string? moved = null;
        if (change.Status == RequestStatus.Active.Code() && workload.Step == CampaignSteps.HostingRequested)
        {
            workload.Step = moved = CampaignSteps.HostingActive;
            workload.HostingActiveAt = change.ChangedAt;
            workload.HostedFacilityCode = change.FacilityId is { } facilityId
                ? await db.Facilities.AsNoTracking().Where(f => f.FacilityId == facilityId).Select(f => f.Code).SingleOrDefaultAsync(cancellationToken)
                : null;
        }
        else if (EndedWithoutVms.Contains(change.Status) && workload.Step == CampaignSteps.HostingRequested)
        {
            workload.Step = moved = CampaignSteps.Planned;
        }
        if (moved is not null)
        {
            await audit.AppendAsync(new Aes.Messaging.Audit.AuditRecord("provisioning", "campagne / campaign", "", "Campaign/" + moved,
                System.Text.Json.JsonSerializer.Serialize(new
                {
                    campaign_id = workload.CampaignId, workload = workload.Key, request_id = change.RequestId, request_status = change.Status,
                    facility = workload.HostedFacilityCode,
                }), "bus"), cancellationToken);
        }
    }

    private static readonly string[] EndedWithoutVms =
        [RequestStatus.Rejected.Code(), RequestStatus.Expired.Code(), RequestStatus.Failed.Code(), RequestStatus.Withdrawn.Code()];

    public async Task<(IReadOnlyList<CampaignWorkload> Items, string NextPageToken)> ListWorkloadsAsync(Guid campaignId, CampaignWorkloadFilter filter, KeysetPage page,
        CancellationToken cancellationToken)
    {
        if (!await db.Campaigns.AnyAsync(c => c.Id == campaignId, cancellationToken))
        {
            throw new NotFoundException("Campaign", campaignId.ToString());
        }
        var query = db.CampaignWorkloads.AsNoTracking().Where(w => w.CampaignId == campaignId);
        if (filter.StillAbroad)
        {
            query = query.Where(w => w.Step != CampaignSteps.ForeignCopyDeleted);
        }
        if (filter.AgencyId is { } agency)
        {
            query = query.Where(w => w.AgencyId == agency);
        }
        if (filter.Wave > 0)
        {
            query = query.Where(w => w.Wave == filter.Wave);
        }
        if (!page.IsFirst)
        {
            var (line, id) = (page.Long(0), page.Guid(1));
            query = query.Where(w => w.Line > line || (w.Line == line && w.Id.CompareTo(id) > 0));
        }
        return page.Cut(await query.OrderBy(w => w.Line).ThenBy(w => w.Id).Take(page.Size + 1).ToListAsync(cancellationToken), w => [w.Line, w.Id]);
    }
}
