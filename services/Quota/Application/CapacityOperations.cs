using System.Globalization;
using System.Text.RegularExpressions;
using Aes.Contracts.Quota;
using Aes.Messaging.Persistence;

namespace Aes.Quota.Application;

/// <summary>Pools and their inventories, state default quotas, and quota-change requests.</summary>
public sealed partial class CapacityOperations(QuotaDbContext db, Access access, TimeProvider clock)
{
    public const long MaxAmount = 1_000_000_000;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex PoolNamePattern();

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<CapacityPool> CreatePoolAsync(Guid actor, Guid facilityId, string? name, CancellationToken cancellationToken)
    {
        var poolName = Validate.Code(name, "name", PoolNamePattern(), "general", upperCase: false);
        var facility = await db.Facilities.AsNoTracking().FirstOrDefaultAsync(f => f.FacilityId == facilityId, cancellationToken)
            ?? throw new NotFoundException("Facility", facilityId.ToString());
        await access.RequireOperatorAsync(actor, facility.StateCode, cancellationToken);
        if (facility.Status == "closed")
        {
            throw new RuleViolationException(new($"Le centre {facility.Code} est fermé.", $"Facility {facility.Code} is closed."));
        }
        if (await db.Pools.AnyAsync(p => p.FacilityId == facilityId && p.Name == poolName, cancellationToken))
        {
            throw new RuleViolationException(new(
                $"Le pool {poolName} existe déjà dans {facility.Code}.", $"Pool {poolName} already exists in {facility.Code}."));
        }
        var pool = new CapacityPool
        {
            Id = Guid.CreateVersion7(), FacilityId = facility.FacilityId, FacilityCode = facility.Code, StateCode = facility.StateCode,
            Name = poolName, CreatedAt = Now,
            Inventories = [.. Aes.Contracts.ResourceClasses.Standard.Select(c => new PoolInventory { Class = c.Code })],
        };
        db.Pools.Add(pool);
        await db.SaveOrExplainAsync("Pool", cancellationToken);
        return pool;
    }

    /// <summary>
    /// Sets one class of a pool's inventory; refused, with the figures, if it would fall below what is allocated.
    /// A pool has a row for each standard class from its creation, and one for another class of the catalogue
    /// (an accelerator) from the first time its inventory is set.
    /// </summary>
    public async Task<CapacityPool> SetInventoryAsync(Guid actor, Guid poolId, string resourceClass, long total, long reserved, string? ratioText,
        CancellationToken cancellationToken)
    {
        Validate.Amount(total, "total", MaxAmount);
        Validate.Amount(reserved, "reserved", MaxAmount);
        if (reserved > total)
        {
            throw new InvalidFieldException("reserved", new("ne peut dépasser le total.", "cannot exceed the total."));
        }
        var ratio = Ratio(ratioText);
        var pool = await db.Pools.FirstOrDefaultAsync(p => p.Id == poolId, cancellationToken)
            ?? throw new InvalidFieldException("pool_id", new("pool inconnu.", "unknown pool."));
        await access.RequireOperatorAsync(actor, pool.StateCode, cancellationToken);
        var capacity = PoolInventory.CapacityOf(total, reserved, ratio);
        if (capacity < 0)
        {
            throw new InvalidFieldException("reserved", new(
                "la réserve dépasse la capacité allouable.", "the reserve exceeds the allocatable capacity."));
        }

        var now = Now;
        await RequireKnownClassAsync(resourceClass, "resource_class", cancellationToken);
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        // A class the pool did not have gets its row at 0 first. (A hold batch already waiting on this pool's rows
        // does not see the new one in its first locking pass and may lock it late: at worst PostgreSQL breaks the
        // deadlock and the batch is tried hold by hold, ADR 040; nothing is overcommitted.)
        await db.InsertIfAbsentAsync(new PoolInventory { PoolId = poolId, Class = resourceClass }, cancellationToken);
        // Conditional, like a claim: a concurrent hold cannot slip between the check and the change.
        var changed = await db.Inventories
            .Where(i => i.PoolId == poolId && i.Class == resourceClass && i.Used <= capacity)
            .ExecuteUpdateAsync(set => set
                .SetProperty(i => i.Total, total).SetProperty(i => i.Reserved, reserved)
                .SetProperty(i => i.AllocationRatio, ratio).SetProperty(i => i.Capacity, capacity), cancellationToken);
        var inventory = await db.Inventories.AsNoTracking().SingleAsync(i => i.PoolId == poolId && i.Class == resourceClass, cancellationToken);
        if (changed == 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw new RuleViolationException(new(
                $"{resourceClass} : la capacité deviendrait {capacity}, mais {inventory.Used} sont déjà alloués dans {pool.Name}.",
                $"{resourceClass}: capacity would become {capacity}, but {inventory.Used} are already allocated in {pool.Name}."));
        }
        db.AddToOutbox(new CapacityChanged(pool.Id, pool.FacilityId, pool.StateCode, resourceClass, total, reserved, ratio,
            capacity, inventory.Used, now), now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await db.Pools.AsNoTracking().Include(p => p.Inventories).SingleAsync(p => p.Id == poolId, cancellationToken);
    }

    /// <summary>
    /// Sets a state's default limits of the classes given; the others stay as they were (a class never given
    /// is 0: a GPU quota is nothing until a state grants one). Agencies without their own limit follow at once.
    /// </summary>
    public async Task<IReadOnlyList<StateQuotaDefault>> SetStateDefaultAsync(Guid actor, string stateCode, IReadOnlyDictionary<string, long> limits,
        CancellationToken cancellationToken)
    {
        foreach (var resourceClass in limits.Keys)
        {
            await RequireKnownClassAsync(resourceClass, "limits_by_class", cancellationToken);
        }
        await access.RequireOperatorAsync(actor, stateCode, cancellationToken);
        var now = Now;
        var changing = limits.Keys.Order(StringComparer.Ordinal).ToList();
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        // Under the state's key, which an agency being opened takes too: either it is among the agencies read here,
        // or it reads these defaults once they are committed. None is left without the class.
        await db.LockKeyAsync(StateDefaultsKey(stateCode), cancellationToken);
        var agencies = await db.Agencies.AsNoTracking().Where(a => a.StateCode == stateCode).Select(a => a.AgencyId).ToListAsync(cancellationToken);
        foreach (var resourceClass in changing.Where(c => !Aes.Contracts.ResourceClasses.IsStandard(c)))
        {
            foreach (var agencyId in agencies)
            {
                // An agency opened before the class was added has no row of it yet (at 0 first, as SetInventoryAsync says).
                await db.InsertIfAbsentAsync(new AgencyAllocation { AgencyId = agencyId, Class = resourceClass, StateCode = stateCode }, cancellationToken);
            }
        }
        if (db is QuotaPostgresDbContext)
        {
            // The state's allocation rows in the order every hold batch locks them (ADR 014): the updates
            // below would otherwise lock them class by class in physical order and could deadlock a batch.
            await db.Database.ExecuteSqlAsync(
                $"SELECT 1 FROM agency_allocations WHERE \"StateCode\" = {stateCode} ORDER BY \"AgencyId\", \"Class\" COLLATE \"C\" FOR UPDATE", cancellationToken);
        }
        foreach (var resourceClass in changing)
        {
            var limit = limits[resourceClass];
            var row = await db.StateDefaults.FirstOrDefaultAsync(d => d.StateCode == stateCode && d.Class == resourceClass, cancellationToken);
            if (row is null)
            {
                db.StateDefaults.Add(new StateQuotaDefault { StateCode = stateCode, Class = resourceClass, Limit = limit });
            }
            else
            {
                row.Limit = limit;
            }
            var followers = await db.AgencyAllocations
                .Where(a => a.StateCode == stateCode && a.Class == resourceClass && !a.Overridden && a.Limit != limit)
                .ToListAsync(cancellationToken);
            foreach (var allocation in followers)
            {
                RecordQuotaChange(allocation, limit, actor, null, now);
            }
            await db.AgencyAllocations
                .Where(a => a.StateCode == stateCode && a.Class == resourceClass && !a.Overridden)
                .ExecuteUpdateAsync(set => set.SetProperty(a => a.Limit, limit), cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await db.StateDefaults.AsNoTracking().Where(d => d.StateCode == stateCode).ToListAsync(cancellationToken)).InDisplayOrder(d => d.Class).ToList();
    }

    public async Task<QuotaChangeRequest> RequestQuotaChangeAsync(Guid actor, Guid agencyId, string resourceClass, long requestedLimit,
        string? justification, CancellationToken cancellationToken)
    {
        Validate.Amount(requestedLimit, "requested_limit", MaxAmount);
        var reason = Validate.Name(justification, "justification", 2000);
        var agency = await db.Agencies.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == agencyId, cancellationToken)
            ?? throw new NotFoundException("Agency", agencyId.ToString());
        await access.RequireAgencyAdministratorAsync(actor, agencyId, cancellationToken);
        await RequireKnownClassAsync(resourceClass, "resource_class", cancellationToken);
        var allocation = await db.AgencyAllocations.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == agencyId && a.Class == resourceClass, cancellationToken)
            ?? new AgencyAllocation { AgencyId = agencyId, Class = resourceClass, StateCode = agency.StateCode };
        if (allocation.Limit == requestedLimit)
        {
            throw new InvalidFieldException("requested_limit", new(
                $"la limite est déjà de {requestedLimit}.", $"the limit already is {requestedLimit}."));
        }
        var request = new QuotaChangeRequest
        {
            Id = Guid.CreateVersion7(), AgencyId = agencyId, StateCode = agency.StateCode, Class = resourceClass,
            CurrentLimit = allocation.Limit, RequestedLimit = requestedLimit, Justification = reason, RequestedBy = actor, RequestedAt = Now,
        };
        db.QuotaChangeRequests.Add(request);
        db.AddToOutbox(new QuotaChangeRequested(request.Id, agencyId, agency.StateCode, resourceClass, allocation.Limit, requestedLimit, request.RequestedAt,
            actor), request.RequestedAt);
        await db.SaveChangesAsync(cancellationToken);
        return request;
    }

    /// <summary>The state operator approves (the new limit applies at once) or rejects with a reason.</summary>
    public async Task<QuotaChangeRequest> DecideQuotaChangeAsync(Guid actor, Guid requestId, bool approve, string? reasonText, CancellationToken cancellationToken)
    {
        var request = await db.QuotaChangeRequests.FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken)
            ?? throw new NotFoundException("QuotaChangeRequest", requestId.ToString());
        var reason = approve ? Validate.Optional(reasonText, "reason", 1000) : Validate.Name(reasonText, "reason", 1000);
        await access.RequireOperatorAsync(actor, request.StateCode, cancellationToken);
        if (request.Status != QuotaChangeStatus.Pending)
        {
            throw new RuleViolationException(new("Cette demande a déjà été tranchée.", "This request was already decided."));
        }

        var now = Now;
        request.Status = approve ? QuotaChangeStatus.Approved : QuotaChangeStatus.Rejected;
        request.DecidedBy = actor;
        request.DecidedAt = now;
        request.DecisionReason = reason.Length == 0 ? null : reason;
        request.Version++;
        if (approve)
        {
            await db.InsertIfAbsentAsync(new AgencyAllocation { AgencyId = request.AgencyId, Class = request.Class, StateCode = request.StateCode }, cancellationToken);
            var allocation = await db.AgencyAllocations.SingleAsync(a => a.AgencyId == request.AgencyId && a.Class == request.Class, cancellationToken);
            RecordQuotaChange(allocation, request.RequestedLimit, actor, request.Id, now);
            allocation.Limit = request.RequestedLimit;
            allocation.Overridden = true;
        }
        db.AddToOutbox(new QuotaChangeDecided(request.Id, request.AgencyId, approve, request.DecisionReason, now, request.RequestedBy, request.Class,
            request.RequestedLimit), now);
        await db.SaveOrExplainAsync("QuotaChangeRequest", cancellationToken);
        return request;
    }

    /// <summary>Creates an agency's allocation rows at its state's default limits.</summary>
    public async Task OpenAgencyAsync(Guid agencyId, string stateCode, CancellationToken cancellationToken)
    {
        if (!await db.InsertIfAbsentAsync(new KnownAgency { AgencyId = agencyId, StateCode = stateCode }, cancellationToken))
        {
            return;
        }
        // After the agency is recorded, under the state's key: a change of the defaults either saw it or is seen here.
        await db.LockKeyAsync(StateDefaultsKey(stateCode), cancellationToken);
        var defaults = await db.StateDefaults.AsNoTracking().Where(d => d.StateCode == stateCode).ToDictionaryAsync(d => d.Class, d => d.Limit, cancellationToken);
        foreach (var resourceClass in Aes.Contracts.ResourceClasses.Standard.Select(c => c.Code).Union(defaults.Keys))
        {
            db.AgencyAllocations.Add(new AgencyAllocation
            {
                AgencyId = agencyId, Class = resourceClass, StateCode = stateCode, Limit = defaults.GetValueOrDefault(resourceClass),
            });
        }
    }

    private void RecordQuotaChange(AgencyAllocation allocation, long newLimit, Guid? actor, Guid? requestId, DateTime now)
    {
        db.QuotaHistory.Add(new QuotaHistoryEntry
        {
            AgencyId = allocation.AgencyId, Class = allocation.Class, OldLimit = allocation.Limit, NewLimit = newLimit,
            ChangedBy = actor, ChangeRequestId = requestId, ChangedAt = now,
        });
        db.AddToOutbox(new QuotaChanged(allocation.AgencyId, allocation.StateCode, allocation.Class, allocation.Limit, newLimit,
            actor, requestId, now), now);
    }

    private static string StateDefaultsKey(string stateCode) => "quota-state-defaults:" + stateCode;

    /// <summary>A class must be in the catalogue, as tenancy announced it, before quota counts it.</summary>
    private async Task RequireKnownClassAsync(string resourceClass, string field, CancellationToken cancellationToken)
    {
        if (!await db.ResourceClasses.AnyAsync(c => c.Code == resourceClass, cancellationToken))
        {
            throw new InvalidFieldException(field, new(
                $"classe de ressource inconnue : {resourceClass}.", $"unknown resource class: {resourceClass}."));
        }
    }

    internal static decimal Ratio(string? text)
    {
        if (!decimal.TryParse(text?.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var ratio)
            || ratio < 0.1m || ratio > 100m || decimal.Round(ratio, 3) != ratio)
        {
            throw new InvalidFieldException("allocation_ratio", new(
                "doit être un nombre entre 0.1 et 100, au plus trois décimales (exemple : 4.0).",
                "must be a number between 0.1 and 100 with at most three decimals (example: 4.0)."));
        }
        return ratio;
    }
}
