namespace Aes.Messaging;

/// <summary>
/// Relays committed outbox messages to the bus, oldest first, and marks them dispatched.
/// Delivery is at least once: a crash between publish and mark sends a message again, which the
/// consumers' inbox absorbs. On PostgreSQL rows are locked with SKIP LOCKED so replicas share the work.
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
                await signal.WaitAsync(settings.OutboxPollInterval, stoppingToken);
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
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var batch = db.Database.IsNpgsql()
            ? await db.OutboxMessages
                .FromSql($"SELECT * FROM outbox_messages WHERE dispatched_at IS NULL ORDER BY sequence LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(cancellationToken)
            : await db.OutboxMessages.Where(m => m.DispatchedAt == null).OrderBy(m => m.Sequence).Take(BatchSize)
                .ToListAsync(cancellationToken);

        var sent = 0;
        foreach (var message in batch)
        {
            try
            {
                var (body, type) = message.Deserialize();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.PublishTimeout);
                await transport.PublishAsync(body, type, message.MessageId, timeout.Token);
                message.MarkDispatched(clock.GetUtcNow().UtcDateTime);
                sent++;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Keep order: stop at the first message that cannot go, and record why.
                message.MarkFailed(exception.Message);
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
                throw new OutboxRelayException(message.MessageId, exception);
            }
        }

        if (batch.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        if (sent > 0)
        {
            LogRelayed(settings.ServiceName, sent);
        }
        return sent;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service}: relayed {Count} outbox messages")]
    private partial void LogRelayed(string service, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: outbox relay failed, next try in {DelayMs} ms")]
    private partial void LogRelayFailed(Exception exception, string service, double delayMs);
}

public sealed class OutboxRelayException(Guid messageId, Exception inner)
    : Exception($"Outbox message {messageId} could not be published: {inner.Message}", inner);
