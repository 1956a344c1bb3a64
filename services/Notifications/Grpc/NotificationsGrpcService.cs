using Aes.Contracts.Notifications.V1;
using Aes.ServiceDefaults.Errors;
using Aes.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Aes.Notifications.Grpc;

/// <summary>
/// A person's own preferences and messages (the caller is the token's subject, whatever the request says), and the
/// agencies' and states' webhooks (<see cref="WebhookMethods"/>).
/// </summary>
public sealed class NotificationsGrpcService(NotificationsDbContext db, WebhookMethods webhooks) : NotificationService.NotificationServiceBase
{
    public override Task<CreatedWebhook> CreateWebhook(CreateWebhookRequest request, ServerCallContext context) => webhooks.CreateAsync(request, context);

    public override Task<ListWebhooksResponse> ListWebhooks(ListWebhooksRequest request, ServerCallContext context) => webhooks.ListAsync(request, context);

    public override Task<CreatedWebhook> RotateWebhookSecret(RotateWebhookSecretRequest request, ServerCallContext context) =>
        webhooks.RotateSecretAsync(request, context);

    public override Task<Contracts.Notifications.V1.Webhook> DeleteWebhook(DeleteWebhookRequest request, ServerCallContext context) =>
        webhooks.DeleteAsync(request, context);

    public override Task<ListWebhookDeliveriesResponse> ListWebhookDeliveries(ListWebhookDeliveriesRequest request, ServerCallContext context) =>
        webhooks.ListDeliveriesAsync(request, context);

    public override async Task<Preferences> GetMyPreferences(GetMyPreferencesRequest request, ServerCallContext context)
    {
        var (user, recipient) = await CallerAsync(context);
        return await PreferencesOfAsync(user, recipient, context.CancellationToken);
    }

    public override async Task<Preferences> SetMyPreferences(SetMyPreferencesRequest request, ServerCallContext context)
    {
        var (user, recipient) = await CallerAsync(context);
        var language = request.Language.Trim().ToLowerInvariant();
        if (language is not (Languages.French or Languages.English))
        {
            throw new InvalidFieldException("language", new("doit être « fr » ou « en ».", "must be \"fr\" or \"en\"."));
        }
        var muted = new List<string>();
        for (var index = 0; index < request.MutedTypes.Count; index++)
        {
            var code = request.MutedTypes[index].Trim();
            if (!NotificationTypes.IsKnown(code))
            {
                throw new InvalidFieldException($"muted_types[{index}]", new($"« {code} » n'est pas un type de message.", $"\"{code}\" is not a kind of message."));
            }
            if (NotificationTypes.IsAlwaysSent(code))
            {
                throw new InvalidFieldException($"muted_types[{index}]", new(
                    "les demandes qui attendent une approbation sont toujours envoyées à leurs opérateurs.",
                    "requests awaiting approval are always sent to their operators."));
            }
            if (!muted.Contains(code))
            {
                muted.Add(code);
            }
        }
        if (recipient is null)
        {
            // Tenancy's announcement of this user has not arrived yet: its names and address fill in when it does.
            await db.InsertIfAbsentAsync(new Recipient { UserId = user, UserName = "", DisplayName = "" }, context.CancellationToken);
            recipient = await db.Recipients.SingleAsync(r => r.UserId == user, context.CancellationToken);
        }
        recipient.Language = language;
        recipient.MutedTypes = string.Join(',', muted);
        recipient.DailyDigest = request.DailyDigest;
        await db.SaveChangesAsync(context.CancellationToken);
        return await PreferencesOfAsync(user, recipient, context.CancellationToken);
    }

    public override async Task<ListMyMessagesResponse> ListMyMessages(ListMyMessagesRequest request, ServerCallContext context)
    {
        if (request.PageSize is < 0 or > 200)
        {
            throw new InvalidFieldException("page_size", new("doit être entre 1 et 200.", "must be between 1 and 200."));
        }
        var (user, _) = await CallerAsync(context);
        var deliveries = await db.Deliveries.AsNoTracking().Where(d => d.RecipientUserId == user)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(request.PageSize == 0 ? 50 : request.PageSize).ToListAsync(context.CancellationToken);
        var response = new ListMyMessagesResponse();
        response.Messages.AddRange(deliveries.Select(d => new SentMessage
        {
            Id = d.Id.ToString(), Type = d.EventType, Subject = d.Subject, Text = d.TextBody, Status = StatusOf(d.Status), ObjectKind = d.ObjectKind,
            ObjectId = d.ObjectId.ToString(), CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(d.CreatedAt, DateTimeKind.Utc)),
            SentAt = d.SentAt is { } sent ? Timestamp.FromDateTime(DateTime.SpecifyKind(sent, DateTimeKind.Utc)) : null, Address = d.Address, Language = d.Language,
        }));
        return response;
    }

    private static string StatusOf(DeliveryStatus status) => status switch
    {
        DeliveryStatus.Pending => "pending",
        DeliveryStatus.Sent => "sent",
        DeliveryStatus.NoAddress => "no_address",
        DeliveryStatus.Failed => "failed",
        DeliveryStatus.Digest => "digest",
        DeliveryStatus.Digested => "digested",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    private async Task<(Guid User, Recipient? Recipient)> CallerAsync(ServerCallContext context)
    {
        var user = ProjectVisibility.UserOf(context.GetHttpContext().User)
            ?? throw new RpcException(new Status(global::Grpc.Core.StatusCode.PermissionDenied, "Aucun utilisateur dans le jeton. / No user in the token."));
        return (user, await db.Recipients.FirstOrDefaultAsync(r => r.UserId == user, context.CancellationToken));
    }

    private async Task<Preferences> PreferencesOfAsync(Guid user, Recipient? recipient, CancellationToken cancellationToken)
    {
        var operates = await db.RecipientRoles.AnyAsync(r => r.UserId == user && r.Role == Roles.StateOperator, cancellationToken);
        var preferences = new Preferences
        {
            Language = recipient?.Language ?? Languages.French, DailyDigest = recipient?.DailyDigest ?? false, Email = recipient?.Email ?? "",
        };
        preferences.MutedTypes.AddRange(recipient?.Muted ?? []);
        preferences.Kinds.AddRange(NotificationTypes.All.Select(t => new Aes.Contracts.Notifications.V1.NotificationType
        {
            Code = t.Code, NameFr = t.NameFr, NameEn = t.NameEn, AlwaysSent = t.AlwaysForOperators && operates,
        }));
        return preferences;
    }
}
