using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;

namespace Aes.Notifications.Application;

/// <summary>
/// Writes, in the consumer's transaction, one delivery per webhook the event concerns: its body fixed once, with the
/// event's id as its id, so every attempt and every replica send the same bytes and the receiver removes duplicates by id.
/// </summary>
public sealed class WebhookPublisher(NotificationsDbContext db, WebhookSignal signal, NotificationSettings settings, TimeProvider clock)
{
    public async Task PublishAsync(Guid eventId, string eventType, DateTime eventTime, EventScope scope, string objectKind, Guid objectId, string path,
        IReadOnlyDictionary<string, object?> attributes, CancellationToken cancellationToken)
    {
        // A substring first, in the database; then exactly, here.
        var webhooks = (await db.Webhooks.AsNoTracking().Where(w => w.DeletedAt == null && w.EventTypes.Contains(eventType)).ToListAsync(cancellationToken))
            .Where(w => w.Types.Contains(eventType) && scope.Concerns(w)).ToList();
        if (webhooks.Count == 0)
        {
            return;
        }
        var ids = webhooks.Select(w => w.Id).ToList();
        var already = await db.WebhookDeliveries.Where(d => d.EventId == eventId && ids.Contains(d.WebhookId)).Select(d => d.WebhookId).ToListAsync(cancellationToken);
        var body = Body(eventId, eventType, eventTime, objectKind, objectId, MessageText.Link(settings.PortalUrl, path), attributes);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var webhook in webhooks.Where(w => !already.Contains(w.Id)))
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = Guid.CreateVersion7(), WebhookId = webhook.Id, EventId = eventId, EventType = eventType, ObjectKind = objectKind, ObjectId = objectId,
                Body = body, CreatedAt = now, NextAttemptAt = now,
            });
        }
        db.WakeAfterCommit(signal);
    }

    /// <summary>{"id", "type", "time", "object": {"kind", "id", "url", …what the event says of it}}.</summary>
    public static string Body(Guid eventId, string eventType, DateTime eventTime, string objectKind, Guid objectId, string url,
        IReadOnlyDictionary<string, object?> attributes)
    {
        var subject = new JsonObject { ["kind"] = objectKind, ["id"] = objectId.ToString(), ["url"] = url };
        foreach (var (name, value) in attributes)
        {
            subject[name] = value switch
            {
                null => null,
                DateTime at => DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
                _ => System.Text.Json.JsonSerializer.SerializeToNode(value),
            };
        }
        return new JsonObject
        {
            ["id"] = eventId.ToString(),
            ["type"] = eventType,
            ["time"] = DateTime.SpecifyKind(eventTime, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
            ["object"] = subject,
        }.ToJsonString();
    }
}

/// <summary>
/// The webhooks' signing secrets: 32 random bytes, shown once, kept encrypted by the service's key ring (itself encrypted
/// with the key-encryption certificate outside Development), so a copy of the database alone cannot sign as the marketplace.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Aes.Notifications.WebhookSecret.v1");

    public static string NewSecret() => "whsec_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary>The X-Aes-Signature header: "sha256=" and the hex HMAC-SHA256 of the body, keyed with the secret's UTF-8 bytes.</summary>
    public static string Signature(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
