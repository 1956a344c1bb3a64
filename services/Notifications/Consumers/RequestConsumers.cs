using Aes.Contracts.Provisioning;
using Aes.Notifications.Application;

namespace Aes.Notifications.Consumers;

/// <summary>A request waits for a state's operators: each of them is told, in their language, home first then host.</summary>
public sealed class ApprovalAwaitedConsumer(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings,
    ILogger<ApprovalAwaitedConsumer> logger)
    : InboxConsumer<ApprovalAwaited, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(ApprovalAwaited message, ConsumeContext<ApprovalAwaited> context)
    {
        var cancellationToken = context.CancellationToken;
        var state = await notifier.StateNamesAsync(message.StateCode, cancellationToken);
        var agencyState = await notifier.StateNamesAsync(message.AgencyStateCode, cancellationToken);
        await notifier.TellAsync(context.MessageId!.Value, NotificationTypes.ApprovalAwaited, await notifier.OperatorsOfAsync(message.StateCode, cancellationToken),
            "request", message.RequestId, message.At,
            language => RequestMessages.ApprovalAwaited(language, message.RequestId, message.Role,
                language == Languages.English ? state.En : state.Fr, language == Languages.English ? agencyState.En : agencyState.Fr,
                message.HoldsExpireAt, settings.PortalUrl),
            cancellationToken);
        await webhooks.PublishAsync(context.MessageId!.Value, NotificationTypes.ApprovalAwaited, message.At, EventScope.OfState(message.StateCode),
            "request", message.RequestId, $"/demandes/{message.RequestId}", new Dictionary<string, object?>
            {
                ["reference"] = RequestMessages.Reference(message.RequestId), ["agencyId"] = message.AgencyId.ToString(), ["agencyState"] = message.AgencyStateCode,
                ["approvingState"] = message.StateCode, ["role"] = message.Role, ["holdsExpireAt"] = message.HoldsExpireAt,
            }, cancellationToken);
        await notifier.ScheduleAsync(ReminderKinds.HoldsExpiring, message.RequestId, message.StateCode, message.HoldsExpireAt,
            message.HoldsExpireAt - settings.HoldsReminderLead, message.At, cancellationToken);
    }
}

/// <summary>The requester learns what they must: approved, rejected, active, failed, expired, waiting for capacity, placed after waiting.</summary>
public sealed class HostingRequestStatusChangedConsumer(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings,
    ILogger<HostingRequestStatusChangedConsumer> logger)
    : InboxConsumer<HostingRequestStatusChanged, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(HostingRequestStatusChanged message, ConsumeContext<HostingRequestStatusChanged> context)
    {
        if (message.Status != "awaiting_approval")
        {
            await notifier.CancelAsync(ReminderKinds.HoldsExpiring, message.RequestId, message.ChangedAt, context.CancellationToken);
        }
        // Pipelines hear of every step, the requester only of those that matter to them.
        await webhooks.PublishAsync(context.MessageId!.Value, NotificationTypes.RequestStatus, message.ChangedAt,
            EventScope.OfAgency(message.AgencyId, message.AgencyStateCode), "request", message.RequestId, $"/demandes/{message.RequestId}",
            new Dictionary<string, object?>
            {
                ["reference"] = RequestMessages.Reference(message.RequestId), ["agencyId"] = message.AgencyId.ToString(), ["agencyState"] = message.AgencyStateCode,
                ["status"] = message.Status, ["previousStatus"] = message.PreviousStatus, ["facilityId"] = message.FacilityId?.ToString(),
                ["reasonFr"] = NullIfEmpty(message.ReasonFr), ["reasonEn"] = NullIfEmpty(message.ReasonEn),
            }, context.CancellationToken);
        if (message.SubmittedByUserId is not { } requester)
        {
            return; // written by the version before, which did not say who asked
        }
        await notifier.TellAsync(context.MessageId!.Value, NotificationTypes.RequestStatus, [requester], "request", message.RequestId, message.ChangedAt,
            language => RequestMessages.StatusChanged(language, message.RequestId, message.Status, message.PreviousStatus, message.ReasonFr, message.ReasonEn,
                settings.PortalUrl),
            context.CancellationToken);
    }

    private static string? NullIfEmpty(string text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
