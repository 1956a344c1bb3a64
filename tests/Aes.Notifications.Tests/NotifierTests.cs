using Aes.Notifications.Application;
using Aes.Notifications.Domain;
using Microsoft.EntityFrameworkCore;

namespace Aes.Notifications.Tests;

/// <summary>Who gets a delivery for an event, in which language, and only once; reminders scheduled and cancelled in event order.</summary>
public sealed class NotifierTests : SeededHostTests
{

    private Task TellOperatorsAsync(string state, Guid eventId, Guid request) => Host.InScopeAsync(async (_, notifier) =>
        await notifier.TellAsync(eventId, "ApprovalAwaited", await notifier.OperatorsOfAsync(state, CancellationToken.None), "request", request,
            Host.Clock.GetUtcNow().UtcDateTime,
            language => RequestMessages.ApprovalAwaited(language, request, "home", state, state, DateTime.UtcNow, "https://marche.aes.test"), CancellationToken.None));

    [Fact]
    public async Task Each_operator_of_the_state_gets_one_delivery_in_their_language()
    {
        var request = Guid.NewGuid();
        await TellOperatorsAsync("ML", Guid.NewGuid(), request);
        var deliveries = await Host.DeliveriesAsync();
        Assert.Equal(
            [("op.ml@aes.test", "fr", DeliveryStatus.Pending, "en attente de votre approbation"), ("op2.ml@aes.test", "en", DeliveryStatus.Pending, "awaits your approval")],
            deliveries.OrderBy(d => d.Address).Select(d => (d.Address, d.Language, d.Status, d.Subject[(d.Subject.IndexOf(' ', 9) + 1)..])));
        Assert.All(deliveries, d => Assert.Equal(("request", request), (d.ObjectKind, d.ObjectId)));
    }

    [Fact]
    public async Task The_same_event_told_twice_makes_no_second_delivery()
    {
        var eventId = Guid.NewGuid();
        await TellOperatorsAsync("ML", eventId, Guid.NewGuid());
        await TellOperatorsAsync("ML", eventId, Guid.NewGuid());
        Assert.Equal(2, (await Host.DeliveriesAsync()).Count);
    }

    [Fact]
    public async Task Someone_without_an_address_keeps_the_message_as_not_sent()
    {
        await TellOperatorsAsync("NE", Guid.NewGuid(), Guid.NewGuid());
        var delivery = Assert.Single(await Host.DeliveriesAsync());
        Assert.Equal((NotificationsHost.OperatorNe, DeliveryStatus.NoAddress, ""), (delivery.RecipientUserId, delivery.Status, delivery.Address));
    }

    [Fact]
    public async Task A_reminder_follows_the_latest_event_whatever_order_they_arrive_in()
    {
        var request = Guid.NewGuid();
        var t0 = new DateTime(2026, 12, 5, 8, 0, 0, DateTimeKind.Utc);
        Task<Reminder> ReadAsync() => Host.InScopeAsync((db, _) => db.Reminders.AsNoTracking().SingleAsync(r => r.ObjectId == request));

        await Host.InScopeAsync((_, n) => n.ScheduleAsync(ReminderKinds.HoldsExpiring, request, "NE", t0.AddHours(48), t0.AddHours(36), t0, CancellationToken.None));
        var home = await ReadAsync();
        // The host's turn (later) moves it to Mali, as another message; the home approval's older cancel arriving late changes nothing.
        await Host.InScopeAsync((_, n) => n.ScheduleAsync(ReminderKinds.HoldsExpiring, request, "ML", t0.AddHours(48), t0.AddHours(36), t0.AddMinutes(5), CancellationToken.None));
        await Host.InScopeAsync((_, n) => n.CancelAsync(ReminderKinds.HoldsExpiring, request, t0.AddMinutes(1), CancellationToken.None));
        var host = await ReadAsync();
        Assert.Equal(("ML", false), (host.StateCode, host.Done));
        Assert.NotEqual(home.Occurrence, host.Occurrence);

        // Approved: cancelled; the host turn's event delivered again late does not bring it back.
        await Host.InScopeAsync((_, n) => n.CancelAsync(ReminderKinds.HoldsExpiring, request, t0.AddMinutes(9), CancellationToken.None));
        await Host.InScopeAsync((_, n) => n.ScheduleAsync(ReminderKinds.HoldsExpiring, request, "ML", t0.AddHours(48), t0.AddHours(36), t0.AddMinutes(5), CancellationToken.None));
        Assert.True((await ReadAsync()).Done);
    }
}
