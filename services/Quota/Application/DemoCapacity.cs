using System.Text.Json;
using Aes.Contracts.Quota;

namespace Aes.Quota.Application;

/// <summary>
/// The demo's capacity (Seed/demo-capacity.json), so that a request made in a demo run is placed: a
/// general pool in each open demo facility as quota learns of it (and a pool of 8 A100 GPUs in Bamako), and each state's default quotas as
/// its first agency arrives. Only when Seed:Demo is true and Seed:DemoCapacity is not false; an
/// operator changes any of it afterwards like their own.
/// </summary>
public sealed class DemoCapacity
{
    private readonly DemoCapacityFile? _file;

    public DemoCapacity(IConfiguration configuration)
    {
        if (!configuration.GetValue("Seed:Demo", false) || !configuration.GetValue("Seed:DemoCapacity", true))
        {
            return;
        }
        using var stream = typeof(DemoCapacity).Assembly.GetManifestResourceStream("Aes.Quota.Seed.demo-capacity.json")
            ?? throw new InvalidOperationException("The demo capacity is not embedded.");
        _file = JsonSerializer.Deserialize<DemoCapacityFile>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidOperationException("The demo capacity is empty.");
    }

    /// <summary>
    /// Adds the demo pools of <paramref name="facility"/> (Bamako has a GPU pool beside its general one), if the demo
    /// has some and the facility has no pool yet. A pool has a row for each standard class and for each other class
    /// its inventory names.
    /// </summary>
    public async Task AddPoolAsync(QuotaDbContext db, KnownFacility facility, DateTime now, CancellationToken cancellationToken)
    {
        if (_file?.Pools.GetValueOrDefault(facility.Code) is not { } demos || await db.Pools.AnyAsync(p => p.FacilityId == facility.FacilityId, cancellationToken))
        {
            return;
        }
        foreach (var demo in demos)
        {
            var pool = new CapacityPool
            {
                Id = Guid.CreateVersion7(), FacilityId = facility.FacilityId, FacilityCode = facility.Code, StateCode = facility.StateCode,
                Name = demo.Name, CreatedAt = now, Inventories = [],
            };
            foreach (var resourceClass in Aes.Contracts.ResourceClasses.Standard.Select(c => c.Code).Union(demo.Inventories.Keys))
            {
                var given = demo.Inventories.GetValueOrDefault(resourceClass) ?? new DemoInventory(0, 0, "1.0");
                var ratio = CapacityOperations.Ratio(given.AllocationRatio);
                var capacity = PoolInventory.CapacityOf(given.Total, given.Reserved, ratio);
                pool.Inventories.Add(new PoolInventory { Class = resourceClass, Total = given.Total, Reserved = given.Reserved, AllocationRatio = ratio, Capacity = capacity });
                db.AddToOutbox(new CapacityChanged(pool.Id, pool.FacilityId, pool.StateCode, resourceClass, given.Total, given.Reserved, ratio, capacity, 0, now), now);
            }
            db.Pools.Add(pool);
        }
    }

    /// <summary>Sets the demo's default quotas of <paramref name="stateCode"/>, unless the state already has defaults.</summary>
    public async Task AddStateDefaultsAsync(QuotaDbContext db, string stateCode, CancellationToken cancellationToken)
    {
        if (_file?.StateDefaultQuotas.GetValueOrDefault(stateCode) is not { } limits
            || await db.StateDefaults.AnyAsync(d => d.StateCode == stateCode, cancellationToken))
        {
            return;
        }
        // The first agencies of a state arrive together: each offers the defaults, the first one's stand.
        foreach (var resourceClass in Aes.Contracts.ResourceClasses.Standard.Select(c => c.Code))
        {
            await db.InsertIfAbsentAsync(new StateQuotaDefault { StateCode = stateCode, Class = resourceClass, Limit = limits.GetValueOrDefault(resourceClass) },
                cancellationToken);
        }
    }

    private sealed record DemoInventory(long Total, long Reserved, string AllocationRatio);
    private sealed record DemoPool(string Name, Dictionary<string, DemoInventory> Inventories);
    private sealed record DemoCapacityFile(Dictionary<string, List<DemoPool>> Pools, Dictionary<string, Dictionary<string, long>> StateDefaultQuotas);
}
