using Aes.ServiceDefaults;

namespace Aes.Quota.Application;

/// <summary>Active holds, and each pool's capacity and use per resource class.</summary>
public sealed class QuotaGauges(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<QuotaGauges> logger)
    : SnapshotGaugeRefresher(scopes, configuration, logger)
{
    private static readonly SnapshotGauge ActiveHolds = new("aes.quota.holds.active", "{hold}",
        "Holds taken and neither committed, released nor expired, by facility.");
    private static readonly SnapshotGauge PoolUsed = new("aes.quota.pool.used", "{unit}",
        "Capacity used (held or committed) per pool and resource class.");
    private static readonly SnapshotGauge PoolCapacity = new("aes.quota.pool.capacity", "{unit}",
        "Allocatable capacity per pool and resource class (total less reserved, times the allocation ratio).");

    protected override async Task RefreshAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<QuotaDbContext>();
        var holds = await db.Claims.AsNoTracking().Where(c => c.Status == ClaimStatus.Held).GroupBy(c => c.FacilityId)
            .Select(g => new { FacilityId = g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        var facilities = await db.Facilities.AsNoTracking().ToDictionaryAsync(f => f.FacilityId, f => f.Code, cancellationToken);
        ActiveHolds.Set(holds.Select(h => SnapshotGauge.Value(h.Count, ("aes.facility", facilities.GetValueOrDefault(h.FacilityId, h.FacilityId.ToString())))));

        var pools = await db.Pools.AsNoTracking().Include(p => p.Inventories).ToListAsync(cancellationToken);
        (string, object?)[] Tags(CapacityPool pool, PoolInventory inventory) =>
            [("aes.pool", pool.Name), ("aes.facility", pool.FacilityCode), ("aes.state", pool.StateCode), ("aes.resource_class", inventory.Class)];
        PoolUsed.Set(pools.SelectMany(pool => pool.Inventories.Select(inventory => SnapshotGauge.Value(inventory.Used, Tags(pool, inventory)))));
        PoolCapacity.Set(pools.SelectMany(pool => pool.Inventories.Select(inventory => SnapshotGauge.Value(inventory.Capacity, Tags(pool, inventory)))));
    }
}
