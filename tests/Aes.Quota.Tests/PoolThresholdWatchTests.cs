using Aes.Quota.Application;
using Aes.Quota.Data;
using Aes.Quota.Domain;
using Aes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aes.Quota.Tests;

/// <summary>
/// Issue 22: a pool passing 85 % of a class is told once per crossing (PoolThresholdCrossed in quota's outbox), and again only
/// after its use has fallen below 80 %, on a real PostgreSQL.
/// </summary>
public sealed class PoolThresholdWatchTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;
    private PoolThresholdWatch _watch = null!;
    private readonly Guid _pool = Guid.NewGuid();

    public async ValueTask InitializeAsync()
    {
        var connectionString = await TestInfrastructure.NewPostgresDatabaseAsync("quota_threshold");
        _services = await QuotaProjectionHost.StartAsync(connectionString, demo: false, _ => { });
        _watch = new PoolThresholdWatch(_services.GetRequiredService<IServiceScopeFactory>(), new ConfigurationBuilder().Build(), TimeProvider.System,
            NullLogger<PoolThresholdWatch>.Instance);
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<QuotaDbContext>();
        db.Pools.Add(new CapacityPool
        {
            Id = _pool, FacilityId = Guid.NewGuid(), FacilityCode = "ML-BKO-1", StateCode = "ML", Name = "gpu",
            Inventories =
            [
                new PoolInventory { PoolId = _pool, Class = "gpu_a100_80g", Total = 8, Capacity = 8 },
                new PoolInventory { PoolId = _pool, Class = "vcpu", Total = 100, Capacity = 100 },
            ],
        });
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    private async Task UseAsync(string resourceClass, long used)
    {
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<QuotaDbContext>().Inventories.Where(i => i.PoolId == _pool && i.Class == resourceClass)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.Used, used));
    }

    private async Task<List<string>> AlertsAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<QuotaDbContext>().OutboxMessages
            .Where(m => m.MessageType.StartsWith("Aes.Contracts.Quota.PoolThresholdCrossed,")).OrderBy(m => m.Sequence).Select(m => m.Body).ToListAsync();
    }

    [Fact]
    public async Task A_class_past_85_percent_is_told_once_and_again_only_after_falling_below_80()
    {
        await UseAsync("gpu_a100_80g", 6); // 75 %
        await UseAsync("vcpu", 84);
        Assert.Equal(0, await _watch.CheckAsync(CancellationToken.None));

        await UseAsync("gpu_a100_80g", 7); // 87.5 %
        Assert.Equal(1, await _watch.CheckAsync(CancellationToken.None));
        var alert = System.Text.Json.JsonDocument.Parse(Assert.Single(await AlertsAsync())).RootElement;
        Assert.Equal(("gpu_a100_80g", 7, 8, "ML", "ML-BKO-1", "gpu"), (alert.GetProperty("resourceClass").GetString(), alert.GetProperty("used").GetInt64(),
            alert.GetProperty("capacity").GetInt64(), alert.GetProperty("stateCode").GetString(), alert.GetProperty("facilityCode").GetString(),
            alert.GetProperty("poolName").GetString()));

        // Still above, then between 80 and 85 %: nothing new (no flapping at the edge).
        await UseAsync("gpu_a100_80g", 8);
        Assert.Equal(0, await _watch.CheckAsync(CancellationToken.None));
        await UseAsync("vcpu", 82);
        await UseAsync("gpu_a100_80g", 7);
        Assert.Equal(0, await _watch.CheckAsync(CancellationToken.None));
        Assert.Single(await AlertsAsync());

        // Below 80 % clears it; the next crossing is told again. vCPU at exactly 85 % is told too.
        await UseAsync("gpu_a100_80g", 6);
        Assert.Equal(0, await _watch.CheckAsync(CancellationToken.None));
        await UseAsync("gpu_a100_80g", 7);
        await UseAsync("vcpu", 85);
        Assert.Equal(2, await _watch.CheckAsync(CancellationToken.None));
        Assert.Equal(3, (await AlertsAsync()).Count);
    }

    [Fact]
    public async Task Two_watches_at_once_tell_a_crossing_once()
    {
        await UseAsync("gpu_a100_80g", 8);
        var other = new PoolThresholdWatch(_services.GetRequiredService<IServiceScopeFactory>(), new ConfigurationBuilder().Build(), TimeProvider.System,
            NullLogger<PoolThresholdWatch>.Instance);
        var raised = await Task.WhenAll(_watch.CheckAsync(CancellationToken.None), other.CheckAsync(CancellationToken.None));
        Assert.Equal(1, raised.Sum());
        Assert.Single(await AlertsAsync());
    }
}
