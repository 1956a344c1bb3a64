using Aes.ServiceDefaults.Identity;
using Aes.Contracts;
using Aes.Contracts.Quota;
using Aes.Messaging;
using Aes.Quota.Application;
using Aes.Quota.Data;
using Aes.Quota.Domain;
using Aes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aes.Quota.Tests;

/// <summary>Group commit of holds on a real PostgreSQL: each hold decided on its own, none lost, no deadlock.</summary>
public sealed class HoldBatcherTests
{
    [Fact]
    public async Task Holds_that_arrive_together_are_decided_each_on_its_own_in_arrival_order()
    {
        await using var quota = await QuotaDatabase.CreateAsync(agencies: 1, pools: 1, poolVcpu: 12);
        using var batcher = quota.NewBatcher(loops: 1);
        var (agency, pool) = (quota.Agencies[0], quota.Pools[0]);
        using var request = new System.Diagnostics.Activity("hold").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();
        var holds = Enumerable.Range(0, 20).Select(_ => quota.Hold(agency, pool)).ToList();
        var retry = holds[0] with { };

        // Queued before the batcher starts, so they go to the database together.
        var answers = holds.Append(retry).Select(h => batcher.HoldAsync(h, CancellationToken.None)).ToList();
        await batcher.StartAsync(CancellationToken.None);
        var results = await Task.WhenAll(answers);

        Assert.All(results[..12], a => Assert.Equal(HoldOutcome.Held, a.Outcome));
        Assert.All(results[12..20], a => Assert.Equal(new HoldAnswer(HoldOutcome.PoolShort, ResourceClasses.Vcpu, 12, 12), a));
        Assert.Equal(HoldOutcome.AlreadyAnswered, results[20].Outcome);
        Assert.Equal(12, await quota.PoolUsedAsync(pool, ResourceClasses.Vcpu));
        Assert.Equal(12, await quota.AgencyUsedAsync(agency, ResourceClasses.Vcpu));
        Assert.Equal((12, 8), await quota.ClaimCountsAsync());
        Assert.Equal(12, await quota.OutboxCountAsync(request.Id));
        Assert.Equal(0, batcher.BatchesTriedHoldByHold);
    }

    [Fact]
    public async Task A_batch_that_fails_as_a_whole_is_tried_hold_by_hold_and_only_the_bad_hold_fails()
    {
        await using var quota = await QuotaDatabase.CreateAsync(agencies: 1, pools: 1, poolVcpu: 100);
        using var batcher = quota.NewBatcher(loops: 1);
        var (agency, pool) = (quota.Agencies[0], quota.Pools[0]);
        var good = Enumerable.Range(0, 5).Select(_ => quota.Hold(agency, pool)).ToList();
        // PostgreSQL refuses text with a NUL byte: the batch's one statement fails as a whole.
        var bad = quota.Hold(agency, pool, reference: "nul \0 byte");

        var goodAnswers = good.Select(h => batcher.HoldAsync(h, CancellationToken.None)).ToList();
        var badAnswer = batcher.HoldAsync(bad, CancellationToken.None);
        await batcher.StartAsync(CancellationToken.None);

        Assert.All(await Task.WhenAll(goodAnswers), a => Assert.Equal(HoldOutcome.Held, a.Outcome));
        await Assert.ThrowsAnyAsync<Exception>(() => badAnswer);
        Assert.Equal(1, batcher.BatchesTriedHoldByHold);
        Assert.Equal(5, await quota.PoolUsedAsync(pool, ResourceClasses.Vcpu));
        Assert.Equal((5, 0), await quota.ClaimCountsAsync());
    }

    [Fact]
    public async Task Two_replicas_batching_holds_on_the_same_rows_in_crossing_orders_never_deadlock_nor_overcommit()
    {
        await using var quota = await QuotaDatabase.CreateAsync(agencies: 3, pools: 3, poolVcpu: 150);
        using var first = quota.NewBatcher(loops: 4);
        using var second = quota.NewBatcher(loops: 4);
        await first.StartAsync(CancellationToken.None);
        await second.StartAsync(CancellationToken.None);

        // 64 clients, 600 holds: every agency on every pool, in every order, through both replicas.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(client => Task.Run(async () =>
        {
            var answers = new List<HoldOutcome>();
            for (var i = client; i < 600; i += 64)
            {
                var hold = quota.Hold(quota.Agencies[i % 3], quota.Pools[(i / 3) % 3], vcpu: 1 + i % 2);
                answers.Add((await (i % 2 == 0 ? first : second).HoldAsync(hold, CancellationToken.None)).Outcome);
            }
            return answers;
        })));

        var all = outcomes.SelectMany(o => o).ToList();
        Assert.Equal(600, all.Count);
        Assert.All(all, o => Assert.Contains(o, new[] { HoldOutcome.Held, HoldOutcome.PoolShort, HoldOutcome.AgencyShort }));
        Assert.Contains(HoldOutcome.PoolShort, all); // the pools ran out: the race was for the last capacity
        // A deadlock would have made PostgreSQL abort a batch, which the batcher then tries hold by hold.
        Assert.Equal(0, first.BatchesTriedHoldByHold + second.BatchesTriedHoldByHold);
        foreach (var pool in quota.Pools)
        {
            var used = await quota.PoolUsedAsync(pool, ResourceClasses.Vcpu);
            Assert.InRange(used, 1, 150);
            Assert.Equal(await quota.HeldVcpuAsync(claim => claim.PoolId == pool), used);
        }
        foreach (var agency in quota.Agencies)
        {
            Assert.Equal(await quota.HeldVcpuAsync(claim => claim.AgencyId == agency), await quota.AgencyUsedAsync(agency, ResourceClasses.Vcpu));
        }
    }

    [Fact]
    public async Task Holds_batched_while_an_operator_changes_the_state_default_quota_neither_deadlock_nor_fail()
    {
        await using var quota = await QuotaDatabase.CreateAsync(agencies: 8, pools: 3, poolVcpu: 10_000, followStateDefault: true);
        using var batcher = quota.NewBatcher(loops: 4);
        await batcher.StartAsync(CancellationToken.None);

        // The default's change updates every following agency's rows at once, while batches hold some of them.
        var defaults = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await quota.SetStateDefaultAsync(1_000_000 + i);
            }
        });
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 32).Select(client => Task.Run(async () =>
        {
            var answers = new List<HoldOutcome>();
            for (var i = client; i < 1200; i += 32)
            {
                answers.Add((await batcher.HoldAsync(quota.Hold(quota.Agencies[i % 8], quota.Pools[(i / 8) % 3]), CancellationToken.None)).Outcome);
            }
            return answers;
        })));
        await defaults;

        Assert.All(outcomes.SelectMany(o => o), o => Assert.Equal(HoldOutcome.Held, o));
        Assert.Equal(0, batcher.BatchesTriedHoldByHold);
        var used = 0L;
        foreach (var pool in quota.Pools)
        {
            used += await quota.PoolUsedAsync(pool, ResourceClasses.Vcpu);
        }
        Assert.Equal(1200, used);
        foreach (var agency in quota.Agencies)
        {
            Assert.Equal(1_000_099, await quota.AgencyLimitAsync(agency, ResourceClasses.Vcpu));
        }
    }

    /// <summary>A quota database of its own, migrated, with one open facility in Mali, its agencies and pools.</summary>
    private sealed class QuotaDatabase : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly Guid _facility = Guid.NewGuid();

        private QuotaDatabase(ServiceProvider services) => _services = services;

        public List<Guid> Agencies { get; } = [];
        public List<Guid> Pools { get; } = [];

        private readonly Guid _operator = Guid.NewGuid();

        public static async Task<QuotaDatabase> CreateAsync(int agencies, int pools, long poolVcpu, bool followStateDefault = false)
        {
            var connectionString = await TestInfrastructure.NewPostgresDatabaseAsync("quota_batch");
            var services = new ServiceCollection()
                .AddDbContext<QuotaDbContext, QuotaPostgresDbContext>(options => options.UseNpgsql(connectionString))
                .AddScoped<Access>().AddActingRoles().AddScoped<CapacityOperations>().AddSingleton(TimeProvider.System)
                .BuildServiceProvider();
            var quota = new QuotaDatabase(services);
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<QuotaDbContext>();
            await db.Database.MigrateAsync();
            db.Facilities.Add(new KnownFacility { FacilityId = quota._facility, Code = "ML-BKO-1", StateCode = "ML", Status = "open" });
            db.Roles.Add(new KnownRole { UserId = quota._operator, Role = "state-operator", StateCode = "ML" });
            for (var i = 0; i < agencies; i++)
            {
                var agency = Guid.NewGuid();
                quota.Agencies.Add(agency);
                db.Agencies.Add(new KnownAgency { AgencyId = agency, StateCode = "ML" });
                db.AgencyAllocations.AddRange(ResourceClasses.Standard.Select(d => d.Code).Select(c => new AgencyAllocation { AgencyId = agency, Class = c, StateCode = "ML", Limit = 1_000_000, Overridden = !followStateDefault }));
            }
            for (var i = 0; i < pools; i++)
            {
                var pool = Guid.NewGuid();
                quota.Pools.Add(pool);
                db.Pools.Add(new CapacityPool { Id = pool, FacilityId = quota._facility, FacilityCode = "ML-BKO-1", StateCode = "ML", Name = $"pool-{i}", CreatedAt = DateTime.UtcNow });
                db.Inventories.AddRange(ResourceClasses.Standard.Select(d => d.Code).Select(c => new PoolInventory
                {
                    PoolId = pool, Class = c, Total = c == ResourceClasses.Vcpu ? poolVcpu : 1_000_000, AllocationRatio = 1,
                    Capacity = c == ResourceClasses.Vcpu ? poolVcpu : 1_000_000,
                }));
            }
            await db.SaveChangesAsync();
            return quota;
        }

        public HoldBatcher NewBatcher(int loops) => new(
            _services.GetRequiredService<IServiceScopeFactory>(),
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Quota:HoldBatchesInFlight"] = $"{loops}" }).Build(),
            NullLogger<HoldBatcher>.Instance);

        public PendingHold Hold(Guid agency, Guid pool, long vcpu = 1, string reference = "test")
        {
            var now = DateTime.UtcNow;
            var claim = new Claim
            {
                ClaimId = Guid.NewGuid(), AgencyId = agency, PoolId = pool, FacilityId = _facility, Amounts = ResourceVector.Standard(vcpu, 1, 1, 0),
                Status = ClaimStatus.Held, ExpiresAt = now.AddHours(1), Reference = reference, CreatedAt = now, UpdatedAt = now,
            };
            var placed = OutboxMessage.Create(new HoldPlaced(claim.ClaimId, agency, pool, _facility, null, claim.Amounts.ToList(),
                claim.ExpiresAt, claim.Reference, now, null), now);
            return new PendingHold(claim, "ML", placed);
        }

        public Task<long> PoolUsedAsync(Guid pool, string resourceClass) =>
            QueryAsync(db => db.Inventories.Where(i => i.PoolId == pool && i.Class == resourceClass).Select(i => i.Used).SingleAsync());

        public async Task SetStateDefaultAsync(long vcpuLimit)
        {
            await using var scope = _services.CreateAsyncScope();
            // Mali's operator's call, as the gRPC layer hands it over: their token says who they are and what they may do.
            scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>().HttpContext = new Microsoft.AspNetCore.Http.DefaultHttpContext
            {
                User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                    [new(AesClaims.Subject, _operator.ToString()), new(AesClaims.Grant, "StateOperator:ML:")], "jwt")),
            };
            await scope.ServiceProvider.GetRequiredService<CapacityOperations>()
                .SetStateDefaultAsync(_operator, "ML", new Dictionary<string, long> { [ResourceClasses.Vcpu] = vcpuLimit, [ResourceClasses.MemoryGib] = 1_000_000, [ResourceClasses.StorageGib] = 1_000_000, [ResourceClasses.PublicIpv4] = 1_000_000 }, CancellationToken.None);
        }

        public Task<long> AgencyLimitAsync(Guid agency, string resourceClass) =>
            QueryAsync(db => db.AgencyAllocations.Where(a => a.AgencyId == agency && a.Class == resourceClass).Select(a => a.Limit).SingleAsync());

        public Task<long> AgencyUsedAsync(Guid agency, string resourceClass) =>
            QueryAsync(db => db.AgencyAllocations.Where(a => a.AgencyId == agency && a.Class == resourceClass).Select(a => a.Used).SingleAsync());

        public Task<long> HeldVcpuAsync(System.Linq.Expressions.Expression<Func<Claim, bool>> which) =>
            QueryAsync(async db => (await db.Claims.Where(c => c.Status == ClaimStatus.Held).Where(which).ToListAsync()).Sum(c => c.Amounts[ResourceClasses.Vcpu]));

        public Task<(int Held, int Refused)> ClaimCountsAsync() => QueryAsync(async db =>
            (await db.Claims.CountAsync(c => c.Status == ClaimStatus.Held), await db.Claims.CountAsync(c => c.Status == ClaimStatus.Refused)));

        /// <summary>Outbox rows that carry the trace context <paramref name="traceParent"/>.</summary>
        public Task<int> OutboxCountAsync(string? traceParent) => QueryAsync(db => db.OutboxMessages.CountAsync(m => m.TraceParent == traceParent));

        private async Task<T> QueryAsync<T>(Func<QuotaDbContext, Task<T>> query)
        {
            await using var scope = _services.CreateAsyncScope();
            return await query(scope.ServiceProvider.GetRequiredService<QuotaDbContext>());
        }

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }
}
