using Aes.Messaging;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests.Capacity;

public sealed class EmbeddedQuotaTests(EmbeddedQuotaMarketplace marketplace) : QuotaTests<EmbeddedQuotaMarketplace>(marketplace);

public sealed class PostgresQuotaTests(PostgresQuotaMarketplace marketplace) : QuotaTests<PostgresQuotaMarketplace>(marketplace);

/// <summary>Quota's guarantees through its gRPC API, on each storage: 64 clients race, and nothing is ever overcommitted.</summary>
public abstract class QuotaTests<TMarketplace>(TMarketplace m) : IClassFixture<TMarketplace> where TMarketplace : QuotaMarketplace
{
    private const int Clients = 64;

    private sealed record Outcome(Q.HoldRequest Request, Q.Claim? Granted, RpcException? Refused);

    private async Task<List<Outcome>> RaceAsync(Func<int, Q.HoldRequest> request)
    {
        var start = new TaskCompletionSource();
        var racers = Enumerable.Range(0, Clients).Select(async i =>
        {
            var hold = request(i);
            await start.Task;
            try { return new Outcome(hold, await m.Quota.HoldAsync(hold), null); }
            catch (RpcException exception) { return new Outcome(hold, null, exception); }
        }).ToList();
        start.SetResult();
        return [.. await Task.WhenAll(racers)];
    }

    private static void EveryClaimIsGrantedOrRefusedWithItsReason(List<Outcome> outcomes, string resourceClass)
    {
        Assert.All(outcomes, outcome => Assert.True((outcome.Granted is null) != (outcome.Refused is null)));
        Assert.All(outcomes.Where(o => o.Granted is not null), o => Assert.Equal(Q.ClaimStatus.Held, o.Granted!.Status));
        Assert.All(outcomes.Where(o => o.Refused is not null), o =>
        {
            Assert.Equal(StatusCode.ResourceExhausted, o.Refused!.StatusCode);
            Assert.Equal(resourceClass, o.Refused.Trailers.GetValue("aes-resource-class"));
            Assert.True(long.Parse(o.Refused.Trailers.GetValue("aes-shortfall")!) > 0);
            Assert.Contains(" / ", o.Refused.Status.Detail);
        });
    }

    private async Task<Dictionary<string, Q.UsageLine>> UsageAsync(Q.UsageScope scope, string id) =>
        (await m.Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = scope, Id = id })).Lines.ToDictionary(l => l.ResourceClass);

    private static Q.HoldRequest HoldByClass(string agency, string pool, params (string Class, long Amount)[] amounts) => new()
    {
        ClaimId = Guid.NewGuid().ToString(), AgencyId = agency, PoolId = pool,
        AmountsByClass = { amounts.Select(a => new Q.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount }) },
        ExpiresAt = Timestamp.FromDateTime(DateTime.UtcNow.AddMinutes(10)), Reference = "test",
    };

    /// <summary>The sums recomputed from the claims themselves.</summary>
    private async Task<long> HeldVcpuAsync(IEnumerable<Outcome> outcomes)
    {
        long sum = 0;
        foreach (var outcome in outcomes.Where(o => o.Granted is not null))
        {
            var claim = await m.Quota.GetClaimAsync(new Q.ClaimIdRequest { ClaimId = outcome.Granted!.ClaimId });
            sum += claim.Status is Q.ClaimStatus.Held or Q.ClaimStatus.Committed ? claim.AmountsByClass.Of("vcpu") : 0;
        }
        return sum;
    }

    [Fact]
    public async Task Sixty_four_clients_racing_for_the_last_capacity_of_a_pool_never_overcommit_it()
    {
        // 50 vCPU × ratio 2.0 − 4 reserved = 96: room for exactly 24 claims of 4.
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 50, vcpuReserved: 4, vcpuRatio: "2.0");
        Assert.Equal(96, pool.Inventories.Single(i => i.ResourceClass == "vcpu").Capacity);
        var mef = m.Agencies["ML/MEF"];
        var dnec = m.Agencies["ML/DNEC"];
        var mefBefore = (await UsageAsync(Q.UsageScope.Agency, mef))["vcpu"].Used;

        var outcomes = await RaceAsync(i => QuotaMarketplace.Hold(i % 2 == 0 ? mef : dnec, pool.Id, 4));

        Assert.Equal(24, outcomes.Count(o => o.Granted is not null));
        EveryClaimIsGrantedOrRefusedWithItsReason(outcomes, "vcpu");
        var vcpu = (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"];
        Assert.Equal(96, vcpu.Used);
        Assert.True(vcpu.Used <= vcpu.Limit);
        Assert.Equal(vcpu.Used, await HeldVcpuAsync(outcomes));
        var mefGranted = outcomes.Where(o => o.Granted?.AgencyId == mef).Sum(o => o.Granted!.AmountsByClass.Of("vcpu"));
        Assert.Equal(mefBefore + mefGranted, (await UsageAsync(Q.UsageScope.Agency, mef))["vcpu"].Used);
    }

    [Fact]
    public async Task Sixty_four_clients_racing_for_the_last_of_an_agreement_slice_never_overcommit_it()
    {
        // The ML-BKO-1 → NE agreement offers 256 vCPU; the pool itself has far more.
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 10_000);
        var ansi = m.Agencies["NE/ANSI"];
        var sliceBefore = (await UsageAsync(Q.UsageScope.Agreement, m.MaliToNigerAgreement))["vcpu"];

        var outcomes = await RaceAsync(_ => QuotaMarketplace.Hold(ansi, pool.Id, 8, m.MaliToNigerAgreement));

        var room = sliceBefore.Limit - sliceBefore.Used;
        Assert.Equal(room / 8, outcomes.Count(o => o.Granted is not null));
        EveryClaimIsGrantedOrRefusedWithItsReason(outcomes, "vcpu");
        var slice = (await UsageAsync(Q.UsageScope.Agreement, m.MaliToNigerAgreement))["vcpu"];
        Assert.True(slice.Used <= slice.Limit);
        Assert.Equal(sliceBefore.Used + await HeldVcpuAsync(outcomes), slice.Used);
        Assert.All(outcomes.Where(o => o.Refused is not null), o => Assert.Contains("agreement", o.Refused!.Status.Detail));
        Assert.Equal(await HeldVcpuAsync(outcomes), (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);

        // Releasing everything at once gives the slice back exactly.
        await Task.WhenAll(outcomes.Where(o => o.Granted is not null).Select(o =>
            m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = o.Granted!.ClaimId, Reason = "test over" }).ResponseAsync));
        Assert.Equal(sliceBefore.Used, (await UsageAsync(Q.UsageScope.Agreement, m.MaliToNigerAgreement))["vcpu"].Used);
        Assert.Equal(0, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);
    }

    [Fact]
    public async Task A_class_added_to_the_catalogue_is_counted_held_resized_refused_and_released_like_the_standard_ones()
    {
        // Mali's operator adds an accelerator to the catalogue: quota learns it from tenancy's event, nothing is compiled.
        var gpu = $"gpu_t{Guid.NewGuid():N}"[..16];
        await m.Tenancy.DefineResourceClassAsync(new T.DefineResourceClassRequest
        {
            StateCode = "ML", Code = gpu, Unit = "gpu", NameFr = "GPU de test", NameEn = "Test GPU",
            Metering = T.ResourceMetering.Hourly, Consumption = T.ResourceConsumption.Count,
        });
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 10_000);
        var plain = await m.PoolAsync("ML-BKO-1", vcpuTotal: 10_000);
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await m.Quota.SetInventoryAsync(new Q.SetInventoryRequest
                {
                    ActorUserId = m.Users["op.ml"], PoolId = pool.Id, ResourceClass = gpu, Total = 8, AllocationRatio = "1.0",
                });
                return true;
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.InvalidArgument && exception.Status.Detail.Contains("unknown")) { return false; }
        }, TimeSpan.FromSeconds(30), "quota learnt the added class");
        var inventory = (await m.Quota.GetPoolAsync(new Q.GetPoolRequest { Id = pool.Id })).Inventories.Single(i => i.ResourceClass == gpu);
        Assert.Equal((gpu, 8L, 0L), (inventory.ResourceClass, inventory.Capacity, inventory.Used));

        // Until a state grants some, an agency's quota of the class is 0, and shown so.
        var mef = m.Agencies["ML/MEF"];
        Assert.Equal(0, (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = mef })).Lines.Single(l => l.ResourceClass == gpu).Limit);

        // A state's default for the class reaches the agencies it had (MEF) and those it opens after; the standard limits stay.
        var vcpuBefore = (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = mef })).Lines.Single(l => l.ResourceClass == "vcpu").Limit;
        var defaults = await m.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest
        {
            ActorUserId = m.Users["op.ml"], StateCode = "ML", LimitsByClass = { new Q.ResourceAmount { ResourceClass = gpu, Amount = 4 } },
        });
        Assert.Contains(defaults.LimitsByClass, l => l.ResourceClass == gpu && l.Amount == 4);
        Assert.Equal(QuotaMarketplace.Plenty.Single(a => a.ResourceClass == "vcpu").Amount, defaults.LimitsByClass.Of("vcpu"));
        var mefLines = (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = mef })).Lines;
        Assert.Equal(4, mefLines.Single(l => l.ResourceClass == gpu).Limit);
        Assert.Equal(vcpuBefore, mefLines.Single(l => l.ResourceClass == "vcpu").Limit);
        Assert.Equal(["vcpu", "memory_gib", "storage_gib", "public_ipv4"], mefLines.Take(4).Select(l => l.ResourceClass));
        var (agency, _) = await NewAgencyWithAdministratorAsync();
        Assert.Equal(4, (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = agency })).Lines.Single(l => l.ResourceClass == gpu).Limit);

        // Placement sees the class: only the pool that has it fits a VM that needs it.
        var vm = new Q.ListCandidatesRequest
        {
            AgencyId = agency, Count = 2, FacilityIds = { m.Facilities["ML-BKO-1"] },
            VmByClass = { new Q.ResourceAmount { ResourceClass = "vcpu", Amount = 8 }, new Q.ResourceAmount { ResourceClass = gpu, Amount = 2 } },
        };
        var candidates = await m.Quota.ListCandidatesAsync(vm);
        var candidate = Assert.Single(candidates.Candidates, c => c.PoolId == pool.Id || c.PoolId == plain.Id);
        Assert.Equal(pool.Id, candidate.PoolId);
        Assert.Equal(4, candidate.VmsThatFit); // 8 GPUs by 2: the class the pool has least of decides
        Assert.Contains(candidate.HeadroomByClass, h => h.ResourceClass == gpu && h.Amount == 8);
        Assert.Contains(candidates.QuotaHeadroomByClass, h => h.ResourceClass == gpu && h.Amount == 4);

        // Held in the new shape, read in both.
        var hold = HoldByClass(agency, pool.Id, ("vcpu", 8), ("memory_gib", 32), (gpu, 2));
        var held = await m.Quota.HoldAsync(hold);
        Assert.Equal(Q.ClaimStatus.Held, held.Status);
        Assert.Equal(8, held.AmountsByClass.Of("vcpu"));
        Assert.Equal([("vcpu", 8L), ("memory_gib", 32L), (gpu, 2L)], held.AmountsByClass.Select(a => (a.ResourceClass, a.Amount)));
        Assert.Equal(held.ClaimId, (await m.Quota.HoldAsync(hold)).ClaimId);
        Assert.Equal(2, (await UsageAsync(Q.UsageScope.Pool, pool.Id))[gpu].Used);
        Assert.Equal(2, (await UsageAsync(Q.UsageScope.Agency, agency))[gpu].Used);

        // More than the agency's quota of the class is refused, naming it, and takes nothing.
        var refused = await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(HoldByClass(agency, pool.Id, ("vcpu", 1), (gpu, 3))).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal(gpu, refused.Trailers.GetValue("aes-resource-class"));
        Assert.Equal("1", refused.Trailers.GetValue("aes-shortfall"));
        Assert.Equal(2, (await UsageAsync(Q.UsageScope.Agency, agency))[gpu].Used);
        Assert.Equal(8, (await UsageAsync(Q.UsageScope.Agency, agency))["vcpu"].Used);

        // Resized to the whole quota of the class, then released: everything is given back.
        var resized = await m.Quota.ResizeAsync(new Q.ResizeRequest
        {
            ClaimId = held.ClaimId,
            AmountsByClass = { new Q.ResourceAmount { ResourceClass = "vcpu", Amount = 8 }, new Q.ResourceAmount { ResourceClass = "memory_gib", Amount = 32 }, new Q.ResourceAmount { ResourceClass = gpu, Amount = 4 } },
        });
        Assert.Contains(resized.AmountsByClass, a => a.ResourceClass == gpu && a.Amount == 4);
        Assert.Equal(4, (await UsageAsync(Q.UsageScope.Pool, pool.Id))[gpu].Used);
        await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = held.ClaimId, Reason = "test over" });
        var poolUsage = await UsageAsync(Q.UsageScope.Pool, pool.Id);
        Assert.Equal((0L, 0L), (poolUsage[gpu].Used, poolUsage["vcpu"].Used));
        Assert.Equal(0, (await UsageAsync(Q.UsageScope.Agency, agency))[gpu].Used);

        // A pool without the class refuses it as short, not as unknown.
        var noRoom = await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(HoldByClass(agency, plain.Id, ("vcpu", 1), (gpu, 1))).ResponseAsync);
        Assert.Equal((StatusCode.ResourceExhausted, gpu), (noRoom.StatusCode, noRoom.Trailers.GetValue("aes-resource-class")));
    }

    [Fact]
    public async Task Sixty_four_clients_racing_for_the_last_gpus_of_a_pool_never_overcommit_them()
    {
        var gpu = await DefinedClassAsync("gpu_r");
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 10_000);
        await m.Quota.SetInventoryAsync(new Q.SetInventoryRequest { ActorUserId = m.Users["op.ml"], PoolId = pool.Id, ResourceClass = gpu, Total = 8, AllocationRatio = "1.0" });
        await m.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest
        {
            ActorUserId = m.Users["op.ml"], StateCode = "ML", LimitsByClass = { new Q.ResourceAmount { ResourceClass = gpu, Amount = 1_000 } },
        });
        var (mef, dnec) = (m.Agencies["ML/MEF"], m.Agencies["ML/DNEC"]);

        var outcomes = await RaceAsync(i => HoldByClass(i % 2 == 0 ? mef : dnec, pool.Id, ("vcpu", 4), ("memory_gib", 16), (gpu, 1)));

        Assert.Equal(8, outcomes.Count(o => o.Granted is not null));
        EveryClaimIsGrantedOrRefusedWithItsReason(outcomes, gpu);
        var usage = await UsageAsync(Q.UsageScope.Pool, pool.Id);
        Assert.Equal((8L, 8L), (usage[gpu].Used, usage[gpu].Limit));
        Assert.Equal(32, usage["vcpu"].Used);  // the refused took nothing of the other classes either
        long held = 0;
        foreach (var granted in outcomes.Where(o => o.Granted is not null))
        {
            held += (await m.Quota.GetClaimAsync(new Q.ClaimIdRequest { ClaimId = granted.Granted!.ClaimId })).AmountsByClass.Single(a => a.ResourceClass == gpu).Amount;
        }
        Assert.Equal(8, held);
    }

    /// <summary>A class added to the catalogue by Mali's operator, once quota has learnt it.</summary>
    private async Task<string> DefinedClassAsync(string prefix)
    {
        var code = $"{prefix}{Guid.NewGuid():N}"[..16];
        await m.Tenancy.DefineResourceClassAsync(new T.DefineResourceClassRequest
        {
            StateCode = "ML", Code = code, Unit = "gpu", NameFr = "GPU de test", NameEn = "Test GPU",
            Metering = T.ResourceMetering.Hourly, Consumption = T.ResourceConsumption.Count,
        });
        await Eventually.HoldsAsync(async () => (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = m.Agencies["ML/MEF"] }))
            .Lines.Any(l => l.ResourceClass == code), TimeSpan.FromSeconds(30), "quota learnt the added class");
        return code;
    }

    [Fact]
    public async Task Amounts_by_class_are_refused_by_field_when_unknown_repeated_malformed_or_missing()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 100);
        var mef = m.Agencies["ML/MEF"];
        async Task<RpcException> RefusedAsync(Q.HoldRequest request) => await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(request).ResponseAsync);

        var unknown = await RefusedAsync(HoldByClass(mef, pool.Id, ("vcpu", 1), ("gpu_nowhere", 1)));
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.StartsWith("amounts_by_class", unknown.Trailers.GetValue("aes-field"));
        var twice = await RefusedAsync(HoldByClass(mef, pool.Id, ("vcpu", 1), ("vcpu", 2)));
        Assert.Equal("amounts_by_class[1].resource_class", twice.Trailers.GetValue("aes-field"));
        var badCode = await RefusedAsync(HoldByClass(mef, pool.Id, ("GPU A100", 1)));
        Assert.Equal("amounts_by_class[0].resource_class", badCode.Trailers.GetValue("aes-field"));
        var negative = await RefusedAsync(HoldByClass(mef, pool.Id, ("vcpu", -1)));
        Assert.Equal("amounts_by_class[0].amount", negative.Trailers.GetValue("aes-field"));
        var none = HoldByClass(mef, pool.Id);
        Assert.Equal("amounts_by_class", (await RefusedAsync(none)).Trailers.GetValue("aes-field"));

        // Nothing was taken by the refusals.
        Assert.Equal(0, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);
        Assert.Equal(Q.ClaimStatus.Held, (await m.Quota.HoldAsync(HoldByClass(mef, pool.Id, ("vcpu", 2), ("memory_gib", 4)))).Status);
        Assert.Equal(2, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);
    }

    [Fact]
    public async Task Sixty_four_clients_racing_for_the_last_of_an_agency_quota_never_exceed_it()
    {
        var (agency, admin) = await NewAgencyWithAdministratorAsync();
        Q.QuotaChangeRequest change = null!;
        // Its administrator is announced with it: asked before quota has heard of them, the request is refused and changes nothing.
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                change = await m.Quota.RequestQuotaChangeAsync(new Q.RequestQuotaChangeRequest
                {
                    ActorUserId = admin, AgencyId = agency, ResourceClass = "vcpu", RequestedLimit = 40, Justification = "Plafond de test",
                });
                return true;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.PermissionDenied or StatusCode.NotFound) { return false; }
        }, TimeSpan.FromSeconds(30), "the new administrator asks for a quota change");
        await m.Quota.DecideQuotaChangeAsync(new Q.DecideQuotaChangeRequest { ActorUserId = m.Users["op.ml"], RequestId = change.Id, Approve = true });
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 10_000);

        var outcomes = await RaceAsync(_ => QuotaMarketplace.Hold(agency, pool.Id, 4));

        Assert.Equal(10, outcomes.Count(o => o.Granted is not null));
        EveryClaimIsGrantedOrRefusedWithItsReason(outcomes, "vcpu");
        Assert.All(outcomes.Where(o => o.Refused is not null), o => Assert.Contains("quota", o.Refused!.Status.Detail));
        var quota = (await UsageAsync(Q.UsageScope.Agency, agency))["vcpu"];
        Assert.Equal(40, quota.Used);
        Assert.Equal(40, await HeldVcpuAsync(outcomes));
    }

    [Fact]
    public async Task Journey_4_an_approved_quota_increase_applies_at_once_and_is_kept_in_the_history()
    {
        var mef = m.Agencies["ML/MEF"];
        var before = (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = mef })).Lines.Single(l => l.ResourceClass == "vcpu");
        var request = await m.Quota.RequestQuotaChangeAsync(new Q.RequestQuotaChangeRequest
        {
            ActorUserId = m.Users["admin.mef.ml"], AgencyId = mef, ResourceClass = "vcpu",
            RequestedLimit = before.Limit + 512, Justification = "Rapatriement du système budgétaire",
        });
        Assert.Equal(Q.QuotaChangeStatus.Pending, request.Status);
        // Who asked travels with the event, for notifications to tell them of the decision (issue 22).
        var requested = (await m.OutboxEventsAsync("QuotaChangeRequested", ResourceNames.Quota)).Single(e => e.GetProperty("requestId").GetString() == request.Id);
        Assert.Equal(m.Users["admin.mef.ml"], requested.GetProperty("requestedByUserId").GetString());

        var foreign = await Assert.ThrowsAsync<RpcException>(() => m.Quota.DecideQuotaChangeAsync(new Q.DecideQuotaChangeRequest
        {
            ActorUserId = m.Users["op.bf"], RequestId = request.Id, Approve = true,
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);

        var approved = await m.Quota.DecideQuotaChangeAsync(new Q.DecideQuotaChangeRequest { ActorUserId = m.Users["op.ml"], RequestId = request.Id, Approve = true });

        Assert.Equal(Q.QuotaChangeStatus.Approved, approved.Status);
        var after = (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = mef })).Lines.Single(l => l.ResourceClass == "vcpu");
        Assert.Equal(before.Limit + 512, after.Limit);
        Assert.True(after.Overridden);
        var history = (await m.Quota.ListQuotaHistoryAsync(new Q.ListQuotaHistoryRequest { AgencyId = mef })).Entries;
        Assert.Contains(history, e => e.ChangeRequestId == request.Id && e.OldLimit == before.Limit && e.NewLimit == before.Limit + 512);
        var twice = await Assert.ThrowsAsync<RpcException>(() => m.Quota.DecideQuotaChangeAsync(new Q.DecideQuotaChangeRequest
        {
            ActorUserId = m.Users["op.ml"], RequestId = request.Id, Approve = false, Reason = "Trop tard",
        }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);

        // Issue 22: Mali's operator was told of the request, the administrator who asked of the decision, each once.
        var asked = await m.MailToAsync($"quota-change/{request.Id}", "op.ml@aes.test", "Changement de quota demandé");
        Assert.Contains("Ministère de l'Économie et des Finances demande de porter son quota vcpu", asked.TextBody);
        Assert.Contains("/operateur/quotas", asked.TextBody);
        var decided = await m.MailToAsync($"quota-change/{request.Id}", "admin.mef.ml@aes.test", "Changement de quota accordé (vcpu)");
        Assert.Contains("/quotas", decided.TextBody);
        Assert.Equal(2, m.MailAbout($"quota-change/{request.Id}").Count(x => x.To.Mailboxes.Single().Address is "op.ml@aes.test" or "admin.mef.ml@aes.test"));
    }

    [Fact]
    public async Task A_pool_past_85_percent_of_a_class_is_told_to_its_states_operators_once()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 20);
        var agency = m.Agencies["ML/MEF"];
        await m.Quota.HoldAsync(QuotaMarketplace.Hold(agency, pool.Id, 16));
        await Task.Delay(TimeSpan.FromSeconds(1)); // 80 %: under the threshold, whatever the watch's timing
        await m.Quota.HoldAsync(QuotaMarketplace.Hold(agency, pool.Id, 2)); // 90 %

        var told = await m.MailToAsync($"pool/{pool.Id}", "op.ml@aes.test", "remplie à 90 % en vcpu");
        Assert.Contains("utilise 18 de ses 20 vcpu (90 %)", told.TextBody);
        Assert.Contains("/operateur/capacite", told.TextBody);
        await m.Quota.HoldAsync(QuotaMarketplace.Hold(agency, pool.Id, 2)); // 100 %: still the same crossing
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(m.MailAbout($"pool/{pool.Id}"), x => x.To.Mailboxes.Single().Address == "op.ml@aes.test");
        Assert.DoesNotContain(m.MailAbout($"pool/{pool.Id}"), x => x.To.Mailboxes.Single().Address == "op.ne@aes.test");
    }

    [Fact]
    public async Task A_rejection_needs_a_reason_and_changes_no_limit()
    {
        var mef = m.Agencies["ML/MEF"];
        var limit = (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = mef })).Lines.Single(l => l.ResourceClass == "public_ipv4").Limit;
        var ask = new Q.RequestQuotaChangeRequest
        {
            ActorUserId = m.Users["admin.mef.ml"], AgencyId = mef, ResourceClass = "public_ipv4", RequestedLimit = limit + 100, Justification = "Portail public",
            IdempotencyKey = "ipv4-portail-public",
        };
        var request = await m.Quota.RequestQuotaChangeAsync(ask);
        // Sent again with its key (its answer lost, say): the same request, not a second one for the operators.
        Assert.Equal(request, await m.Quota.RequestQuotaChangeAsync(ask));
        Assert.Single((await m.Quota.ListQuotaChangeRequestsAsync(new Q.ListQuotaChangeRequestsRequest { AgencyId = mef })).Requests,
            r => r.Justification == ask.Justification);

        var noReason = await Assert.ThrowsAsync<RpcException>(() => m.Quota.DecideQuotaChangeAsync(new Q.DecideQuotaChangeRequest
        {
            ActorUserId = m.Users["op.ml"], RequestId = request.Id, Approve = false,
        }).ResponseAsync);
        Assert.Equal("reason", noReason.Trailers.GetValue("aes-field"));
        var rejected = await m.Quota.DecideQuotaChangeAsync(new Q.DecideQuotaChangeRequest
        {
            ActorUserId = m.Users["op.ml"], RequestId = request.Id, Approve = false, Reason = "Adresses IPv4 rares",
        });

        Assert.Equal("Adresses IPv4 rares", rejected.DecisionReason);
        Assert.Equal(limit, (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = mef })).Lines.Single(l => l.ResourceClass == "public_ipv4").Limit);
    }

    [Fact]
    public async Task A_hold_is_committed_or_released_each_once_and_a_retry_returns_the_first_answer()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 100);
        var hold = QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 10);

        var copies = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => m.Quota.HoldAsync(hold).ResponseAsync));
        Assert.All(copies, c => Assert.Equal(copies[0].CreatedAt, c.CreatedAt));
        Assert.Equal(10, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);

        var reused = hold.Clone();
        reused.AmountsByClass.Single(a => a.ResourceClass == "vcpu").Amount = 11;
        Assert.Equal(StatusCode.FailedPrecondition, (await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(reused).ResponseAsync)).StatusCode);

        Assert.Equal(Q.ClaimStatus.Committed, (await m.Quota.CommitAsync(new Q.ClaimIdRequest { ClaimId = hold.ClaimId })).Status);
        Assert.Equal(Q.ClaimStatus.Committed, (await m.Quota.CommitAsync(new Q.ClaimIdRequest { ClaimId = hold.ClaimId })).Status);
        Assert.Equal(10, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);

        var released = await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = hold.ClaimId, Reason = "decommissioning" });
        Assert.Equal(Q.ClaimStatus.Released, released.Status);
        Assert.Equal(Q.ClaimStatus.Released, (await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = hold.ClaimId, Reason = "again" })).Status);
        Assert.Equal(0, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);

        var commitReleased = await Assert.ThrowsAsync<RpcException>(() => m.Quota.CommitAsync(new Q.ClaimIdRequest { ClaimId = hold.ClaimId }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, commitReleased.StatusCode);
    }

    [Fact]
    public async Task A_pools_allocation_over_time_follows_its_claims_from_hold_to_release()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 100);
        var before = DateTime.UtcNow.AddSeconds(-1);
        var kept = QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 30);
        await m.Quota.HoldAsync(kept);
        await m.Quota.CommitAsync(new Q.ClaimIdRequest { ClaimId = kept.ClaimId });
        var released = QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 12);
        await m.Quota.HoldAsync(released);
        var bothHeld = DateTime.UtcNow;
        await Task.Delay(50);
        await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = released.ClaimId, Reason = "rejection" });
        var refused = await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 500)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);

        var history = await m.Quota.GetAllocationHistoryAsync(new Q.GetAllocationHistoryRequest
        {
            PoolId = pool.Id, From = Timestamp.FromDateTime(before), Until = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(1)), Points = 3,
        });
        Assert.Equal(100, history.CapacityByClass.Of("vcpu"));
        Assert.Equal([0L, 30L], new[] { history.Points[0].AllocatedByClass.Of("vcpu"), history.Points[^1].AllocatedByClass.Of("vcpu") }); // the refused claim never counted
        var atBoth = await m.Quota.GetAllocationHistoryAsync(new Q.GetAllocationHistoryRequest
        {
            PoolId = pool.Id, From = Timestamp.FromDateTime(before), Until = Timestamp.FromDateTime(bothHeld), Points = 2,
        });
        Assert.Equal((42L, 84L), (atBoth.Points[^1].AllocatedByClass.Of("vcpu"), atBoth.Points[^1].AllocatedByClass.Of("memory_gib")));

        foreach (var (bad, field) in new (Q.GetAllocationHistoryRequest, string)[]
        {
            (new() { PoolId = pool.Id, Points = 1 }, "points"),
            (new() { PoolId = pool.Id, From = Timestamp.FromDateTime(DateTime.UtcNow), Until = Timestamp.FromDateTime(DateTime.UtcNow.AddHours(-1)) }, "from"),
            (new() { PoolId = "pool" }, "pool_id"),
        })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => m.Quota.GetAllocationHistoryAsync(bad).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, field), (error.StatusCode, error.Trailers.GetValue("aes-field")));
        }
    }

    [Fact]
    public async Task An_expired_hold_is_released_by_the_sweeper_and_can_no_longer_be_committed()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 100);
        var hold = QuotaMarketplace.Hold(m.Agencies["ML/DNEC"], pool.Id, 20, expiresIn: TimeSpan.FromSeconds(2));
        await m.Quota.HoldAsync(hold);
        Assert.Equal(20, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);

        await Eventually.HoldsAsync(async () => (await m.Quota.GetClaimAsync(new Q.ClaimIdRequest { ClaimId = hold.ClaimId })).Status == Q.ClaimStatus.Expired,
            TimeSpan.FromSeconds(20), "the sweeper expired the hold");

        Assert.Equal(0, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);
        var late = await Assert.ThrowsAsync<RpcException>(() => m.Quota.CommitAsync(new Q.ClaimIdRequest { ClaimId = hold.ClaimId }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
    }

    [Fact]
    public async Task A_refused_claim_is_answered_the_same_way_on_retry_even_after_room_appears()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 8);
        var tooBig = QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 12);
        var first = await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(tooBig).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, first.StatusCode);
        Assert.Equal("4", first.Trailers.GetValue("aes-shortfall"));

        await m.SetAsync(pool.Id, "ml", "vcpu", 100, 0, "1.0");
        var retry = await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(tooBig).ResponseAsync);

        Assert.Equal(first.Status.Detail, retry.Status.Detail);
        Assert.Equal(Q.ClaimStatus.Refused, (await m.Quota.GetClaimAsync(new Q.ClaimIdRequest { ClaimId = tooBig.ClaimId })).Status);
    }

    [Fact]
    public async Task Lowering_a_total_below_what_is_allocated_is_refused_with_the_figures()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 100);
        await m.Quota.HoldAsync(QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 60));

        var refused = await Assert.ThrowsAsync<RpcException>(() => m.SetAsync(pool.Id, "ml", "vcpu", 50, 0, "1.0"));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("50", refused.Status.Detail);
        Assert.Contains("60", refused.Status.Detail);
        Assert.Equal(100, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Limit);
    }

    [Fact]
    public async Task Facility_and_state_usage_add_up_their_pools()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 100);
        await m.Quota.HoldAsync(QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 7));

        var pools = (await m.Quota.ListPoolsAsync(new Q.ListPoolsRequest { StateCode = "ML" })).Pools;
        var facility = await UsageAsync(Q.UsageScope.Facility, m.Facilities["ML-BKO-1"]);
        var state = await UsageAsync(Q.UsageScope.State, "ML");

        long Sum(IEnumerable<Q.Pool> among, Func<Q.Inventory, long> value) =>
            among.SelectMany(p => p.Inventories).Where(i => i.ResourceClass == "vcpu").Sum(value);
        var inFacility = pools.Where(p => p.FacilityId == m.Facilities["ML-BKO-1"]).ToList();
        Assert.Equal(Sum(inFacility, i => i.Used), facility["vcpu"].Used);
        Assert.Equal(Sum(inFacility, i => i.Capacity), facility["vcpu"].Limit);
        Assert.Equal(Sum(pools, i => i.Used), state["vcpu"].Used);
        Assert.True(state["vcpu"].Used >= 7);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => m.Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Pool, Id = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Only_the_operators_of_the_facility_state_maintain_its_pools()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => m.Quota.CreatePoolAsync(new Q.CreatePoolRequest
        {
            ActorUserId = m.Users["op.bf"], FacilityId = m.Facilities["ML-BKO-1"], Name = "intrus",
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task Candidates_list_the_pools_that_fit_with_their_headroom_and_the_agreement_across_a_border()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 64);
        var vm = ByClassWire.Size<Q.ResourceAmount>(4, 16, 200);

        var niger = await m.Quota.ListCandidatesAsync(new Q.ListCandidatesRequest { AgencyId = m.Agencies["NE/ANSI"], VmByClass = { vm }, Count = 3 });
        var candidate = Assert.Single(niger.Candidates, c => c.PoolId == pool.Id);
        Assert.Equal(m.MaliToNigerAgreement, candidate.AgreementId);
        Assert.True(candidate.VmsThatFit >= 3);
        Assert.All(niger.Candidates, c => Assert.Equal("ML", c.StateCode)); // no agreement with BF: nothing there

        var mali = await m.Quota.ListCandidatesAsync(new Q.ListCandidatesRequest { AgencyId = m.Agencies["ML/MEF"], VmByClass = { vm }, Count = 3 });
        var own = Assert.Single(mali.Candidates, c => c.PoolId == pool.Id);
        Assert.Equal("", own.AgreementId);
        Assert.Equal(16, own.VmsThatFit);
        Assert.True(mali.QuotaFits);

        var tooMany = await m.Quota.ListCandidatesAsync(new Q.ListCandidatesRequest
        {
            AgencyId = m.Agencies["ML/MEF"], VmByClass = { vm }, Count = 17, FacilityIds = { m.Facilities["ML-BKO-1"] },
        });
        Assert.DoesNotContain(tooMany.Candidates, c => c.PoolId == pool.Id);
    }

    [Fact]
    public async Task Every_change_publishes_its_event_through_the_outbox()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 100);
        var kept = QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 2);
        var given = QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 2);
        var before = await m.OutboxEventCountsAsync();

        await m.Quota.HoldAsync(kept);
        await m.Quota.CommitAsync(new Q.ClaimIdRequest { ClaimId = kept.ClaimId });
        await m.Quota.HoldAsync(given);
        await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = given.ClaimId, Reason = "rejected" });
        var lapsed = QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 2, expiresIn: TimeSpan.FromSeconds(2));
        await m.Quota.HoldAsync(lapsed);
        await Eventually.HoldsAsync(async () => (await m.Quota.GetClaimAsync(new Q.ClaimIdRequest { ClaimId = lapsed.ClaimId })).Status == Q.ClaimStatus.Expired,
            TimeSpan.FromSeconds(20), "the hold expired");
        // A new state default changes the limit of each Malian agency that follows it (MEF and DNEC), and back again.
        var raised = QuotaMarketplace.Plenty;
        raised.Single(a => a.ResourceClass == "public_ipv4").Amount += 1;
        await m.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest { ActorUserId = m.Users["op.ml"], StateCode = "ML", LimitsByClass = { raised } });
        await m.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest { ActorUserId = m.Users["op.ml"], StateCode = "ML", LimitsByClass = { QuotaMarketplace.Plenty } });

        var after = await m.OutboxEventCountsAsync();
        int Added(string type) => after.GetValueOrDefault(type) - before.GetValueOrDefault(type);
        Assert.Equal(3, Added("HoldPlaced"));
        Assert.Equal(1, Added("HoldCommitted"));
        Assert.Equal(1, Added("HoldReleased"));
        Assert.Equal(1, Added("HoldExpired"));
        Assert.True(after.GetValueOrDefault("CapacityChanged") >= 4); // each inventory set by PoolAsync
        Assert.True(Added("QuotaChanged") >= 4, $"{Added("QuotaChanged")} QuotaChanged"); // MEF and DNEC at least, there and back
    }

    [Fact]
    public async Task An_agreements_slice_follows_tenancy_from_activation_to_termination()
    {
        var ouagadougou = await m.PoolAsync("BF-OUA-1", vcpuTotal: 1_000);
        var ansi = m.Agencies["NE/ANSI"];
        var draft = await m.Tenancy.DraftAgreementAsync(new T.DraftAgreementRequest
        {
            ActorUserId = m.Users["op.bf"], FacilityId = m.Facilities["BF-OUA-1"], GuestStateCode = "NE",
            SliceByClass = { ByClassWire.Size<T.ResourceAmount>(64, 256, 10_000, 4) },
            AllowedClassifications = { T.DataClassification.Internal }, PriceTerms = new T.PriceTerms { FacilityListPrice = true },
            StartsAt = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(1)), EndsAt = Timestamp.FromDateTime(DateTime.UtcNow.AddYears(1)),
        });
        foreach (var signer in new[] { "op.bf", "op.ne" })
        {
            await m.Tenancy.SignAgreementAsync(new T.SignAgreementRequest { AgreementId = draft.Id, ActorUserId = m.Users[signer] });
        }

        // Tenancy's clock activates it; quota learns of it by event and grants holds within its slice.
        Q.Claim? held = null;
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                held = await m.Quota.HoldAsync(QuotaMarketplace.Hold(ansi, ouagadougou.Id, 8, draft.Id));
                return true;
            }
            catch (RpcException refused) when (refused.StatusCode == StatusCode.FailedPrecondition)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "quota granted a hold under the activated agreement");
        Assert.Equal(8, (await UsageAsync(Q.UsageScope.Agreement, draft.Id))["vcpu"].Used);

        await m.Tenancy.TerminateAgreementAsync(new T.TerminateAgreementRequest { AgreementId = draft.Id, ActorUserId = m.Users["op.bf"], Reason = "fin de l'accord" });

        // Once ended, no new hold is taken against the slice; what it already holds stays counted until released.
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                var late = await m.Quota.HoldAsync(QuotaMarketplace.Hold(ansi, ouagadougou.Id, 1, draft.Id));
                await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = late.ClaimId, Reason = "test" });
                return false;
            }
            catch (RpcException refused) when (refused.StatusCode == StatusCode.FailedPrecondition)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(60), "quota refused a hold under the terminated agreement");
        Assert.Equal(8, (await UsageAsync(Q.UsageScope.Agreement, draft.Id))["vcpu"].Used);
        await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = held!.ClaimId, Reason = "test over" });
        Assert.Equal(0, (await UsageAsync(Q.UsageScope.Agreement, draft.Id))["vcpu"].Used);
    }

    [Fact]
    public async Task An_agreements_slice_of_GPUs_reaches_quota_which_holds_a_guests_GPUs_within_it_and_no_further()
    {
        // The demo's class and Bamako's 8 installed A100 (tenancy); a pool of 8 for them (quota); Niger's agencies may take some.
        const string gpu = "gpu_a100_80g";
        await Eventually.HoldsAsync(async () => (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = m.Agencies["NE/ANSI"] }))
            .Lines.Any(l => l.ResourceClass == gpu), TimeSpan.FromSeconds(30), "quota learnt the demo's GPU class");
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 1_000);
        await m.Quota.SetInventoryAsync(new Q.SetInventoryRequest { ActorUserId = m.Users["op.ml"], PoolId = pool.Id, ResourceClass = gpu, Total = 8, AllocationRatio = "1.0" });
        await m.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest
        {
            ActorUserId = m.Users["op.ne"], StateCode = "NE", LimitsByClass = { new Q.ResourceAmount { ResourceClass = gpu, Amount = 100 } },
        });

        var draft = await m.Tenancy.DraftAgreementAsync(new T.DraftAgreementRequest
        {
            ActorUserId = m.Users["op.ml"], FacilityId = m.Facilities["ML-BKO-1"], GuestStateCode = "NE",
            SliceByClass =
            {
                new[] { ("vcpu", 64L), ("memory_gib", 256L), ("storage_gib", 1_000L), (gpu, 2L) }
                    .Select(a => new T.ResourceAmount { ResourceClass = a.Item1, Amount = a.Item2 }),
            },
            AllowedClassifications = { T.DataClassification.Internal }, PriceTerms = new T.PriceTerms { FacilityListPrice = true },
            StartsAt = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(1)), EndsAt = Timestamp.FromDateTime(DateTime.UtcNow.AddYears(1)),
        });
        // Read back by class, the GPU with the standard classes.
        Assert.Equal((64L, 0L), (draft.SliceByClass.Of("vcpu"), draft.SliceByClass.Of("public_ipv4")));
        Assert.Contains(draft.SliceByClass, a => a.ResourceClass == gpu && a.Amount == 2);
        foreach (var signer in new[] { "op.ml", "op.ne" })
        {
            await m.Tenancy.SignAgreementAsync(new T.SignAgreementRequest { AgreementId = draft.Id, ActorUserId = m.Users[signer] });
        }

        // Quota learns the slice, GPUs included, from tenancy's event; a guest's GPUs are held within it.
        var ansi = m.Agencies["NE/ANSI"];
        Q.Claim? held = null;
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                var hold = HoldByClass(ansi, pool.Id, ("vcpu", 8), ("memory_gib", 32), (gpu, 2));
                hold.AgreementId = draft.Id;
                held = await m.Quota.HoldAsync(hold);
                return true;
            }
            catch (RpcException refused) when (refused.StatusCode == StatusCode.FailedPrecondition)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "quota granted a GPU hold under the activated agreement");
        var usage = await UsageAsync(Q.UsageScope.Agreement, draft.Id);
        Assert.Equal((2L, 2L), (usage[gpu].Used, usage[gpu].Limit));

        // The pool has 6 GPUs left, the agency 98 of its quota: the slice is what refuses a third, naming the class.
        var past = HoldByClass(ansi, pool.Id, ("vcpu", 1), (gpu, 1));
        past.AgreementId = draft.Id;
        var refused = await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(past).ResponseAsync);
        Assert.Equal((StatusCode.ResourceExhausted, gpu), (refused.StatusCode, refused.Trailers.GetValue("aes-resource-class")));
        Assert.Equal(2, (await UsageAsync(Q.UsageScope.Pool, pool.Id))[gpu].Used);

        await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = held!.ClaimId, Reason = "test over" });
        await m.Tenancy.TerminateAgreementAsync(new T.TerminateAgreementRequest { AgreementId = draft.Id, ActorUserId = m.Users["op.ml"], Reason = "fin du test" });
    }

    [Fact]
    public async Task A_hold_crosses_a_border_only_under_an_active_agreement_for_that_facility_and_a_refusal_records_nothing()
    {
        var bamako = await m.PoolAsync("ML-BKO-1", vcpuTotal: 1_000);
        var ouagadougou = await m.PoolAsync("BF-OUA-1", vcpuTotal: 1_000);
        var niamey = await m.PoolAsync("NE-NIM-1", vcpuTotal: 1_000); // the facility is still planned
        var ansi = m.Agencies["NE/ANSI"];

        var cases = new (Q.HoldRequest Hold, StatusCode Status, string? Field)[]
        {
            (QuotaMarketplace.Hold(ansi, bamako.Id, 4), StatusCode.InvalidArgument, "agreement_id"),
            (QuotaMarketplace.Hold(m.Agencies["ML/MEF"], bamako.Id, 4, m.MaliToNigerAgreement), StatusCode.InvalidArgument, "agreement_id"),
            (QuotaMarketplace.Hold(ansi, ouagadougou.Id, 4, m.MaliToNigerAgreement), StatusCode.FailedPrecondition, null),
            (QuotaMarketplace.Hold(ansi, bamako.Id, 4, Guid.NewGuid().ToString()), StatusCode.FailedPrecondition, null),
            (QuotaMarketplace.Hold(ansi, niamey.Id, 4), StatusCode.FailedPrecondition, null),
        };
        foreach (var (hold, status, field) in cases)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(hold).ResponseAsync);
            Assert.Equal(status, refused.StatusCode);
            Assert.Equal(field, refused.Trailers.GetValue("aes-field"));
            Assert.Contains(" / ", refused.Status.Detail);
            var lookup = await Assert.ThrowsAsync<RpcException>(() => m.Quota.GetClaimAsync(new Q.ClaimIdRequest { ClaimId = hold.ClaimId }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
        }
        foreach (var pool in new[] { bamako, ouagadougou, niamey })
        {
            Assert.Equal(0, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);
        }

        // The same agency, pool and agreement that were refused for a wrong agreement id are granted with the right one.
        var granted = await m.Quota.HoldAsync(QuotaMarketplace.Hold(ansi, bamako.Id, 4, m.MaliToNigerAgreement));
        Assert.Equal(Q.ClaimStatus.Held, granted.Status);
        await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = granted.ClaimId, Reason = "test over" });
    }

    [Fact]
    public async Task A_live_claim_grows_within_room_shrinks_idempotently_and_a_growth_that_does_not_fit_changes_nothing()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 20);
        var mef = m.Agencies["ML/MEF"];
        var claim = await m.Quota.HoldAsync(QuotaMarketplace.Hold(mef, pool.Id, 4));
        await m.Quota.CommitAsync(new Q.ClaimIdRequest { ClaimId = claim.ClaimId });
        Q.ResourceAmount[] Size(long vcpu) => ByClassWire.Size<Q.ResourceAmount>(vcpu, 8);

        var grown = await m.Quota.ResizeAsync(new Q.ResizeRequest { ClaimId = claim.ClaimId, AmountsByClass = { Size(12) } });
        Assert.Equal((12, Q.ClaimStatus.Committed), (grown.AmountsByClass.Of("vcpu"), grown.Status));
        Assert.Equal(12, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);
        await m.Quota.ResizeAsync(new Q.ResizeRequest { ClaimId = claim.ClaimId, AmountsByClass = { Size(12) } }); // the same target again: nothing more
        Assert.Equal(12, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);

        var tooBig = await Assert.ThrowsAsync<RpcException>(() => m.Quota.ResizeAsync(new Q.ResizeRequest { ClaimId = claim.ClaimId, AmountsByClass = { Size(24) } }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, tooBig.StatusCode);
        Assert.Equal("vcpu", tooBig.Trailers.GetValue("aes-resource-class"));
        Assert.Equal("4", tooBig.Trailers.GetValue("aes-shortfall"));
        Assert.Equal(12, (await m.Quota.GetClaimAsync(new Q.ClaimIdRequest { ClaimId = claim.ClaimId })).AmountsByClass.Of("vcpu"));

        await m.Quota.ResizeAsync(new Q.ResizeRequest { ClaimId = claim.ClaimId, AmountsByClass = { Size(2) } });
        Assert.Equal(2, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);
        await m.Quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = claim.ClaimId, Reason = "test over" });
        Assert.Equal(0, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);
        var ended = await Assert.ThrowsAsync<RpcException>(() => m.Quota.ResizeAsync(new Q.ResizeRequest { ClaimId = claim.ClaimId, AmountsByClass = { Size(4) } }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, ended.StatusCode);
    }

    public static TheoryData<string> BadHolds => new(["zero amounts", "no amounts", "negative vcpu", "overflowing vcpu", "unknown pool", "expiry in the past", "malformed claim id"]);

    [Theory]
    [MemberData(nameof(BadHolds))]
    public async Task Bad_holds_are_refused_naming_the_field_and_change_nothing(string name)
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 100);
        var hold = QuotaMarketplace.Hold(m.Agencies["ML/MEF"], pool.Id, 4);
        var field = name switch
        {
            "zero amounts" => Change(() => { foreach (var amount in hold.AmountsByClass) { amount.Amount = 0; } }, "amounts_by_class"),
            "no amounts" => Change(hold.AmountsByClass.Clear, "amounts_by_class"),
            "negative vcpu" => Change(() => hold.AmountsByClass[0].Amount = -4, "amounts_by_class[0].amount"),
            "overflowing vcpu" => Change(() => hold.AmountsByClass[0].Amount = long.MaxValue, "amounts_by_class[0].amount"),
            "unknown pool" => Change(() => hold.PoolId = Guid.NewGuid().ToString(), "pool_id"),
            "expiry in the past" => Change(() => hold.ExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddMinutes(-1)), "expires_at"),
            _ => Change(() => hold.ClaimId = "claim-1", "claim_id"),
        };

        var refused = await Assert.ThrowsAsync<RpcException>(() => m.Quota.HoldAsync(hold).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(field, refused.Trailers.GetValue("aes-field"));
        Assert.Equal(0, (await UsageAsync(Q.UsageScope.Pool, pool.Id))["vcpu"].Used);

        static string Change(Action change, string field)
        {
            change();
            return field;
        }
    }

    [Fact]
    public async Task Inventory_input_is_validated_by_field()
    {
        var pool = await m.PoolAsync("ML-BKO-1", vcpuTotal: 10);
        async Task<string?> FieldAsync(Q.SetInventoryRequest request) =>
            (await Assert.ThrowsAsync<RpcException>(() => m.Quota.SetInventoryAsync(request).ResponseAsync)).Trailers.GetValue("aes-field");
        Q.SetInventoryRequest Request() => new() { ActorUserId = m.Users["op.ml"], PoolId = pool.Id, ResourceClass = "vcpu", Total = 10, AllocationRatio = "1.0" };

        var unknownClass = Request(); unknownClass.ResourceClass = "gpu_nowhere";
        var malformedClass = Request(); malformedClass.ResourceClass = "GPU A100";
        var noClass = Request(); noClass.ResourceClass = "";
        var negative = Request(); negative.Total = -1;
        var reserve = Request(); reserve.Reserved = 11;
        var ratio = Request(); ratio.AllocationRatio = "quatre";

        Assert.Equal("resource_class", await FieldAsync(unknownClass));
        Assert.Equal("resource_class", await FieldAsync(malformedClass));
        Assert.Equal("resource_class", await FieldAsync(noClass));
        Assert.Equal("total", await FieldAsync(negative));
        Assert.Equal("reserved", await FieldAsync(reserve));
        Assert.Equal("allocation_ratio", await FieldAsync(ratio));
    }

    private async Task<(string Agency, string Admin)> NewAgencyWithAdministratorAsync()
    {
        var code = $"R{Guid.NewGuid():N}"[..8].ToUpperInvariant();
        var agency = await m.Tenancy.RegisterAgencyAsync(new T.RegisterAgencyRequest { StateCode = "ML", Code = code, Name = $"Organisme {code}" });
        var admin = await m.Tenancy.CreateUserAsync(new T.CreateUserRequest
        {
            UserName = $"admin.{code.ToLowerInvariant()}", DisplayName = "Administrateur",
            Roles = { new T.RoleAssignment { Role = T.Role.AgencyAdministrator, AgencyId = agency.Id } },
        });
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await m.Quota.ListQuotaChangeRequestsAsync(new Q.ListQuotaChangeRequestsRequest { AgencyId = agency.Id });
                await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = agency.Id });
                return true;
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound) { return false; }
        }, TimeSpan.FromSeconds(30), "quota learnt the new agency");
        return (agency.Id, admin.Id);
    }
}
