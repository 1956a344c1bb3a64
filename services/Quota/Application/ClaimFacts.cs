using System.Collections.Concurrent;

namespace Aes.Quota.Application;

/// <summary>What a claim needs to know about its pool that never changes once the pool exists.</summary>
public sealed record PoolFacts(Guid Id, Guid FacilityId, string FacilityCode, string StateCode, string Name);

/// <summary>
/// Remembers agencies' states and pools' facilities, which are never changed nor deleted, so that a hold
/// does not read them on every call. What can change (a facility's status, an agreement's) is checked
/// inside the hold's own transaction. Unknown ids are not remembered: they may arrive later by event.
/// </summary>
public sealed class ClaimFacts
{
    private readonly ConcurrentDictionary<Guid, string> _agencyStates = new();
    private readonly ConcurrentDictionary<Guid, PoolFacts> _pools = new();

    public async Task<string?> AgencyStateAsync(QuotaDbContext db, Guid agencyId, CancellationToken cancellationToken)
    {
        if (_agencyStates.TryGetValue(agencyId, out var known))
        {
            return known;
        }
        var state = await db.Agencies.AsNoTracking().Where(a => a.AgencyId == agencyId).Select(a => a.StateCode).FirstOrDefaultAsync(cancellationToken);
        return state is null ? null : _agencyStates.GetOrAdd(agencyId, state);
    }

    public async Task<PoolFacts?> PoolAsync(QuotaDbContext db, Guid poolId, CancellationToken cancellationToken)
    {
        if (_pools.TryGetValue(poolId, out var known))
        {
            return known;
        }
        var pool = await db.Pools.AsNoTracking().Where(p => p.Id == poolId)
            .Select(p => new PoolFacts(p.Id, p.FacilityId, p.FacilityCode, p.StateCode, p.Name))
            .FirstOrDefaultAsync(cancellationToken);
        return pool is null ? null : _pools.GetOrAdd(poolId, pool);
    }
}
