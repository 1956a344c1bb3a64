using System.Linq.Expressions;
using Aes.Messaging.Persistence;

namespace Aes.Billing.Data;

public static class InsertIfAbsent
{
    /// <summary>
    /// Saves <paramref name="row"/> unless a row matching <paramref name="exists"/> is there, also when a
    /// concurrent transaction creates it first (EF rolls back to its savepoint and the row is left out).
    /// Call it inside a transaction, before other changes: it saves.
    /// </summary>
    public static async Task AddIfAbsentAsync<TRow>(
        this BillingDbContext db, TRow row, Expression<Func<TRow, bool>> exists, string table, CancellationToken cancellationToken)
        where TRow : class
    {
        if (await db.Set<TRow>().AnyAsync(exists, cancellationToken))
        {
            return;
        }
        db.Set<TRow>().Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception, table))
        {
            db.Entry(row).State = EntityState.Detached;
        }
    }
}
