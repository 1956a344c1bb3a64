using Aes.ServiceDefaults;

namespace Aes.Messaging;

/// <summary>
/// Relays committed outbox messages to the bus, oldest first, and marks them dispatched.
/// Delivery is at least once: a crash between publish and mark sends a message again, which the
/// consumers' inbox absorbs. On PostgreSQL an advisory lock lets one replica relay at a time, so the
/// order of events holds however many replicas run.
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
        var batch = await db.OutboxMessages.Where(m => m.DispatchedAt == null).OrderBy(m => m.Sequence).Take(BatchSize)
            .ToListAsync(cancellationToken);
        var dispatched = new List<long>(batch.Count);
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
                    // Keep order: stop at the first message that cannot go, and record why.
                    message.MarkFailed(exception.Message);
                    throw new OutboxRelayException(message.MessageId, exception);
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
            if (db.ChangeTracker.HasChanges())
            {
                await db.SaveChangesAsync(CancellationToken.None);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service}: relayed {Count} outbox messages")]
    private partial void LogRelayed(string service, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: outbox relay failed, next try in {DelayMs} ms")]
    private partial void LogRelayFailed(Exception exception, string service, double delayMs);
}

public sealed class OutboxRelayException(Guid messageId, Exception inner)
    : Exception($"Outbox message {messageId} could not be published: {inner.Message}", inner);
