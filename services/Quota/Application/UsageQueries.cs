using System.Linq.Expressions;

namespace Aes.Quota.Application;

public sealed record UsageLine(string Class, long Limit, long Used)
{
    public long Headroom => Math.Max(0, Limit - Used);
}

public sealed record CandidatePool(PoolFacts Pool, Guid? AgreementId, ResourceVector Headroom, int VmsThatFit);

public sealed record PlanningCapacity(IReadOnlyList<(PoolFacts Pool, ResourceVector Headroom)> Pools,
    IReadOnlyList<(Guid AgreementId, Guid FacilityId, string GuestStateCode, ResourceVector Headroom)> Slices,
    IReadOnlyList<(Guid AgencyId, ResourceVector Headroom)> Quotas);

public sealed record CandidateList(IReadOnlyList<CandidatePool> Candidates, ResourceVector QuotaHeadroom, bool QuotaFits);

/// <summary>Usage and headroom per agency, pool, facility, state and agreement, and placement candidates.</summary>
public sealed class UsageQueries(QuotaDbContext db, ClaimFacts facts)
{
    public async Task<IReadOnlyList<UsageLine>> AgencyAsync(Guid agencyId, CancellationToken cancellationToken)
    {
        var rows = await db.AgencyAllocations.AsNoTracking().Where(a => a.AgencyId == agencyId).ToListAsync(cancellationToken);
        return rows.Count == 0 ? throw new NotFoundException("Agency", agencyId.ToString()) : rows.InDisplayOrder(a => a.Class).Select(a => new UsageLine(a.Class, a.Limit, a.Used)).ToList();
    }

    public async Task<IReadOnlyList<UsageLine>> PoolsAsync(IQueryable<CapacityPool> pools, string entity, string id, CancellationToken cancellationToken)
    {
        var poolIds = pools.Select(p => p.Id);
        var sums = await db.Inventories.AsNoTracking().Where(i => poolIds.Contains(i.PoolId))
            .GroupBy(i => i.Class)
            .Select(g => new { Class = g.Key, Capacity = g.Sum(i => i.Capacity), Used = g.Sum(i => i.Used) })
            .ToListAsync(cancellationToken);
        if (sums.Count == 0 && !await pools.AnyAsync(cancellationToken))
        {
            throw new NotFoundException(entity, id);
        }
        // The standard classes always, at 0 when no pool has them; another class where a pool has some.
        return Aes.Contracts.ResourceClasses.Standard.Select(c => c.Code).Union(sums.Select(s => s.Class)).InDisplayOrder(c => c)
            .Select(c => sums.FirstOrDefault(s => s.Class == c) is { } s ? new UsageLine(c, s.Capacity, s.Used) : new UsageLine(c, 0, 0)).ToList();
    }

    /// <summary>
    /// What the pool had allocated at <paramref name="points"/> evenly spread moments from <paramref name="from"/> to
    /// <paramref name="until"/>: a claim counts from its creation until it was released or expired (its last
    /// change), or to the end while it is held or committed. Refused claims never counted. The caller has
    /// found the pool.
    /// </summary>
    public async Task<IReadOnlyList<(DateTime At, ResourceVector Allocated)>> AllocationHistoryAsync(
        Guid poolId, DateTime from, DateTime until, int points, CancellationToken cancellationToken)
    {
        var claims = await db.Claims.AsNoTracking()
            .Where(c => c.PoolId == poolId && c.Status != ClaimStatus.Refused && c.CreatedAt <= until
                && (c.Status == ClaimStatus.Held || c.Status == ClaimStatus.Committed || c.UpdatedAt > from))
            .Select(c => new { c.CreatedAt, Ended = c.Status == ClaimStatus.Released || c.Status == ClaimStatus.Expired ? c.UpdatedAt : (DateTime?)null, c.Amounts })
            .ToListAsync(cancellationToken);
        var step = (until - from) / (points - 1);
        return Enumerable.Range(0, points).Select(i =>
        {
            var at = i == points - 1 ? until : from + step * i;
            var live = claims.Where(c => c.CreatedAt <= at && (c.Ended is null || c.Ended > at)).ToList();
            return (at, live.Aggregate(ResourceVector.Zero, (sum, c) => sum.Combine(c.Amounts, (a, b) => a + b)));
        }).ToList();
    }

    public async Task<IReadOnlyList<UsageLine>> AgreementAsync(Guid agreementId, CancellationToken cancellationToken)
    {
        var rows = await db.Slices.AsNoTracking().Where(s => s.AgreementId == agreementId).ToListAsync(cancellationToken);
        return rows.Count == 0 ? throw new NotFoundException("Agreement", agreementId.ToString()) : rows.InDisplayOrder(s => s.Class).Select(s => new UsageLine(s.Class, s.Limit, s.Used)).ToList();
    }

    /// <summary>
    /// The open pools that can take <paramref name="count"/> VMs of <paramref name="vm"/>: in the agency's
    /// own state, or across a border within an active agreement's slice; the best <paramref name="limit"/>,
    /// own state first, then the most VMs that fit. One query per side of the border: the database pivots
    /// each pool's inventory rows into its headroom, keeps the pools that fit and returns only the best,
    /// so the answer stays small and quick however many pools there are.
    /// </summary>
    public async Task<CandidateList> CandidatesAsync(Guid agencyId, ResourceVector vm, int count, IReadOnlyCollection<Guid> facilityFilter, int limit,
        CancellationToken cancellationToken)
    {
        var agencyState = await facts.AgencyStateAsync(db, agencyId, cancellationToken)
            ?? throw new NotFoundException("Agency", agencyId.ToString());
        var agreements = await db.Agreements.AsNoTracking()
            .Where(a => a.Active && a.GuestStateCode == agencyState)
            .Select(a => new { a.AgreementId, a.FacilityId })
            .ToListAsync(cancellationToken);
        var agreementFacilities = agreements.Select(a => a.FacilityId).ToList();
        var openFacilities = db.Facilities.Where(f => f.Status == "open").Select(f => f.FacilityId);
        var pools = db.Pools.Where(p => openFacilities.Contains(p.FacilityId));
        if (facilityFilter.Count > 0)
        {
            pools = pools.Where(p => facilityFilter.Contains(p.FacilityId));
        }

        // In the agency's own state a pool's headroom is the answer: the best `limit` are enough.
        var candidates = (await FittingPoolsAsync(pools.Where(p => p.StateCode == agencyState), vm, count, limit, cancellationToken))
            .Select(row => new CandidatePool(row.Pool, null, row.Headroom, row.Fit))
            .ToList();
        if (candidates.Count < limit && agreementFacilities.Count > 0)
        {
            // Across a border an agreement's slice may cap a pool below its own headroom: look at more.
            var foreign = await FittingPoolsAsync(pools.Where(p => p.StateCode != agencyState && agreementFacilities.Contains(p.FacilityId)),
                vm, count, limit * 4, cancellationToken);
            var sliceIds = agreements.Select(a => a.AgreementId).ToList();
            var slices = await db.Slices.AsNoTracking().Where(s => sliceIds.Contains(s.AgreementId)).ToListAsync(cancellationToken);
            foreach (var row in foreign)
            {
                // Several agreements may cover one facility: take the one with the most room.
                var best = agreements.Where(a => a.FacilityId == row.Pool.FacilityId)
                    .Select(a => (a.AgreementId, Room: Min(row.Headroom,
                        Headroom(slices.Where(s => s.AgreementId == a.AgreementId).Select(s => (s.Class, s.Limit - s.Used))))))
                    .OrderByDescending(a => Fit(a.Room, vm))
                    .First();
                var fit = Fit(best.Room, vm);
                if (fit >= count)
                {
                    candidates.Add(new CandidatePool(row.Pool, best.AgreementId, best.Room, fit));
                }
            }
        }

        var quota = Headroom((await db.AgencyAllocations.AsNoTracking().Where(a => a.AgencyId == agencyId)
            .Select(a => new { a.Class, Room = a.Limit - a.Used }).ToListAsync(cancellationToken)).Select(a => (a.Class, a.Room)));
        var ordered = candidates.OrderByDescending(c => c.Pool.StateCode == agencyState).ThenByDescending(c => c.VmsThatFit)
            .ThenBy(c => c.Pool.FacilityCode).ThenBy(c => c.Pool.Name).Take(limit).ToList();
        return new CandidateList(ordered, quota, Fit(quota, vm) >= count);
    }

    /// <summary>Everything free now, read in three queries: open pools' headroom, active slices' headroom, the agencies' quota headroom.</summary>
    public async Task<PlanningCapacity> PlanningCapacityAsync(IReadOnlyCollection<Guid> agencyIds, CancellationToken cancellationToken)
    {
        var openFacilities = db.Facilities.Where(f => f.Status == "open").Select(f => f.FacilityId);
        var pools = await db.Pools.AsNoTracking().Where(p => openFacilities.Contains(p.FacilityId)).ToListAsync(cancellationToken);
        var poolIds = pools.Select(p => p.Id).ToList();
        var inventories = (await db.Inventories.AsNoTracking().Where(i => poolIds.Contains(i.PoolId)).ToListAsync(cancellationToken)).ToLookup(i => i.PoolId);
        var agreements = await db.Agreements.AsNoTracking().Where(a => a.Active).ToListAsync(cancellationToken);
        var agreementIds = agreements.Select(a => a.AgreementId).ToList();
        var slices = (await db.Slices.AsNoTracking().Where(s => agreementIds.Contains(s.AgreementId)).ToListAsync(cancellationToken)).ToLookup(s => s.AgreementId);
        var quotas = (await db.AgencyAllocations.AsNoTracking().Where(a => agencyIds.Contains(a.AgencyId)).ToListAsync(cancellationToken)).ToLookup(a => a.AgencyId);
        return new PlanningCapacity(
            pools.OrderBy(p => p.FacilityCode).ThenBy(p => p.Name)
                .Select(p => (new PoolFacts(p.Id, p.FacilityId, p.FacilityCode, p.StateCode, p.Name),
                    ResourceVector.Of(inventories[p.Id].Select(i => (i.Class, Math.Max(0, i.Capacity - i.Used)))))).ToList(),
            agreements.Select(a => (a.AgreementId, a.FacilityId, a.GuestStateCode, Headroom(slices[a.AgreementId].Select(s => (s.Class, s.Limit - s.Used))))).ToList(),
            agencyIds.Distinct().Select(id => (id, Headroom(quotas[id].Select(a => (a.Class, a.Limit - a.Used))))).ToList());
    }

    private sealed record FittingPool(PoolFacts Pool, ResourceVector Headroom, int Fit);

    /// <summary>
    /// The pools among <paramref name="among"/> that fit <paramref name="count"/> VMs, the most room first, at most
    /// <paramref name="take"/>. The database divides each row of a class the VM needs by what one VM needs of it, and
    /// keeps the pools that have a row of every such class (a class a pool lacks has no room) with the smallest
    /// quotient as the VMs that fit; the chosen pools' headroom is read after.
    /// </summary>
    private async Task<List<FittingPool>> FittingPoolsAsync(IQueryable<CapacityPool> among, ResourceVector vm, int count, int take, CancellationToken cancellationToken)
    {
        var needed = vm.Classes.ToList();
        var rows = await (
                from room in db.Inventories.Where(i => needed.Contains(i.Class)).Select(VmsThatFitPerRow(vm))
                join pool in among on room.PoolId equals pool.Id
                group room by new { pool.Id, pool.FacilityId, pool.FacilityCode, pool.StateCode, pool.Name } into g
                where g.Count() == needed.Count
                select new { g.Key, Fit = g.Min(r => r.Fit) })
            .Where(r => r.Fit >= count)
            .OrderByDescending(r => r.Fit).ThenBy(r => r.Key.FacilityCode).ThenBy(r => r.Key.Name)
            .Take(take)
            .ToListAsync(cancellationToken);
        var chosen = rows.Select(r => r.Key.Id).ToList();
        var headroom = (await db.Inventories.AsNoTracking().Where(i => chosen.Contains(i.PoolId)).ToListAsync(cancellationToken))
            .GroupBy(i => i.PoolId)
            .ToDictionary(g => g.Key, g => ResourceVector.Of(g.Select(i => (i.Class, Math.Max(0, i.Capacity - i.Used)))));
        return rows.Select(r => new FittingPool(new PoolFacts(r.Key.Id, r.Key.FacilityId, r.Key.FacilityCode, r.Key.StateCode, r.Key.Name),
            headroom.GetValueOrDefault(r.Key.Id, ResourceVector.Zero), (int)Math.Min(r.Fit, int.MaxValue))).ToList();
    }

    /// <summary>Settable, not positional: EF Core sees through an object initializer, not through a constructor.</summary>
    private sealed class RowRoom
    {
        public Guid PoolId { get; init; }
        public long Fit { get; init; }
    }

    /// <summary>
    /// <c>i =&gt; new RowRoom { PoolId = i.PoolId, Fit = (i.Capacity - i.Used) / (i.Class == c1 ? n1 : i.Class == c2 ? n2 : …) }</c> for the
    /// classes of <paramref name="vm"/>: what one VM needs of each class is a constant of the query.
    /// </summary>
    private static Expression<Func<PoolInventory, RowRoom>> VmsThatFitPerRow(ResourceVector vm)
    {
        var inventory = Expression.Parameter(typeof(PoolInventory), "i");
        Expression divisor = Expression.Constant(1L);
        foreach (var (resourceClass, amount) in vm.NonZero())
        {
            divisor = Expression.Condition(
                Expression.Equal(Expression.Property(inventory, nameof(PoolInventory.Class)), Expression.Constant(resourceClass)),
                Expression.Constant(amount), divisor);
        }
        var room = Expression.Subtract(Expression.Property(inventory, nameof(PoolInventory.Capacity)), Expression.Property(inventory, nameof(PoolInventory.Used)));
        var body = Expression.MemberInit(Expression.New(typeof(RowRoom)),
            Expression.Bind(typeof(RowRoom).GetProperty(nameof(RowRoom.PoolId))!, Expression.Property(inventory, nameof(PoolInventory.PoolId))),
            Expression.Bind(typeof(RowRoom).GetProperty(nameof(RowRoom.Fit))!, Expression.Divide(room, divisor)));
        return Expression.Lambda<Func<PoolInventory, RowRoom>>(body, inventory);
    }

    private static ResourceVector Headroom(IEnumerable<(string Class, long Room)> room) => ResourceVector.Of(room.Select(r => (r.Class, Math.Max(0, r.Room))));

    /// <summary>The room in both: a class one of them lacks has none.</summary>
    private static ResourceVector Min(ResourceVector a, ResourceVector b) => ResourceVector.Of(a.Classes.Intersect(b.Classes, StringComparer.Ordinal).Select(c => (c, Math.Min(a[c], b[c]))));

    /// <summary>How many VMs of <paramref name="vm"/> fit in <paramref name="room"/> (capped at int.MaxValue).</summary>
    internal static int Fit(ResourceVector room, ResourceVector vm)
    {
        var fit = vm.NonZero().Select(c => room[c.Class] / c.Amount).DefaultIfEmpty(0).Min();
        return (int)Math.Min(fit, int.MaxValue);
    }
}
