using System.Diagnostics.Metrics;
using Aes.Messaging;
using Aes.Testing;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aes.Integration.Tests.Messaging;

public sealed record ParcelQuarantined(Guid ParcelId);

public sealed class ParcelQuarantinedConsumer(ProbeDb db, ILogger<ParcelQuarantinedConsumer> logger)
    : InboxConsumer<ParcelQuarantined, ProbeDb>(db, logger)
{
    protected override Task HandleAsync(ParcelQuarantined message, ConsumeContext<ParcelQuarantined> context)
    {
        Db.Effects.Add(new Effect { Subject = message.ParcelId, Kind = "consumed" });
        return Task.CompletedTask;
    }
}

/// <summary>
/// A message the real broker refuses every time: the queue it routes to is full by policy (length 0,
/// <c>reject-publish</c>), so RabbitMQ answers each publish with a nack while it takes every other message.
/// </summary>
public sealed class OutboxRefusalTests
{
    [Fact]
    public async Task A_message_the_broker_always_refuses_is_parked_and_reported_and_the_hundred_behind_it_all_arrive()
    {
        var rabbit = await TestInfrastructure.NewRabbitMqVirtualHostAsync("refusal");
        var vhost = new Uri(rabbit).AbsolutePath.Trim('/');
        using var management = new HttpClient { BaseAddress = await TestInfrastructure.RabbitMqManagementAsync() };
        management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        var policy = new StringContent("""{"pattern":"parcel-quarantined","definition":{"max-length":0,"overflow":"reject-publish"},"apply-to":"queues","priority":10}""",
            System.Text.Encoding.UTF8, "application/json");
        (await management.PutAsync($"api/policies/{vhost}/refuse-parcels", policy)).EnsureSuccessStatusCode();
        var database = await TestInfrastructure.NewPostgresDatabaseAsync("refusal");
        using var service = await ProbeService.StartAsync(rabbit, database, bus =>
        {
            bus.AddConsumer<ShipmentRecordedConsumer>();
            bus.AddConsumer<ParcelQuarantinedConsumer>();
        }, new Dictionary<string, string?> { ["Messaging:OutboxMaxRefusals"] = "3", ["Messaging:PublishTimeout"] = "00:00:03" });
        var serviceName = service.Services.GetRequiredService<MessagingSettings>().ServiceName;
        try
        {
            var parcel = Guid.NewGuid();
            var refusedId = await service.SaveWithEventAsync(new ParcelQuarantined(parcel), parcel);
            var shipments = Enumerable.Range(0, 100).Select(_ => Guid.NewGuid()).ToList();
            foreach (var shipment in shipments)
            {
                await service.SaveWithEventAsync(new ShipmentRecorded(shipment), shipment);
            }

            await Eventually.HoldsAsync(async () => await ConsumedAsync(service, shipments) == shipments.Count,
                TimeSpan.FromSeconds(120), "the hundred events behind the refused one were all consumed");
            var refused = await service.OutboxRowAsync(refusedId);
            Assert.NotNull(refused.ParkedAt);
            Assert.Null(refused.DispatchedAt);
            Assert.Equal(3, refused.Refusals);
            Assert.Contains("refused", refused.LastError);
            Assert.Equal(1, await service.EffectsAsync(parcel)); // its state change only: it was never delivered

            // Reported: on the audit trail, and on the gauge.
            await using (var scope = service.Services.CreateAsyncScope())
            {
                var audit = await scope.ServiceProvider.GetRequiredService<ProbeDb>().AuditEntries.AsNoTracking().Where(e => e.Action == "outbox.parked").ToListAsync();
                Assert.Contains(audit, entry => entry.Details.Contains(refusedId.ToString(), StringComparison.Ordinal));
            }
            Assert.Equal(1, ParkedGauge(serviceName));

            // The cause fixed (the policy gone), an operator puts it back in line, and it arrives once.
            (await management.DeleteAsync($"api/policies/{vhost}/refuse-parcels")).EnsureSuccessStatusCode();
            await using (var scope = service.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ProbeDb>();
                (await db.OutboxMessages.SingleAsync(m => m.MessageId == refusedId)).Unpark();
                await db.SaveChangesAsync();
            }
            await Eventually.HoldsAsync(async () => await service.EffectsAsync(parcel) == 2, TimeSpan.FromSeconds(60), "the unparked event was consumed");
            await Eventually.HoldsAsync(async () => (await service.OutboxRowAsync(refusedId)).DispatchedAt is not null, TimeSpan.FromSeconds(30), "and marked sent");
        }
        finally
        {
            await service.StopAsync();
        }
    }

    private static async Task<int> ConsumedAsync(Microsoft.Extensions.Hosting.IHost service, IReadOnlyCollection<Guid> subjects)
    {
        await using var scope = service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProbeDb>().Effects.CountAsync(e => subjects.Contains(e.Subject) && e.Kind == "consumed");
    }

    /// <summary>What the <c>aes.outbox.parked</c> gauge says now for one service.</summary>
    private static long ParkedGauge(string serviceName)
    {
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Name == "aes.outbox.parked")
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "service" && Equals(tag.Value, serviceName))
                {
                    value = measurement;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value ?? -1;
    }
}
