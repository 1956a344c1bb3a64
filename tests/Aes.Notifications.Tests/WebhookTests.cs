using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aes.Notifications.Application;
using Aes.Notifications.Domain;
using Aes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Notifications.Tests;

/// <summary>
/// Webhooks against a real HTTP server in the test process: signed bodies carrying the event's id, retries after a 500 and
/// after silence, given up after a day, and no request ever made to a refused scheme or to link-local, metadata or private addresses.
/// </summary>
public sealed class WebhookTests
{
    private static readonly Guid Agency = Guid.Parse("00000000-0000-0000-0000-00000000a9e1");
    private static readonly Guid OtherAgency = Guid.Parse("00000000-0000-0000-0000-00000000a9e2");

    /// <summary>Loopback allowed, as the tests' receiver is there; retries a second apart, given up after an hour.</summary>
    private static WebhookSettings Loopback(params string[] schemes) => new()
    {
        AllowedSchemes = schemes.Length > 0 ? schemes : ["https", "http"], AllowedNetworks = ["127.0.0.0/8", "::1/128"],
        Timeout = TimeSpan.FromSeconds(1), FirstRetryDelay = TimeSpan.FromSeconds(15), MaxRetryDelay = TimeSpan.FromMinutes(20),
        GiveUpAfter = TimeSpan.FromHours(1),
    };

    private static async Task<(Guid Id, string Secret)> RegisterAsync(NotificationsHost host, string url, Guid? agency, string state, params string[] types)
    {
        var secret = WebhookSecrets.NewSecret();
        var id = Guid.NewGuid();
        var secrets = host.Services.GetRequiredService<WebhookSecrets>();
        await host.InScopeAsync((db, _) =>
        {
            db.Webhooks.Add(new Webhook
            {
                Id = id, AgencyId = agency, StateCode = state, Url = url, EventTypes = string.Join(',', types), ProtectedSecret = secrets.Protect(secret),
                CreatedAt = host.Clock.GetUtcNow().UtcDateTime,
            });
            return Task.CompletedTask;
        });
        return (id, secret);
    }

    private static Task PublishAsync(NotificationsHost host, Guid eventId, string type, EventScope scope, Guid objectId) => host.InScopeAsync(async (db, _) =>
    {
        await using var scoped = host.Services.CreateAsyncScope();
        var publisher = new WebhookPublisher(db, host.Services.GetRequiredService<WebhookSignal>(), new NotificationSettings { PortalUrl = "https://marche.aes.test" },
            host.Clock);
        await publisher.PublishAsync(eventId, type, new DateTime(2026, 12, 5, 7, 59, 0, DateTimeKind.Utc), scope, "request", objectId, $"/demandes/{objectId}",
            new Dictionary<string, object?> { ["status"] = "active", ["reasonFr"] = null }, CancellationToken.None);
    });

    private static Task<List<WebhookAttempt>> AttemptsAsync(NotificationsHost host) =>
        host.InScopeAsync((db, _) => db.WebhookAttempts.AsNoTracking().OrderBy(a => a.Id).ToListAsync());

    private static Task<List<WebhookDelivery>> DeliveriesAsync(NotificationsHost host) =>
        host.InScopeAsync((db, _) => db.WebhookDeliveries.AsNoTracking().OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).ToListAsync());

    [Fact]
    public async Task A_delivery_is_a_json_body_with_the_events_id_signed_with_the_webhooks_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(webhooks: Loopback());
        var (webhookId, secret) = await RegisterAsync(host, receiver.Url, Agency, "ML", NotificationTypes.RequestStatus);
        var (eventId, requestId) = (Guid.NewGuid(), Guid.NewGuid());

        await PublishAsync(host, eventId, NotificationTypes.RequestStatus, EventScope.OfAgency(Agency, "ML"), requestId);
        Assert.Equal(1, await host.Webhooks().SendDueAsync(CancellationToken.None));

        var received = Assert.Single(receiver.Requests);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(received.Body)));
        Assert.Equal(expected, received.Headers["X-Aes-Signature"]);
        Assert.StartsWith("application/json", received.Headers["Content-Type"], StringComparison.Ordinal);
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal(eventId.ToString(), body.RootElement.GetProperty("id").GetString());
        Assert.Equal(eventId.ToString(), received.Headers["X-Aes-Event-Id"]);
        Assert.Equal(("request_status", "2026-12-05T07:59:00.0000000Z"),
            (body.RootElement.GetProperty("type").GetString(), body.RootElement.GetProperty("time").GetString()));
        var subject = body.RootElement.GetProperty("object");
        Assert.Equal(("request", requestId.ToString(), $"https://marche.aes.test/demandes/{requestId}", "active"),
            (subject.GetProperty("kind").GetString(), subject.GetProperty("id").GetString(), subject.GetProperty("url").GetString(),
                subject.GetProperty("status").GetString()));
        Assert.Equal(webhookId.ToString(), received.Headers["X-Aes-Webhook-Id"]);

        // Another secret does not verify it: a receiver checking signatures tells a forgery.
        var forged = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookSecrets.NewSecret()), Encoding.UTF8.GetBytes(received.Body)));
        Assert.NotEqual(forged, received.Headers["X-Aes-Signature"]);
        // The secret is kept encrypted, never as written.
        var stored = await host.InScopeAsync((db, _) => db.Webhooks.AsNoTracking().SingleAsync(w => w.Id == webhookId));
        Assert.DoesNotContain(secret, stored.ProtectedSecret, StringComparison.Ordinal);
        var delivery = Assert.Single(await DeliveriesAsync(host));
        Assert.Equal((WebhookDeliveryStatus.Delivered, 1), (delivery.Status, delivery.Attempts));
        Assert.Equal((WebhookOutcomes.Delivered, 200), (Assert.Single(await AttemptsAsync(host)).Outcome, (await AttemptsAsync(host))[0].StatusCode));
    }

    [Fact]
    public async Task After_a_500_and_after_silence_the_same_body_is_tried_again_later_each_attempt_logged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(webhooks: Loopback());
        await RegisterAsync(host, receiver.Url, Agency, "ML", NotificationTypes.RequestStatus);
        receiver.AnswerStatus(500);
        receiver.AnswerSilence(TimeSpan.FromSeconds(5));
        var eventId = Guid.NewGuid();
        await PublishAsync(host, eventId, NotificationTypes.RequestStatus, EventScope.OfAgency(Agency, "ML"), Guid.NewGuid());
        var dispatcher = host.Webhooks();

        Assert.Equal(1, await dispatcher.SendDueAsync(CancellationToken.None));
        var first = Assert.Single(await DeliveriesAsync(host));
        Assert.Equal((WebhookDeliveryStatus.Pending, host.Clock.GetUtcNow().UtcDateTime.AddSeconds(15)), (first.Status, first.NextAttemptAt));
        Assert.Equal(0, await dispatcher.SendDueAsync(CancellationToken.None)); // not before its time

        host.Clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(1, await dispatcher.SendDueAsync(CancellationToken.None)); // silence: the dispatcher's second runs out
        var second = Assert.Single(await DeliveriesAsync(host));
        Assert.Equal(host.Clock.GetUtcNow().UtcDateTime.AddSeconds(30), second.NextAttemptAt);

        host.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await dispatcher.SendDueAsync(CancellationToken.None));
        var delivered = Assert.Single(await DeliveriesAsync(host));
        Assert.Equal((WebhookDeliveryStatus.Delivered, 3), (delivered.Status, delivered.Attempts));

        Assert.Equal([(1, WebhookOutcomes.HttpError, (int?)500), (2, WebhookOutcomes.Timeout, null), (3, WebhookOutcomes.Delivered, 200)],
            (await AttemptsAsync(host)).Select(a => (a.Number, a.Outcome, a.StatusCode)));
        // Three requests, one body and one id: the receiver removes the duplicates by id.
        Assert.Equal(3, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Body).Distinct());
        Assert.All(receiver.Requests, r => Assert.Equal(eventId.ToString(), r.Headers["X-Aes-Event-Id"]));
        Assert.Equal(["1", "2", "3"], receiver.Requests.Select(r => r.Headers["X-Aes-Attempt"]));
    }

    [Fact]
    public async Task A_receiver_failing_all_day_is_tried_with_growing_waits_until_the_deadline_then_given_up()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(webhooks: Loopback());
        await RegisterAsync(host, receiver.Url, Agency, "ML", NotificationTypes.RequestStatus);
        for (var i = 0; i < 30; i++)
        {
            receiver.AnswerStatus(503);
        }
        await PublishAsync(host, Guid.NewGuid(), NotificationTypes.RequestStatus, EventScope.OfAgency(Agency, "ML"), Guid.NewGuid());
        var created = host.Clock.GetUtcNow().UtcDateTime;
        var dispatcher = host.Webhooks();
        var waits = new List<TimeSpan>();
        while ((await DeliveriesAsync(host)).Single() is { Status: WebhookDeliveryStatus.Pending } pending)
        {
            host.Clock.SetUtcNow(new DateTimeOffset(pending.NextAttemptAt, TimeSpan.Zero));
            Assert.Equal(1, await dispatcher.SendDueAsync(CancellationToken.None));
            if ((await DeliveriesAsync(host)).Single() is { Status: WebhookDeliveryStatus.Pending } next)
            {
                waits.Add(next.NextAttemptAt - host.Clock.GetUtcNow().UtcDateTime);
            }
        }
        // 15 s, 30 s, 1, 2, 4, 8, 16 min, then at most 20 min, the last at the deadline exactly (an hour here, a day by default).
        Assert.Equal([15, 30, 60, 120, 240, 480, 960], waits.Take(7).Select(w => (int)w.TotalSeconds));
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.Zero, TimeSpan.FromMinutes(20)));
        var attempts = await AttemptsAsync(host);
        Assert.Equal(created.AddHours(1), attempts[^1].At);
        Assert.All(attempts, a => Assert.Equal((WebhookOutcomes.HttpError, (int?)503), (a.Outcome, a.StatusCode)));
        Assert.Equal(WebhookDeliveryStatus.Failed, (await DeliveriesAsync(host)).Single().Status);
        Assert.Equal(attempts.Count, receiver.Requests.Count);
        Assert.Equal(new WebhookSettings().GiveUpAfter, TimeSpan.FromHours(24));
    }

    [Theory]
    [InlineData("http://hooks.example.ml/aes")]
    [InlineData("ftp://hooks.example.ml/aes")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://hooks.example.ml:70/_")]
    [InlineData("javascript:alert(1)")]
    public void Only_https_is_registered_by_default(string url)
    {
        var policy = new WebhookAddressPolicy(new WebhookSettings());
        Assert.NotNull(policy.UrlRefusal(url));
        Assert.Null(policy.UrlRefusal("https://hooks.example.ml/aes"));
    }

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://2852039166/latest/meta-data/")] // the same, as one decimal number
    [InlineData("https://0xA9.0xFE.0xA9.0xFE/")] // the same, in hexadecimal
    [InlineData("https://[::ffff:169.254.169.254]/")] // the same, as IPv6
    [InlineData("https://[fd00:ec2::254]/")] // AWS's metadata over IPv6
    [InlineData("https://100.100.100.200/")] // Alibaba Cloud's
    [InlineData("https://168.63.129.16/")] // Azure's wire server
    [InlineData("https://[fe80::1]/")]
    [InlineData("https://169.254.10.20:8443/")]
    [InlineData("https://0.0.0.0/")]
    [InlineData("https://[64:ff9b::a9fe:a9fe]/")] // through a NAT64 gateway
    [InlineData("https://[::a9fe:a9fe]/")] // IPv4-compatible
    [InlineData("https://[::ffff:0:a9fe:a9fe]/")] // IPv4-translated
    [InlineData("https://[2002:a9fe:a9fe::1]/")] // 6to4
    [InlineData("https://[2001:0:a9fe:a9fe::1]/")] // Teredo
    [InlineData("https://[64:ff9b:1::a9fe:a9fe]/")] // local-use NAT64
    public void Link_local_and_metadata_addresses_are_refused_even_where_every_network_is_allowed(string url)
    {
        var policy = new WebhookAddressPolicy(new WebhookSettings { AllowedNetworks = ["0.0.0.0/0", "::/0"] });
        Assert.NotNull(policy.UrlRefusal(url));
    }

    [Theory]
    [InlineData("https://10.1.2.3/hooks", "10.0.0.0/8")]
    [InlineData("https://192.168.1.10/hooks", "192.168.0.0/16")]
    [InlineData("https://127.0.0.1:9000/hooks", "127.0.0.0/8")]
    [InlineData("https://localhost:9000/hooks", "127.0.0.0/8")]
    [InlineData("https://[::1]:9000/hooks", "::1/128")]
    [InlineData("https://[fd12:3456::1]/hooks", "fd12:3456::/32")]
    [InlineData("https://[64:ff9b::a00:5]/hooks", "10.0.0.0/8")] // 10.0.0.5 through a NAT64 gateway
    public void Private_and_loopback_addresses_are_refused_unless_their_network_is_allowed(string url, string network)
    {
        Assert.NotNull(new WebhookAddressPolicy(new WebhookSettings()).UrlRefusal(url));
        Assert.Null(new WebhookAddressPolicy(new WebhookSettings { AllowedNetworks = [network] }).UrlRefusal(url));
    }

    [Fact]
    public void Credentials_or_a_fragment_in_the_address_are_refused()
    {
        var policy = new WebhookAddressPolicy(new WebhookSettings());
        Assert.NotNull(policy.UrlRefusal("https://user:password@hooks.example.ml/aes"));
        Assert.NotNull(policy.UrlRefusal("https://hooks.example.ml/aes#part"));
        Assert.NotNull(policy.UrlRefusal("hooks.example.ml/aes"));
    }

    /// <summary>
    /// Registered when the rules were looser, or a name that resolves to a refused address: each attempt checks the scheme and
    /// the resolved addresses again, and the receiver listening there hears nothing.
    /// </summary>
    [Fact]
    public async Task Each_attempt_checks_again_and_a_refused_scheme_or_resolved_address_is_never_contacted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        // https only, loopback allowed: the receiver's http address is refused for its scheme.
        await using (var httpsOnly = await NotificationsHost.StartAsync(webhooks: Loopback("https")))
        {
            await RegisterAsync(httpsOnly, receiver.Url, Agency, "ML", NotificationTypes.RequestStatus);
            await PublishAsync(httpsOnly, Guid.NewGuid(), NotificationTypes.RequestStatus, EventScope.OfAgency(Agency, "ML"), Guid.NewGuid());
            Assert.Equal(1, await httpsOnly.Webhooks().SendDueAsync(CancellationToken.None));
            Assert.Equal(WebhookOutcomes.SchemeRefused, Assert.Single(await AttemptsAsync(httpsOnly)).Outcome);
            Assert.Equal(WebhookDeliveryStatus.Failed, Assert.Single(await DeliveriesAsync(httpsOnly)).Status);
        }
        // Loopback not allowed: "localhost" resolves to it at the attempt, and is refused there; so are the metadata addresses.
        await using var strict = await NotificationsHost.StartAsync(webhooks: new WebhookSettings { AllowedSchemes = ["http", "https"], Timeout = TimeSpan.FromSeconds(1) });
        await RegisterAsync(strict, $"http://localhost:{receiver.Port}/hooks/aes", Agency, "ML", NotificationTypes.RequestStatus);
        await RegisterAsync(strict, "http://169.254.169.254/latest/meta-data/iam/security-credentials/", Agency, "ML", NotificationTypes.RequestStatus);
        await RegisterAsync(strict, "http://[fd00:ec2::254]/latest/meta-data/", Agency, "ML", NotificationTypes.RequestStatus);
        await PublishAsync(strict, Guid.NewGuid(), NotificationTypes.RequestStatus, EventScope.OfAgency(Agency, "ML"), Guid.NewGuid());
        Assert.Equal(3, await strict.Webhooks().SendDueAsync(CancellationToken.None));

        var attempts = await AttemptsAsync(strict);
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal((WebhookOutcomes.AddressRefused, (int?)null), (a.Outcome, a.StatusCode)));
        Assert.Contains(attempts, a => a.Error.Contains("169.254.169.254", StringComparison.Ordinal) && a.Error.Contains("never reached", StringComparison.Ordinal));
        Assert.Contains(attempts, a => a.Error.Contains("fd00:ec2::254", StringComparison.Ordinal));
        Assert.All(await DeliveriesAsync(strict), d => Assert.Equal(WebhookDeliveryStatus.Failed, d.Status));
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task An_event_makes_one_delivery_per_webhook_it_concerns_even_published_twice_and_sent_by_two_dispatchers_at_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(webhooks: Loopback());
        var (mine, _) = await RegisterAsync(host, receiver.Url + "?mine", Agency, "ML", NotificationTypes.RequestStatus, NotificationTypes.InvoiceIssued);
        var (malis, _) = await RegisterAsync(host, receiver.Url + "?ml", null, "ML", NotificationTypes.RequestStatus, NotificationTypes.SettlementClosed);
        await RegisterAsync(host, receiver.Url + "?other", OtherAgency, "ML", NotificationTypes.RequestStatus);
        await RegisterAsync(host, receiver.Url + "?niger", null, "NE", NotificationTypes.RequestStatus);
        await RegisterAsync(host, receiver.Url + "?invoices", Agency, "ML", NotificationTypes.InvoiceIssued);

        var events = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid()).ToList();
        foreach (var eventId in events.Concat(events))
        {
            await PublishAsync(host, eventId, NotificationTypes.RequestStatus, EventScope.OfAgency(Agency, "ML"), Guid.NewGuid());
        }
        var deliveries = await DeliveriesAsync(host);
        Assert.Equal(16, deliveries.Count);
        Assert.Equal(new[] { malis, mine }.Order(), deliveries.Select(d => d.WebhookId).Distinct().Order());

        await Task.WhenAll(host.Webhooks().SendDueAsync(CancellationToken.None), host.Webhooks().SendDueAsync(CancellationToken.None));
        await host.Webhooks().SendDueAsync(CancellationToken.None);
        Assert.Equal(16, receiver.Requests.Count);
        Assert.Equal(16, receiver.Requests.Select(r => (r.Headers["X-Aes-Webhook-Id"], r.Headers["X-Aes-Event-Id"])).Distinct().Count());
        Assert.Equal(16, (await AttemptsAsync(host)).Count);

        // A settlement concerns every state: Mali's webhook that asked for it receives it, no agency's does.
        await PublishAsync(host, Guid.NewGuid(), NotificationTypes.SettlementClosed, new EventScope([EventScope.EveryState]), Guid.NewGuid());
        Assert.Equal([malis], (await DeliveriesAsync(host)).Where(d => d.EventType == NotificationTypes.SettlementClosed).Select(d => d.WebhookId));
    }

    /// <summary>A reminder is an event of its own: the state whose turn it is receives holds_expiring once, with the reminder's occurrence as its id.</summary>
    [Fact]
    public async Task A_reminder_that_falls_due_reaches_the_webhooks_of_the_state_whose_turn_it_is_once()
    {
        await using var host = await NotificationsHost.StartAsync(webhooks: Loopback());
        await host.SeedPeopleAsync();
        var (mali, _) = await RegisterAsync(host, "https://hooks.ml.example/aes", null, "ML", NotificationTypes.HoldsExpiring);
        await RegisterAsync(host, "https://hooks.ne.example/aes", null, "NE", NotificationTypes.HoldsExpiring);
        var request = Guid.NewGuid();
        var now = host.Clock.GetUtcNow().UtcDateTime;
        await host.InScopeAsync((_, n) => n.ScheduleAsync(ReminderKinds.HoldsExpiring, request, "ML", now.AddHours(13), now.AddHours(1), now, CancellationToken.None));
        var occurrence = await host.InScopeAsync((db, _) => db.Reminders.AsNoTracking().Where(r => r.ObjectId == request).Select(r => r.Occurrence).SingleAsync());

        host.Clock.Advance(TimeSpan.FromHours(1));
        var reminders = host.Reminders();
        Assert.Equal(1, await reminders.SendDueAsync(CancellationToken.None));
        Assert.Equal(0, await reminders.SendDueAsync(CancellationToken.None));

        var delivery = Assert.Single(await DeliveriesAsync(host));
        Assert.Equal((mali, occurrence, NotificationTypes.HoldsExpiring, request), (delivery.WebhookId, delivery.EventId, delivery.EventType, delivery.ObjectId));
        using var body = JsonDocument.Parse(delivery.Body);
        Assert.Equal(now.AddHours(13), body.RootElement.GetProperty("object").GetProperty("holdsExpireAt").GetDateTime().ToUniversalTime());
    }

    /// <summary>A secret its key ring can no longer read (a certificate replaced without its predecessor): nothing unsigned leaves.</summary>
    [Fact]
    public async Task A_secret_that_cannot_be_decrypted_sends_nothing_and_ends_the_delivery_with_the_reason()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(webhooks: Loopback());
        var (id, _) = await RegisterAsync(host, receiver.Url, Agency, "ML", NotificationTypes.RequestStatus);
        await host.InScopeAsync(async (db, _) => (await db.Webhooks.SingleAsync(w => w.Id == id)).ProtectedSecret = "CfDJ8-written-by-another-key-ring");
        await PublishAsync(host, Guid.NewGuid(), NotificationTypes.RequestStatus, EventScope.OfAgency(Agency, "ML"), Guid.NewGuid());

        Assert.Equal(1, await host.Webhooks().SendDueAsync(CancellationToken.None));
        Assert.Equal(WebhookOutcomes.SecretUnreadable, Assert.Single(await AttemptsAsync(host)).Outcome);
        Assert.Equal(WebhookDeliveryStatus.Failed, Assert.Single(await DeliveriesAsync(host)).Status);
        Assert.Empty(receiver.Requests);
    }
}
