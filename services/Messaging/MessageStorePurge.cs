namespace Aes.Messaging;

/// <summary>
/// Keeps the outbox and the inbox bounded: every <c>Messaging:PurgeInterval</c> (1 h) it deletes the outbox's sent events older
/// than <c>Messaging:OutboxRetention</c> (7 days; unsent and parked ones stay, whatever their age) and the inbox's records older
/// than <c>Messaging:InboxRetention</c> (30 days: far beyond any redelivery, the relay's and the consumers' retries, so a copy
/// can no longer arrive to find its record gone) and the first answers kept for repeated writes older than
/// <c>Messaging:ReplayRetention</c> (24 h); <see cref="BatchSize"/> rows per statement so no purge holds locks long.
/// </summary>
public sealed partial class MessageStorePurge<TContext>(IServiceScopeFactory scopes, MessagingSettings settings, TimeProvider clock,
    ILogger<MessageStorePurge<TContext>> logger) : BackgroundService where TContext : ServiceDbContext
{
    public const int BatchSize = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(settings.PurgeInterval, clock, stoppingToken);
                var (outbox, inbox, replays) = await PurgeAsync(stoppingToken);
                if (outbox + inbox + replays > 0)
                {
                    LogPurged(settings.ServiceName, outbox, inbox, replays);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogPurgeFailed(exception, settings.ServiceName); // tried again at the next interval
            }
        }
    }

    /// <summary>Deletes what is past its retention now; returns how many outbox, inbox and replay rows went.</summary>
    public async Task<(long Outbox, long Inbox, long Replays)> PurgeAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (sentBefore, processedBefore, answeredBefore) = (now - settings.OutboxRetention, now - settings.InboxRetention, now - settings.ReplayRetention);
        var outbox = await InBatchesAsync(db =>
        {
            var batch = db.OutboxMessages.Where(m => m.DispatchedAt != null && m.DispatchedAt < sentBefore).OrderBy(m => m.Sequence).Take(BatchSize)
                .Select(m => m.Sequence);
            return db.OutboxMessages.Where(m => batch.Contains(m.Sequence)).ExecuteDeleteAsync(cancellationToken);
        });
        var inbox = await InBatchesAsync(db =>
        {
            var batch = db.InboxMessages.Where(m => m.ProcessedAt < processedBefore).OrderBy(m => m.ProcessedAt).Take(BatchSize).Select(m => m.MessageId);
            return db.InboxMessages.Where(m => m.ProcessedAt < processedBefore && batch.Contains(m.MessageId)).ExecuteDeleteAsync(cancellationToken);
        });
        // A handful of writes a day carry a key: one statement is short.
        await using var scope = scopes.CreateAsyncScope();
        var replays = await scope.ServiceProvider.GetRequiredService<TContext>().CallReplays.Where(r => r.CreatedAt < answeredBefore)
            .ExecuteDeleteAsync(cancellationToken);
        return (outbox, inbox, replays);
    }

    /// <summary>Runs one batch's delete after another, each in a context of its own, until a batch comes back short.</summary>
    private async Task<long> InBatchesAsync(Func<TContext, Task<int>> deleteBatch)
    {
        long total = 0;
        int deleted;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            deleted = await deleteBatch(scope.ServiceProvider.GetRequiredService<TContext>());
            total += deleted;
        }
        while (deleted >= BatchSize);
        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service}: purged {Outbox} sent outbox events, {Inbox} inbox records and {Replays} kept answers past their retention")]
    private partial void LogPurged(string service, long outbox, long inbox, long replays);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: purging the outbox and inbox failed; tried again at the next interval")]
    private partial void LogPurgeFailed(Exception exception, string service);
}
