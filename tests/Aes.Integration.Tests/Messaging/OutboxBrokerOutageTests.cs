using Aes.Messaging;
using Aes.Testing;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.Integration.Tests.Messaging;

public sealed record ShipmentRecorded(Guid ShipmentId);

public sealed class ShipmentRecordedConsumer(ProbeDb db, ILogger<ShipmentRecordedConsumer> logger)
    : InboxConsumer<ShipmentRecorded, ProbeDb>(db, logger)
{
    protected override Task HandleAsync(ShipmentRecorded message, ConsumeContext<ShipmentRecorded> context)
    {
        Db.Effects.Add(new Effect { Subject = message.ShipmentId, Kind = "consumed" });
        return Task.CompletedTask;
    }
}

/// <summary>The broker is this test's own node, so stopping it disturbs no other test.</summary>
public sealed class OutboxBrokerOutageTests
{
    [Fact]
    public async Task An_event_saved_while_the_broker_is_down_is_delivered_once_it_is_back()
    {
        await using var broker = await RabbitMqNode.StartAsync();
        var database = await TestInfrastructure.NewPostgresDatabaseAsync("outage");
        using var service = await ProbeService.StartAsync(broker.ConnectionString, database,
            bus => bus.AddConsumer<ShipmentRecordedConsumer>());
        try
        {
            await broker.StopAsync();
            var shipment = Guid.NewGuid();

            var messageId = await service.SaveWithEventAsync(new ShipmentRecorded(shipment), shipment);

            // The state change is committed; the event waits in the outbox while the relay keeps failing.
            await Eventually.HoldsAsync(async () => (await service.OutboxRowAsync(messageId)).Attempts >= 1,
                TimeSpan.FromSeconds(30), "the relay tried and failed to publish");
            Assert.Null((await service.OutboxRowAsync(messageId)).DispatchedAt);
            Assert.Equal(1, await service.EffectsAsync(shipment));

            await broker.StartAgainAsync();

            await Eventually.HoldsAsync(async () => await service.EffectsAsync(shipment) == 2,
                TimeSpan.FromSeconds(90), "the consumer received the event after the broker came back");
            // The relay marks the row once the broker confirmed, which can come after the consumer's commit.
            await Eventually.HoldsAsync(async () => (await service.OutboxRowAsync(messageId)).DispatchedAt is not null,
                TimeSpan.FromSeconds(30), "the relay marked the event dispatched");
            // The relay sends no more once the row is marked; every copy it got the broker to take has been consumed.
            await Eventually.HoldsAsync(() => Task.FromResult(service.Messages().Published(messageId) >= 1
                && service.Messages().Consumed(messageId) == service.Messages().Published(messageId)), TimeSpan.FromSeconds(30), "every published copy consumed");
            Assert.Equal(2, await service.EffectsAsync(shipment));
        }
        finally
        {
            await service.StopAsync();
        }
    }
}
