using Aes.Notifications.Application;
using Aes.Notifications.Domain;
using Aes.Testing;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Aes.Notifications.Tests;

/// <summary>Deliveries leave through a real Postfix (or the .eml folder), once each, and are tried again when the server is away.</summary>
public sealed class DispatchTests
{
    private static async Task<Guid> PendingAsync(NotificationsHost host, string address = "op.ml@aes.test", string subject = "Demande 1234ABCD en attente")
    {
        var id = Guid.NewGuid();
        await host.InScopeAsync((db, _) =>
        {
            db.Deliveries.Add(new Delivery
            {
                Id = id, EventId = Guid.NewGuid(), EventType = "ApprovalAwaited", RecipientUserId = NotificationsHost.OperatorMl, Channel = Channels.Email,
                Address = address, Language = Languages.French, ObjectKind = "request", ObjectId = Guid.NewGuid(), Subject = subject,
                TextBody = "Texte é\n", HtmlBody = "<p>Texte é</p>", Status = DeliveryStatus.Pending, CreatedAt = host.Clock.GetUtcNow().UtcDateTime,
                NextAttemptAt = host.Clock.GetUtcNow().UtcDateTime,
            });
            return Task.CompletedTask;
        });
        return id;
    }

    private static Task<Delivery> ReadAsync(NotificationsHost host, Guid id) => host.InScopeAsync((db, _) => db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == id));

    [Fact]
    public async Task A_delivery_reaches_the_maildir_through_postfix_as_text_and_html()
    {
        var (port, maildir) = await TestInfrastructure.MailServerAsync();
        await using var host = await NotificationsHost.StartAsync(new SmtpMailSender(new MailSettings
        {
            Smtp = new SmtpSettings { Host = "127.0.0.1", Port = port, Security = SecureSocketOptions.None },
        }));
        await host.SeedPeopleAsync();
        var subject = $"Demande {Guid.NewGuid():N} en attente";
        var id = await PendingAsync(host, subject: subject);

        Assert.Equal(1, await host.Dispatcher().SendDueAsync(CancellationToken.None));
        var sent = await ReadAsync(host, id);
        Assert.Equal((DeliveryStatus.Sent, 1), (sent.Status, sent.Attempts));

        MimeMessage? received = null;
        await Eventually.HoldsAsync(() =>
        {
            var delivered = Path.Combine(maildir, "new");
            received = !Directory.Exists(delivered) ? null : Directory.EnumerateFiles(delivered).Select(f => MimeMessage.Load(f)).FirstOrDefault(m => m.Subject == subject);
            return Task.FromResult(received is not null);
        }, TimeSpan.FromSeconds(20), "Postfix delivered the message into its Maildir");
        Assert.Equal("Opérateur du Mali", received!.To.Mailboxes.Single().Name);
        Assert.Equal(sent.EventId.ToString(), received.Headers["X-Aes-Event-Id"]);
        Assert.Equal("fr", received.Body?.Headers["Content-Language"]);
        Assert.Equal("Texte é\n", (received.TextBody ?? "").Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal("<p>Texte é</p>", (received.HtmlBody ?? "").Trim());
    }

    [Fact]
    public async Task A_server_out_of_reach_leaves_the_delivery_to_be_tried_again_later()
    {
        await using var host = await NotificationsHost.StartAsync(new SmtpMailSender(new MailSettings
        {
            Smtp = new SmtpSettings { Host = "127.0.0.1", Port = Infra.FreePort(), Security = SecureSocketOptions.None },
        }));
        await host.SeedPeopleAsync();
        var id = await PendingAsync(host);

        Assert.Equal(1, await host.Dispatcher().SendDueAsync(CancellationToken.None));
        var failed = await ReadAsync(host, id);
        Assert.Equal((DeliveryStatus.Pending, 1, (DateTime?)null), (failed.Status, failed.Attempts, failed.LeasedUntil));
        Assert.Equal(host.Clock.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(30), failed.NextAttemptAt);
        Assert.False(string.IsNullOrEmpty(failed.LastError));
        // Not due again until then.
        Assert.Equal(0, await host.Dispatcher().SendDueAsync(CancellationToken.None));
        host.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await host.Dispatcher().SendDueAsync(CancellationToken.None));
        Assert.Equal(2, (await ReadAsync(host, id)).Attempts);
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(5, 480)]
    [InlineData(9, 3600)]
    [InlineData(12, 3600)]
    public void Attempts_wait_longer_each_time_up_to_an_hour(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), MailDispatcher.RetryDelay(attempts));

    [Fact]
    public async Task Two_dispatchers_at_once_send_each_delivery_once()
    {
        var folder = Infra.NewTempFolder("aes-mail");
        await using var host = await NotificationsHost.StartAsync(new PickupFolderMailSender(folder));
        await host.SeedPeopleAsync();
        for (var i = 0; i < 15; i++)
        {
            await PendingAsync(host, subject: $"n° {i}");
        }
        var taken = await Task.WhenAll(host.Dispatcher().SendDueAsync(CancellationToken.None), host.Dispatcher().SendDueAsync(CancellationToken.None));
        Assert.Equal(15, taken.Sum());
        var files = Directory.GetFiles(folder, "*.eml");
        Assert.Equal(15, files.Length);
        Assert.Equal(15, files.Select(f => MimeMessage.Load(f).Subject).Distinct().Count());
        Assert.All(await host.DeliveriesAsync(), d => Assert.Equal(DeliveryStatus.Sent, d.Status));
    }

    [Fact]
    public async Task A_reminder_falls_due_once_for_the_operators_whose_turn_it_is()
    {
        await using var host = await NotificationsHost.StartAsync();
        await host.SeedPeopleAsync();
        var request = Guid.NewGuid();
        var now = host.Clock.GetUtcNow().UtcDateTime;
        await host.InScopeAsync((_, n) => n.ScheduleAsync(ReminderKinds.HoldsExpiring, request, "ML", now.AddHours(48), now.AddHours(36), now, CancellationToken.None));

        Assert.Equal(0, await host.Reminders().SendDueAsync(CancellationToken.None));
        host.Clock.Advance(TimeSpan.FromHours(36));
        var sent = await Task.WhenAll(host.Reminders().SendDueAsync(CancellationToken.None), host.Reminders().SendDueAsync(CancellationToken.None));
        Assert.Equal(1, sent.Sum());
        Assert.Equal(0, await host.Reminders().SendDueAsync(CancellationToken.None));
        var deliveries = await host.DeliveriesAsync();
        var reference = RequestMessages.Reference(request);
        Assert.Equal([("op.ml@aes.test", $"Rappel : la demande {reference} attend toujours votre approbation"),
                ("op2.ml@aes.test", $"Reminder: request {reference} still awaits your approval")],
            deliveries.OrderBy(d => d.Address, StringComparer.Ordinal).Select(d => (d.Address, d.Subject)));
        Assert.All(deliveries, d => Assert.Contains(now.AddHours(48).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), d.TextBody));
    }
}
