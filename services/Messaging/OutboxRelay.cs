using Aes.ServiceDefaults;

namespace Aes.Messaging;

/// <summary>
/// Relays committed outbox messages to the bus, oldest first, and marks them dispatched.
/// Delivery is at least once: a crash between publish and mark sends a message again, which the
/// consumers' inbox absorbs. On PostgreSQL an advisory lock lets one replica relay at a time, so the
/// order of events holds however many replicas run. A message the broker cannot take waits in its
/// place while the broker is away, however long; one the reachable broker refuses
/// <see cref="MessagingSettings.OutboxMaxRefusals"/> times is parked (not sent, logged, counted on the
/// <c>aes.outbox.parked</c> gauge, written to the audit trail) and those behind it go on.
/// </summary>
public sealed partial class OutboxRelay<TContext>(
    IServiceScopeFactory scopeFactory,
    IOutboxTransport transport,
    OutboxSignal signal,
    MessagingSettings settings,
    TimeProvider clock,
    ILogger<OutboxRelay<TContext>> logger) : BackgroundService where TContext : ServiceDbContext
{
    private const int BatchSize = 100;
    private DateTime _parkedCountDue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int relayed;
                do
                {
                    relayed = await RelayBatchAsync(stoppingToken);
                } while (relayed == BatchSize);
                failures = 0;
                if (await signal.WaitAsync(settings.OutboxPollInterval, stoppingToken) && settings.OutboxGatherDelay > TimeSpan.Zero)
                {
                    await Task.Delay(settings.OutboxGatherDelay, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, Math.Min(failures, 6))));
                LogRelayFailed(exception, settings.ServiceName, delay.TotalMilliseconds);
                try { await Task.Delay(delay, stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Relays one batch and returns how many messages it sent.</summary>
    public async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        if (!db.Database.IsNpgsql())
        {
            // SQLite has one writer: read and publish without holding its write lock, then mark.
            return await RelayAsync(db, cancellationToken);
        }

        // One relay at a time per service, whichever replica it runs in: order is kept across replicas.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var key = $"outbox:{settings.ServiceName}";
        var leader = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(hashtext({key})) AS \"Value\"").SingleAsync(cancellationToken);
        if (!leader)
        {
            return 0;
        }
        try
        {
            return await RelayAsync(db, cancellationToken);
        }
        finally
        {
            await transaction.CommitAsync(CancellationToken.None);
        }
    }

    private async Task<int> RelayAsync(TContext db, CancellationToken cancellationToken)
    {
        var batch = await db.OutboxMessages.Where(m => m.DispatchedAt == null && m.ParkedAt == null).OrderBy(m => m.Sequence).Take(BatchSize)
            .ToListAsync(cancellationToken);
        var dispatched = new List<long>(batch.Count);
        var parked = new List<OutboxMessage>();
        try
        {
            foreach (var message in batch)
            {
                object body;
                Type type;
                try
                {
                    (body, type) = message.Deserialize();
                }
                catch (Exception exception) when (exception is TypeLoadException or FileNotFoundException or System.Text.Json.JsonException or ArgumentException)
                {
                    // A row no build can read would block every event behind it: park it, kept with its error.
                    message.MarkUndeliverable(clock.GetUtcNow().UtcDateTime, exception.Message);
                    parked.Add(message);
                    LogUndeliverable(exception, settings.ServiceName, message.MessageId);
                    continue;
                }
                using var relayed = StartRelayActivity(message, type);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.PublishTimeout);
                try
                {
                    await transport.PublishAsync(body, type, message.MessageId, timeout.Token);
                }
                catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // A broker out of reach is waited for, however long. One that is reachable but does not take this message
                    // (a nack, which MassTransit retries until the publish timeout) refuses it.
                    if (!await transport.ReachableAsync(cancellationToken))
                    {
                        message.MarkFailed(exception.Message);
                        throw new OutboxRelayException(message.MessageId, exception);
                    }
                    message.MarkRefused(exception.Message);
                    if (message.Refusals < settings.OutboxMaxRefusals)
                    {
                        // Keep order while the refusal may pass: stop here and try again after a pause.
                        throw new OutboxRelayException(message.MessageId, exception);
                    }
                    message.Park(clock.GetUtcNow().UtcDateTime, $"refused {message.Refusals} times by the broker: {exception.Message}");
                    parked.Add(message);
                    LogRefusedAndParked(exception, settings.ServiceName, message.MessageId, message.Refusals);
                    continue;
                }
                dispatched.Add(message.Sequence);
            }
        }
        finally
        {
            // Whatever happened, what went out is marked, so a restart does not send it again: in one
            // statement for the batch, then the rare parked or failed rows the change tracker holds.
            if (dispatched.Count > 0)
            {
                var at = clock.GetUtcNow().UtcDateTime;
                await db.OutboxMessages.Where(m => dispatched.Contains(m.Sequence))
                    .ExecuteUpdateAsync(set => set.SetProperty(m => m.DispatchedAt, at), CancellationToken.None);
            }
            // A parked message is on the service's audit trail, in the same transaction as the park.
            var audit = new Audit.AuditTrail<TContext>(db, clock);
            foreach (var message in parked)
            {
                await audit.AppendAsync(new Audit.AuditRecord("outbox-relay", settings.ServiceName, "", "outbox.parked",
                    System.Text.Json.JsonSerializer.Serialize(new { message.MessageId, message.MessageType, message.Attempts, message.LastError }),
                    "outbox relay"), CancellationToken.None);
            }
            if (db.ChangeTracker.HasChanges())
            {
                await db.SaveChangesAsync(CancellationToken.None);
            }
            if (parked.Count > 0 || DateTime.UtcNow >= _parkedCountDue)
            {
                // Counted again now and then as well: an operator unparks by hand.
                OutboxMetrics.SetParked(settings.ServiceName, await db.OutboxMessages.CountAsync(m => m.ParkedAt != null, CancellationToken.None));
                _parkedCountDue = DateTime.UtcNow.AddMinutes(1);
            }
        }
        if (dispatched.Count > 0)
        {
            LogRelayed(settings.ServiceName, dispatched.Count);
        }
        return dispatched.Count;
    }

    /// <summary>
    /// The relay runs after the commit, outside the request that raised the event: it resumes that
    /// request's trace, so the bus message (and its consumers) carry it on.
    /// </summary>
    private static System.Diagnostics.Activity? StartRelayActivity(OutboxMessage message, Type type) =>
        message.TraceParent is { } parent && System.Diagnostics.ActivityContext.TryParse(parent, null, out var context)
            ? Telemetry.ActivitySource.StartActivity($"outbox relay {type.Name}", System.Diagnostics.ActivityKind.Internal, context)
            : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "{Service}: outbox message {MessageId} cannot be read and was parked")]
    private partial void LogUndeliverable(Exception exception, string service, Guid messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Service}: the broker refused outbox message {MessageId} {Refusals} times; it is parked, not sent, and the messages behind it go on")]
    private partial void LogRefusedAndParked(Exception exception, string service, Guid messageId, int refusals);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service}: relayed {Count} outbox messages")]
    private partial void LogRelayed(string service, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: outbox relay failed, next try in {DelayMs} ms")]
    private partial void LogRelayFailed(Exception exception, string service, double delayMs);
}

/// <summary>The <c>aes.outbox.parked</c> gauge: each service's parked outbox messages, as its relay last counted them.</summary>
internal static class OutboxMetrics
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Parked = new();

    static OutboxMetrics() => Telemetry.Meter.CreateObservableGauge("aes.outbox.parked",
        () => Parked.Select(entry => new System.Diagnostics.Metrics.Measurement<long>(entry.Value, new KeyValuePair<string, object?>("service", entry.Key))),
        "{message}", "Outbox messages parked: unreadable, or refused by the broker every time; not sent, waiting for an operator");

    public static void SetParked(string service, long count) => Parked[service] = count;
}

public sealed class OutboxRelayException(Guid messageId, Exception inner)
    : Exception($"Outbox message {messageId} could not be published: {inner.Message}", inner);
