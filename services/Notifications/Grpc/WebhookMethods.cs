using Aes.Contracts.Notifications.V1;
using Aes.Notifications.Application;
using Aes.ServiceDefaults.Errors;
using Aes.ServiceDefaults.Identity;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Webhook = Aes.Notifications.Domain.Webhook;
using WebhookAttempt = Aes.Notifications.Domain.WebhookAttempt;
using WebhookDelivery = Aes.Notifications.Domain.WebhookDelivery;

namespace Aes.Notifications.Grpc;

/// <summary>
/// The webhook methods of <see cref="NotificationsGrpcService"/>. Who may call each, on which agency or state, is the access
/// rules' decision (an agency's administrators, its state's operators; auditors read); here the request is checked.
/// </summary>
public sealed class WebhookMethods(NotificationsDbContext db, WebhookAddressPolicy policy, WebhookSecrets secrets, TimeProvider clock)
{
    public async Task<CreatedWebhook> CreateAsync(CreateWebhookRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var (agency, state) = await OwnerAsync(request.AgencyId, request.StateCode, cancellationToken);
        var url = request.Url.Trim();
        if (policy.UrlRefusal(url) is { } refusal)
        {
            throw new InvalidFieldException("url", refusal);
        }
        var allowed = WebhookEventTypes.For(agency is null ? WebhookOwners.State : WebhookOwners.Agency);
        if (request.EventTypes.Count == 0)
        {
            throw new InvalidFieldException("event_types", new("au moins un type d'événement.", "at least one kind of event."));
        }
        var types = new List<string>();
        for (var index = 0; index < request.EventTypes.Count; index++)
        {
            var code = request.EventTypes[index].Trim();
            if (!allowed.Contains(code))
            {
                throw new InvalidFieldException($"event_types[{index}]", new(
                    $"« {code} » n'est pas un événement qu'un webhook de ce propriétaire reçoit ({string.Join(", ", allowed)}).",
                    $"\"{code}\" is not an event a webhook of this owner receives ({string.Join(", ", allowed)})."));
            }
            if (!types.Contains(code))
            {
                types.Add(code);
            }
        }
        var description = Validate.Optional(request.Description, "description", 200);
        var secret = WebhookSecrets.NewSecret();
        var webhook = new Webhook
        {
            Id = Guid.CreateVersion7(), AgencyId = agency, StateCode = state, Url = url, EventTypes = string.Join(',', types),
            Description = description, ProtectedSecret = secrets.Protect(secret),
            CreatedByUserId = ProjectVisibility.UserOf(context.GetHttpContext().User) ?? Guid.Empty, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedWebhook { Webhook = await ViewAsync(webhook, cancellationToken), Secret = secret };
    }

    public async Task<ListWebhooksResponse> ListAsync(ListWebhooksRequest request, ServerCallContext context)
    {
        var (agency, state) = await OwnerAsync(request.AgencyId, request.StateCode, context.CancellationToken);
        var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.DeletedAt == null && w.AgencyId == agency && w.StateCode == state)
            .OrderBy(w => w.CreatedAt).ToListAsync(context.CancellationToken);
        var response = new ListWebhooksResponse();
        foreach (var webhook in webhooks)
        {
            response.Webhooks.Add(await ViewAsync(webhook, context.CancellationToken));
        }
        response.EventTypes.AddRange(WebhookEventTypes.For(agency is null ? WebhookOwners.State : WebhookOwners.Agency)
            .Select(code => (Code: code, Name: WebhookEventTypes.NameOf(code)))
            .Select(t => new Contracts.Notifications.V1.NotificationType { Code = t.Code, NameFr = t.Name.Fr, NameEn = t.Name.En }));
        return response;
    }

    public async Task<CreatedWebhook> RotateSecretAsync(RotateWebhookSecretRequest request, ServerCallContext context)
    {
        var webhook = await FindAsync(request.Id, "id", context.CancellationToken);
        var secret = WebhookSecrets.NewSecret();
        (webhook.ProtectedSecret, webhook.SecretRotatedAt) = (secrets.Protect(secret), clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(context.CancellationToken);
        return new CreatedWebhook { Webhook = await ViewAsync(webhook, context.CancellationToken), Secret = secret };
    }

    public async Task<Contracts.Notifications.V1.Webhook> DeleteAsync(DeleteWebhookRequest request, ServerCallContext context)
    {
        var webhook = await FindAsync(request.Id, "id", context.CancellationToken);
        webhook.DeletedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
        await db.WebhookDeliveries.Where(d => d.WebhookId == webhook.Id && d.Status == WebhookDeliveryStatus.Pending)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, WebhookDeliveryStatus.Failed), context.CancellationToken);
        return await ViewAsync(webhook, context.CancellationToken);
    }

    public async Task<ListWebhookDeliveriesResponse> ListDeliveriesAsync(ListWebhookDeliveriesRequest request, ServerCallContext context)
    {
        if (request.PageSize is < 0 or > 200)
        {
            throw new InvalidFieldException("page_size", new("doit être entre 1 et 200.", "must be between 1 and 200."));
        }
        var webhook = await FindAsync(request.WebhookId, "webhook_id", context.CancellationToken);
        var deliveries = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhook.Id)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(request.PageSize == 0 ? 50 : request.PageSize).ToListAsync(context.CancellationToken);
        var ids = deliveries.Select(d => d.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).ToListAsync(context.CancellationToken))
            .ToLookup(a => a.DeliveryId);
        var response = new ListWebhookDeliveriesResponse();
        response.Deliveries.AddRange(deliveries.Select(d => View(d, attempts[d.Id])));
        return response;
    }

    /// <summary>The owner a request names: exactly one of an agency (known here) and a state (known here).</summary>
    private async Task<(Guid? Agency, string State)> OwnerAsync(string agencyId, string stateCode, CancellationToken cancellationToken)
    {
        if (agencyId.Length > 0 == stateCode.Length > 0)
        {
            throw new InvalidFieldException("agency_id", new("nommez un organisme (agency_id) ou un État (state_code), pas les deux.",
                "name an agency (agency_id) or a state (state_code), not both."));
        }
        if (agencyId.Length > 0)
        {
            if (!Guid.TryParse(agencyId, out var id))
            {
                throw new InvalidFieldException("agency_id", new("n'est pas un identifiant.", "is not an id."));
            }
            var agency = await db.Agencies.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == id, cancellationToken)
                ?? throw new NotFoundException("Organisme / agency", agencyId);
            return (id, agency.StateCode);
        }
        var code = stateCode.Trim().ToUpperInvariant();
        if (!await db.States.AnyAsync(s => s.Code == code, cancellationToken))
        {
            throw new InvalidFieldException("state_code", new($"« {stateCode} » n'est pas un État membre.", $"\"{stateCode}\" is not a member state."));
        }
        return (null, code);
    }

    private async Task<Webhook> FindAsync(string id, string field, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var webhookId))
        {
            throw new InvalidFieldException(field, new("n'est pas un identifiant.", "is not an id."));
        }
        return await db.Webhooks.FirstOrDefaultAsync(w => w.Id == webhookId && w.DeletedAt == null, cancellationToken)
            ?? throw new NotFoundException("Webhook", id);
    }

    private async Task<Contracts.Notifications.V1.Webhook> ViewAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        var counts = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhook.Id).GroupBy(d => d.Status)
            .Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        int Count(WebhookDeliveryStatus status) => counts.FirstOrDefault(c => c.Status == status)?.Count ?? 0;
        var view = new Contracts.Notifications.V1.Webhook
        {
            Id = webhook.Id.ToString(), AgencyId = webhook.AgencyId?.ToString() ?? "", StateCode = webhook.StateCode, Url = webhook.Url,
            Description = webhook.Description, CreatedAt = Utc(webhook.CreatedAt), SecretRotatedAt = webhook.SecretRotatedAt is { } rotated ? Utc(rotated) : null,
            Deleted = webhook.DeletedAt is not null,
            Pending = Count(WebhookDeliveryStatus.Pending), Delivered = Count(WebhookDeliveryStatus.Delivered), Failed = Count(WebhookDeliveryStatus.Failed),
        };
        view.EventTypes.AddRange(webhook.Types);
        return view;
    }

    private static Contracts.Notifications.V1.WebhookDelivery View(WebhookDelivery delivery, IEnumerable<WebhookAttempt> attempts)
    {
        var view = new Contracts.Notifications.V1.WebhookDelivery
        {
            Id = delivery.EventId.ToString(), Type = delivery.EventType, ObjectKind = delivery.ObjectKind, ObjectId = delivery.ObjectId.ToString(),
            Status = delivery.Status switch
            {
                WebhookDeliveryStatus.Pending => "pending",
                WebhookDeliveryStatus.Delivered => "delivered",
                WebhookDeliveryStatus.Failed => "failed",
                _ => throw new ArgumentOutOfRangeException(nameof(delivery), delivery.Status, null),
            },
            CreatedAt = Utc(delivery.CreatedAt), NextAttemptAt = delivery.Status == WebhookDeliveryStatus.Pending ? Utc(delivery.NextAttemptAt) : null,
            DeliveredAt = delivery.DeliveredAt is { } at ? Utc(at) : null, Body = delivery.Body,
        };
        view.Attempts.AddRange(attempts.OrderBy(a => a.Number).Select(a => new Contracts.Notifications.V1.WebhookAttempt
        {
            Number = a.Number, At = Utc(a.At), DurationMs = a.DurationMs, StatusCode = a.StatusCode ?? 0, Outcome = a.Outcome, Error = a.Error,
        }));
        return view;
    }

    private static Timestamp Utc(DateTime at) => Timestamp.FromDateTime(DateTime.SpecifyKind(at, DateTimeKind.Utc));
}
