using System.Security.Cryptography;
using System.Text.Json;
using Aes.Contracts;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.Provisioning.Application;

public sealed record CampaignImportOutcome(CampaignImportRecord Record, IReadOnlyList<int> MissingParts, IReadOnlyList<CampaignBadRow> BadRows);

public sealed record CampaignAgencyCost(Guid AgencyId, string AgencyCode, int Placed, long MonthlyXof);

/// <summary>What the plan puts in a facility (amounts as a list, so that the summary reads back from JSON).</summary>
public sealed record CampaignFacilityLoad(string FacilityCode, string StateCode, int Workloads, IReadOnlyList<ResourceAmount> Resources);

public sealed record CampaignPlanDifference(bool FirstPlan, int NewlyPlaced, int NewlyUnplaced, int Moved, IReadOnlyList<CapacityGap> GapsBefore);

/// <summary>A plan's summary, kept on the campaign as JSON and returned by every read.</summary>
public sealed record CampaignPlanSummary(DateTime PlannedAt, int Workloads, int Placed, IReadOnlyList<CapacityGap> Gaps, IReadOnlyList<CampaignAgencyCost> Costs,
    IReadOnlyList<BlockedGroup> Blocked, IReadOnlyList<QuotaShortfall> QuotaShortfalls, IReadOnlyList<CampaignFacilityLoad> Facilities,
    CampaignPlanDifference Difference)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static CampaignPlanSummary? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<CampaignPlanSummary>(json, Json);
}

/// <summary>Repatriation campaigns (ADR 051): created by a state's operators, their workloads imported from files, planned without taking anything.</summary>
public sealed class Campaigns(ProvisioningDbContext db, Q.QuotaService.QuotaServiceClient quota, TimeProvider clock)
{
    public const int MaxParts = 64;
    public const int MaxPartBytes = 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Campaign> CreateAsync(Guid actor, string name, string ownerStateCode, IReadOnlyList<Guid> agencyIds, IReadOnlyList<CampaignWaveTerms> waves,
        bool confederal, CancellationToken cancellationToken)
    {
        var known = await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.AgencyId)).ToDictionaryAsync(a => a.AgencyId, cancellationToken);
        for (var i = 0; i < agencyIds.Count; i++)
        {
            if (!known.TryGetValue(agencyIds[i], out var agency))
            {
                throw new InvalidFieldException($"agency_ids[{i}]", new("organisme inconnu.", "unknown agency."));
            }
            if (!confederal && agency.StateCode != ownerStateCode)
            {
                throw new InvalidFieldException($"agency_ids[{i}]", new(
                    $"un organisme de {agency.StateCode} : seule l'administration confédérale réunit les organismes de plusieurs États dans une campagne.",
                    $"an agency of {agency.StateCode}: only the confederal administrator brings several states' agencies into one campaign."));
            }
        }
        var campaign = new Campaign
        {
            Id = Guid.CreateVersion7(), Name = name, OwnerStateCode = ownerStateCode, AgencyIds = string.Join(',', agencyIds.Distinct()),
            WavesJson = JsonSerializer.Serialize(waves, Json), CreatedBy = actor, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Campaigns.Add(campaign);
        await db.SaveChangesAsync(cancellationToken);
        return campaign;
    }

    public static IReadOnlyList<CampaignWaveTerms> Waves(Campaign campaign) => JsonSerializer.Deserialize<List<CampaignWaveTerms>>(campaign.WavesJson, Json) ?? [];

    public async Task<Campaign> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken) ?? throw new NotFoundException("Campaign", id.ToString());

    public Task<Dictionary<Guid, int>> CountsAsync(IReadOnlyCollection<Guid> campaignIds, CancellationToken cancellationToken) =>
        db.CampaignWorkloads.Where(w => campaignIds.Contains(w.CampaignId)).GroupBy(w => w.CampaignId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);

    /// <summary>
    /// Takes one part of a file. The file is named by its SHA-256, so a part sent again is ignored (a different content
    /// under the same name is refused); when the last part arrives the file is read whole and its workloads written in
    /// one transaction, or refused with every bad row and nothing kept. A file already imported or refused answers as it did.
    /// </summary>
    public async Task<CampaignImportOutcome> ImportAsync(Guid actor, Guid campaignId, string format, string fileSha256, int part, int parts, byte[] content,
        CancellationToken cancellationToken)
    {
        var campaign = await GetAsync(campaignId, cancellationToken);
        var record = await db.CampaignImports.SingleOrDefaultAsync(i => i.CampaignId == campaignId && i.FileSha256 == fileSha256, cancellationToken);
        if (record is null)
        {
            record = new CampaignImportRecord
            {
                CampaignId = campaignId, FileSha256 = fileSha256, Format = format, Parts = parts, Status = CampaignImportStatus.Receiving,
                ImportedBy = actor, StartedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.CampaignImports.Add(record);
        }
        else if (record.Status != CampaignImportStatus.Receiving)
        {
            return Outcome(record);
        }
        else if (record.Parts != parts || record.Format != format)
        {
            throw new InvalidFieldException(record.Parts != parts ? "parts" : "format", new(
                $"ce fichier est déjà reçu en {record.Parts} parties ({record.Format}).", $"this file is already being received in {record.Parts} parts ({record.Format})."));
        }
        var existing = await db.CampaignImportParts.SingleOrDefaultAsync(p => p.CampaignId == campaignId && p.FileSha256 == fileSha256 && p.Part == part, cancellationToken);
        if (existing is not null && !existing.Content.AsSpan().SequenceEqual(content))
        {
            throw new InvalidFieldException("content", new($"la partie {part} a déjà été reçue avec un autre contenu.", $"part {part} was already received with another content."));
        }
        if (existing is null)
        {
            db.CampaignImportParts.Add(new CampaignImportPart { CampaignId = campaignId, FileSha256 = fileSha256, Part = part, Content = content });
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another call took the same part or file at the same moment: its answer stands, read it.
            db.ChangeTracker.Clear();
            throw new ConcurrentChangeException("CampaignImport");
        }

        var received = await db.CampaignImportParts.Where(p => p.CampaignId == campaignId && p.FileSha256 == fileSha256).Select(p => p.Part).ToListAsync(cancellationToken);
        if (received.Count < parts)
        {
            return new CampaignImportOutcome(record, [.. Enumerable.Range(0, parts).Except(received)], []);
        }
        return await CompleteAsync(campaign, record, cancellationToken);
    }

    private async Task<CampaignImportOutcome> CompleteAsync(Campaign campaign, CampaignImportRecord record, CancellationToken cancellationToken)
    {
        var content = (await db.CampaignImportParts.AsNoTracking().Where(p => p.CampaignId == campaign.Id && p.FileSha256 == record.FileSha256).ToListAsync(cancellationToken))
            .OrderBy(p => p.Part).SelectMany(p => p.Content).ToArray();
        IReadOnlyList<CampaignBadRow> bad;
        IReadOnlyList<CampaignRow> rows = [];
        if (!Convert.ToHexStringLower(SHA256.HashData(content)).Equals(record.FileSha256, StringComparison.Ordinal))
        {
            bad = [new CampaignBadRow(0, "file_sha256", "les parties reçues n'ont pas cette empreinte SHA-256 : renvoyez le fichier.",
                "the parts received do not have this SHA-256: send the file again.")];
        }
        else
        {
            var agencyIds = campaign.Agencies;
            var context = new CampaignFileContext(
                await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.AgencyId)).ToListAsync(cancellationToken),
                [.. Waves(campaign).Select(w => w.Number)],
                await db.ResourceClasses.AsNoTracking().Select(c => c.Code).ToListAsync(cancellationToken));
            (rows, bad) = CampaignFiles.Read(record.Format, content, context);
        }

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        if (bad.Count == 0)
        {
            var keys = rows.Select(r => r.Key).ToList();
            var known = await db.CampaignWorkloads.Where(w => w.CampaignId == campaign.Id).ToDictionaryAsync(w => w.Key, StringComparer.Ordinal, cancellationToken);
            var launched = rows.Where(r => known.TryGetValue(r.Key, out var w) && w.Step != CampaignSteps.Planned).ToList();
            bad = [.. launched.Select(r => new CampaignBadRow(r.Line, "workload", $"« {r.Key} » est déjà lancée : elle ne change plus par import.",
                $"\"{r.Key}\" is already launched: an import no longer changes it."))];
            if (bad.Count == 0)
            {
                foreach (var row in rows)
                {
                    if (!known.TryGetValue(row.Key, out var workload))
                    {
                        db.CampaignWorkloads.Add(New(campaign.Id, row, record.EndedAt ?? clock.GetUtcNow().UtcDateTime));
                        record.Added++;
                    }
                    else if (Apply(workload, row))
                    {
                        record.Updated++;
                    }
                    else
                    {
                        record.Unchanged++;
                    }
                }
            }
        }
        record.Status = bad.Count == 0 ? CampaignImportStatus.Imported : CampaignImportStatus.Refused;
        record.BadRowsJson = bad.Count == 0 ? null : JsonSerializer.Serialize(bad, Json);
        record.EndedAt = clock.GetUtcNow().UtcDateTime;
        if (bad.Count > 0)
        {
            record.Added = record.Updated = record.Unchanged = 0;
            foreach (var entry in db.ChangeTracker.Entries<CampaignWorkload>().ToList())
            {
                entry.State = entry.State == EntityState.Added ? EntityState.Detached : EntityState.Unchanged;
            }
        }
        await db.CampaignImportParts.Where(p => p.CampaignId == campaign.Id && p.FileSha256 == record.FileSha256).ExecuteDeleteAsync(cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two calls completed the same file at once (its last parts sent together): the other's import stands; a retry reads it.
            throw new ConcurrentChangeException("CampaignImport");
        }
        await transaction.CommitAsync(cancellationToken);
        return new CampaignImportOutcome(record, [], bad);
    }

    private static CampaignImportOutcome Outcome(CampaignImportRecord record) =>
        new(record, [], record.BadRowsJson is null ? [] : JsonSerializer.Deserialize<List<CampaignBadRow>>(record.BadRowsJson, Json) ?? []);

    private static CampaignWorkload New(Guid campaignId, CampaignRow row, DateTime now)
    {
        var workload = new CampaignWorkload
        {
            Id = Guid.CreateVersion7(), CampaignId = campaignId, ImportedAt = now, Key = row.Key, AgencyStateCode = row.Agency.StateCode, Project = row.Project,
            SourceProvider = row.SourceProvider, SourceRegion = row.SourceRegion, Image = row.Image, Step = CampaignSteps.Planned,
        };
        Apply(workload, row);
        return workload;
    }

    /// <summary>Writes the row's values onto the workload; true when anything changed.</summary>
    private static bool Apply(CampaignWorkload workload, CampaignRow row)
    {
        var changed = workload.AgencyId != row.Agency.AgencyId || workload.Project != row.Project || workload.Classification != row.Classification
            || workload.SourceProvider != row.SourceProvider || workload.SourceRegion != row.SourceRegion || workload.DataGb != row.DataGb
            || workload.TargetDate != row.TargetDate || workload.Wave != row.Wave || workload.Image != row.Image || workload.Count != row.Count
            || workload.Resources != row.Resources || workload.Line != row.Line;
        workload.Line = row.Line;
        workload.AgencyId = row.Agency.AgencyId;
        workload.AgencyStateCode = row.Agency.StateCode;
        workload.Project = row.Project;
        workload.Classification = row.Classification;
        workload.SourceProvider = row.SourceProvider;
        workload.SourceRegion = row.SourceRegion;
        workload.DataGb = row.DataGb;
        workload.TargetDate = row.TargetDate;
        workload.Wave = row.Wave;
        workload.Image = row.Image;
        workload.Count = row.Count;
        workload.Resources = row.Resources;
        return changed;
    }

    /// <summary>
    /// Plans the whole campaign on the room free now, taking nothing (quota is only read), keeps each workload's place
    /// and the summary, and says what changed since the plan before.
    /// </summary>
    public async Task<CampaignPlanSummary> PlanAsync(Guid campaignId, CancellationToken cancellationToken)
    {
        var campaign = await db.Campaigns.SingleOrDefaultAsync(c => c.Id == campaignId, cancellationToken) ?? throw new NotFoundException("Campaign", campaignId.ToString());
        var waveDates = Waves(campaign).ToDictionary(w => w.Number, w => w.TargetDate);
        var workloads = (await db.CampaignWorkloads.Where(w => w.CampaignId == campaignId).ToListAsync(cancellationToken))
            .OrderBy(w => w.Wave == 0 ? 1 : 0).ThenBy(w => waveDates.GetValueOrDefault(w.Wave, DateOnly.MaxValue)).ThenBy(w => w.TargetDate).ThenBy(w => w.Line)
            .ToList();
        var before = workloads.ToDictionary(w => w.Id, w => w.PlannedFacilityCode);
        var previous = CampaignPlanSummary.FromJson(campaign.LastPlanJson);
        var now = clock.GetUtcNow().UtcDateTime;

        var facilities = await db.Facilities.AsNoTracking().OrderBy(f => f.Code).ToListAsync(cancellationToken);
        var agreements = await PriceBook.AgreementTermsAsync(db, null, cancellationToken);
        var capacity = await quota.GetPlanningCapacityAsync(new Q.GetPlanningCapacityRequest { AgencyIds = { workloads.Select(w => w.AgencyId).Distinct().Select(a => a.ToString()) } },
            cancellationToken: cancellationToken);
        var prices = await PriceBook.LoadAsync(db, now, cancellationToken);

        var outcome = CampaignPlanner.Plan(new CampaignPlanInputs(workloads, facilities, agreements,
            [.. capacity.Pools.Select(p => new PlanningPoolRoom(Guid.Parse(p.PoolId), p.PoolName, Guid.Parse(p.FacilityId), QuotaAmounts.From(p.HeadroomByClass)))],
            [.. capacity.Slices.Select(s => new PlanningSliceRoom(Guid.Parse(s.AgreementId), Guid.Parse(s.FacilityId), s.GuestStateCode, QuotaAmounts.From(s.HeadroomByClass)))],
            capacity.Quotas.ToDictionary(q => Guid.Parse(q.AgencyId), q => QuotaAmounts.From(q.HeadroomByClass)),
            prices.MonthlyXof));

        foreach (var plan in outcome.Workloads)
        {
            var workload = plan.Workload;
            workload.PlannedFacilityCode = plan.Facility?.Code;
            workload.PlannedStateCode = plan.Facility?.StateCode;
            workload.PlannedMonthlyXof = plan.MonthlyXof;
            workload.PlanReasonFr = plan.ReasonFr;
            workload.PlanReasonEn = plan.ReasonEn;
        }
        var agencies = await db.Agencies.AsNoTracking().Where(a => campaign.Agencies.Contains(a.AgencyId)).ToDictionaryAsync(a => a.AgencyId, cancellationToken);
        var placed = outcome.Workloads.Where(p => p.Facility is not null).ToList();
        var summary = new CampaignPlanSummary(now, workloads.Count, placed.Count, outcome.Gaps,
            [.. placed.GroupBy(p => p.Workload.AgencyId).OrderBy(g => g.Key)
                .Select(g => new CampaignAgencyCost(g.Key, agencies.TryGetValue(g.Key, out var a) ? $"{a.StateCode}/{a.Code}" : "", g.Count(), g.Sum(p => p.MonthlyXof ?? 0)))],
            outcome.Blocked, outcome.QuotaShortfalls,
            [.. placed.GroupBy(p => p.Facility!.FacilityId).Select(g => new CampaignFacilityLoad(g.First().Facility!.Code, g.First().Facility!.StateCode, g.Count(),
                g.Aggregate(ResourceVector.Zero, (sum, p) => sum.Add(p.Workload.Total)).ToList())).OrderBy(f => f.FacilityCode, StringComparer.Ordinal)],
            new CampaignPlanDifference(previous is null,
                outcome.Workloads.Count(p => p.Facility is not null && before[p.Workload.Id] is null),
                outcome.Workloads.Count(p => p.Facility is null && before[p.Workload.Id] is not null),
                outcome.Workloads.Count(p => p.Facility is not null && before[p.Workload.Id] is { } was && was != p.Facility.Code),
                previous?.Gaps ?? []));
        campaign.PlannedAt = now;
        campaign.LastPlanJson = summary.ToJson();
        await db.SaveChangesAsync(cancellationToken);
        return summary;
    }
}
