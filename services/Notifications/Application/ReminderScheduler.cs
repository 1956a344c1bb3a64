namespace Aes.Notifications.Application;

/// <summary>
/// Sends the reminders that have fallen due (holds about to lapse, agreements about to end) and the daily digests. Each is marked done in the
/// transaction that writes its deliveries, keyed by the reminder's occurrence, so two replicas write them once.
/// </summary>
public sealed partial class ReminderScheduler(IServiceScopeFactory scopes, NotificationSettings settings, TimeProvider clock,
    ILogger<ReminderScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
                await using (var scope = scopes.CreateAsyncScope())
                {
                    await scope.ServiceProvider.GetRequiredService<Digests>().ComposeDueAsync(stoppingToken);
                }
                await Task.Delay(settings.ReminderInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception) when (TransientDatabaseFailure.Is(exception))
            {
                LogDatabaseUnreachable(logger, exception.Message);
            }
        }
    }

    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
        var due = await db.Reminders.AsNoTracking().Where(r => !r.Done && r.DueAt <= now).OrderBy(r => r.DueAt).Take(50).ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var reminder in due)
        {
            await using var inner = scope.ServiceProvider.CreateAsyncScope();
            var work = inner.ServiceProvider.GetRequiredService<NotificationsDbContext>();
            var notifier = inner.ServiceProvider.GetRequiredService<Notifier>();
            await using var transaction = await work.Database.BeginTransactionAsync(cancellationToken);
            if (await work.Reminders.Where(r => r.Id == reminder.Id && r.Occurrence == reminder.Occurrence && !r.Done)
                    .ExecuteUpdateAsync(r => r.SetProperty(x => x.Done, true), cancellationToken) == 0)
            {
                continue; // cancelled, moved, or taken by another replica meanwhile
            }
            await TellAsync(work, notifier, inner.ServiceProvider.GetRequiredService<WebhookPublisher>(), reminder, cancellationToken);
            await work.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            sent++;
        }
        return sent;
    }

    private async Task TellAsync(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, Reminder reminder, CancellationToken cancellationToken)
    {
        switch (reminder.Kind)
        {
            case ReminderKinds.HoldsExpiring:
                await notifier.TellAsync(reminder.Occurrence, reminder.Kind, await notifier.OperatorsOfAsync(reminder.StateCode ?? "", cancellationToken),
                    "request", reminder.ObjectId, reminder.DueAt,
                    language => MarketplaceMessages.HoldsExpiring(language, reminder.ObjectId, reminder.At, settings.PortalUrl), cancellationToken);
                await webhooks.PublishAsync(reminder.Occurrence, reminder.Kind, reminder.DueAt, EventScope.OfState(reminder.StateCode ?? ""), "request",
                    reminder.ObjectId, $"/demandes/{reminder.ObjectId}", new Dictionary<string, object?>
                    {
                        ["reference"] = RequestMessages.Reference(reminder.ObjectId), ["approvingState"] = reminder.StateCode, ["holdsExpireAt"] = reminder.At,
                    }, cancellationToken);
                break;
            case ReminderKinds.AgreementEnding:
                if (await db.Agreements.AsNoTracking().FirstOrDefaultAsync(a => a.AgreementId == reminder.ObjectId, cancellationToken) is not { } agreement)
                {
                    return;
                }
                var host = await notifier.StateNamesAsync(agreement.HostStateCode, cancellationToken);
                var guest = await notifier.StateNamesAsync(agreement.GuestStateCode, cancellationToken);
                var operators = (await notifier.OperatorsOfAsync(agreement.HostStateCode, cancellationToken))
                    .Union(await notifier.OperatorsOfAsync(agreement.GuestStateCode, cancellationToken)).ToList();
                await notifier.TellAsync(reminder.Occurrence, reminder.Kind, operators, "agreement", agreement.AgreementId, reminder.DueAt,
                    language => MarketplaceMessages.AgreementEnding(language, agreement.Reference, Notifier.Name(host, language), Notifier.Name(guest, language),
                        agreement.EndsAt, settings.PortalUrl), cancellationToken);
                await webhooks.PublishAsync(reminder.Occurrence, reminder.Kind, reminder.DueAt, new EventScope([agreement.HostStateCode, agreement.GuestStateCode]),
                    "agreement", agreement.AgreementId, "/accords", new Dictionary<string, object?>
                    {
                        ["reference"] = agreement.Reference, ["hostState"] = agreement.HostStateCode, ["guestState"] = agreement.GuestStateCode,
                        ["endsAt"] = agreement.EndsAt,
                    }, cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"Unknown reminder kind {reminder.Kind}.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminders not read, database out of reach: {Reason}")]
    private static partial void LogDatabaseUnreachable(ILogger logger, string reason);
}
