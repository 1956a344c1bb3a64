using Aes.Messaging;
using Aes.Messaging.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aes.Messaging.Tests;

public sealed record ThingHappened(int Number);

public abstract class RelayDb(DbContextOptions options) : ServiceDbContext(options);
public sealed class RelayPostgresDb(DbContextOptions<RelayPostgresDb> options) : RelayDb(options);
public sealed class RelaySqliteDb(DbContextOptions<RelaySqliteDb> options) : RelayDb(options);

/// <summary>Records what the relay sends; can be told to fail from a given message on, with the broker reachable or not.</summary>
public sealed class RecordingTransport : IOutboxTransport
{
    public List<(object Message, Guid MessageId)> Sent { get; } = [];
    public int? FailAtNumber { get; set; }
    public bool Connected { get; set; } = true;

    public Task<bool> ReachableAsync(CancellationToken cancellationToken) => Task.FromResult(Connected);

    public Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken cancellationToken)
    {
        if (message is ThingHappened thing && thing.Number == FailAtNumber)
        {
            throw new InvalidOperationException("broker unreachable");
        }
        Sent.Add((message, messageId));
        return Task.CompletedTask;
    }
}

public sealed class OutboxRelayTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"relay-{Guid.NewGuid():N}.db");
    private readonly RecordingTransport _transport = new();
    private IHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:relay-db"] = $"Data Source={_file}" });
        builder.AddServiceDatabase<RelayDb, RelayPostgresDb, RelaySqliteDb>("relay-db");
        builder.Services.AddSingleton(new MessagingSettings { ServiceName = "relay-test", OutboxMaxRefusals = 3 });
        builder.Services.AddSingleton<IOutboxTransport>(_transport);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OutboxRelay<RelayDb>>();
        _host = builder.Build();
        await using var scope = _host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RelayDb>().Database.EnsureCreatedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
        await Task.CompletedTask;
    }

    private OutboxRelay<RelayDb> Relay => _host.Services.GetRequiredService<OutboxRelay<RelayDb>>();

    private async Task SaveAsync(params int[] numbers)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RelayDb>();
        foreach (var number in numbers)
        {
            db.AddToOutbox(new ThingHappened(number), DateTime.UtcNow);
        }
        await db.SaveChangesAsync();
    }

    private async Task<List<OutboxMessage>> OutboxAsync()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RelayDb>().OutboxMessages.AsNoTracking().OrderBy(m => m.Sequence).ToListAsync();
    }

    [Fact]
    public async Task Relays_committed_messages_in_order_with_their_outbox_id_as_message_id()
    {
        await SaveAsync(1, 2, 3);

        var sent = await Relay.RelayBatchAsync(CancellationToken.None);

        Assert.Equal(3, sent);
        Assert.Equal([1, 2, 3], _transport.Sent.Select(s => ((ThingHappened)s.Message).Number));
        var outbox = await OutboxAsync();
        Assert.Equal(outbox.Select(m => m.MessageId), _transport.Sent.Select(s => s.MessageId));
        Assert.All(outbox, m => Assert.NotNull(m.DispatchedAt));
    }

    [Fact]
    public async Task A_message_already_dispatched_is_not_sent_again()
    {
        await SaveAsync(1);
        await Relay.RelayBatchAsync(CancellationToken.None);

        var second = await Relay.RelayBatchAsync(CancellationToken.None);

        Assert.Equal(0, second);
        Assert.Single(_transport.Sent);
    }

    [Fact]
    public async Task A_failing_publish_stops_the_batch_keeps_order_and_records_the_error()
    {
        await SaveAsync(1, 2, 3);
        _transport.FailAtNumber = 2;

        await Assert.ThrowsAsync<OutboxRelayException>(() => Relay.RelayBatchAsync(CancellationToken.None));

        var outbox = await OutboxAsync();
        Assert.NotNull(outbox[0].DispatchedAt);
        Assert.Null(outbox[1].DispatchedAt);
        Assert.Equal(1, outbox[1].Attempts);
        Assert.Contains("broker unreachable", outbox[1].LastError);
        Assert.Null(outbox[2].DispatchedAt);

        _transport.FailAtNumber = null;
        await Relay.RelayBatchAsync(CancellationToken.None);
        Assert.Equal([1, 2, 3], _transport.Sent.Select(s => ((ThingHappened)s.Message).Number));
    }

    [Fact]
    public async Task An_event_rolled_back_with_its_transaction_is_never_sent()
    {
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RelayDb>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.AddToOutbox(new ThingHappened(9), DateTime.UtcNow);
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        Assert.Equal(0, await Relay.RelayBatchAsync(CancellationToken.None));
        Assert.Empty(_transport.Sent);
    }

    [Fact]
    public async Task Only_a_change_that_wrote_an_event_wakes_the_relay()
    {
        var signal = _host.Services.GetRequiredService<OutboxSignal>();
        await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None); // clear what set-up left

        await SaveAsync(1);
        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));

        await Relay.RelayBatchAsync(CancellationToken.None); // the relay's own marks
        Assert.False(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));

        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RelayDb>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.AddToOutbox(new ThingHappened(2), DateTime.UtcNow);
            await db.SaveChangesAsync();
            Assert.False(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None)); // not before the commit
            await transaction.CommitAsync();
        }
        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task A_row_that_no_build_can_read_is_parked_and_the_rest_goes_on()
    {
        await SaveAsync(1, 2);
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RelayDb>();
            await db.Database.ExecuteSqlRawAsync("UPDATE outbox_messages SET message_type = 'Gone.Type, Gone' WHERE sequence = 1");
        }

        Assert.Equal(1, await Relay.RelayBatchAsync(CancellationToken.None));

        var outbox = await OutboxAsync();
        Assert.StartsWith("undeliverable", outbox[0].LastError);
        Assert.NotNull(outbox[0].ParkedAt);
        Assert.Null(outbox[0].DispatchedAt);
        Assert.Equal([2], _transport.Sent.Select(s => ((ThingHappened)s.Message).Number));
    }

    [Fact]
    public async Task A_message_the_reachable_broker_refuses_is_retried_in_its_place_then_parked_and_audited_and_the_rest_goes_on()
    {
        await SaveAsync(1, 2, 3);
        _transport.FailAtNumber = 2;

        // Refused twice: the relay keeps order and stops at it, nothing behind it goes.
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await Assert.ThrowsAsync<OutboxRelayException>(() => Relay.RelayBatchAsync(CancellationToken.None));
        }
        Assert.Equal([1], _transport.Sent.Select(s => ((ThingHappened)s.Message).Number));

        // The third refusal parks it, and 3 goes.
        Assert.Equal(1, await Relay.RelayBatchAsync(CancellationToken.None));
        Assert.Equal([1, 3], _transport.Sent.Select(s => ((ThingHappened)s.Message).Number));
        var refused = (await OutboxAsync())[1];
        Assert.Equal((3, 3), (refused.Refusals, refused.Attempts));
        Assert.NotNull(refused.ParkedAt);
        Assert.Null(refused.DispatchedAt);
        Assert.Contains("broker unreachable", refused.LastError);
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var audit = await scope.ServiceProvider.GetRequiredService<RelayDb>().AuditEntries.AsNoTracking().SingleAsync();
            Assert.Equal(("outbox-relay", "outbox.parked"), (audit.Actor, audit.Action));
            Assert.Contains(refused.MessageId.ToString(), audit.Details);
        }

        // Parked, it is never sent again, until an operator puts it back in line.
        Assert.Equal(0, await Relay.RelayBatchAsync(CancellationToken.None));
        _transport.FailAtNumber = null;
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RelayDb>();
            (await db.OutboxMessages.SingleAsync(m => m.Sequence == refused.Sequence)).Unpark();
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, await Relay.RelayBatchAsync(CancellationToken.None));
        Assert.Equal([1, 3, 2], _transport.Sent.Select(s => ((ThingHappened)s.Message).Number));
    }

    [Fact]
    public async Task A_broker_out_of_reach_however_long_never_parks_a_message()
    {
        await SaveAsync(1, 2);
        (_transport.FailAtNumber, _transport.Connected) = (1, false);

        for (var attempt = 0; attempt < 10; attempt++)
        {
            await Assert.ThrowsAsync<OutboxRelayException>(() => Relay.RelayBatchAsync(CancellationToken.None));
        }

        var waiting = (await OutboxAsync())[0];
        Assert.Equal((10, 0), (waiting.Attempts, waiting.Refusals));
        Assert.Null(waiting.ParkedAt);
        Assert.Empty(_transport.Sent);
        (_transport.FailAtNumber, _transport.Connected) = (null, true);
        Assert.Equal(2, await Relay.RelayBatchAsync(CancellationToken.None));
        Assert.Equal([1, 2], _transport.Sent.Select(s => ((ThingHappened)s.Message).Number));
    }

    [Fact]
    public void An_outbox_message_round_trips_its_type_and_body()
    {
        var message = OutboxMessage.Create(new ThingHappened(42), DateTime.UtcNow);

        var (body, type) = message.Deserialize();

        Assert.Equal(typeof(ThingHappened), type);
        Assert.Equal(new ThingHappened(42), body);
        Assert.DoesNotContain("Version=", message.MessageType);
    }
}
