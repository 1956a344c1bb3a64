namespace Aes.ServiceDefaults.Errors;

/// <summary>A database that cannot be reached or is restarting: worth trying again, not a fault.</summary>
public static class DatabaseOutage
{
    /// <summary>True when the error, or any error it wraps (EF Core wraps the driver's), is such an outage.</summary>
    public static bool Is(Exception exception)
    {
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is System.Data.Common.DbException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }
}
