namespace Aes.Quota.Application;

public sealed record UsageLine(ResourceClass Class, long Limit, long Used)
{
    public long Headroom => Math.Max(0, Limit - Used);
}

public sealed record CandidatePool(PoolFacts Pool, Guid? AgreementId, Amounts Headroom, int VmsThatFit);

public sealed record CandidateList(IReadOnlyList<CandidatePool> Candidates, Amounts QuotaHeadroom, bool QuotaFits);

/// <summary>Usage and headroom per agency, pool, facility, state and agreement, and placement candidates.</summary>
public sealed class UsageQueries(QuotaDbContext db, ClaimFacts facts)
{
    public async Task<IReadOnlyList<UsageLine>> AgencyAsync(Guid agencyId, CancellationToken cancellationToken)
    {
        var rows = await db.AgencyAllocations.AsNoTracking().Where(a => a.AgencyId == agencyId).OrderBy(a => a.Class).ToListAsync(cancellationToken);
        return rows.Count == 0 ? throw new NotFoundException("Agency", agencyId.ToString()) : rows.Select(a => new UsageLine(a.Class, a.Limit, a.Used)).ToList();
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
        return ResourceClasses.All.Select(c => sums.FirstOrDefault(s => s.Class == c) is { } s ? new UsageLine(c, s.Capacity, s.Used) : new UsageLine(c, 0, 0)).ToList();
    }

    /// <summary>
    /// What the pool had allocated at <paramref name="points"/> evenly spread moments from <paramref name="from"/> to
    /// <paramref name="until"/>: a claim counts from its creation until it was released or expired (its last
    /// change), or to the end while it is held or committed. Refused claims never counted. The caller has
    /// found the pool.
    /// </summary>
    public async Task<IReadOnlyList<(DateTime At, Amounts Allocated)>> AllocationHistoryAsync(
        Guid poolId, DateTime from, DateTime until, int points, CancellationToken cancellationToken)
    {
        var claims = await db.Claims.AsNoTracking()
            .Where(c => c.PoolId == poolId && c.Status != ClaimStatus.Refused && c.CreatedAt <= until
                && (c.Status == ClaimStatus.Held || c.Status == ClaimStatus.Committed || c.UpdatedAt > from))
            .Select(c => new { c.CreatedAt, Ended = c.Status == ClaimStatus.Released || c.Status == ClaimStatus.Expired ? c.UpdatedAt : (DateTime?)null, c.Vcpu, c.MemoryGib, c.StorageGib, c.PublicIpv4 })
            .ToListAsync(cancellationToken);
        var step = (until - from) / (points - 1);
        return Enumerable.Range(0, points).Select(i =>
        {
            var at = i == points - 1 ? until : from + step * i;
            var live = claims.Where(c => c.CreatedAt <= at && (c.Ended is null || c.Ended > at)).ToList();
            return (at, new Amounts(live.Sum(c => c.Vcpu), live.Sum(c => c.MemoryGib), live.Sum(c => c.StorageGib), live.Sum(c => c.PublicIpv4)));
        }).ToList();
    }

    public async Task<IReadOnlyList<UsageLine>> AgreementAsync(Guid agreementId, CancellationToken cancellationToken)
    {
        var rows = await db.Slices.AsNoTracking().Where(s => s.AgreementId == agreementId).OrderBy(s => s.Class).ToListAsync(cancellationToken);
        return rows.Count == 0 ? throw new NotFoundException("Agreement", agreementId.ToString()) : rows.Select(s => new UsageLine(s.Class, s.Limit, s.Used)).ToList();
    }

    /// <summary>
    /// The open pools that can take <paramref name="count"/> VMs of <paramref name="vm"/>: in the agency's
    /// own state, or across a border within an active agreement's slice; the best <paramref name="limit"/>,
    /// own state first, then the most VMs that fit. One query per side of the border: the database pivots
    /// each pool's inventory rows into its headroom, keeps the pools that fit and returns only the best,
    /// so the answer stays small and quick however many pools there are.
    /// </summary>
    public async Task<CandidateList> CandidatesAsync(Guid agencyId, Amounts vm, int count, IReadOnlyCollection<Guid> facilityFilter, int limit,
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
                        Headroom(slices.Where(s => s.AgreementId == a.AgreementId).ToDictionary(s => s.Class, s => s.Limit - s.Used)))))
                    .OrderByDescending(a => Fit(a.Room, vm))
                    .First();
                var fit = Fit(best.Room, vm);
                if (fit >= count)
                {
                    candidates.Add(new CandidatePool(row.Pool, best.AgreementId, best.Room, fit));
                }
            }
        }

        var quota = Headroom(await db.AgencyAllocations.AsNoTracking().Where(a => a.AgencyId == agencyId)
            .ToDictionaryAsync(a => a.Class, a => a.Limit - a.Used, cancellationToken));
        var ordered = candidates.OrderByDescending(c => c.Pool.StateCode == agencyState).ThenByDescending(c => c.VmsThatFit)
            .ThenBy(c => c.Pool.FacilityCode).ThenBy(c => c.Pool.Name).Take(limit).ToList();
        return new CandidateList(ordered, quota, Fit(quota, vm) >= count);
    }

    private sealed record FittingPool(PoolFacts Pool, Amounts Headroom, int Fit);

    /// <summary>The pools among <paramref name="among"/> that fit <paramref name="count"/> VMs, the most room first, at most <paramref name="take"/>.</summary>
    private async Task<List<FittingPool>> FittingPoolsAsync(IQueryable<CapacityPool> among, Amounts vm, int count, int take, CancellationToken cancellationToken)
    {
        // A class the VM does not need divides by nothing: it counts as room for any number of VMs.
        // Max, not Sum, picks each class's one row: PostgreSQL sums bigints as numeric, which is slower.
        const long Unbounded = long.MaxValue;
        var (v, m, st, ip) = (vm.Vcpu, vm.MemoryGib, vm.StorageGib, vm.PublicIpv4);
        var rows = await (
                from inventory in db.Inventories
                join pool in among on inventory.PoolId equals pool.Id
                group inventory by new { pool.Id, pool.FacilityId, pool.FacilityCode, pool.StateCode, pool.Name } into g
                select new
                {
                    g.Key,
                    Vcpu = g.Max(i => i.Class == ResourceClass.Vcpu ? i.Capacity - i.Used : long.MinValue),
                    MemoryGib = g.Max(i => i.Class == ResourceClass.MemoryGib ? i.Capacity - i.Used : long.MinValue),
                    StorageGib = g.Max(i => i.Class == ResourceClass.StorageGib ? i.Capacity - i.Used : long.MinValue),
                    PublicIpv4 = g.Max(i => i.Class == ResourceClass.PublicIpv4 ? i.Capacity - i.Used : long.MinValue),
                })
            .Select(r => new
            {
                r.Key, r.Vcpu, r.MemoryGib, r.StorageGib, r.PublicIpv4,
                Fit = Math.Min(
                    Math.Min(v == 0 ? Unbounded : r.Vcpu / v, m == 0 ? Unbounded : r.MemoryGib / m),
                    Math.Min(st == 0 ? Unbounded : r.StorageGib / st, ip == 0 ? Unbounded : r.PublicIpv4 / ip)),
            })
            .Where(r => r.Fit >= count)
            .OrderByDescending(r => r.Fit).ThenBy(r => r.Key.FacilityCode).ThenBy(r => r.Key.Name)
            .Take(take)
            .ToListAsync(cancellationToken);
        return rows.Select(r =>
        {
            var headroom = new Amounts(Math.Max(0, r.Vcpu), Math.Max(0, r.MemoryGib), Math.Max(0, r.StorageGib), Math.Max(0, r.PublicIpv4));
            return new FittingPool(new PoolFacts(r.Key.Id, r.Key.FacilityId, r.Key.FacilityCode, r.Key.StateCode, r.Key.Name), headroom,
                (int)Math.Min(r.Fit, int.MaxValue));
        }).ToList();
    }

    private static Amounts Headroom(Dictionary<ResourceClass, long> room) => new(
        Math.Max(0, room.GetValueOrDefault(ResourceClass.Vcpu)), Math.Max(0, room.GetValueOrDefault(ResourceClass.MemoryGib)),
        Math.Max(0, room.GetValueOrDefault(ResourceClass.StorageGib)), Math.Max(0, room.GetValueOrDefault(ResourceClass.PublicIpv4)));

    private static Amounts Min(Amounts a, Amounts b) => new(
        Math.Min(a.Vcpu, b.Vcpu), Math.Min(a.MemoryGib, b.MemoryGib), Math.Min(a.StorageGib, b.StorageGib), Math.Min(a.PublicIpv4, b.PublicIpv4));

    /// <summary>How many VMs of <paramref name="vm"/> fit in <paramref name="room"/> (capped at int.MaxValue).</summary>
    internal static int Fit(Amounts room, Amounts vm)
    {
        var fit = ResourceClasses.All.Where(c => vm[c] > 0).Select(c => room[c] / vm[c]).DefaultIfEmpty(0).Min();
        return (int)Math.Min(fit, int.MaxValue);
    }
}
