using Aes.Quota.Application;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Aes.Contracts.Quota.V1;
using Aes.ServiceDefaults.Paging;

namespace Aes.Quota.Grpc;

public sealed class QuotaGrpcService(QuotaDbContext db, CapacityOperations capacity, ClaimService claims, UsageQueries usage, TimeProvider clock)
    : V1.QuotaService.QuotaServiceBase
{
    private const int MaxVmsPerRequest = 10_000;
    private static readonly TimeSpan MaxHoldDuration = TimeSpan.FromDays(30);

    public override async Task<V1.ListKnownFacilitiesResponse> ListKnownFacilities(V1.ListKnownFacilitiesRequest request, ServerCallContext context)
    {
        var query = db.Facilities.AsNoTracking();
        if (Validate.OptionalStateCode(request.StateCode, "state_code") is { } state)
        {
            query = query.Where(f => f.StateCode == state);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        if (!page.IsFirst)
        {
            var (code, id) = (page.Text(0), page.Guid(1)); // codes are unique in tenancy; quota's copy is keyed by id
            query = query.Where(f => string.Compare(f.Code, code) > 0 || (f.Code == code && f.FacilityId.CompareTo(id) > 0));
        }
        var (facilities, next) = page.Cut(await query.OrderBy(f => f.Code).ThenBy(f => f.FacilityId).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            f => [f.Code, f.FacilityId]);
        return new V1.ListKnownFacilitiesResponse
        {
            NextPageToken = next,
            Facilities = { facilities.Select(f => new V1.KnownFacility { FacilityId = f.FacilityId.ToString(), Code = f.Code, StateCode = f.StateCode, Status = f.Status }) },
        };
    }

    public override async Task<V1.Pool> CreatePool(V1.CreatePoolRequest request, ServerCallContext context) =>
        ToMessage(await capacity.CreatePoolAsync(Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.FacilityId, "facility_id"),
            request.Name, context.CancellationToken));

    public override async Task<V1.Pool> SetInventory(V1.SetInventoryRequest request, ServerCallContext context) =>
        ToMessage(await capacity.SetInventoryAsync(Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.PoolId, "pool_id"),
            ClassWire.ClassOf(request.ResourceClass, "resource_class"), request.Total, request.Reserved, request.AllocationRatio, context.CancellationToken));

    public override async Task<V1.Pool> GetPool(V1.GetPoolRequest request, ServerCallContext context)
    {
        var id = Validate.Id(request.Id, "id");
        return ToMessage(await db.Pools.AsNoTracking().Include(p => p.Inventories).FirstOrDefaultAsync(p => p.Id == id, context.CancellationToken)
            ?? throw new NotFoundException("Pool", request.Id));
    }

    public override async Task<V1.ListPoolsResponse> ListPools(V1.ListPoolsRequest request, ServerCallContext context)
    {
        var pools = db.Pools.AsNoTracking().Include(p => p.Inventories).AsQueryable();
        if (Validate.OptionalId(request.FacilityId, "facility_id") is { } facilityId)
        {
            pools = pools.Where(p => p.FacilityId == facilityId);
        }
        if (Validate.OptionalStateCode(request.StateCode, "state_code") is { } state)
        {
            pools = pools.Where(p => p.StateCode == state);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 3);
        if (!page.IsFirst)
        {
            var (afterFacility, afterName, afterId) = (page.Text(0), page.Text(1), page.Guid(2));
            pools = pools.Where(p => string.Compare(p.FacilityCode, afterFacility) > 0
                || (p.FacilityCode == afterFacility && (string.Compare(p.Name, afterName) > 0 || (p.Name == afterName && p.Id.CompareTo(afterId) > 0))));
        }
        var (list, next) = page.Cut(
            await pools.OrderBy(p => p.FacilityCode).ThenBy(p => p.Name).ThenBy(p => p.Id).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            p => [p.FacilityCode, p.Name, p.Id]);
        return new V1.ListPoolsResponse { Pools = { list.Select(ToMessage) }, NextPageToken = next };
    }

    public override async Task<V1.StateDefaultQuota> SetStateDefaultQuota(V1.SetStateDefaultQuotaRequest request, ServerCallContext context)
    {
        var state = Validate.StateCode(request.StateCode, "state_code");
        var limits = ClassWire.LimitsOf(request.LimitsByClass, "limits_by_class");
        var rows = await capacity.SetStateDefaultAsync(Validate.Id(request.ActorUserId, "actor_user_id"), state, limits, context.CancellationToken);
        var set = ResourceVector.Of(rows.Select(r => (r.Class, r.Limit)));
        return new V1.StateDefaultQuota { StateCode = state, LimitsByClass = { ClassWire.ByClass(set) } };
    }

    public override async Task<V1.AgencyQuota> GetAgencyQuota(V1.GetAgencyQuotaRequest request, ServerCallContext context)
    {
        var agencyId = Validate.Id(request.AgencyId, "agency_id");
        var rows = await db.AgencyAllocations.AsNoTracking().Where(a => a.AgencyId == agencyId).ToListAsync(context.CancellationToken);
        if (rows.Count == 0)
        {
            throw new NotFoundException("Agency", request.AgencyId);
        }
        // Every class of the catalogue has a line: one the agency was never granted is a quota of 0, which its
        // administrator can ask to raise.
        var known = await db.ResourceClasses.AsNoTracking().Select(c => c.Code).ToListAsync(context.CancellationToken);
        rows.AddRange(known.Except(rows.Select(r => r.Class)).Select(c => new AgencyAllocation { AgencyId = agencyId, Class = c, StateCode = rows[0].StateCode }));
        return new V1.AgencyQuota
        {
            AgencyId = request.AgencyId,
            StateCode = rows[0].StateCode,
            Lines =
            {
                rows.InDisplayOrder(a => a.Class).Select(a => new V1.QuotaLine
                {
                    ResourceClass = a.Class, Limit = a.Limit, Used = a.Used, Headroom = Math.Max(0, a.Limit - a.Used), Overridden = a.Overridden,
                }),
            },
        };
    }

    public override async Task<V1.QuotaChangeRequest> RequestQuotaChange(V1.RequestQuotaChangeRequest request, ServerCallContext context) =>
        ToMessage(await capacity.RequestQuotaChangeAsync(Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.AgencyId, "agency_id"),
            ClassWire.ClassOf(request.ResourceClass, "resource_class"), request.RequestedLimit, request.Justification, context.CancellationToken));

    public override async Task<V1.QuotaChangeRequest> DecideQuotaChange(V1.DecideQuotaChangeRequest request, ServerCallContext context) =>
        ToMessage(await capacity.DecideQuotaChangeAsync(Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.RequestId, "request_id"),
            request.Approve, request.Reason, context.CancellationToken));

    public override async Task<V1.ListQuotaChangeRequestsResponse> ListQuotaChangeRequests(V1.ListQuotaChangeRequestsRequest request, ServerCallContext context)
    {
        var requests = db.QuotaChangeRequests.AsNoTracking();
        if (Validate.OptionalId(request.AgencyId, "agency_id") is { } agencyId)
        {
            requests = requests.Where(r => r.AgencyId == agencyId);
        }
        if (Validate.OptionalStateCode(request.StateCode, "state_code") is { } state)
        {
            requests = requests.Where(r => r.StateCode == state);
        }
        if (request.Status != V1.QuotaChangeStatus.Unspecified)
        {
            if (!System.Enum.IsDefined(request.Status))
            {
                throw new InvalidFieldException("status", new("statut inconnu.", "unknown status."));
            }
            var status = (QuotaChangeStatus)(int)request.Status;
            requests = requests.Where(r => r.Status == status);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        if (!page.IsFirst)
        {
            var (requestedAt, id) = (page.Time(0), page.Guid(1));
            requests = requests.Where(r => r.RequestedAt > requestedAt || (r.RequestedAt == requestedAt && r.Id.CompareTo(id) > 0));
        }
        var (list, next) = page.Cut(await requests.OrderBy(r => r.RequestedAt).ThenBy(r => r.Id).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            r => [r.RequestedAt, r.Id]);
        return new V1.ListQuotaChangeRequestsResponse { Requests = { list.Select(ToMessage) }, NextPageToken = next };
    }

    public override async Task<V1.ListQuotaHistoryResponse> ListQuotaHistory(V1.ListQuotaHistoryRequest request, ServerCallContext context)
    {
        var agencyId = Validate.Id(request.AgencyId, "agency_id");
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 1);
        var query = db.QuotaHistory.AsNoTracking().Where(e => e.AgencyId == agencyId);
        if (!page.IsFirst)
        {
            var after = page.Long(0);
            query = query.Where(e => e.Id > after);
        }
        var (entries, next) = page.Cut(await query.OrderBy(e => e.Id).Take(page.Size + 1).ToListAsync(context.CancellationToken), e => [e.Id]);
        return new V1.ListQuotaHistoryResponse
        {
            NextPageToken = next,
            Entries =
            {
                entries.Select(e => new V1.QuotaHistoryEntry
                {
                    AgencyId = e.AgencyId.ToString(), ResourceClass = e.Class, OldLimit = e.OldLimit, NewLimit = e.NewLimit,
                    ChangedByUserId = e.ChangedBy?.ToString() ?? "", ChangeRequestId = e.ChangeRequestId?.ToString() ?? "",
                    ChangedAt = Timestamp.FromDateTime(e.ChangedAt),
                }),
            },
        };
    }

    public override async Task<V1.Claim> Hold(V1.HoldRequest request, ServerCallContext context)
    {
        var claimId = Validate.Id(request.ClaimId, "claim_id");
        var agencyId = Validate.Id(request.AgencyId, "agency_id");
        var poolId = Validate.Id(request.PoolId, "pool_id");
        var agreementId = Validate.OptionalId(request.AgreementId, "agreement_id");
        var amounts = await KnownAmountsAsync(ClassWire.AmountsOf(request.AmountsByClass, "amounts_by_class", allowZero: false), "amounts_by_class",
            context.CancellationToken);
        var expiresAt = Expiry(request.ExpiresAt);
        var reference = Validate.Optional(request.Reference, "reference", 200);
        var actingUser = Validate.OptionalId(request.ActorUserId, "actor_user_id");
        return ToMessage(await claims.HoldAsync(new HoldCommand(claimId, agencyId, poolId, agreementId, amounts, expiresAt, reference, actingUser), context.CancellationToken));
    }

    public override async Task<V1.Claim> Commit(V1.ClaimIdRequest request, ServerCallContext context) =>
        ToMessage(await claims.CommitAsync(Validate.Id(request.ClaimId, "claim_id"), context.CancellationToken));

    public override async Task<V1.Claim> Release(V1.ReleaseRequest request, ServerCallContext context) =>
        ToMessage(await claims.ReleaseAsync(Validate.Id(request.ClaimId, "claim_id"), Validate.Name(request.Reason, "reason", 500), context.CancellationToken));

    public override async Task<V1.Claim> Resize(V1.ResizeRequest request, ServerCallContext context)
    {
        var claimId = Validate.Id(request.ClaimId, "claim_id");
        var amounts = await KnownAmountsAsync(ClassWire.AmountsOf(request.AmountsByClass, "amounts_by_class", allowZero: false), "amounts_by_class",
            context.CancellationToken);
        return ToMessage(await claims.ResizeAsync(claimId, amounts, context.CancellationToken));
    }

    public override async Task<V1.Claim> GetClaim(V1.ClaimIdRequest request, ServerCallContext context) =>
        ToMessage(await claims.FindAsync(Validate.Id(request.ClaimId, "claim_id"), context.CancellationToken));

    public override async Task<V1.Usage> GetUsage(V1.GetUsageRequest request, ServerCallContext context)
    {
        var lines = request.Scope switch
        {
            V1.UsageScope.Agency => await usage.AgencyAsync(Validate.Id(request.Id, "id"), context.CancellationToken),
            V1.UsageScope.Pool => await PoolScopeAsync(Validate.Id(request.Id, "id")),
            V1.UsageScope.Facility => await FacilityScopeAsync(Validate.Id(request.Id, "id")),
            V1.UsageScope.State => await usage.PoolsAsync(StatePools(Validate.StateCode(request.Id, "id")), "State", request.Id, context.CancellationToken),
            V1.UsageScope.Agreement => await usage.AgreementAsync(Validate.Id(request.Id, "id"), context.CancellationToken),
            _ => throw new InvalidFieldException("scope", new("portée inconnue.", "unknown scope.")),
        };
        return new V1.Usage
        {
            Scope = request.Scope,
            Id = request.Id.Trim(),
            Lines = { lines.Select(l => new V1.UsageLine { ResourceClass = l.Class, Limit = l.Limit, Used = l.Used, Headroom = l.Headroom }) },
        };

        Task<IReadOnlyList<UsageLine>> PoolScopeAsync(Guid id) => usage.PoolsAsync(db.Pools.Where(p => p.Id == id), "Pool", request.Id, context.CancellationToken);
        Task<IReadOnlyList<UsageLine>> FacilityScopeAsync(Guid id) => usage.PoolsAsync(db.Pools.Where(p => p.FacilityId == id), "Facility", request.Id, context.CancellationToken);
        IQueryable<CapacityPool> StatePools(string state) => db.Pools.Where(p => p.StateCode == state);
    }

    public override async Task<V1.PlanningCapacity> GetPlanningCapacity(V1.GetPlanningCapacityRequest request, ServerCallContext context)
    {
        var agencyIds = request.AgencyIds.Select((id, index) => Validate.Id(id, $"agency_ids[{index}]")).ToList();
        var capacity = await usage.PlanningCapacityAsync(agencyIds, context.CancellationToken);
        return new V1.PlanningCapacity
        {
            Pools =
            {
                capacity.Pools.Select(p => new V1.PlanningPool
                {
                    PoolId = p.Pool.Id.ToString(), PoolName = p.Pool.Name, FacilityId = p.Pool.FacilityId.ToString(), FacilityCode = p.Pool.FacilityCode,
                    StateCode = p.Pool.StateCode, HeadroomByClass = { ClassWire.ByClass(p.Headroom) },
                }),
            },
            Slices =
            {
                capacity.Slices.Select(s => new V1.PlanningSlice
                {
                    AgreementId = s.AgreementId.ToString(), FacilityId = s.FacilityId.ToString(), GuestStateCode = s.GuestStateCode, HeadroomByClass = { ClassWire.ByClass(s.Headroom) },
                }),
            },
            Quotas = { capacity.Quotas.Select(q => new V1.PlanningQuota { AgencyId = q.AgencyId.ToString(), HeadroomByClass = { ClassWire.ByClass(q.Headroom) } }) },
        };
    }

    public override async Task<V1.ListCandidatesResponse> ListCandidates(V1.ListCandidatesRequest request, ServerCallContext context)
    {
        var agencyId = Validate.Id(request.AgencyId, "agency_id");
        var vm = await KnownAmountsAsync(ClassWire.AmountsOf(request.VmByClass, "vm_by_class", allowZero: false), "vm_by_class", context.CancellationToken);
        var count = Validate.Range(request.Count, "count", 1, MaxVmsPerRequest);
        foreach (var (resourceClass, amount) in vm.NonZero())
        {
            if (amount * count > CapacityOperations.MaxAmount)
            {
                var field = request.VmByClass.Count == 0 ? $"vm.{resourceClass}"
                    : $"vm_by_class[{request.VmByClass.ToList().FindIndex(a => a.ResourceClass.Trim() == resourceClass)}].amount";
                throw new InvalidFieldException(field, new(
                    $"{count} × {amount} dépasse {CapacityOperations.MaxAmount}.", $"{count} × {amount} exceeds {CapacityOperations.MaxAmount}."));
            }
        }
        var facilities = request.FacilityIds.Select((id, index) => Validate.Id(id, $"facility_ids[{index}]")).ToList();
        var limit = request.Limit == 0 ? 100 : Validate.Range(request.Limit, "limit", 1, 1000);
        var result = await usage.CandidatesAsync(agencyId, vm, count, facilities, limit, context.CancellationToken);
        return new V1.ListCandidatesResponse
        {
                        QuotaHeadroomByClass = { ClassWire.ByClass(result.QuotaHeadroom) },
            QuotaFits = result.QuotaFits,
            Candidates =
            {
                result.Candidates.Select(c => new V1.Candidate
                {
                    PoolId = c.Pool.Id.ToString(), PoolName = c.Pool.Name, FacilityId = c.Pool.FacilityId.ToString(), FacilityCode = c.Pool.FacilityCode,
                    StateCode = c.Pool.StateCode, AgreementId = c.AgreementId?.ToString() ?? "", HeadroomByClass = { ClassWire.ByClass(c.Headroom) }, VmsThatFit = c.VmsThatFit,
                }),
            },
        };
    }

    public override async Task<V1.AllocationHistory> GetAllocationHistory(V1.GetAllocationHistoryRequest request, ServerCallContext context)
    {
        var poolId = Validate.Id(request.PoolId, "pool_id");
        var until = Validate.OptionalInstant(request.Until, "until") ?? clock.GetUtcNow().UtcDateTime;
        var from = Validate.OptionalInstant(request.From, "from") ?? until.AddDays(-1);
        if (from >= until || until - from > TimeSpan.FromDays(366))
        {
            throw new InvalidFieldException("from", new("doit précéder « until », d'un an au plus.", "must come before 'until', by a year at most."));
        }
        var points = request.Points == 0 ? 24 : Validate.Range(request.Points, "points", 2, 500);
        var capacity = await usage.PoolsAsync(db.Pools.Where(p => p.Id == poolId), "Pool", request.PoolId, context.CancellationToken); // NotFound for no such pool
        var history = await usage.AllocationHistoryAsync(poolId, from, until, points, context.CancellationToken);
        var capacityByClass = ResourceVector.Of(capacity.Select(l => (l.Class, l.Limit)));
        return new V1.AllocationHistory
        {
            PoolId = poolId.ToString(),
                        CapacityByClass = { ClassWire.ByClass(capacityByClass) },
            Points =
            {
                history.Select(p => new V1.AllocationPoint
                {
                    At = Timestamp.FromDateTime(p.At), AllocatedByClass = { ClassWire.ByClass(p.Allocated) },
                }),
            },
        };
    }

    /// <summary>
    /// Amounts whose classes quota knows: the standard four always, another class once tenancy's catalogue announced it.
    /// Only a vector holding another class costs a read.
    /// </summary>
    private async Task<ResourceVector> KnownAmountsAsync(ResourceVector amounts, string field, CancellationToken cancellationToken)
    {
        var others = amounts.Classes.Where(c => !ResourceClasses.IsStandard(c)).ToList();
        if (others.Count > 0)
        {
            var known = await db.ResourceClasses.AsNoTracking().Where(c => others.Contains(c.Code)).Select(c => c.Code).ToListAsync(cancellationToken);
            if (others.Except(known).FirstOrDefault() is { } unknown)
            {
                throw new InvalidFieldException(field, new($"classe de ressource inconnue : {unknown}.", $"unknown resource class: {unknown}."));
            }
        }
        return amounts;
    }

    private DateTime Expiry(Timestamp? expiresAt) => Validate.FutureInstant(expiresAt, "expires_at", clock.GetUtcNow().UtcDateTime, MaxHoldDuration,
        "une réservation dure au plus 30 jours.", "a hold lasts at most 30 days.");

    private static V1.Pool ToMessage(CapacityPool pool) => new()
    {
        Id = pool.Id.ToString(),
        FacilityId = pool.FacilityId.ToString(),
        FacilityCode = pool.FacilityCode,
        StateCode = pool.StateCode,
        Name = pool.Name,
        Inventories =
        {
            pool.Inventories.InDisplayOrder(i => i.Class).Select(i => new V1.Inventory
            {
                ResourceClass = i.Class, Total = i.Total, Reserved = i.Reserved,
                AllocationRatio = i.AllocationRatio.ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture),
                Capacity = i.Capacity, Used = i.Used, Headroom = Math.Max(0, i.Capacity - i.Used),
            }),
        },
    };

    private static V1.QuotaChangeRequest ToMessage(QuotaChangeRequest request) => new()
    {
        Id = request.Id.ToString(), AgencyId = request.AgencyId.ToString(), ResourceClass = request.Class,
        CurrentLimit = request.CurrentLimit, RequestedLimit = request.RequestedLimit, Justification = request.Justification,
        RequestedByUserId = request.RequestedBy.ToString(), RequestedAt = Timestamp.FromDateTime(request.RequestedAt),
        Status = (V1.QuotaChangeStatus)(int)request.Status, DecidedByUserId = request.DecidedBy?.ToString() ?? "",
        DecisionReason = request.DecisionReason ?? "", DecidedAt = request.DecidedAt is { } at ? Timestamp.FromDateTime(at) : null,
    };

    private static V1.Claim ToMessage(Claim claim) => new()
    {
        ClaimId = claim.ClaimId.ToString(), AgencyId = claim.AgencyId.ToString(), PoolId = claim.PoolId.ToString(),
        FacilityId = claim.FacilityId.ToString(), AgreementId = claim.AgreementId?.ToString() ?? "", AmountsByClass = { ClassWire.ByClass(claim.Amounts) },
        Status = (V1.ClaimStatus)(int)claim.Status, ExpiresAt = Timestamp.FromDateTime(claim.ExpiresAt), Reference = claim.Reference,
        Reason = claim.Reason ?? "", CreatedAt = Timestamp.FromDateTime(claim.CreatedAt), UpdatedAt = Timestamp.FromDateTime(claim.UpdatedAt),
    };
}
