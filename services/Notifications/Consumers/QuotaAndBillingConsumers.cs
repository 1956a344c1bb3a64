using Aes.Contracts.Billing;
using Aes.Contracts.Quota;
using Aes.Notifications.Application;

namespace Aes.Notifications.Consumers;

/// <summary>An agency asks for another quota: its state's operators are told, and who asked is kept for the decision.</summary>
public sealed class QuotaChangeRequestedConsumer(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings,
    ILogger<QuotaChangeRequestedConsumer> logger) : InboxConsumer<QuotaChangeRequested, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(QuotaChangeRequested message, ConsumeContext<QuotaChangeRequested> context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await Db.QuotaChanges.AnyAsync(c => c.RequestId == message.RequestId, cancellationToken))
        {
            Db.QuotaChanges.Add(new FollowedQuotaChange
            {
                RequestId = message.RequestId, AgencyId = message.AgencyId, RequestedByUserId = message.RequestedByUserId,
                ResourceClass = message.ResourceClass, RequestedLimit = message.RequestedLimit,
            });
        }
        var agency = await notifier.AgencyNameAsync(message.AgencyId, cancellationToken);
        await notifier.TellAsync(context.MessageId!.Value, NotificationTypes.QuotaChangeRequested, await notifier.OperatorsOfAsync(message.StateCode, cancellationToken),
            "quota-change", message.RequestId, message.RequestedAt,
            language => MarketplaceMessages.QuotaChangeRequested(language, agency, message.ResourceClass, message.CurrentLimit, message.RequestedLimit,
                settings.PortalUrl),
            cancellationToken);
        await webhooks.PublishAsync(context.MessageId!.Value, NotificationTypes.QuotaChangeRequested, message.RequestedAt, EventScope.OfState(message.StateCode),
            "quota-change", message.RequestId, "/operateur/quotas", new Dictionary<string, object?>
            {
                ["agencyId"] = message.AgencyId.ToString(), ["resourceClass"] = message.ResourceClass, ["currentLimit"] = message.CurrentLimit,
                ["requestedLimit"] = message.RequestedLimit,
            }, cancellationToken);
    }
}

/// <summary>The administrator who asked learns the decision (a change asked before this version named nobody: no message).</summary>
public sealed class QuotaChangeDecidedConsumer(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings,
    ILogger<QuotaChangeDecidedConsumer> logger) : InboxConsumer<QuotaChangeDecided, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(QuotaChangeDecided message, ConsumeContext<QuotaChangeDecided> context)
    {
        // The decision says who asked and what; one of the version before is completed from the request kept, if it came first.
        (Guid By, string Class, long Limit)? asked = message is { RequestedByUserId: { } by, ResourceClass: { } resourceClass, RequestedLimit: { } limit }
            ? (by, resourceClass, limit)
            : null;
        if (asked is null && await Db.QuotaChanges.AsNoTracking().FirstOrDefaultAsync(c => c.RequestId == message.RequestId, context.CancellationToken) is
            { RequestedByUserId: { } keptBy } kept)
        {
            asked = (keptBy, kept.ResourceClass, kept.RequestedLimit);
        }
        var agencyState = await Db.Agencies.AsNoTracking().Where(a => a.AgencyId == message.AgencyId).Select(a => a.StateCode).FirstOrDefaultAsync(context.CancellationToken);
        await webhooks.PublishAsync(context.MessageId!.Value, NotificationTypes.QuotaChangeDecided, message.DecidedAt,
            EventScope.OfAgency(message.AgencyId, agencyState ?? ""), "quota-change", message.RequestId, "/quotas", new Dictionary<string, object?>
            {
                ["agencyId"] = message.AgencyId.ToString(), ["approved"] = message.Approved, ["reason"] = message.Reason,
                ["resourceClass"] = asked?.Class, ["requestedLimit"] = asked?.Limit,
            }, context.CancellationToken);
        if (asked is not { } change)
        {
            return;
        }
        await notifier.TellAsync(context.MessageId!.Value, NotificationTypes.QuotaChangeDecided, [change.By], "quota-change", message.RequestId, message.DecidedAt,
            language => MarketplaceMessages.QuotaChangeDecided(language, change.Class, change.Limit, message.Approved, message.Reason, settings.PortalUrl),
            context.CancellationToken);
    }
}

/// <summary>An invoice is issued: the agency's administrators are told.</summary>
public sealed class InvoiceIssuedConsumer(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings,
    ILogger<InvoiceIssuedConsumer> logger) : InboxConsumer<InvoiceIssued, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(InvoiceIssued message, ConsumeContext<InvoiceIssued> context)
    {
        await notifier.TellAsync(context.MessageId!.Value, NotificationTypes.InvoiceIssued, await notifier.AdministratorsOfAsync(message.AgencyId, context.CancellationToken),
            "invoice", message.InvoiceId, message.IssuedAt,
            language => MarketplaceMessages.InvoiceIssued(language, message.Number, message.Month, message.TotalXof, settings.PortalUrl),
            context.CancellationToken);
        await webhooks.PublishAsync(context.MessageId!.Value, NotificationTypes.InvoiceIssued, message.IssuedAt, EventScope.OfAgency(message.AgencyId, message.StateCode),
            "invoice", message.InvoiceId, "/factures", new Dictionary<string, object?>
            {
                ["number"] = message.Number, ["agencyId"] = message.AgencyId.ToString(), ["month"] = message.Month, ["totalXof"] = message.TotalXof,
            }, context.CancellationToken);
    }
}

/// <summary>A settlement month is closed: the confederal administrators and the auditors are told.</summary>
public sealed class SettlementClosedConsumer(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings,
    ILogger<SettlementClosedConsumer> logger) : InboxConsumer<SettlementClosed, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(SettlementClosed message, ConsumeContext<SettlementClosed> context)
    {
        await notifier.TellAsync(context.MessageId!.Value, NotificationTypes.SettlementClosed, await notifier.OverseersAsync(context.CancellationToken),
            "settlement", message.SettlementId, message.ClosedAt,
            language => MarketplaceMessages.SettlementClosed(language, message.Month, message.NetPositions, settings.PortalUrl),
            context.CancellationToken);
        await webhooks.PublishAsync(context.MessageId!.Value, NotificationTypes.SettlementClosed, message.ClosedAt, new EventScope([EventScope.EveryState]),
            "settlement", message.SettlementId, "/reglement", new Dictionary<string, object?>
            {
                ["month"] = message.Month, ["netPositionsXof"] = message.NetPositions,
            }, context.CancellationToken);
    }
}

/// <summary>A pool went past 85 % in one class: its state's operators are told.</summary>
public sealed class PoolThresholdCrossedConsumer(NotificationsDbContext db, Notifier notifier, WebhookPublisher webhooks, NotificationSettings settings,
    ILogger<PoolThresholdCrossedConsumer> logger) : InboxConsumer<PoolThresholdCrossed, NotificationsDbContext>(db, logger)
{
    protected override async Task HandleAsync(PoolThresholdCrossed message, ConsumeContext<PoolThresholdCrossed> context)
    {
        await webhooks.PublishAsync(context.MessageId!.Value, NotificationTypes.PoolThreshold, message.At, EventScope.OfState(message.StateCode),
            "pool", message.PoolId, "/operateur/capacite", new Dictionary<string, object?>
            {
                ["facilityCode"] = message.FacilityCode, ["poolName"] = message.PoolName, ["resourceClass"] = message.ResourceClass, ["used"] = message.Used,
                ["capacity"] = message.Capacity,
            }, context.CancellationToken);
        await notifier.TellAsync(context.MessageId!.Value, NotificationTypes.PoolThreshold, await notifier.OperatorsOfAsync(message.StateCode, context.CancellationToken),
            "pool", message.PoolId, message.At,
            language => MarketplaceMessages.PoolThresholdCrossed(language, message.FacilityCode, message.PoolName, message.ResourceClass, message.Used,
                message.Capacity, settings.PortalUrl),
            context.CancellationToken);
    }
}
