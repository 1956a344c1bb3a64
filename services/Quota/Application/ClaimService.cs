using Aes.Contracts.Quota;

namespace Aes.Quota.Application;

public sealed record HoldCommand(Guid ClaimId, Guid AgencyId, Guid PoolId, Guid? AgreementId, ResourceVector Amounts, DateTime ExpiresAt, string Reference, Guid? ActingUserId = null);

/// <summary>
/// Decides every claim on capacity. A hold takes the agency's quota, the pool's capacity and, across a
/// border, the agreement's slice, each with one conditional UPDATE per class (used + n ≤ limit) inside
/// one transaction: all or nothing. Rows are always taken in the same order (agency, pool, slice; each
/// by class, in ordinal code order), so concurrent claims queue on hot rows but never deadlock; the database, not the
/// application, decides who got the last unit.
/// </summary>
public sealed partial class ClaimService(QuotaDbContext db, ClaimFacts facts, HoldBatcher batcher, OutboxSignal signal, TimeProvider clock, ILogger<ClaimService> logger)
{
    /// <summary>Now, to the microsecond PostgreSQL keeps, so a first answer and its retry read the same.</summary>
    private DateTime Now
    {
        get
        {
            var now = clock.GetUtcNow().UtcDateTime;
            return now.AddTicks(-(now.Ticks % 10));
        }
    }

    public Task<Claim> HoldAsync(HoldCommand command, CancellationToken cancellationToken) =>
        // A type test, not db.Database.IsNpgsql(): that would build the context's EF services on every hold.
        db is QuotaPostgresDbContext ? HoldOnPostgresAsync(command, cancellationToken) : HoldPortablyAsync(command, cancellationToken);

    /// <summary>The hold in EF Core statements, for SQLite (the embedded mode).</summary>
    private async Task<Claim> HoldPortablyAsync(HoldCommand command, CancellationToken cancellationToken)
    {
        if (await db.Claims.AsNoTracking().FirstOrDefaultAsync(c => c.ClaimId == command.ClaimId, cancellationToken) is { } first)
        {
            return FirstAnswer(first, command);
        }

        var agency = await db.Agencies.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == command.AgencyId, cancellationToken)
            ?? throw new NotFoundException("Agency", command.AgencyId.ToString());
        var found = await db.Pools.AsNoTracking().Where(p => p.Id == command.PoolId)
            .Select(p => new { Pool = p, FacilityStatus = db.Facilities.Where(f => f.FacilityId == p.FacilityId).Select(f => f.Status).FirstOrDefault() })
            .FirstOrDefaultAsync(cancellationToken)
            ?? throw new InvalidFieldException("pool_id", new("pool inconnu.", "unknown pool."));
        var pool = found.Pool;
        if (found.FacilityStatus != "open")
        {
            throw FacilityNotOpen(pool.FacilityCode);
        }
        await CheckAgreementAsync(command, agency, pool, cancellationToken);

        var now = Now;
        var claim = NewClaim(command, pool.FacilityId, now);

        CapacityExhaustedException? refusal;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            refusal = await TakeAsync(claim, agency, pool, cancellationToken);
            if (refusal is null)
            {
                db.Claims.Add(claim);
                db.AddToOutbox(new HoldPlaced(claim.ClaimId, claim.AgencyId, claim.PoolId, claim.FacilityId, claim.AgreementId,
                    claim.Amounts.ToList(), claim.ExpiresAt, claim.Reference, now, command.ActingUserId), now);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateException exception) when (Aes.Messaging.Persistence.DatabaseErrors.IsUniqueViolation(exception, "claims"))
                {
                    // A concurrent retry of the same id got there first: undo ours, answer with its.
                    await transaction.RollbackAsync(CancellationToken.None);
                    db.ChangeTracker.Clear();
                    return FirstAnswer(await db.Claims.AsNoTracking().FirstAsync(c => c.ClaimId == command.ClaimId, cancellationToken), command);
                }
                await transaction.CommitAsync(cancellationToken);
                return claim;
            }
            await transaction.RollbackAsync(CancellationToken.None);
        }

        db.ChangeTracker.Clear();
        if (!await RecordRefusalAsync(claim, refusal, cancellationToken))
        {
            return FirstAnswer(await db.Claims.AsNoTracking().FirstAsync(c => c.ClaimId == command.ClaimId, cancellationToken), command);
        }
        throw refusal;
    }

    public async Task<Claim> CommitAsync(Guid claimId, CancellationToken cancellationToken)
    {
        var claim = await FindAsync(claimId, cancellationToken);
        if (claim.Status == ClaimStatus.Committed)
        {
            return claim;
        }
        if (claim.Status == ClaimStatus.Held && claim.ExpiresAt <= Now)
        {
            await EndAsync(claim, ClaimStatus.Expired, "expired", cancellationToken);
            claim = await FindAsync(claimId, cancellationToken);
        }
        if (claim.Status != ClaimStatus.Held)
        {
            throw new RuleViolationException(new(
                $"La réservation {claimId} ne peut être confirmée : elle est {StatusFr(claim.Status)}.",
                $"Hold {claimId} cannot be committed: it is {claim.Status.ToString().ToLowerInvariant()}."));
        }

        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await db.Claims
            .Where(c => c.ClaimId == claimId && c.Status == ClaimStatus.Held && c.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.Status, ClaimStatus.Committed).SetProperty(c => c.UpdatedAt, now), cancellationToken);
        if (changed == 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return await CommitAsync(claimId, cancellationToken); // somebody else moved it first: answer from its new state
        }
        db.AddToOutbox(new HoldCommitted(claimId, claim.AgencyId, claim.PoolId, now), now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await FindAsync(claimId, cancellationToken);
    }

    public async Task<Claim> ReleaseAsync(Guid claimId, string reason, CancellationToken cancellationToken)
    {
        var claim = await FindAsync(claimId, cancellationToken);
        if (claim.Status == ClaimStatus.Refused)
        {
            throw new RuleViolationException(new(
                $"La demande {claimId} a été refusée : il n'y a rien à libérer.", $"Claim {claimId} was refused: there is nothing to release."));
        }
        await EndAsync(claim, ClaimStatus.Released, reason, cancellationToken);
        return await FindAsync(claimId, cancellationToken);
    }

    /// <summary>
    /// Changes a held or committed claim to <paramref name="target"/>: each class that grows is taken with
    /// the same conditional UPDATEs as a hold (agency, pool, slice; by class), each that shrinks is given
    /// back, all in one transaction. The claim row is locked first, so two resizes of one claim queue.
    /// </summary>
    public async Task<Claim> ResizeAsync(Guid claimId, ResourceVector target, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var live = await db.Claims.Where(c => c.ClaimId == claimId && (c.Status == ClaimStatus.Held || c.Status == ClaimStatus.Committed))
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.UpdatedAt, now), cancellationToken);
        var claim = await FindAsync(claimId, cancellationToken);
        if (live == 0)
        {
            throw new RuleViolationException(new(
                $"La demande {claimId} est {StatusFr(claim.Status)} : elle ne peut changer de taille.",
                $"Claim {claimId} is {claim.Status.ToString().ToLowerInvariant()}: it cannot be resized."));
        }
        if (claim.Amounts == target)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return claim;
        }
        var pool = await db.Pools.AsNoTracking().SingleAsync(p => p.Id == claim.PoolId, cancellationToken);
        var growth = new Claim
        {
            ClaimId = claimId, AgencyId = claim.AgencyId, PoolId = claim.PoolId, FacilityId = claim.FacilityId, AgreementId = claim.AgreementId,
            Amounts = target.Combine(claim.Amounts, (wanted, held) => Math.Max(0, wanted - held)),
        };
        if (await ApplyDeltasAsync(claim, target, growth, pool, cancellationToken) is { } refusal)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw refusal;
        }
        await db.Claims.Where(c => c.ClaimId == claimId).ExecuteUpdateAsync(set => set.SetProperty(c => c.Amounts, target), cancellationToken);
        db.AddToOutbox(new ClaimResized(claimId, claim.AgencyId, claim.PoolId, claim.FacilityId, claim.AgreementId, claim.Amounts.ToList(),
            target.ToList(), now), now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await FindAsync(claimId, cancellationToken);
    }

    /// <summary>Releases the holds whose expiry has passed; returns how many it expired.</summary>
    public async Task<int> ExpireDueHoldsAsync(int batchSize, CancellationToken cancellationToken)
    {
        var now = Now;
        var due = await db.Claims.AsNoTracking()
            .Where(c => c.Status == ClaimStatus.Held && c.ExpiresAt <= now)
            .OrderBy(c => c.ExpiresAt).Take(batchSize)
            .ToListAsync(cancellationToken);
        var expired = 0;
        foreach (var claim in due)
        {
            expired += await EndAsync(claim, ClaimStatus.Expired, "expired", cancellationToken) ? 1 : 0;
        }
        return expired;
    }

    public async Task<Claim> FindAsync(Guid claimId, CancellationToken cancellationToken) =>
        await db.Claims.AsNoTracking().FirstOrDefaultAsync(c => c.ClaimId == claimId, cancellationToken)
        ?? throw new NotFoundException("Claim", claimId.ToString());

    /// <summary>Moves a held or committed claim to released or expired and gives its amounts back; false if it had already ended.</summary>
    private async Task<bool> EndAsync(Claim claim, ClaimStatus end, string reason, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ending = db.Claims.Where(c => c.ClaimId == claim.ClaimId);
        ending = end == ClaimStatus.Expired
            ? ending.Where(c => c.Status == ClaimStatus.Held)
            : ending.Where(c => c.Status == ClaimStatus.Held || c.Status == ClaimStatus.Committed);
        var changed = await ending.ExecuteUpdateAsync(set => set
            .SetProperty(c => c.Status, end).SetProperty(c => c.Reason, reason).SetProperty(c => c.UpdatedAt, now), cancellationToken);
        if (changed == 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return false;
        }

        // Read again under the row lock just taken: a resize may have changed the amounts since the caller read them.
        claim = await FindAsync(claim.ClaimId, cancellationToken);
        await GiveBackAsync(claim, claim.Amounts, cancellationToken);

        object ended = end == ClaimStatus.Expired
            ? new HoldExpired(claim.ClaimId, claim.AgencyId, claim.PoolId, claim.FacilityId, claim.AgreementId, claim.Amounts.ToList(), now)
            : new HoldReleased(claim.ClaimId, claim.AgencyId, claim.PoolId, claim.FacilityId, claim.AgreementId, claim.Amounts.ToList(), reason, now);
        db.AddToOutbox(ended, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogEnded(claim.ClaimId, end);
        return true;
    }

    /// <summary>
    /// Moves each row from the claim's amounts to <paramref name="target"/> in one ordered pass (agency,
    /// pool, slice; by class), growth conditional, shrinkage plain: the same row order as a hold, so a
    /// resize and a hold never lock rows in opposite orders.
    /// </summary>
    private async Task<CapacityExhaustedException?> ApplyDeltasAsync(Claim claim, ResourceVector target, Claim growth, CapacityPool pool, CancellationToken cancellationToken)
    {
        var deltas = target.Combine(claim.Amounts, (wanted, held) => wanted - held).NonZero().ToList();
        foreach (var (resourceClass, delta) in deltas)
        {
            var rows = db.AgencyAllocations.Where(a => a.AgencyId == claim.AgencyId && a.Class == resourceClass);
            if (await (delta > 0 ? rows.Where(a => a.Used + delta <= a.Limit) : rows).ExecuteUpdateAsync(set => set.SetProperty(a => a.Used, a => a.Used + delta), cancellationToken) == 0)
            {
                var all = await db.AgencyAllocations.AsNoTracking().Where(a => a.AgencyId == claim.AgencyId).ToListAsync(cancellationToken);
                return FirstShortfall(growth, all.Select(r => (r.Class, r.Limit, r.Used)), "le quota de l'organisme", "the agency's quota");
            }
        }
        foreach (var (resourceClass, delta) in deltas)
        {
            var rows = db.Inventories.Where(i => i.PoolId == claim.PoolId && i.Class == resourceClass);
            if (await (delta > 0 ? rows.Where(i => i.Used + delta <= i.Capacity) : rows).ExecuteUpdateAsync(set => set.SetProperty(i => i.Used, i => i.Used + delta), cancellationToken) == 0)
            {
                var all = await db.Inventories.AsNoTracking().Where(i => i.PoolId == claim.PoolId).ToListAsync(cancellationToken);
                return FirstShortfall(growth, all.Select(r => (r.Class, r.Capacity, r.Used)), $"le pool {pool.Name} de {pool.FacilityCode}", $"pool {pool.Name} of {pool.FacilityCode}");
            }
        }
        if (claim.AgreementId is { } agreementId)
        {
            foreach (var (resourceClass, delta) in deltas)
            {
                var rows = db.Slices.Where(x => x.AgreementId == agreementId && x.Class == resourceClass);
                if (await (delta > 0 ? rows.Where(x => x.Used + delta <= x.Limit) : rows).ExecuteUpdateAsync(set => set.SetProperty(x => x.Used, x => x.Used + delta), cancellationToken) == 0)
                {
                    var all = await db.Slices.AsNoTracking().Where(x => x.AgreementId == agreementId).ToListAsync(cancellationToken);
                    return FirstShortfall(growth, all.Select(r => (r.Class, r.Limit, r.Used)), "la part de l'accord", "the agreement's slice");
                }
            }
        }
        return null;
    }

    /// <summary>Gives <paramref name="amounts"/> of <paramref name="claim"/> back to the agency, the pool and the slice.</summary>
    private async Task GiveBackAsync(Claim claim, ResourceVector amounts, CancellationToken cancellationToken)
    {
        foreach (var (resourceClass, amount) in amounts.NonZero())
        {
            await db.AgencyAllocations.Where(a => a.AgencyId == claim.AgencyId && a.Class == resourceClass)
                .ExecuteUpdateAsync(set => set.SetProperty(a => a.Used, a => a.Used - amount), cancellationToken);
        }
        foreach (var (resourceClass, amount) in amounts.NonZero())
        {
            await db.Inventories.Where(i => i.PoolId == claim.PoolId && i.Class == resourceClass)
                .ExecuteUpdateAsync(set => set.SetProperty(i => i.Used, i => i.Used - amount), cancellationToken);
        }
        if (claim.AgreementId is { } agreementId)
        {
            foreach (var (resourceClass, amount) in amounts.NonZero())
            {
                await db.Slices.Where(s => s.AgreementId == agreementId && s.Class == resourceClass)
                    .ExecuteUpdateAsync(set => set.SetProperty(s => s.Used, s => s.Used - amount), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Takes every amount, or returns why one does not fit (the caller then rolls back). One conditional
    /// UPDATE per row, in class order: a single UPDATE over several rows would lock them in physical
    /// order, which changes as rows are rewritten, and two claims could then deadlock on the same rows.
    /// </summary>
    private async Task<CapacityExhaustedException?> TakeAsync(Claim claim, KnownAgency agency, CapacityPool pool, CancellationToken cancellationToken)
    {
        foreach (var (resourceClass, amount) in claim.Amounts.NonZero())
        {
            if (await db.AgencyAllocations
                    .Where(a => a.AgencyId == agency.AgencyId && a.Class == resourceClass && a.Used + amount <= a.Limit)
                    .ExecuteUpdateAsync(set => set.SetProperty(a => a.Used, a => a.Used + amount), cancellationToken) == 0)
            {
                var rows = await db.AgencyAllocations.AsNoTracking().Where(a => a.AgencyId == agency.AgencyId).ToListAsync(cancellationToken);
                return FirstShortfall(claim, rows.Select(r => (r.Class, r.Limit, r.Used)), "le quota de l'organisme", "the agency's quota");
            }
        }
        foreach (var (resourceClass, amount) in claim.Amounts.NonZero())
        {
            if (await db.Inventories
                    .Where(i => i.PoolId == pool.Id && i.Class == resourceClass && i.Used + amount <= i.Capacity)
                    .ExecuteUpdateAsync(set => set.SetProperty(i => i.Used, i => i.Used + amount), cancellationToken) == 0)
            {
                var rows = await db.Inventories.AsNoTracking().Where(i => i.PoolId == pool.Id).ToListAsync(cancellationToken);
                return FirstShortfall(claim, rows.Select(r => (r.Class, r.Capacity, r.Used)), $"le pool {pool.Name} de {pool.FacilityCode}", $"pool {pool.Name} of {pool.FacilityCode}");
            }
        }
        if (claim.AgreementId is { } agreementId)
        {
            foreach (var (resourceClass, amount) in claim.Amounts.NonZero())
            {
                if (await db.Slices
                        .Where(x => x.AgreementId == agreementId && x.Class == resourceClass && x.Used + amount <= x.Limit)
                        .ExecuteUpdateAsync(set => set.SetProperty(x => x.Used, x => x.Used + amount), cancellationToken) == 0)
                {
                    var rows = await db.Slices.AsNoTracking().Where(x => x.AgreementId == agreementId).ToListAsync(cancellationToken);
                    return FirstShortfall(claim, rows.Select(r => (r.Class, r.Limit, r.Used)), "la part de l'accord", "the agreement's slice");
                }
            }
        }
        return null;
    }

    /// <summary>The first class (in code order, as they were taken) that does not fit, read after the failed update.</summary>
    private static CapacityExhaustedException FirstShortfall(Claim claim, IEnumerable<(string Class, long Limit, long Used)> rows, string whereFr, string whereEn)
    {
        var byClass = rows.ToDictionary(r => r.Class, StringComparer.Ordinal);
        foreach (var (resourceClass, amount) in claim.Amounts.NonZero())
        {
            var (_, limit, used) = byClass.GetValueOrDefault(resourceClass);
            if (used + amount > limit)
            {
                return Exhausted(resourceClass, amount, limit, used, whereFr, whereEn);
            }
        }
        // The row that refused changed again before it was read; name the first class all the same.
        var first = claim.Amounts.NonZero().First();
        return Exhausted(first.Class, first.Amount, 0, 0, whereFr, whereEn);
    }

    private static CapacityExhaustedException Exhausted(string code, long requested, long limit, long used, string whereFr, string whereEn)
    {
        var available = Math.Max(0, limit - used);
        var shortfall = requested - available;
        return new CapacityExhaustedException(code, shortfall, new(
            $"{code} : {requested} demandés, {available} disponibles dans {whereFr} (manque {shortfall}).",
            $"{code}: {requested} requested, {available} available in {whereEn} (short by {shortfall})."));
    }

    private async Task CheckAgreementAsync(HoldCommand command, KnownAgency agency, CapacityPool pool, CancellationToken cancellationToken)
    {
        CheckBorder(command, agency.StateCode, pool.StateCode);
        if (command.AgreementId is not { } agreementId)
        {
            return;
        }
        var agreement = await db.Agreements.AsNoTracking().FirstOrDefaultAsync(a => a.AgreementId == agreementId, cancellationToken);
        if (agreement is null || !agreement.Active || agreement.FacilityId != pool.FacilityId || agreement.GuestStateCode != agency.StateCode)
        {
            throw NoActiveAgreement(agency.StateCode, pool.FacilityCode);
        }
    }

    /// <summary>An agreement is named exactly when the pool lies across the border from the agency.</summary>
    private static void CheckBorder(HoldCommand command, string agencyState, string poolState)
    {
        if (poolState == agencyState)
        {
            if (command.AgreementId is not null)
            {
                throw new InvalidFieldException("agreement_id", new(
                    "sans objet : le pool est dans l'État de l'organisme.", "not applicable: the pool is in the agency's own state."));
            }
        }
        else if (command.AgreementId is null)
        {
            throw new InvalidFieldException("agreement_id", new(
                $"obligatoire : le pool est au {poolState}, l'organisme au {agencyState}.",
                $"required: the pool is in {poolState}, the agency in {agencyState}."));
        }
    }

    private static RuleViolationException FacilityNotOpen(string facilityCode) => new(new(
        $"Le centre {facilityCode} n'est pas ouvert.", $"Facility {facilityCode} is not open."));

    private static RuleViolationException NoActiveAgreement(string agencyState, string facilityCode) => new(new(
        $"Aucun accord actif ne couvre {agencyState} dans {facilityCode} sous la référence donnée.",
        $"No active agreement covers {agencyState} in {facilityCode} under the given id."));

    /// <summary>Keeps the refusal as the claim's answer; false if a concurrent try of the same id answered first.</summary>
    private async Task<bool> RecordRefusalAsync(Claim attempted, CapacityExhaustedException refusal, CancellationToken cancellationToken)
    {
        var now = Now;
        attempted.Status = ClaimStatus.Refused;
        attempted.Reason = refusal.Bilingual.ToString();
        attempted.RefusedClass = refusal.ResourceClass;
        attempted.RefusedShortfall = refusal.Shortfall;
        attempted.UpdatedAt = now;
        db.Claims.Add(attempted);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException exception) when (Aes.Messaging.Persistence.DatabaseErrors.IsUniqueViolation(exception, "claims"))
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    private static Claim NewClaim(HoldCommand command, Guid facilityId, DateTime now) => new()
    {
        ClaimId = command.ClaimId, AgencyId = command.AgencyId, PoolId = command.PoolId, FacilityId = facilityId,
        AgreementId = command.AgreementId, Amounts = command.Amounts, Status = ClaimStatus.Held,
        ExpiresAt = command.ExpiresAt, Reference = command.Reference, CreatedAt = now, UpdatedAt = now,
    };

    /// <summary>A retry gets the first answer; the same id with another request is a caller's bug.</summary>
    private static Claim FirstAnswer(Claim first, HoldCommand command)
    {
        if (first.AgencyId != command.AgencyId || first.PoolId != command.PoolId || first.Amounts != command.Amounts
            || first.AgreementId != command.AgreementId)
        {
            throw new RuleViolationException(new(
                $"L'identifiant {command.ClaimId} a déjà servi pour une autre demande.",
                $"Claim id {command.ClaimId} was already used for another request."));
        }
        if (first.Status == ClaimStatus.Refused)
        {
            var parts = (first.Reason ?? RefusedWithoutWords(first)).Split(" / ", 2);
            throw new CapacityExhaustedException(first.RefusedClass ?? "", first.RefusedShortfall, new(parts[0], parts.Length > 1 ? parts[1] : parts[0]));
        }
        return first;
    }

    /// <summary>A refusal read in the instant before its words were saved (PostgreSQL path).</summary>
    private static string RefusedWithoutWords(Claim refused) =>
        $"{refused.RefusedClass} : manque {refused.RefusedShortfall}. / {refused.RefusedClass}: short by {refused.RefusedShortfall}.";

    internal static string StatusFr(ClaimStatus status) => status switch
    {
        ClaimStatus.Held => "réservée",
        ClaimStatus.Committed => "confirmée",
        ClaimStatus.Released => "libérée",
        ClaimStatus.Expired => "expirée",
        _ => "refusée",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Claim {ClaimId} ended as {Status}")]
    private partial void LogEnded(Guid claimId, ClaimStatus status);
}
