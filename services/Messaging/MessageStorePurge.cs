namespace Aes.Messaging;

/// <summary>
/// Keeps the outbox and the inbox bounded: every <c>Messaging:PurgeInterval</c> (1 h) it deletes the outbox's sent events older
/// than <c>Messaging:OutboxRetention</c> (7 days; unsent and parked ones stay, whatever their age) and the inbox's records older
/// than <c>Messaging:InboxRetention</c> (30 days: far beyond any redelivery, the relay's and the consumers' retries, so a copy
/// can no longer arrive to find its record gone), <see cref="BatchSize"/> rows per statement so no purge holds locks long.
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
                var (outbox, inbox) = await PurgeAsync(stoppingToken);
                if (outbox + inbox > 0)
                {
                    LogPurged(settings.ServiceName, outbox, inbox);
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

    /// <summary>Deletes what is past its retention now; returns how many outbox and inbox rows went.</summary>
    public async Task<(long Outbox, long Inbox)> PurgeAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (sentBefore, processedBefore) = (now - settings.OutboxRetention, now - settings.InboxRetention);
        long outbox = 0, inbox = 0;
        int deleted;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var batch = db.OutboxMessages.Where(m => m.DispatchedAt != null && m.DispatchedAt < sentBefore).OrderBy(m => m.Sequence).Take(BatchSize)
                .Select(m => m.Sequence);
            deleted = await db.OutboxMessages.Where(m => batch.Contains(m.Sequence)).ExecuteDeleteAsync(cancellationToken);
            outbox += deleted;
        }
        while (deleted >= BatchSize);
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var batch = db.InboxMessages.Where(m => m.ProcessedAt < processedBefore).OrderBy(m => m.ProcessedAt).Take(BatchSize).Select(m => m.MessageId);
            deleted = await db.InboxMessages.Where(m => m.ProcessedAt < processedBefore && batch.Contains(m.MessageId)).ExecuteDeleteAsync(cancellationToken);
            inbox += deleted;
        }
        while (deleted >= BatchSize);
        return (outbox, inbox);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service}: purged {Outbox} sent outbox events and {Inbox} inbox records past their retention")]
    private partial void LogPurged(string service, long outbox, long inbox);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: purging the outbox and inbox failed; tried again at the next interval")]
    private partial void LogPurgeFailed(Exception exception, string service);
}
