using Aes.Notifications.Application;
using Aes.Notifications.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Notifications.Tests;

/// <summary>The daily digest: what a person chose to read once a day is held, then told in one message at the digest hour, once.</summary>
public sealed class DigestTests : SeededHostTests
{
    // Mali's French operator takes a digest; the English one does not.
    protected override Task ArrangeAsync() =>
        Host.InScopeAsync(async (db, _) => (await db.Recipients.SingleAsync(r => r.UserId == NotificationsHost.OperatorMl)).DailyDigest = true);

    private Task TellAsync(string type, string subject) => Host.InScopeAsync(async (_, notifier) =>
        await notifier.TellAsync(Guid.NewGuid(), type, [NotificationsHost.OperatorMl, NotificationsHost.OperatorMlEnglish], "pool", Guid.NewGuid(),
            Host.Clock.GetUtcNow().UtcDateTime, language => MessageText.Build(subject + "/" + language, "texte", "", "lien", "https://marche.aes.test/x"),
            CancellationToken.None));

    private async Task<int> ComposeAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Digests>().ComposeDueAsync(CancellationToken.None);
    }

    [Fact]
    public async Task What_waits_for_the_digest_is_told_once_at_the_digest_hour_and_approvals_never_wait()
    {
        // 08:00 UTC: after today's digest hour (07:00), so these wait for tomorrow's.
        await TellAsync(NotificationTypes.PoolThreshold, "Réserve A");
        await TellAsync(NotificationTypes.InvoiceIssued, "Facture B");
        await TellAsync(NotificationTypes.ApprovalAwaited, "Demande C");
        var deliveries = await Host.DeliveriesAsync();
        Assert.Equal(
            [("Demande C/fr", DeliveryStatus.Pending), ("Facture B/fr", DeliveryStatus.Digest), ("Réserve A/fr", DeliveryStatus.Digest)],
            deliveries.Where(d => d.RecipientUserId == NotificationsHost.OperatorMl).Select(d => (d.Subject, d.Status)).OrderBy(x => x.Subject, StringComparer.Ordinal));
        Assert.All(deliveries.Where(d => d.RecipientUserId == NotificationsHost.OperatorMlEnglish), d => Assert.Equal(DeliveryStatus.Pending, d.Status));

        Assert.Equal(0, await ComposeAsync());
        Host.Clock.Advance(TimeSpan.FromHours(22)); // 06:00 the next day
        Assert.Equal(0, await ComposeAsync());
        Host.Clock.Advance(TimeSpan.FromHours(1)); // 07:00
        Assert.Equal(1, await ComposeAsync());
        Assert.Equal(0, await ComposeAsync());

        var digest = Assert.Single(await Host.DeliveriesAsync(), d => d.EventType == NotificationTypes.Digest);
        Assert.Equal(("Résumé quotidien : 2 messages", DeliveryStatus.Pending, NotificationsHost.OperatorMl), (digest.Subject, digest.Status, digest.RecipientUserId));
        Assert.Contains("• Réserve A/fr\n• Facture B/fr", digest.TextBody);
        Assert.Contains("https://marche.aes.test/notifications", digest.TextBody);
        Assert.All((await Host.DeliveriesAsync()).Where(d => d.Subject is "Réserve A/fr" or "Facture B/fr"), d => Assert.Equal(DeliveryStatus.Digested, d.Status));
    }

    [Fact]
    public async Task A_muted_kind_is_not_told_but_an_operators_approvals_always_are()
    {
        await Host.InScopeAsync(async (db, _) => (await db.Recipients.SingleAsync(r => r.UserId == NotificationsHost.OperatorMlEnglish)).MutedTypes =
            $"{NotificationTypes.InvoiceIssued},{NotificationTypes.ApprovalAwaited}");
        await TellAsync(NotificationTypes.InvoiceIssued, "Facture");
        await TellAsync(NotificationTypes.ApprovalAwaited, "Demande");
        Assert.Equal(["Demande/en"], (await Host.DeliveriesAsync()).Where(d => d.RecipientUserId == NotificationsHost.OperatorMlEnglish).Select(d => d.Subject));
    }
}
