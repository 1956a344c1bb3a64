using Npgsql;

namespace Aes.Messaging.Persistence;

/// <summary>
/// A failure that says the database is out of reach, not that the work is wrong: a connection refused or broken,
/// the server shutting down or starting up, too many connections. Waiting is the cure; retrying at once is not.
/// (SQLite is a file beside the service: its busy and locked answers are the ordinary retries' to handle.)
/// </summary>
public static class TransientDatabaseFailure
{
    public static bool Is(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    // 08: connection exceptions; 57P01–57P03: shut down by the administrator, crashed, starting up;
                    // 53300: too many connections; 25006: a read-only transaction (still connected to a demoted primary).
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.ReadOnlySqlTransaction;
                case NpgsqlException npgsql:
                    // Npgsql's own word: a socket, I/O or timeout failure on the way to the server.
                    return npgsql.IsTransient;
            }
        }
        return false;
    }
}
