using Aes.ServiceDefaults.Errors;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Aes.Messaging.Persistence;

public static class DatabaseErrors
{
    /// <summary>
    /// Saves, turning what concurrency can cause into answers a caller understands: another change
    /// of the same row (Aborted, retry) or a duplicate that slipped past a check (FailedPrecondition).
    /// </summary>
    public static async Task SaveOrExplainAsync(this DbContext db, string entity, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrentChangeException(entity);
        }
        catch (DbUpdateException exception) when (IsUniqueViolation(exception))
        {
            throw new RuleViolationException(new($"{entity} : existe déjà.", $"{entity}: already exists."));
        }
    }

    /// <summary>A unique or primary-key violation, on PostgreSQL or SQLite; optionally only on <paramref name="table"/>.</summary>
    public static bool IsUniqueViolation(DbUpdateException exception, string? table = null) => exception.InnerException switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation && (table is null || postgres.TableName == table),
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && (table is null || sqlite.Message.Contains($"{table}.", StringComparison.Ordinal)),
        _ => false,
    };
}
