using Microsoft.EntityFrameworkCore;

namespace Aes.Messaging.Audit;

public sealed record AuditRecord(string Actor, string ActorName, string OnBehalfOf, string Action, string Details, string Origin);

public sealed record AuditReport(bool Intact, long EntriesChecked, string HeadHash, IReadOnlyList<string> Problems, long VerifiedThrough, string VerifiedHash,
    bool Complete);

/// <summary>Appends to the service's audit chain and checks it.</summary>
public sealed class AuditTrail<TContext>(TContext db, TimeProvider clock) where TContext : ServiceDbContext
{
    /// <summary>
    /// Appends the record, in the caller's transaction when one is open (the entry then stands or falls with the change
    /// it records), else in a transaction of its own.
    /// </summary>
    public async Task<AuditEntry> AppendAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        var owned = db.Database.CurrentTransaction is null;
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        // Taking the head row's write lock first makes concurrent appends (other requests, other replicas) wait their turn.
        await db.AuditHeads.Where(h => h.Id == AuditHead.SingleId).ExecuteUpdateAsync(h => h.SetProperty(x => x.Position, x => x.Position), cancellationToken);
        var head = await db.AuditHeads.SingleAsync(h => h.Id == AuditHead.SingleId, cancellationToken);
        // To the microsecond, as PostgreSQL keeps it: the hash must survive the round trip.
        var now = clock.GetUtcNow().UtcDateTime;
        var occurredAt = new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
        var position = head.Position + 1;
        var entry = new AuditEntry
        {
            Position = position, OccurredAt = occurredAt, Actor = record.Actor, ActorName = record.ActorName, OnBehalfOf = record.OnBehalfOf,
            Action = record.Action, Details = record.Details, Origin = record.Origin, PreviousHash = head.Hash,
            Hash = AuditEntry.HashOf(position, occurredAt, record.Actor, record.ActorName, record.OnBehalfOf, record.Action, record.Details, record.Origin, head.Hash),
        };
        db.AuditEntries.Add(entry);
        head.Position = position;
        head.Hash = entry.Hash;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (owned)
        {
            db.ChangeTracker.Clear();
        }
        return entry;
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(long afterPosition, int limit, CancellationToken cancellationToken) =>
        await db.AuditEntries.AsNoTracking().Where(e => e.Position > afterPosition).OrderBy(e => e.Position).Take(limit).ToListAsync(cancellationToken);

    /// <summary>
    /// Follows the chain from the record after <paramref name="afterPosition"/>, whose hash the verifier saw as
    /// <paramref name="afterHash"/>, for at most <paramref name="limit"/> records; the head is checked once the chain's end is
    /// reached. The checkpoint's own record must still be the one verified: earlier records were verified then.
    /// </summary>
    public async Task<AuditReport> VerifyAsync(long afterPosition, string afterHash, int limit, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var previousHash = AuditHead.Genesis;
        if (afterPosition > 0)
        {
            var anchor = await db.AuditEntries.AsNoTracking().SingleOrDefaultAsync(e => e.Position == afterPosition, cancellationToken);
            if (anchor is null || anchor.Hash != afterHash || anchor.Hash != anchor.ExpectedHash())
            {
                problems.Add($"position {afterPosition}: no longer the record verified before (changed or removed since) / "
                    + "n'est plus l'entrée vérifiée auparavant (modifiée ou supprimée depuis)");
            }
            previousHash = afterHash;
        }
        // The head first, and the chain up to it: a record appended while this runs is for the next verification.
        var head = await db.AuditHeads.AsNoTracking().SingleAsync(h => h.Id == AuditHead.SingleId, cancellationToken);
        long expected = afterPosition + 1, checkedCount = 0;
        var records = db.AuditEntries.AsNoTracking().Where(e => e.Position > afterPosition && e.Position <= head.Position).OrderBy(e => e.Position).Take(limit);
        await foreach (var entry in records.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (entry.Position != expected)
            {
                problems.Add(entry.Position > expected
                    ? $"positions {expected}–{entry.Position - 1}: missing (removed) / manquantes (supprimées)"
                    : $"position {entry.Position}: out of order / hors séquence");
            }
            if (entry.PreviousHash != previousHash)
            {
                problems.Add($"position {entry.Position}: does not follow the entry before it / ne suit pas l'entrée précédente");
            }
            if (entry.Hash != entry.ExpectedHash())
            {
                problems.Add($"position {entry.Position}: content changed since it was written / contenu modifié après écriture");
            }
            previousHash = entry.Hash;
            expected = entry.Position + 1;
            checkedCount++;
        }
        var complete = checkedCount < limit;
        if (complete && (head.Position != expected - 1 || head.Hash != previousHash))
        {
            problems.Add($"head: says {head.Position} entries, the chain ends at {expected - 1} (the last entries were removed or the head edited) / "
                + $"la tête annonce {head.Position} entrées, la chaîne s'arrête à {expected - 1}");
        }
        if (complete)
        {
            // Records past the head read first are appends since, each committed with its head: one past the head as it is
            // now was inserted behind the chain's back.
            var lastBeyond = await db.AuditEntries.AsNoTracking().Where(e => e.Position > head.Position).MaxAsync(e => (long?)e.Position, cancellationToken);
            if (lastBeyond is { } last && last > (await db.AuditHeads.AsNoTracking().SingleAsync(h => h.Id == AuditHead.SingleId, cancellationToken)).Position)
            {
                problems.Add($"positions after {head.Position}: records past the head (inserted) / entrées au-delà de la tête (insérées)");
            }
        }
        return new AuditReport(problems.Count == 0, checkedCount, head.Hash, problems, expected - 1, previousHash, complete);
    }
}
