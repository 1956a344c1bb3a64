using System.Net.Sockets;
using Aes.Messaging.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Aes.Messaging.Tests;

/// <summary>Which consumer failures wait out a database outage, and for how long.</summary>
public sealed class TransientDatabaseFailureTests
{
    [Fact]
    public void A_database_out_of_reach_is_transient_wherever_it_is_wrapped()
    {
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));
        Assert.True(TransientDatabaseFailure.Is(refused));
        Assert.True(TransientDatabaseFailure.Is(new DbUpdateException("saving failed", refused)));
        Assert.True(TransientDatabaseFailure.Is(new InvalidOperationException("likely due to a transient failure", refused)));
        Assert.True(TransientDatabaseFailure.Is(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown)));
        Assert.True(TransientDatabaseFailure.Is(new PostgresException("the database system is starting up", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow)));
        Assert.True(TransientDatabaseFailure.Is(new PostgresException("cannot execute INSERT in a read-only transaction", "ERROR", "ERROR", PostgresErrorCodes.ReadOnlySqlTransaction)));
    }

    [Fact]
    public void A_failure_of_the_work_itself_is_not()
    {
        Assert.False(TransientDatabaseFailure.Is(new InvalidOperationException("settlement cannot be computed yet")));
        // A timeout elsewhere (a gRPC or HTTP call) is the ordinary retries' to handle, not a database outage.
        Assert.False(TransientDatabaseFailure.Is(new TimeoutException("quota did not answer")));
        Assert.False(TransientDatabaseFailure.Is(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.False(TransientDatabaseFailure.Is(new DbUpdateException("duplicate", new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation))));
        Assert.False(TransientDatabaseFailure.Is(new PostgresException("could not serialize", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure)));
    }

    [Theory]
    [InlineData("00:15:00")]
    [InlineData("00:03:00")]
    [InlineData("00:00:10")]
    public void The_outage_retries_last_at_least_as_long_as_configured_and_never_wait_more_than_30_s(string outage)
    {
        var settings = new MessagingSettings { OutageRetryFor = TimeSpan.Parse(outage, System.Globalization.CultureInfo.InvariantCulture) };
        var intervals = settings.OutageRetryIntervals;
        Assert.True(TimeSpan.FromTicks(intervals.Sum(i => i.Ticks)) >= settings.OutageRetryFor);
        Assert.All(intervals, interval => Assert.InRange(interval, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)));
    }
}
