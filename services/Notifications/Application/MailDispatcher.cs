using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace Aes.Notifications.Application;

/// <summary>
/// Sends the pending deliveries, oldest event first. Each is leased before it is sent, so two replicas never send one
/// twice; a failure is tried again with a growing delay, and a refusal by the server for good ends it as failed.
/// </summary>
public sealed partial class MailDispatcher(IServiceScopeFactory scopes, IMailSender sender, MailSettings mail, NotificationSettings settings,
    DeliverySignal signal, TimeProvider clock, ILogger<MailDispatcher> logger) : DispatchLoop(signal, settings, logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>Sends one batch; the number taken, 0 when nothing was due.</summary>
    public override async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.Deliveries.AsNoTracking()
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeasedUntil == null || d.LeasedUntil < now))
            .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).Select(d => d.Id).Take(20).ToListAsync(cancellationToken);
        var taken = 0;
        foreach (var id in due)
        {
            var leasedUntil = now + Lease;
            if (await db.Deliveries.Where(d => d.Id == id && d.Status == DeliveryStatus.Pending && (d.LeasedUntil == null || d.LeasedUntil < now))
                    .ExecuteUpdateAsync(d => d.SetProperty(x => x.LeasedUntil, leasedUntil), cancellationToken) == 0)
            {
                continue; // another replica took it
            }
            taken++;
            var delivery = await db.Deliveries.SingleAsync(d => d.Id == id, cancellationToken);
            var displayName = await db.Recipients.Where(r => r.UserId == delivery.RecipientUserId).Select(r => r.DisplayName).FirstOrDefaultAsync(cancellationToken);
            delivery.Attempts++;
            try
            {
                await sender.SendAsync(Compose(delivery, displayName ?? ""), cancellationToken);
                delivery.Status = DeliveryStatus.Sent;
                delivery.SentAt = clock.GetUtcNow().UtcDateTime;
                delivery.LastError = null;
                LogSent(logger, delivery.EventType, delivery.Id);
            }
            catch (Exception exception) when (exception is IOException or ProtocolException or MailKit.CommandException or System.Net.Sockets.SocketException
                or MailKit.Security.AuthenticationException or TimeoutException)
            {
                var refused = exception is SmtpCommandException { StatusCode: >= (SmtpStatusCode)500 };
                delivery.LastError = exception.Message.Length <= 2000 ? exception.Message : exception.Message[..2000];
                delivery.Status = refused || delivery.Attempts >= Delivery.MaxAttempts ? DeliveryStatus.Failed : DeliveryStatus.Pending;
                delivery.NextAttemptAt = clock.GetUtcNow().UtcDateTime + RetryDelay(delivery.Attempts);
                LogNotSent(logger, delivery.Id, delivery.Attempts, exception.Message);
            }
            delivery.LeasedUntil = null;
            await db.SaveChangesAsync(cancellationToken);
        }
        return taken;
    }

    /// <summary>30 s, 1 min, 2 min… up to an hour between attempts: twelve attempts span about half a day.</summary>
    public static TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Math.Max(0, attempts - 1))));

    public MimeMessage Compose(Delivery delivery, string displayName)
    {
        var message = new MimeMessage
        {
            Subject = delivery.Subject,
            Date = new DateTimeOffset(DateTime.SpecifyKind(delivery.CreatedAt, DateTimeKind.Utc)),
            MessageId = $"{delivery.Id:N}@aes-marketplace",
            Body = new BodyBuilder { TextBody = delivery.TextBody, HtmlBody = delivery.HtmlBody }.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse(mail.From));
        message.To.Add(new MailboxAddress(displayName, delivery.Address));
        message.Body.Headers.Add(HeaderId.ContentLanguage, delivery.Language);
        // A receiver removes duplicates by the event and finds the object without reading the text.
        message.Headers.Add("X-Aes-Event-Id", delivery.EventId.ToString());
        message.Headers.Add("X-Aes-Event-Type", delivery.EventType);
        message.Headers.Add("X-Aes-Object", $"{delivery.ObjectKind}/{delivery.ObjectId}");
        // Date has whole seconds; the events of one request often share one.
        message.Headers.Add("X-Aes-Event-Time", message.Date.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return message;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent {EventType} message {DeliveryId}")]
    private static partial void LogSent(ILogger logger, string eventType, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {DeliveryId} not sent (attempt {Attempts}): {Reason}")]
    private static partial void LogNotSent(ILogger logger, Guid deliveryId, int attempts, string reason);
}
