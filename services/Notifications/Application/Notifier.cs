namespace Aes.Notifications.Application;

/// <summary>
/// Writes the deliveries an event makes, in the consumer's transaction: one per recipient and channel, in the recipient's
/// language. The dispatcher sends them; a recipient without an address keeps theirs as not sent.
/// </summary>
public sealed class Notifier(NotificationsDbContext db, DeliverySignal signal, TimeProvider clock)
{
    public async Task TellAsync(Guid eventId, string eventType, IReadOnlyCollection<Guid> recipientIds, string objectKind, Guid objectId,
        DateTime eventTime, Func<string, Message?> render, CancellationToken cancellationToken)
    {
        if (recipientIds.Count == 0)
        {
            return;
        }
        var recipients = await db.Recipients.AsNoTracking().Where(r => recipientIds.Contains(r.UserId)).ToListAsync(cancellationToken);
        var already = await db.Deliveries.Where(d => d.EventId == eventId && d.Channel == Channels.Email).Select(d => d.RecipientUserId).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var alwaysSent = NotificationTypes.IsAlwaysSent(eventType);
        foreach (var recipient in recipients.Where(r => !already.Contains(r.UserId)).OrderBy(r => r.UserName, StringComparer.Ordinal))
        {
            if ((!alwaysSent && recipient.Muted.Contains(eventType)) || render(recipient.Language) is not { } message)
            {
                continue;
            }
            db.Deliveries.Add(new Delivery
            {
                Id = Guid.CreateVersion7(), EventId = eventId, EventType = eventType, RecipientUserId = recipient.UserId, Channel = Channels.Email,
                Address = recipient.Email, Language = recipient.Language, ObjectKind = objectKind, ObjectId = objectId,
                Subject = message.Subject, TextBody = message.Text, HtmlBody = message.Html,
                Status = recipient.Email.Length == 0 ? DeliveryStatus.NoAddress
                    : recipient.DailyDigest && !alwaysSent ? DeliveryStatus.Digest
                    : DeliveryStatus.Pending,
                CreatedAt = eventTime, NextAttemptAt = now,
            });
        }
        db.WakeAfterCommit(signal);
    }

    public Task<List<Guid>> AdministratorsOfAsync(Guid agencyId, CancellationToken cancellationToken) =>
        db.RecipientRoles.Where(r => r.Role == Roles.AgencyAdministrator && r.AgencyId == agencyId).Select(r => r.UserId).Distinct().ToListAsync(cancellationToken);

    /// <summary>The confederal administrators and every auditor (a state's or the confederation's).</summary>
    public Task<List<Guid>> OverseersAsync(CancellationToken cancellationToken) =>
        db.RecipientRoles.Where(r => r.Role == Roles.ConfederalAdministrator || r.Role == Roles.Auditor).Select(r => r.UserId).Distinct().ToListAsync(cancellationToken);

    public async Task<string> AgencyNameAsync(Guid agencyId, CancellationToken cancellationToken) =>
        await db.Agencies.AsNoTracking().Where(a => a.AgencyId == agencyId).Select(a => a.Name).FirstOrDefaultAsync(cancellationToken) ?? agencyId.ToString();

    /// <summary>Schedules (or moves) the reminder of one kind for one object, unless a later event already changed it.</summary>
    public async Task ScheduleAsync(string kind, Guid objectId, string? stateCode, DateTime at, DateTime dueAt, DateTime eventTime, CancellationToken cancellationToken)
    {
        // The event that cancels it comes on another queue and may be handled at the same moment: neither may fail on the other's row.
        if (await db.InsertIfAbsentAsync(new Reminder
            {
                Id = Guid.CreateVersion7(), Occurrence = Guid.CreateVersion7(), Kind = kind, ObjectId = objectId, StateCode = stateCode, At = at,
                DueAt = dueAt, UpdatedAt = eventTime,
            }, cancellationToken))
        {
            return;
        }
        var reminder = await db.Reminders.SingleAsync(r => r.Kind == kind && r.ObjectId == objectId, cancellationToken);
        if (reminder.UpdatedAt > eventTime)
        {
            return;
        }
        // A new occurrence: the reminder of a new turn is another message than the last one's.
        (reminder.Occurrence, reminder.StateCode, reminder.At, reminder.DueAt, reminder.Done, reminder.UpdatedAt) =
            (Guid.CreateVersion7(), stateCode, at, dueAt, false, eventTime);
    }

    /// <summary>Cancels the reminder of one kind for one object; kept as done, so an older event arriving late cannot bring it back.</summary>
    public async Task CancelAsync(string kind, Guid objectId, DateTime eventTime, CancellationToken cancellationToken)
    {
        if (await db.InsertIfAbsentAsync(new Reminder
            {
                Id = Guid.CreateVersion7(), Occurrence = Guid.CreateVersion7(), Kind = kind, ObjectId = objectId, Done = true, UpdatedAt = eventTime,
            }, cancellationToken))
        {
            return;
        }
        var reminder = await db.Reminders.SingleAsync(r => r.Kind == kind && r.ObjectId == objectId, cancellationToken);
        if (reminder.UpdatedAt <= eventTime)
        {
            (reminder.Done, reminder.UpdatedAt) = (true, eventTime);
        }
    }

    /// <summary>The operators of <paramref name="stateCode"/>.</summary>
    public Task<List<Guid>> OperatorsOfAsync(string stateCode, CancellationToken cancellationToken) =>
        db.RecipientRoles.Where(r => r.Role == Roles.StateOperator && r.StateCode == stateCode).Select(r => r.UserId).Distinct().ToListAsync(cancellationToken);

    public static string Name((string Fr, string En) names, string language) => language == Languages.English ? names.En : names.Fr;

    public async Task<(string Fr, string En)> StateNamesAsync(string stateCode, CancellationToken cancellationToken) =>
        await db.States.AsNoTracking().FirstOrDefaultAsync(s => s.Code == stateCode, cancellationToken) is { } state
            ? (state.NameFr, state.NameEn)
            : (stateCode, stateCode);
}

/// <summary>Wakes the mail dispatcher when deliveries are committed, rather than at its next poll.</summary>
public sealed class DeliverySignal : WakeSignal;

/// <summary>Wakes the webhook dispatcher when deliveries are committed.</summary>
public sealed class WebhookSignal : WakeSignal;
