namespace Aes.Quota.Application;

public sealed record UsageLine(ResourceClass Class, long Limit, long Used)
{
    public long Headroom => Math.Max(0, Limit - Used);
}

public sealed record CandidatePool(CapacityPool Pool, Guid? AgreementId, Amounts Headroom, int VmsThatFit);

public sealed record CandidateList(IReadOnlyList<CandidatePool> Candidates, Amounts QuotaHeadroom, bool QuotaFits);

/// <summary>Usage and headroom per agency, pool, facility, state and agreement, and placement candidates.</summary>
public sealed class UsageQueries(QuotaDbContext db)
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

    public async Task<IReadOnlyList<UsageLine>> AgreementAsync(Guid agreementId, CancellationToken cancellationToken)
    {
        var rows = await db.Slices.AsNoTracking().Where(s => s.AgreementId == agreementId).OrderBy(s => s.Class).ToListAsync(cancellationToken);
        return rows.Count == 0 ? throw new NotFoundException("Agreement", agreementId.ToString()) : rows.Select(s => new UsageLine(s.Class, s.Limit, s.Used)).ToList();
    }

    /// <summary>
    /// The open pools that can take <paramref name="count"/> VMs of <paramref name="vm"/>: in the agency's
    /// own state, or across a border within an active agreement's slice; the best <paramref name="limit"/>,
    /// own state first. The database computes each pool's fit over its inventory rows and returns only
    /// the best few (four times the limit, as slices may cap pools across a border), so the answer
    /// stays small however many pools there are.
    /// </summary>
    public async Task<CandidateList> CandidatesAsync(Guid agencyId, Amounts vm, int count, IReadOnlyCollection<Guid> facilityFilter, int limit,
        CancellationToken cancellationToken)
    {
        var agency = await db.Agencies.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == agencyId, cancellationToken)
            ?? throw new NotFoundException("Agency", agencyId.ToString());
        var need = new Amounts(vm.Vcpu * count, vm.MemoryGib * count, vm.StorageGib * count, vm.PublicIpv4 * count);

        var agreements = await db.Agreements.AsNoTracking()
            .Where(a => a.Active && a.GuestStateCode == agency.StateCode)
            .Select(a => new { a.AgreementId, a.FacilityId })
            .ToListAsync(cancellationToken);
        var agreementFacilities = agreements.Select(a => a.FacilityId).ToList();
        var openFacilities = db.Facilities.Where(f => f.Status == "open").Select(f => f.FacilityId);

        var pools = db.Pools.AsNoTracking()
            .Where(p => openFacilities.Contains(p.FacilityId))
            .Where(p => p.StateCode == agency.StateCode || agreementFacilities.Contains(p.FacilityId));
        if (facilityFilter.Count > 0)
        {
            pools = pools.Where(p => facilityFilter.Contains(p.FacilityId));
        }
        // How many VMs each pool fits, computed by the database over the needed classes; best first.
        var (v, m, st, ip) = (vm.Vcpu, vm.MemoryGib, vm.StorageGib, vm.PublicIpv4);
        var classes = vm.NonZero().Select(pair => pair.Class).ToList();
        async Task<List<Guid>> BestAsync(IQueryable<CapacityPool> among)
        {
            var poolIds = among.Select(p => p.Id);
            return await db.Inventories.AsNoTracking()
                .Where(i => poolIds.Contains(i.PoolId) && classes.Contains(i.Class))
                .GroupBy(i => i.PoolId)
                .Select(g => new
                {
                    PoolId = g.Key,
                    Fit = g.Min(i => (i.Capacity - i.Used) / (i.Class == ResourceClass.Vcpu ? v : i.Class == ResourceClass.MemoryGib ? m : i.Class == ResourceClass.StorageGib ? st : ip)),
                    Classes = g.Count(),
                })
                .Where(r => r.Classes == classes.Count && r.Fit >= count)
                .OrderByDescending(r => r.Fit)
                .Take(limit * 4)
                .Select(r => r.PoolId)
                .ToListAsync(cancellationToken);
        }
        // The agency's own state first; across a border only if that leaves room in the answer.
        var rankedIds = await BestAsync(pools.Where(p => p.StateCode == agency.StateCode));
        if (rankedIds.Count < limit && agreementFacilities.Count > 0)
        {
            rankedIds.AddRange(await BestAsync(pools.Where(p => p.StateCode != agency.StateCode)));
        }
        var fitting = await db.Pools.AsNoTracking().Where(p => rankedIds.Contains(p.Id)).Include(p => p.Inventories).ToListAsync(cancellationToken);

        var sliceIds = agreements.Select(a => a.AgreementId).ToList();
        var slices = sliceIds.Count == 0 ? [] : await db.Slices.AsNoTracking().Where(s => sliceIds.Contains(s.AgreementId)).ToListAsync(cancellationToken);

        var candidates = new List<CandidatePool>();
        foreach (var pool in fitting)
        {
            var headroom = Headroom(pool.Inventories.ToDictionary(i => i.Class, i => i.Capacity - i.Used));
            Guid? agreementId = null;
            if (pool.StateCode != agency.StateCode)
            {
                // Several agreements may cover one facility: take the one with the most room.
                var best = agreements.Where(a => a.FacilityId == pool.FacilityId)
                    .Select(a => (a.AgreementId, Room: Headroom(slices.Where(s => s.AgreementId == a.AgreementId).ToDictionary(s => s.Class, s => s.Limit - s.Used))))
                    .Select(a => (a.AgreementId, Room: Min(headroom, a.Room)))
                    .OrderByDescending(a => Fit(a.Room, vm))
                    .First();
                agreementId = best.AgreementId;
                headroom = best.Room;
            }
            var fit = Fit(headroom, vm);
            if (fit >= count)
            {
                candidates.Add(new CandidatePool(pool, agreementId, headroom, fit));
            }
        }

        var quota = Headroom(await db.AgencyAllocations.AsNoTracking().Where(a => a.AgencyId == agencyId)
            .ToDictionaryAsync(a => a.Class, a => a.Limit - a.Used, cancellationToken));
        var ordered = candidates.OrderByDescending(c => c.Pool.StateCode == agency.StateCode).ThenByDescending(c => c.VmsThatFit)
            .ThenBy(c => c.Pool.FacilityCode).ThenBy(c => c.Pool.Name).Take(limit).ToList();
        return new CandidateList(ordered, quota, Fit(quota, vm) >= count);
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
