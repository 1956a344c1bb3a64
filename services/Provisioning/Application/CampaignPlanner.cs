using Aes.Contracts;

namespace Aes.Provisioning.Application;

/// <summary>A pool's room now, as quota counts it.</summary>
public sealed record PlanningPoolRoom(Guid PoolId, string PoolName, Guid FacilityId, ResourceVector Headroom);

/// <summary>An agreement's slice room now, for its guest state.</summary>
public sealed record PlanningSliceRoom(Guid AgreementId, Guid FacilityId, string GuestStateCode, ResourceVector Headroom);

/// <summary>What a plan is made from: the workloads in the order they go, the facilities and agreements, the room free now, and the prices.</summary>
public sealed record CampaignPlanInputs(
    IReadOnlyList<CampaignWorkload> Workloads,
    IReadOnlyList<KnownFacility> Facilities,
    IReadOnlyList<AgreementTerms> Agreements,
    IReadOnlyList<PlanningPoolRoom> Pools,
    IReadOnlyList<PlanningSliceRoom> Slices,
    IReadOnlyDictionary<Guid, ResourceVector> QuotaHeadroom,
    Func<Guid, Guid?, ResourceVector, long?> MonthlyXof);

public sealed record WorkloadPlan(CampaignWorkload Workload, KnownFacility? Facility, Guid? PoolId, long? MonthlyXof, string ReasonFr, string ReasonEn);

/// <summary>
/// A facility's (or, with no facility code, a state's) shortfall in one class: <see cref="Unplaced"/> is what the workloads
/// left without a place ask for there, <see cref="Amount"/> what is missing once the room still free is counted (0 when the
/// room exists but no single pool has it all).
/// </summary>
public sealed record CapacityGap(string StateCode, string FacilityCode, string Class, long Amount, long Unplaced);

public sealed record BlockedGroup(string StateCode, Classification Classification, int Workloads, string ReasonFr, string ReasonEn, IReadOnlyList<string> UnblockedBy);

public sealed record QuotaShortfall(Guid AgencyId, string Class, long Amount);

public sealed record CampaignPlanOutcome(IReadOnlyList<WorkloadPlan> Workloads, IReadOnlyList<CapacityGap> Gaps, IReadOnlyList<BlockedGroup> Blocked,
    IReadOnlyList<QuotaShortfall> QuotaShortfalls);

/// <summary>
/// A campaign's dry run (ADR 051). Each workload, in the order its waves go, is judged by the residency rules of a real
/// request and ranked as placement ranks (own state first, then the cheapest, then GPU hosts kept for GPU work, then the
/// most room), on the room free now less what the workloads before it took in the plan: a plan never counts one free
/// vCPU twice. Nothing is held. A workload no pool can take is charged to the facility it would go to first; what that
/// facility lacks, class by class, is the gap. A workload no facility may take at all is blocked, with the reason and
/// the planned facilities whose opening would take it.
/// </summary>
public static class CampaignPlanner
{
    private static readonly (string Fr, string En) NoRoom = ("aucun centre autorisé n'a la place pour cette charge.", "no allowed facility has room for this workload.");

    public static CampaignPlanOutcome Plan(CampaignPlanInputs inputs)
    {
        var poolRoom = inputs.Pools.ToDictionary(p => p.PoolId, p => p.Headroom);
        var sliceRoom = inputs.Slices.ToDictionary(s => s.AgreementId, s => s.Headroom);
        var poolsByFacility = inputs.Pools.ToLookup(p => p.FacilityId);
        var quotaUsed = new Dictionary<Guid, ResourceVector>();
        var verdicts = new Dictionary<(string State, Classification Classification), List<(KnownFacility Facility, ResidencyVerdict Verdict)>>();
        var demandByFacility = new Dictionary<(Guid Facility, Guid? Agreement), ResourceVector>();
        var blocked = new Dictionary<(string State, Classification Classification), (int Count, ResourceVector Total, (string Fr, string En) Reason)>();
        var plans = new List<WorkloadPlan>(inputs.Workloads.Count);

        foreach (var workload in inputs.Workloads)
        {
            var total = workload.Total;
            var judged = Judged(workload.AgencyStateCode, workload.Classification);
            var allowed = judged.Where(j => j.Verdict.Allowed)
                .Select(j => (j.Facility, j.Verdict.AgreementId, Cost: inputs.MonthlyXof(j.Facility.FacilityId, j.Verdict.AgreementId, total)))
                // GPUs go only where they can be billed, as for a real request.
                .Where(a => a.Cost is not null || total.Classes.All(ResourceClasses.IsStandard))
                .OrderByDescending(a => a.Facility.StateCode == workload.AgencyStateCode)
                .ThenBy(a => a.Cost ?? long.MaxValue)
                .ThenBy(a => a.Facility.Code, StringComparer.Ordinal)
                .ToList();
            if (allowed.Count == 0)
            {
                var reason = judged.Any(j => j.Verdict.Allowed)
                    ? ("aucun centre autorisé n'a de prix en vigueur pour ses GPU.", "no allowed facility has a price in force for its GPUs.")
                    : Residency.NoFacilityAllowed(workload.Classification, workload.AgencyStateCode, inputs.Facilities.ToList());
                var key = (workload.AgencyStateCode, workload.Classification);
                var group = blocked.TryGetValue(key, out var known) ? known : (Count: 0, Total: ResourceVector.Zero, Reason: reason);
                blocked[key] = (group.Count + 1, group.Total.Add(total), group.Reason);
                plans.Add(new WorkloadPlan(workload, null, null, null, reason.Item1, reason.Item2));
                continue;
            }

            var fitting = allowed
                .SelectMany(a => poolsByFacility[a.Facility.FacilityId].Select(pool => (a.Facility, a.AgreementId, a.Cost, Pool: pool,
                    Room: a.AgreementId is { } agreement && sliceRoom.TryGetValue(agreement, out var slice) ? Min(poolRoom[pool.PoolId], slice)
                        : a.AgreementId is null ? poolRoom[pool.PoolId] : ResourceVector.Zero)))
                .Where(c => Fits(total, c.Room))
                .OrderByDescending(c => c.Facility.StateCode == workload.AgencyStateCode)
                .ThenBy(c => c.Cost ?? long.MaxValue)
                .ThenBy(c => HoldsOtherAccelerators(c.Room, total))
                .ThenByDescending(c => VmsThatFit(c.Room, total))
                .ThenBy(c => c.Facility.Code, StringComparer.Ordinal)
                .ThenBy(c => c.Pool.PoolName, StringComparer.Ordinal)
                .FirstOrDefault();
            if (fitting.Facility is null)
            {
                var first = (allowed[0].Facility.FacilityId, allowed[0].AgreementId);
                demandByFacility[first] = demandByFacility.GetValueOrDefault(first, ResourceVector.Zero).Add(total);
                plans.Add(new WorkloadPlan(workload, null, null, null, NoRoom.Fr, NoRoom.En));
                continue;
            }
            poolRoom[fitting.Pool.PoolId] = Subtract(poolRoom[fitting.Pool.PoolId], total);
            if (fitting.AgreementId is { } used)
            {
                sliceRoom[used] = Subtract(sliceRoom[used], total);
            }
            quotaUsed[workload.AgencyId] = quotaUsed.GetValueOrDefault(workload.AgencyId, ResourceVector.Zero).Add(total);
            plans.Add(new WorkloadPlan(workload, fitting.Facility, fitting.Pool.PoolId, fitting.Cost,
                $"irait dans {fitting.Facility.Code} (réserve {fitting.Pool.PoolName}).", $"would go to {fitting.Facility.Code} (pool {fitting.Pool.PoolName})."));
        }

        var facilities = inputs.Facilities.ToDictionary(f => f.FacilityId);
        var gaps = demandByFacility
            .SelectMany(d => d.Value.NonZero().Select(need =>
            {
                var left = poolsByFacility[d.Key.Facility].Sum(p => poolRoom[p.PoolId][need.Class]);
                // A guest has only its slice of the facility.
                if (d.Key.Agreement is { } agreement)
                {
                    left = Math.Min(left, sliceRoom.GetValueOrDefault(agreement, ResourceVector.Zero)[need.Class]);
                }
                var facility = facilities[d.Key.Facility];
                return new CapacityGap(facility.StateCode, facility.Code, need.Class, Math.Max(0, need.Amount - left), need.Amount);
            }))
            .Concat(blocked.SelectMany(b => b.Value.Total.NonZero().Select(need =>
                new CapacityGap(b.Key.State, PlannedIn(b.Key.State).FirstOrDefault() ?? "", need.Class, need.Amount, need.Amount))))
            .GroupBy(g => (g.StateCode, g.FacilityCode, g.Class))
            .Select(g => new CapacityGap(g.Key.StateCode, g.Key.FacilityCode, g.Key.Class, g.Sum(x => x.Amount), g.Sum(x => x.Unplaced)))
            .OrderBy(g => g.StateCode, StringComparer.Ordinal).ThenBy(g => g.FacilityCode, StringComparer.Ordinal)
            .ThenBy(g => ResourceClasses.DisplayRank(g.Class)).ThenBy(g => g.Class, StringComparer.Ordinal)
            .ToList();
        var blockedGroups = blocked
            .OrderBy(b => b.Key.State, StringComparer.Ordinal).ThenBy(b => b.Key.Classification)
            .Select(b => new BlockedGroup(b.Key.State, b.Key.Classification, b.Value.Count, b.Value.Reason.Fr, b.Value.Reason.En, PlannedIn(b.Key.State)))
            .ToList();
        var shortfalls = quotaUsed
            .SelectMany(u => u.Value.Exceeding(inputs.QuotaHeadroom.GetValueOrDefault(u.Key, ResourceVector.Zero))
                .Select(e => new QuotaShortfall(u.Key, e.Class, e.Amount - e.Limit)))
            .OrderBy(s => s.AgencyId).ThenBy(s => ResourceClasses.DisplayRank(s.Class))
            .ToList();
        return new CampaignPlanOutcome(plans, gaps, blockedGroups, shortfalls);

        List<(KnownFacility Facility, ResidencyVerdict Verdict)> Judged(string state, Classification classification)
        {
            if (!verdicts.TryGetValue((state, classification), out var judged))
            {
                judged = [.. inputs.Facilities.Select(f => (f, Residency.Evaluate(classification, state, f, inputs.Agreements)))];
                verdicts[(state, classification)] = judged;
            }
            return judged;
        }

        IReadOnlyList<string> PlannedIn(string state) =>
            [.. inputs.Facilities.Where(f => f.StateCode == state && f.Status == "planned").Select(f => f.Code).Order(StringComparer.Ordinal)];
    }

    private static bool Fits(ResourceVector wanted, ResourceVector room) => wanted.NonZero().All(w => room[w.Class] >= w.Amount);

    private static long VmsThatFit(ResourceVector room, ResourceVector wanted) => wanted.NonZero().Min(w => room[w.Class] / w.Amount);

    private static bool HoldsOtherAccelerators(ResourceVector room, ResourceVector wanted) =>
        room.NonZero().Any(r => !ResourceClasses.IsStandard(r.Class) && wanted[r.Class] == 0);

    private static ResourceVector Min(ResourceVector a, ResourceVector b) =>
        ResourceVector.Of(a.Classes.Intersect(b.Classes).Select(c => (c, Math.Min(a[c], b[c]))));

    private static ResourceVector Subtract(ResourceVector room, ResourceVector taken) => room.Combine(taken, (left, used) => Math.Max(0, left - used));
}
