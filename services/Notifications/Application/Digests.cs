using System.Security.Cryptography;
using System.Text;

namespace Aes.Notifications.Application;

/// <summary>
/// The daily digest: at Notifications:DigestHourUtc each day, each person who chose it gets one message listing what was kept
/// for it since the last one. Its id comes from the person and the day, so two replicas write it once.
/// </summary>
public sealed class Digests(NotificationsDbContext db, NotificationSettings settings, TimeProvider clock)
{
    /// <summary>The last digest time at or before <paramref name="now"/>.</summary>
    public DateTime LastDigestTime(DateTime now)
    {
        var today = now.Date.AddHours(settings.DigestHourUtc);
        return now >= today ? today : today.AddDays(-1);
    }

    public async Task<int> ComposeDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cut = LastDigestTime(now);
        var people = await db.Deliveries.Where(d => d.Status == DeliveryStatus.Digest && d.NextAttemptAt < cut)
            .Select(d => d.RecipientUserId).Distinct().ToListAsync(cancellationToken);
        var composed = 0;
        foreach (var person in people)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var kept = await db.Deliveries.Where(d => d.RecipientUserId == person && d.Status == DeliveryStatus.Digest && d.NextAttemptAt < cut)
                .OrderBy(d => d.CreatedAt).ToListAsync(cancellationToken);
            var recipient = await db.Recipients.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == person, cancellationToken);
            if (kept.Count == 0 || recipient is null)
            {
                continue;
            }
            var eventId = DigestId(person, cut);
            if (await db.Deliveries.AnyAsync(d => d.EventId == eventId && d.RecipientUserId == person, cancellationToken))
            {
                continue; // written by another replica
            }
            foreach (var delivery in kept)
            {
                delivery.Status = DeliveryStatus.Digested;
            }
            var message = DigestMessage(recipient.Language, kept, settings.PortalUrl);
            db.Deliveries.Add(new Delivery
            {
                Id = Guid.CreateVersion7(), EventId = eventId, EventType = NotificationTypes.Digest, RecipientUserId = person, Channel = Channels.Email,
                Address = recipient.Email, Language = recipient.Language, ObjectKind = "digest", ObjectId = eventId, Subject = message.Subject,
                TextBody = message.Text, HtmlBody = message.Html, Status = recipient.Email.Length > 0 ? DeliveryStatus.Pending : DeliveryStatus.NoAddress,
                CreatedAt = cut, NextAttemptAt = now,
            });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            composed++;
        }
        return composed;
    }

    public static Message DigestMessage(string language, IReadOnlyList<Delivery> kept, string portalUrl)
    {
        var english = language == Languages.English;
        var list = string.Join("\n", kept.Select(d => "• " + d.Subject));
        return MessageText.Build(
            english ? $"Daily digest: {kept.Count} message{(kept.Count > 1 ? "s" : "")}" : $"Résumé quotidien : {kept.Count} message{(kept.Count > 1 ? "s" : "")}",
            english ? "Since the last digest:" : "Depuis le dernier résumé :", list,
            english ? "Open your notifications" : "Ouvrir vos notifications", MessageText.Link(portalUrl, "/notifications"));
    }

    private static Guid DigestId(Guid person, DateTime cut) =>
        new(MD5.HashData(Encoding.UTF8.GetBytes($"digest/{person:N}/{cut:O}")));
}
