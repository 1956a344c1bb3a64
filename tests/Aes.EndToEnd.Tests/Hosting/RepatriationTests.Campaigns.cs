using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Aes.Messaging;
using Aes.Testing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using A = Aes.Contracts.Audit.V1;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// Journey 9 as a campaign (ADR 051): two thousand workloads of three states' agencies, imported in parts and resumed,
/// planned without taking anything, planned again once Mali adds capacity.
/// </summary>
public sealed partial class RepatriationTests
{
    private static readonly (string Agency, int Internal, int Strategic)[] CampaignAgencies = [("ML/DNEC", 600, 100), ("BF/ANPTIC", 600, 100), ("NE/MSP", 500, 100)];

    private static string CampaignFile(out int workloads)
    {
        var csv = new StringBuilder("workload,agency,classification,source_provider,source_region,data_gb,target_date,wave,vcpu,memory_gib,storage_gib\n");
        workloads = 0;
        foreach (var (agency, internalCount, strategicCount) in CampaignAgencies)
        {
            var prefix = agency.Replace('/', '-').ToLowerInvariant();
            for (var i = 0; i < internalCount + strategicCount; i++, workloads++)
            {
                var strategic = i >= internalCount;
                csv.Append($"{prefix}-{i:D4},{agency},{(strategic ? "strategic" : "internal")},cloud-eu,\"eu-west, Paris\",{40 + i % 500},")
                    .Append($"{(i % 2 == 0 ? "2027-03-31" : "2027-09-30")},{WaveOf(agency, i, internalCount)},{(strategic ? 4 : 2)},{(strategic ? 16 : 4)},50\n");
            }
        }
        return csv.ToString();
    }

    /// <summary>
    /// Each agency's first four internal workloads go in wave 1, the next four in wave 2, with Mali's and Burkina's first
    /// strategic one (Niger's has no facility yet); the rest in wave 3.
    /// </summary>
    private static int WaveOf(string agency, int index, int internalCount) =>
        index < 4 ? 1 : index < 8 || (index == internalCount && !agency.StartsWith("NE", StringComparison.Ordinal)) ? 2 : 3;

    /// <summary>Workloads per agency in waves 1 and 2 (see <see cref="WaveOf"/>).</summary>
    private static readonly Dictionary<(int Wave, string State), int> Launched = new()
    {
        [(1, "ML")] = 4, [(1, "BF")] = 4, [(1, "NE")] = 4, [(2, "ML")] = 5, [(2, "BF")] = 5, [(2, "NE")] = 4,
    };

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static P.ImportCampaignWorkloadsRequest Part(string campaignId, string actor, byte[] file, int part, int parts)
    {
        var size = (file.Length + parts - 1) / parts;
        var slice = file.AsSpan(part * size, Math.Min(size, file.Length - part * size));
        return new P.ImportCampaignWorkloadsRequest
        {
            ActorUserId = actor, CampaignId = campaignId, Format = "csv", FileSha256 = Sha256(file), Part = part, Parts = parts, Content = ByteString.CopyFrom(slice),
        };
    }

    private async Task<List<P.CampaignWorkload>> WorkloadsAsync(P.ProvisioningService.ProvisioningServiceClient provisioning, string campaignId)
    {
        var all = new List<P.CampaignWorkload>();
        var token = "";
        do
        {
            var page = await provisioning.ListCampaignWorkloadsAsync(new P.ListCampaignWorkloadsRequest { CampaignId = campaignId, PageSize = 1000, PageToken = token });
            all.AddRange(page.Workloads);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }

    [Fact]
    public async Task A_campaign_of_two_thousand_workloads_from_three_states_imports_resumably_plans_without_holding_anything_and_replans_after_capacity_grows()
    {
        var output = TestContext.Current.TestOutputHelper;
        var admin = (await m.AsAsync("admin.aes")).Provisioning;
        var actor = m.Users["admin.aes"];
        var agencyIds = CampaignAgencies.Select(a => m.Agencies[a.Agency]).ToList();

        // An operator brings only its own state's agencies into a campaign; the confederal administrator brings three states'.
        var nigerOperator = (await m.AsAsync("op.ne")).Provisioning;
        var refused = await Assert.ThrowsAsync<RpcException>(() => nigerOperator.CreateCampaignAsync(new P.CreateCampaignRequest
        {
            ActorUserId = m.Users["op.ne"], Name = "Rapatriement", OwnerStateCode = "NE", AgencyIds = { agencyIds },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("agency_ids[0]", refused.Status.Detail);
        var campaign = await admin.CreateCampaignAsync(new P.CreateCampaignRequest
        {
            ActorUserId = actor, Name = "Rapatriement 2027", OwnerStateCode = "NE", AgencyIds = { agencyIds },
            Waves =
            {
                new P.CampaignWave { Number = 1, Name = "Vague 1", TargetDate = "2027-03-31" }, new P.CampaignWave { Number = 2, Name = "Vague 2", TargetDate = "2027-06-30" },
                new P.CampaignWave { Number = 3, Name = "Vague 3", TargetDate = "2027-09-30" },
            },
        });

        // Sent in three parts, one of them twice, the last one first: the server keeps the parts and says which are missing.
        var file = Encoding.UTF8.GetBytes(CampaignFile(out var workloadCount));
        Assert.Equal(2000, workloadCount);
        var stopwatch = Stopwatch.StartNew();
        var first = await admin.ImportCampaignWorkloadsAsync(Part(campaign.Id, actor, file, 2, 3));
        Assert.Equal("receiving", first.Status);
        Assert.Equal([0, 1], first.MissingParts);
        Assert.Equal([1], (await admin.ImportCampaignWorkloadsAsync(Part(campaign.Id, actor, file, 0, 3))).MissingParts);
        Assert.Equal([1], (await admin.ImportCampaignWorkloadsAsync(Part(campaign.Id, actor, file, 0, 3))).MissingParts);
        var imported = await admin.ImportCampaignWorkloadsAsync(Part(campaign.Id, actor, file, 1, 3));
        output?.WriteLine($"2,000 workloads imported in {stopwatch.Elapsed}");
        Assert.Equal(("imported", 2000, 0), (imported.Status, imported.Added, imported.BadRows.Count));
        // The same file again changes nothing; so does the same content sent whole (a new import, every workload unchanged).
        var again = await admin.ImportCampaignWorkloadsAsync(Part(campaign.Id, actor, file, 1, 3));
        Assert.Equal(("imported", 2000), (again.Status, again.Added));
        var whole = Encoding.UTF8.GetBytes(CampaignFile(out _) + "\n");
        var unchanged = await admin.ImportCampaignWorkloadsAsync(Part(campaign.Id, actor, whole, 0, 1));
        Assert.Equal(("imported", 0, 0, 2000), (unchanged.Status, unchanged.Added, unchanged.Updated, unchanged.Unchanged));

        // A file with bad rows is refused whole, each bad row named by line and field; nothing of it is kept.
        var bad = Encoding.UTF8.GetBytes(CampaignFile(out _).Replace("ml-dnec-0003,ML/DNEC,internal", "ml-dnec-0003,ML/MEF,internal")
            .Replace("bf-anptic-0010,BF/ANPTIC,internal,cloud-eu,\"eu-west, Paris\",50,2027-03-31,3,2", "bf-anptic-0010,BF/ANPTIC,internal,cloud-eu,\"eu-west, Paris\",50,2027-03-31,3,deux")
            + "nouvelle,NE/MSP,internal,cloud-eu,eu-west,1,2027-03-31,1,2,4,50\n");
        var badImport = await admin.ImportCampaignWorkloadsAsync(Part(campaign.Id, actor, bad, 0, 1));
        Assert.Equal("refused", badImport.Status);
        Assert.Equal([(5, "agency"), (712, "vcpu")], badImport.BadRows.Select(b => (b.Line, b.Field)).Order());
        Assert.Equal(2000, (await admin.GetCampaignAsync(new P.CampaignIdRequest { CampaignId = campaign.Id })).Workloads);

        // Planning takes nothing: no request, no hold, the agencies' quota usage as it was.
        async Task<long[]> UsedAsync() => await Task.WhenAll(CampaignAgencies.Select(a => m.AgencyVcpuAsync(a.Agency)));
        async Task<int> RequestsAsync() => (await Task.WhenAll(agencyIds.Select(async id => (await m.Provisioning.ListRequestsAsync(new P.ListRequestsRequest { AgencyId = id })).Requests.Count))).Sum();
        var usedBefore = await UsedAsync();
        // The class's other tests may have launched requests of these agencies: planning adds none to them.
        var requestsBefore = await RequestsAsync();
        stopwatch.Restart();
        var plan = await admin.PlanCampaignAsync(new P.PlanCampaignRequest { ActorUserId = actor, CampaignId = campaign.Id });
        output?.WriteLine($"2,000 workloads planned in {stopwatch.Elapsed}: {plan.Placed} placed");
        Assert.Equal(usedBefore, await UsedAsync());
        Assert.Equal(requestsBefore, await RequestsAsync());

        Assert.True(plan.Difference.FirstPlan);
        Assert.Equal(2000, plan.Placed + plan.Unplaced);
        Assert.InRange(plan.Placed, 1, 1999);
        // Niger has no open facility: its strategic data waits for Niamey's, and the gap says how much Niamey needs.
        var blocked = Assert.Single(plan.Blocked, b => b.StateCode == "NE" && b.Classification == "strategic");
        Assert.Equal(100, blocked.Workloads);
        Assert.Equal(["NE-NIM-1"], blocked.UnblockedBy);
        Assert.Contains(plan.Gaps, g => g.StateCode == "NE" && g.FacilityCode == "NE-NIM-1" && g.ResourceClass == "vcpu" && g.Amount == 400);
        Assert.Contains(plan.Gaps, g => g.FacilityCode == "ML-BKO-1" && g.ResourceClass == "vcpu" && g.Amount > 0);

        // Strategic data never leaves its state, in the plan as in a real request.
        var states = CampaignAgencies.ToDictionary(a => m.Agencies[a.Agency], a => a.Agency[..2]);
        async Task<List<P.CampaignWorkload>> StrategicKeptHomeAsync()
        {
            var workloads = await WorkloadsAsync(admin, campaign.Id);
            Assert.Equal(2000, workloads.Count);
            Assert.All(workloads.Where(w => w.Classification == "strategic"), w => Assert.Contains(w.PlannedStateCode, new[] { "", states[w.AgencyId] }));
            return workloads;
        }
        // The monthly cost per agency is what its placed workloads cost where the plan put them.
        var planned = await StrategicKeptHomeAsync();
        Assert.Contains(plan.Costs, c => c.MonthlyXof > 0);
        Assert.All(plan.Costs, c => Assert.Equal(
            planned.Where(w => w.AgencyId == c.AgencyId && w.PlannedFacilityCode.Length > 0).Sum(w => w.PlannedMonthlyXof), c.MonthlyXof));

        // Mali adds capacity; the plan again says what changed.
        var pool = (await m.Quota.GetPoolAsync(new Q.GetPoolRequest { Id = m.Pools["ML-BKO-1"] })).Inventories.ToDictionary(i => i.ResourceClass);
        async Task SetAsync(string resourceClass, long total) => await m.Quota.SetInventoryAsync(new Q.SetInventoryRequest
        {
            ActorUserId = m.Users["op.ml"], PoolId = m.Pools["ML-BKO-1"], ResourceClass = resourceClass, Total = total, Reserved = pool[resourceClass].Reserved,
            AllocationRatio = pool[resourceClass].AllocationRatio,
        });
        try
        {
            await SetAsync("vcpu", pool["vcpu"].Total + 2_000);
            await SetAsync("memory_gib", pool["memory_gib"].Total + 20_000);
            var replan = await admin.PlanCampaignAsync(new P.PlanCampaignRequest { ActorUserId = actor, CampaignId = campaign.Id });
            Assert.False(replan.Difference.FirstPlan);
            Assert.True(replan.Placed > plan.Placed, $"{replan.Placed} placed after adding capacity, {plan.Placed} before");
            Assert.Equal(replan.Placed - plan.Placed, replan.Difference.NewlyPlaced - replan.Difference.NewlyUnplaced);
            Assert.Equal(plan.Gaps, replan.Difference.GapsBefore);
            long VcpuGap(P.CampaignPlan p) => p.Gaps.Where(g => g.FacilityCode == "ML-BKO-1" && g.ResourceClass == "vcpu").Sum(g => g.Amount);
            Assert.True(VcpuGap(replan) < VcpuGap(plan), $"Bamako's vCPU gap {VcpuGap(replan)} after, {VcpuGap(plan)} before");
            Assert.Equal(usedBefore, await UsedAsync());
            Assert.Equal(requestsBefore, await RequestsAsync());
            Assert.Contains(await StrategicKeptHomeAsync(), w => w.Classification == "strategic" && w.PlannedStateCode == "ML");
            // The campaign keeps its last plan for whoever reads it next (the owning state's auditor).
            var read = await (await m.AsAsync("audit.ne")).Provisioning.GetCampaignAsync(new P.CampaignIdRequest { CampaignId = campaign.Id });
            Assert.Equal((replan.Placed, replan.Difference.NewlyPlaced), (read.LastPlan.Placed, read.LastPlan.Difference.NewlyPlaced));
        }
        finally
        {
            // Requests of the class's other test waiting for room may have taken some of what was added: keep what they hold.
            var now = (await m.Quota.GetPoolAsync(new Q.GetPoolRequest { Id = m.Pools["ML-BKO-1"] })).Inventories.ToDictionary(i => i.ResourceClass);
            await SetAsync("vcpu", Math.Max(pool["vcpu"].Total, now["vcpu"].Used));
            await SetAsync("memory_gib", Math.Max(pool["memory_gib"].Total, now["memory_gib"].Used));
        }
        // Another state's auditor does not read Niger's campaign.
        var foreign = await Assert.ThrowsAsync<RpcException>(async () =>
            await (await m.AsAsync("audit.ml")).Provisioning.GetCampaignAsync(new P.CampaignIdRequest { CampaignId = campaign.Id }));
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);

        await LaunchTwoWavesAndRecordTheirStepsAsync(admin, actor, campaign.Id, async () => await RequestsAsync() - requestsBefore);

        // Every step is in provisioning's audit trail, and the chain verifies.
        var trail = m.AuditTrailOf(ResourceNames.Provisioning);
        var actions = new List<string>();
        var after = 0L;
        while (true)
        {
            var page = await trail.ListEntriesAsync(new A.ListAuditEntriesRequest { AfterPosition = after, Limit = 1000 });
            if (page.Entries.Count == 0)
            {
                break;
            }
            actions.AddRange(page.Entries.Where(e => e.Details.Contains(campaign.Id, StringComparison.Ordinal) || e.Details.Contains("Rapatriement 2027", StringComparison.Ordinal))
                .Select(e => e.Action.Split('/')[^1]));
            after = page.Entries[^1].Position;
        }
        Assert.Equal(["CreateCampaign", "ImportCampaignWorkloads", "LaunchCampaignWave", "PlanCampaign", "RecordCampaignStep", "hosting_active"],
            actions.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(26, actions.Count(a => a == "hosting_active"));
        Assert.True((await trail.VerifyAsync(new A.VerifyAuditTrailRequest())).Intact);
    }

    /// <summary>
    /// Waves 1 and 2 (four internal workloads per agency each, and wave 2 Mali's and Burkina's first strategic one) launched as real requests in the agencies' name, approved
    /// as the rules ask (Niger's at home, then by their host) and followed to active; then the steps after hosting, recorded
    /// by the agency or its state's operator, with another agency and a step out of order refused; Niger's auditor sees
    /// what is still abroad.
    /// </summary>
    private async Task LaunchTwoWavesAndRecordTheirStepsAsync(P.ProvisioningService.ProvisioningServiceClient admin, string actor, string campaignId,
        Func<Task<int>> requestsAsync)
    {
        // Another state's operator does not launch Niger's campaign.
        var foreign = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("op.ml")).Provisioning.LaunchCampaignWaveAsync(
            new P.LaunchCampaignWaveRequest { ActorUserId = m.Users["op.ml"], CampaignId = campaignId, Wave = 1 }));
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        var first = await admin.LaunchCampaignWaveAsync(new P.LaunchCampaignWaveRequest { ActorUserId = actor, CampaignId = campaignId, Wave = 1 });
        Assert.Equal((12, 0, 0), (first.Submitted, first.AlreadyRequested, first.Skipped.Count));
        // Launched again (a retry after a lost answer): nothing submitted twice.
        var again = await admin.LaunchCampaignWaveAsync(new P.LaunchCampaignWaveRequest { ActorUserId = actor, CampaignId = campaignId, Wave = 1 });
        Assert.Equal((0, 12), (again.Submitted, again.AlreadyRequested));
        Assert.Equal(14, (await admin.LaunchCampaignWaveAsync(new P.LaunchCampaignWaveRequest { ActorUserId = actor, CampaignId = campaignId, Wave = 2 })).Submitted);
        Assert.Equal(26, await requestsAsync());

        var launched = (await WorkloadsAsync(admin, campaignId)).Where(w => w.Wave is 1 or 2).ToList();
        Assert.Equal(26, launched.Count);
        Assert.All(launched, w => Assert.NotEmpty(w.RequestId));
        var agencyStates = CampaignAgencies.ToDictionary(a => m.Agencies[a.Agency], a => a.Agency[..2]);
        foreach (var workload in launched)
        {
            var request = await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = workload.RequestId });
            Assert.Equal((workload.AgencyId, workload.Classification), (request.AgencyId, request.Classification));
        }
        await ApproveUntilActiveAsync([.. launched.Select(w => w.RequestId)]);

        // Each workload follows its request to active, where it is hosted; strategic data is hosted in its own state.
        List<P.CampaignWorkload> active = [];
        await Eventually.HoldsAsync(async () =>
        {
            active = [.. (await WorkloadsAsync(admin, campaignId)).Where(w => w.Wave is 1 or 2)];
            return active.All(w => w.Step == "hosting_active" && w.HostedFacilityCode.Length > 0 && w.HostingActiveAt is not null);
        }, TimeSpan.FromSeconds(60), () => "every launched workload hosting_active: " + string.Join(", ", active.Select(w => $"{w.Key} {w.Step} {w.RequestStatus}")));
        Assert.Contains(active, w => agencyStates[w.AgencyId] == "NE" && w.HostedFacilityCode.Length > 0);
        var strategic = active.Where(w => w.Classification == "strategic").ToList();
        Assert.Equal(2, strategic.Count);
        Assert.All(strategic, w => Assert.StartsWith(agencyStates[w.AgencyId] + "-", w.HostedFacilityCode, StringComparison.Ordinal));
        var campaign = await admin.GetCampaignAsync(new P.CampaignIdRequest { CampaignId = campaignId });
        foreach (var ((wave, state), count) in Launched)
        {
            var agency = agencyStates.Single(a => a.Value == state).Key;
            Assert.Equal(count, campaign.Progress.Where(p => p.Wave == wave && p.AgencyId == agency && p.Step == "hosting_active").Sum(p => p.Workloads));
        }
        Assert.Equal(2000 - 26, campaign.Progress.Where(p => p.Step == "planned").Sum(p => p.Workloads));

        // The steps after hosting: the agency records its transfer; another agency's member cannot, nor a step out of order.
        var checksum = Convert.ToHexStringLower(SHA256.HashData("bf-anptic-0000 data set"u8));
        P.RecordCampaignStepRequest Step(string who, string workload, string step, long gb = 0, string sha = "", string attestedBy = "", DateTime? deletedAt = null,
            string reference = "", string document = "") => new()
        {
            ActorUserId = m.Users[who], CampaignId = campaignId, Workload = workload, Step = step, TransferredGb = gb, ChecksumSha256 = sha, AttestedBy = attestedBy,
            DeletedAt = deletedAt is { } at ? Timestamp.FromDateTime(at) : null, EvidenceReference = reference, EvidenceDocumentSha256 = document,
        };
        var ministry = (await m.AsAsync("agent.mef.ml")).Provisioning;
        var intruder = await Assert.ThrowsAsync<RpcException>(async () => await ministry.RecordCampaignStepAsync(
            Step("agent.mef.ml", "ml-dnec-0000", "data_transferred", 40, checksum)));
        Assert.Equal(StatusCode.PermissionDenied, intruder.StatusCode);
        var burkinabe = (await m.AsAsync("agent.anptic.bf")).Provisioning;
        var notTheirs = await Assert.ThrowsAsync<RpcException>(async () => await burkinabe.RecordCampaignStepAsync(Step("agent.anptic.bf", "ml-dnec-0000", "cut_over")));
        Assert.Equal(StatusCode.PermissionDenied, notTheirs.StatusCode);
        var transferred = await burkinabe.RecordCampaignStepAsync(
            Step("agent.anptic.bf", "bf-anptic-0000", "data_transferred", 40, checksum));
        Assert.Equal(("data_transferred", 40L, checksum), (transferred.Step, transferred.TransferredGb, transferred.TransferSha256));
        var burkinaOperator = (await m.AsAsync("op.bf")).Provisioning;
        var early = await Assert.ThrowsAsync<RpcException>(async () => await burkinaOperator.RecordCampaignStepAsync(Step("op.bf", "bf-anptic-0001", "foreign_copy_deleted",
            attestedBy: "cloud-eu", deletedAt: DateTime.UtcNow.AddMinutes(-1), reference: "T-1")));
        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        Assert.Contains("cut_over", early.Status.Detail);
        await burkinaOperator.RecordCampaignStepAsync(Step("op.bf", "bf-anptic-0000", "cut_over"));
        var noEvidence = await Assert.ThrowsAsync<RpcException>(async () => await burkinaOperator.RecordCampaignStepAsync(Step("op.bf", "bf-anptic-0000", "foreign_copy_deleted",
            attestedBy: "A. Sawadogo, cloud-eu", deletedAt: DateTime.UtcNow)));
        Assert.Equal(StatusCode.InvalidArgument, noEvidence.StatusCode);
        Assert.Contains("evidence_reference", noEvidence.Status.Detail);
        var document = Convert.ToHexStringLower(SHA256.HashData("certificat de suppression"u8));
        var deleted = await burkinaOperator.RecordCampaignStepAsync(Step("op.bf", "bf-anptic-0000", "foreign_copy_deleted",
            attestedBy: "A. Sawadogo, cloud-eu", deletedAt: DateTime.UtcNow, document: document));
        Assert.Equal(("foreign_copy_deleted", "A. Sawadogo, cloud-eu", document), (deleted.Step, deleted.DeletionAttestedBy, deleted.DeletionDocumentSha256));
        // Mali's operator records for Mali's agency: transferred and cut over, its copy abroad not yet deleted.
        var maliOperator = (await m.AsAsync("op.ml")).Provisioning;
        await maliOperator.RecordCampaignStepAsync(Step("op.ml", "ml-dnec-0000", "data_transferred", 40, checksum));
        await maliOperator.RecordCampaignStepAsync(Step("op.ml", "ml-dnec-0000", "cut_over"));

        // Niger's operator records for its ministry, hosted abroad under an agreement, to the deletion of the copy abroad.
        var nigerOperator = (await m.AsAsync("op.ne")).Provisioning;
        foreach (var (who, client, key) in new[] { ("op.ne", nigerOperator, "ne-msp-0000"), ("op.ml", maliOperator, "ml-dnec-0001") })
        {
            await client.RecordCampaignStepAsync(Step(who, key, "data_transferred", 41, checksum));
            await client.RecordCampaignStepAsync(Step(who, key, "cut_over"));
            var proof = await client.RecordCampaignStepAsync(Step(who, key, "foreign_copy_deleted", attestedBy: "Service juridique, cloud-eu", deletedAt: DateTime.UtcNow,
                reference: $"CLOUD-EU-{key}"));
            Assert.Equal(("foreign_copy_deleted", $"CLOUD-EU-{key}"), (proof.Step, proof.DeletionReference));
            // Sent again (a lost answer), the same attestation changes nothing; another one is refused: the first stands.
            await client.RecordCampaignStepAsync(Step(who, key, "foreign_copy_deleted", attestedBy: "Service juridique, cloud-eu",
                deletedAt: proof.ForeignCopyDeletedAt.ToDateTime(), reference: $"CLOUD-EU-{key}"));
            var rewrite = await Assert.ThrowsAsync<RpcException>(async () => await client.RecordCampaignStepAsync(Step(who, key, "foreign_copy_deleted",
                attestedBy: "Quelqu'un d'autre", deletedAt: DateTime.UtcNow, reference: "AUTRE")));
            Assert.Equal(StatusCode.FailedPrecondition, rewrite.StatusCode);
        }

        // The owning state's auditor sees what is still abroad, since when and where: all but the three deleted.
        var auditor = (await m.AsAsync("audit.ne")).Provisioning;
        var abroad = new List<P.CampaignWorkload>();
        var token = "";
        do
        {
            var page = await auditor.ListCampaignWorkloadsAsync(new P.ListCampaignWorkloadsRequest { CampaignId = campaignId, StillAbroad = true, PageSize = 1000, PageToken = token });
            abroad.AddRange(page.Workloads);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Equal(1997, abroad.Count);
        Assert.DoesNotContain(abroad, w => w.Key is "bf-anptic-0000" or "ne-msp-0000" or "ml-dnec-0001");
        Assert.All(abroad, w => Assert.True(w.ImportedAt is not null && w.SourceProvider == "cloud-eu" && w.SourceRegion == "eu-west, Paris", w.Key));
        var cutOver = Assert.Single(abroad, w => w.Key == "ml-dnec-0000");
        Assert.Equal("cut_over", cutOver.Step);
        Assert.NotNull(cutOver.CutOverAt);
    }

    /// <summary>Approves each request's pending approvals in turn (home, then host) as that state's operator, until every one is active.</summary>
    private async Task ApproveUntilActiveAsync(IReadOnlyList<string> requestIds)
    {
        var operators = new Dictionary<string, P.ProvisioningService.ProvisioningServiceClient>();
        var statuses = new Dictionary<string, string>();
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var id in requestIds)
            {
                var request = await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = id });
                statuses[id] = request.Status;
                if (request.Status != "awaiting_approval" || request.Approvals.FirstOrDefault(a => a.Decision == "pending") is not { } pending)
                {
                    continue;
                }
                var name = "op." + pending.StateCode.ToLowerInvariant();
                if (!operators.TryGetValue(name, out var client))
                {
                    operators[name] = client = (await m.AsAsync(name)).Provisioning;
                }
                try
                {
                    await client.ApproveAsync(new P.ApproveRequest { RequestId = id });
                }
                catch (RpcException refused) when (refused.StatusCode == StatusCode.FailedPrecondition)
                {
                    // Another turn first, or decided meanwhile: the next round sees.
                }
            }
            Assert.DoesNotContain(statuses.Values, s => s is "rejected" or "failed" or "expired" or "withdrawn");
            return statuses.Values.All(s => s == "active");
        }, TimeSpan.FromMinutes(3), () => "every launched request active: " + string.Join(", ", statuses.Select(s => $"{s.Key[..8]} {s.Value}")));
    }

    /// <summary>The part size of `aes campaign import` (CampaignCommands.PartBytes).</summary>
    private const int CliPartBytes = 256 * 1024;

    private ServiceProcess Aes(string token, params string[] arguments) => ServiceProcess.Start("services/Cli", "aes", [.. arguments, "--token", token],
        new Dictionary<string, string> { ["AES_PORT_OFFSET"] = m.PortOffset.ToString(), ["AES_CONFIG_DIR"] = _folder });

    private static async Task<string> OutputOfAsync(ServiceProcess process, int expectedExit)
    {
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.True(exit == expectedExit, $"exit {exit}\n{process.Output}");
        return process.Output;
    }

    [Fact]
    public async Task Aes_campaign_creates_imports_what_an_interrupted_run_left_and_plans_with_the_gaps_printed()
    {
        var token = await m.TokenOfAsync("op.ml");
        string created;
        await using (var create = Aes(token, "campaign", "create", "--name", "Archives DNEC", "--state", "ML", "--agency", "ML/DNEC", "--wave", "2027-06-30"))
        {
            created = System.Text.RegularExpressions.Regex.Match(await OutputOfAsync(create, 0), @"campaign ([0-9a-f-]{36})").Groups[1].Value;
        }
        // A file of several parts; a run before this one died after its first part.
        var csv = new StringBuilder("workload,agency,classification,source_provider,source_region,data_gb,target_date,wave,vcpu,memory_gib,storage_gib\n");
        for (var i = 0; i < 6000; i++)
        {
            csv.Append($"archives-{i:D5},ML/DNEC,internal,cloud-eu,eu-west-3 (Paris),{i % 900},2027-06-30,1,2,4,80\n");
        }
        var bytes = Encoding.UTF8.GetBytes(csv.ToString());
        var path = Path.Combine(_folder, "archives.csv");
        await File.WriteAllBytesAsync(path, bytes);
        var parts = (bytes.Length + CliPartBytes - 1) / CliPartBytes;
        Assert.True(parts >= 2, $"{bytes.Length} bytes");
        var earlier = await m.Provisioning.ImportCampaignWorkloadsAsync(new P.ImportCampaignWorkloadsRequest
        {
            ActorUserId = m.Users["op.ml"], CampaignId = created, Format = "csv", FileSha256 = Sha256(bytes), Part = 0, Parts = parts,
            Content = ByteString.CopyFrom(bytes, 0, CliPartBytes),
        });
        Assert.Equal(parts - 1, earlier.MissingParts.Count);

        await using (var import = Aes(token, "campaign", "import", "--id", created, path))
        {
            Assert.Contains("6000 ajoutées / added", await OutputOfAsync(import, 0));
        }
        await using (var plan = Aes(token, "campaign", "plan", "--id", created))
        {
            var output = await OutputOfAsync(plan, 0);
            Assert.Contains("Capacité manquante / capacity missing", output);
            Assert.Matches(@"│\s*ML\s*│\s*ML-BKO-1\s*│\s*vcpu\s*│\s*\d+", output);
        }
        // A bad file: every bad row printed by line and field, exit 2, nothing kept.
        await File.WriteAllTextAsync(path, csv.ToString().Replace("archives-00007,ML/DNEC,internal", "archives-00007,ML/DNEC,secret"));
        await using (var bad = Aes(token, "campaign", "import", "--id", created, path))
        {
            Assert.Matches(@"│\s*9\s*│\s*classification\s*│", await OutputOfAsync(bad, 2));
        }
        Assert.Equal(6000, (await m.Provisioning.GetCampaignAsync(new P.CampaignIdRequest { CampaignId = created })).Workloads);
    }

    [Fact]
    public async Task Aes_campaign_launches_a_wave_follows_it_to_active_with_a_progress_bar_and_records_the_proof_of_deletion()
    {
        var token = await m.TokenOfAsync("op.ml");
        string created;
        await using (var create = Aes(token, "campaign", "create", "--name", "Lot DNEC", "--state", "ML", "--agency", "ML/DNEC", "--wave", "2027-03-31"))
        {
            created = System.Text.RegularExpressions.Regex.Match(await OutputOfAsync(create, 0), @"campaign ([0-9a-f-]{36})").Groups[1].Value;
        }
        var path = Path.Combine(_folder, "lot-dnec.csv");
        await File.WriteAllTextAsync(path, "workload,agency,classification,source_provider,source_region,data_gb,target_date,wave,vcpu,memory_gib,storage_gib\n"
            + "registre-1,ML/DNEC,internal,cloud-eu,eu-west-3,120,2027-03-31,1,1,2,20\nregistre-2,ML/DNEC,internal,cloud-eu,eu-west-3,80,2027-03-31,1,1,2,20\n");
        await using (var import = Aes(token, "campaign", "import", "--id", created, path))
        {
            Assert.Contains("2 ajoutées / added", await OutputOfAsync(import, 0));
        }

        // Launched and followed while Mali's operator approves the two requests the launch submitted.
        await using var launch = Aes(token, "campaign", "launch", "--id", created, "--wave", "1", "--follow", "--wait-seconds", "170");
        var malianOperator = (await m.AsAsync("op.ml")).Provisioning;
        var approved = new HashSet<string>();
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var workload in (await m.Provisioning.ListCampaignWorkloadsAsync(new P.ListCampaignWorkloadsRequest { CampaignId = created })).Workloads
                .Where(w => w.RequestId.Length > 0 && !approved.Contains(w.RequestId)))
            {
                var request = await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = workload.RequestId });
                if (request.Status == "awaiting_approval")
                {
                    await malianOperator.ApproveAsync(new P.ApproveRequest { RequestId = workload.RequestId });
                    approved.Add(workload.RequestId);
                }
            }
            return approved.Count == 2;
        }, TimeSpan.FromSeconds(120), "the wave's two requests awaiting Mali's approval, then approved");
        var followed = await OutputOfAsync(launch, 0);
        Assert.Contains("2 demandes soumises / requests submitted", followed);
        Assert.Contains("hosting active 2/2", followed);

        // Launched again: nothing submitted twice.
        await using (var again = Aes(token, "campaign", "launch", "--id", created, "--wave", "1"))
        {
            Assert.Contains("0 demandes soumises / requests submitted", await OutputOfAsync(again, 0));
        }

        // The steps, the deletion proven by a document of which only the fingerprint leaves the machine.
        var checksum = Sha256(Encoding.UTF8.GetBytes("registre-1"));
        await using (var transferred = Aes(token, "campaign", "step", "--id", created, "--workload", "registre-1", "--step", "data_transferred", "--gb", "120", "--sha256", checksum))
        {
            Assert.Contains("registre-1: data_transferred", await OutputOfAsync(transferred, 0));
        }
        await using (var early = Aes(token, "campaign", "step", "--id", created, "--workload", "registre-2", "--step", "cut_over"))
        {
            Assert.Contains("data_transferred", await OutputOfAsync(early, 5));
        }
        await using (var cutOver = Aes(token, "campaign", "step", "--id", created, "--workload", "registre-1", "--step", "cut_over"))
        {
            await OutputOfAsync(cutOver, 0);
        }
        var certificate = Path.Combine(_folder, "certificat.pdf");
        await File.WriteAllTextAsync(certificate, "Certificat de suppression, cloud-eu, registre-1");
        var fingerprint = Sha256(await File.ReadAllBytesAsync(certificate));
        await using (var deleted = Aes(token, "campaign", "step", "--id", created, "--workload", "registre-1", "--step", "foreign_copy_deleted",
            "--attested-by", "B. Diallo, cloud-eu", "--deleted-at", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            "--document", certificate))
        {
            Assert.Contains($"document SHA-256 {fingerprint}", await OutputOfAsync(deleted, 0));
        }
        var abroad = (await m.Provisioning.ListCampaignWorkloadsAsync(new P.ListCampaignWorkloadsRequest { CampaignId = created, StillAbroad = true })).Workloads;
        Assert.Equal(["registre-2"], abroad.Select(w => w.Key));
    }

    /// <summary>
    /// A campaign through the public REST API only: Burkina's operator creates, imports, plans and launches it; the agency's
    /// requester finds it among her agency's campaigns, reads only her agency's workloads and records the transfer; bad
    /// values and another state's requester get problem+json, in French and English, naming the field.
    /// </summary>
    [Fact]
    public async Task The_rest_api_carries_a_campaign_from_its_file_to_a_transfer_recorded_by_the_agency()
    {
        using var operatorApi = await RestCalls.ApiAsAsync(m, "op.bf");
        var anptic = m.Agencies["BF/ANPTIC"];
        var created = await RestCalls.SendAsync(operatorApi, HttpMethod.Post, "/api/v1/campaigns", new
        {
            name = "Portail BF", ownerStateCode = "BF", agencyIds = new[] { anptic }, waves = new[] { new { number = 1, name = "Vague 1", targetDate = "2027-06-30" } },
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.Response.StatusCode);
        var id = created.Body.GetProperty("id").GetString()!;
        var file = Encoding.UTF8.GetBytes("workload,agency,classification,source_provider,source_region,data_gb,target_date,wave,vcpu,memory_gib,storage_gib\n"
            + "portail-1,BF/ANPTIC,internal,cloud-us,us-east-1,300,2027-06-30,1,1,2,20\n");
        var imported = await RestCalls.SendAsync(operatorApi, HttpMethod.Post, $"/api/v1/campaigns/{id}/imports", new
        {
            format = "csv", fileSha256 = Sha256(file), part = 0, parts = 1, content = Convert.ToBase64String(file),
        });
        Assert.Equal("imported", imported.Body.GetProperty("status").GetString());
        var plan = await RestCalls.SendAsync(operatorApi, HttpMethod.Post, $"/api/v1/campaigns/{id}/plan", new { });
        Assert.Equal(1, plan.Body.GetProperty("placed").GetInt32());
        RestCalls.AssertProblem(System.Net.HttpStatusCode.BadRequest, await RestCalls.SendAsync(operatorApi, HttpMethod.Post, $"/api/v1/campaigns/{id}/waves/7/launch", new { }), "wave");
        var launched = await RestCalls.SendAsync(operatorApi, HttpMethod.Post, $"/api/v1/campaigns/{id}/waves/1/launch", new { });
        Assert.Equal(1, launched.Body.GetProperty("submitted").GetInt32());
        var workload = (await m.Provisioning.ListCampaignWorkloadsAsync(new P.ListCampaignWorkloadsRequest { CampaignId = id })).Workloads.Single();
        await ApproveUntilActiveAsync([workload.RequestId]);
        await Eventually.HoldsAsync(async () => (await m.Provisioning.ListCampaignWorkloadsAsync(new P.ListCampaignWorkloadsRequest { CampaignId = id }))
            .Workloads.Single().Step == "hosting_active", TimeSpan.FromSeconds(60), "portail-1 hosting active");

        // The agency's requester: her agency's campaigns, her agency's workloads, and the transfer hers to record.
        using var agent = await RestCalls.ApiAsAsync(m, "agent.anptic.bf");
        var mine = await RestCalls.SendAsync(agent, HttpMethod.Get, $"/api/v1/campaigns?agencyId={anptic}");
        Assert.Contains(mine.Body.GetProperty("campaigns").EnumerateArray(), c => c.GetProperty("id").GetString() == id);
        RestCalls.AssertProblem(System.Net.HttpStatusCode.Forbidden, await RestCalls.SendAsync(agent, HttpMethod.Get, $"/api/v1/campaigns/{id}/workloads"));
        var workloads = await RestCalls.SendAsync(agent, HttpMethod.Get, $"/api/v1/campaigns/{id}/workloads?onlyAgencyId={anptic}&stillAbroad=true");
        Assert.Equal("portail-1", Assert.Single(workloads.Body.GetProperty("workloads").EnumerateArray()).GetProperty("key").GetString());
        RestCalls.AssertProblem(System.Net.HttpStatusCode.BadRequest, await RestCalls.SendAsync(agent, HttpMethod.Post, $"/api/v1/campaigns/{id}/steps", new
        {
            workload = "portail-1", step = "data_transferred", transferredGb = 300,
        }), "checksumSha256");
        using var foreigner = await RestCalls.ApiAsAsync(m, "agent.mef.ml");
        RestCalls.AssertProblem(System.Net.HttpStatusCode.Forbidden, await RestCalls.SendAsync(foreigner, HttpMethod.Post, $"/api/v1/campaigns/{id}/steps", new
        {
            workload = "portail-1", step = "data_transferred", transferredGb = 300, checksumSha256 = new string('a', 64),
        }));
        var recorded = await RestCalls.SendAsync(agent, HttpMethod.Post, $"/api/v1/campaigns/{id}/steps", new
        {
            workload = "portail-1", step = "data_transferred", transferredGb = 300, checksumSha256 = new string('a', 64),
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, recorded.Response.StatusCode);
        Assert.Equal(("data_transferred", 300L), (recorded.Body.GetProperty("step").GetString(), recorded.Body.GetProperty("transferredGb").GetInt64()));
    }
}
