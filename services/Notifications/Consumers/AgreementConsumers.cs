using Aes.Contracts.Tenancy;
using Aes.Notifications.Application;

namespace Aes.Notifications.Consumers;

/// <summary>A drafted agreement waits for both states' signatures: both states' operators are told.</summary>
public sealed class AgreementDraftedConsumer(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings,
    ILogger<AgreementDraftedConsumer> logger)
    : InboxConsumer<AgreementDrafted, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementDrafted message, ConsumeContext<AgreementDrafted> context)
    {
        var cancellationToken = context.CancellationToken;
        // Its activation, on a queue of its own, may have recorded it first.
        await Db.InsertIfAbsentAsync(new FollowedAgreement
        {
            AgreementId = message.AgreementId, Reference = message.Reference, HostStateCode = message.HostStateCode,
            GuestStateCode = message.GuestStateCode, EndsAt = message.EndsAt,
        }, cancellationToken);
        var agreement = await Db.Agreements.AsNoTracking().SingleAsync(a => a.AgreementId == message.AgreementId, cancellationToken);
        var signed = await Db.Signatures.Where(x => x.AgreementId == message.AgreementId).Select(x => x.StateCode).ToListAsync(cancellationToken);
        var waitingOn = new[] { message.HostStateCode, message.GuestStateCode }.Except(signed).ToList();
        await SignatureRequests.TellAsync(notifier, webhooks, settings, context.MessageId!.Value, agreement, waitingOn, context.SentTime ?? DateTime.UtcNow,
            cancellationToken);
    }
}

/// <summary>One state signed: the other state's operators are told, unless it has signed too.</summary>
public sealed class AgreementSignedConsumer(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings,
    ILogger<AgreementSignedConsumer> logger)
    : InboxConsumer<AgreementSigned, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementSigned message, ConsumeContext<AgreementSigned> context)
    {
        var cancellationToken = context.CancellationToken;
        await Db.InsertIfAbsentAsync(new AgreementSignature { AgreementId = message.AgreementId, StateCode = message.SignatoryStateCode }, cancellationToken);
        if (await Db.Agreements.AsNoTracking().FirstOrDefaultAsync(a => a.AgreementId == message.AgreementId, cancellationToken) is not { } agreement)
        {
            return; // its draft, still on its way, will ask only the state that has not signed
        }
        var other = message.SignatoryStateCode == agreement.HostStateCode ? agreement.GuestStateCode : agreement.HostStateCode;
        if (!await Db.Signatures.AnyAsync(x => x.AgreementId == message.AgreementId && x.StateCode == other, cancellationToken))
        {
            await SignatureRequests.TellAsync(notifier, webhooks, settings, context.MessageId!.Value, agreement, [other], message.SignedAt, cancellationToken);
        }
    }
}

/// <summary>An agreement in force: both states' operators are reminded 30 days before it ends.</summary>
public sealed class AgreementActivatedConsumer(NotificationsDbContext db, Notifier notifier, NotificationSettings settings,
    ILogger<AgreementActivatedConsumer> logger) : InboxConsumer<AgreementActivated, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgreementActivated message, ConsumeContext<AgreementActivated> context)
    {
        if (!await Db.InsertIfAbsentAsync(new FollowedAgreement
            {
                AgreementId = message.AgreementId, Reference = message.Reference, HostStateCode = message.HostStateCode,
                GuestStateCode = message.GuestStateCode, EndsAt = message.EndsAt,
            }, context.CancellationToken))
        {
            var agreement = await Db.Agreements.SingleAsync(a => a.AgreementId == message.AgreementId, context.CancellationToken);
            agreement.EndsAt = message.EndsAt;
        }
        foreach (var state in new[] { message.HostStateCode, message.GuestStateCode })
        {
            await Db.InsertIfAbsentAsync(new AgreementSignature { AgreementId = message.AgreementId, StateCode = state }, context.CancellationToken);
        }
        // Its time of activation (not its start, which may lie ahead of an early end): the relay's, as the event has none.
        await notifier.ScheduleAsync(ReminderKinds.AgreementEnding, message.AgreementId, null, message.EndsAt, message.EndsAt - settings.AgreementEndingLead,
            context.SentTime ?? DateTime.UtcNow, context.CancellationToken);
    }
}

public sealed class AgreementEndedConsumer(NotificationsDbContext db, Notifier notifier, ILogger<AgreementEndedConsumer> logger)
    : InboxConsumer<AgreementEnded, NotificationsDbContext>(db, logger)
{
    protected override Task HandleAsync(AgreementEnded message, ConsumeContext<AgreementEnded> context) =>
        notifier.CancelAsync(ReminderKinds.AgreementEnding, message.AgreementId, message.EndedAt, context.CancellationToken);
}

public sealed class AgencyRegisteredConsumer(NotificationsDbContext db, ILogger<AgencyRegisteredConsumer> logger)
    : InboxConsumer<AgencyRegistered, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgencyRegistered message, ConsumeContext<AgencyRegistered> context)
    {
        if (!await Db.InsertIfAbsentAsync(new KnownAgency { AgencyId = message.AgencyId, StateCode = message.StateCode, Code = message.Code, Name = message.Name },
                context.CancellationToken))
        {
            var agency = await Db.Agencies.SingleAsync(a => a.AgencyId == message.AgencyId, context.CancellationToken);
            (agency.Code, agency.Name) = (message.Code, message.Name);
        }
    }
}

internal static class SignatureRequests
{
    public static async Task TellAsync(Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings, Guid eventId, FollowedAgreement agreement,
        IReadOnlyCollection<string> waitingOn, DateTime at, CancellationToken cancellationToken)
    {
        const string eventType = NotificationTypes.AgreementSignature;
        await webhooks.PublishAsync(eventId, eventType, at, new EventScope(waitingOn), "agreement", agreement.AgreementId, "/accords",
            new Dictionary<string, object?>
            {
                ["reference"] = agreement.Reference, ["hostState"] = agreement.HostStateCode, ["guestState"] = agreement.GuestStateCode,
                ["awaitingSignatureOf"] = waitingOn.Order(StringComparer.Ordinal).ToList(), ["endsAt"] = agreement.EndsAt,
            }, cancellationToken);
        var host = await notifier.StateNamesAsync(agreement.HostStateCode, cancellationToken);
        var guest = await notifier.StateNamesAsync(agreement.GuestStateCode, cancellationToken);
        var recipients = new List<Guid>();
        foreach (var state in waitingOn)
        {
            recipients.AddRange(await notifier.OperatorsOfAsync(state, cancellationToken));
        }
        await notifier.TellAsync(eventId, eventType, recipients.Distinct().ToList(), "agreement", agreement.AgreementId, at,
            language => MarketplaceMessages.AgreementAwaitsSignature(language, agreement.Reference, Notifier.Name(host, language), Notifier.Name(guest, language),
                settings.PortalUrl),
            cancellationToken);
    }
}
