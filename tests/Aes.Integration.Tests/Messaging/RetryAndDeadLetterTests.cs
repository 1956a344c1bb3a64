using System.Collections.Concurrent;
using System.Text;
using Aes.Messaging;
using Aes.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Aes.Integration.Tests.Messaging;

public sealed record SettlementRequested(Guid SettlementId);

/// <summary>Fails every try until healed; counts the tries per settlement.</summary>
public sealed class FlakySettlementConsumer(ProbeDb db, ILogger<FlakySettlementConsumer> logger)
    : InboxConsumer<SettlementRequested, ProbeDb>(db, logger)
{
    public static readonly ConcurrentDictionary<Guid, int> Tries = new();
    public static readonly ConcurrentDictionary<Guid, bool> Healed = new();

    protected override Task HandleAsync(SettlementRequested message, ConsumeContext<SettlementRequested> context)
    {
        Tries.AddOrUpdate(message.SettlementId, 1, (_, tries) => tries + 1);
        if (!Healed.ContainsKey(message.SettlementId))
        {
            throw new InvalidOperationException($"settlement {message.SettlementId} cannot be computed yet");
        }
        Db.Effects.Add(new Effect { Subject = message.SettlementId, Kind = "settled" });
        return Task.CompletedTask;
    }
}

public sealed class RetryAndDeadLetterTests
{
    [Fact]
    public async Task A_consumer_that_throws_is_retried_then_dead_lettered_with_nothing_lost()
    {
        var rabbitMq = await TestInfrastructure.RabbitMqAsync();
        using var host = await ProbeService.StartAsync(rabbitMq, await TestInfrastructure.NewPostgresDatabaseAsync("deadletter"),
            bus => bus.AddConsumer<FlakySettlementConsumer>(), new Dictionary<string, string?> { ["Messaging:DeadLetterCheckInterval"] = "00:00:00.500" });
        var health = host.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();
        var queue = host.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<FlakySettlementConsumer>();
        var settlement = Guid.NewGuid();

        var messageId = await host.SaveWithEventAsync(new SettlementRequested(settlement), settlement);

        // One try plus the three retries the probe service is configured with, then the error queue.
        var factory = new ConnectionFactory { Uri = new Uri(rabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await Eventually.HoldsAsync(() => HasMessagesAsync(connection, queue + "_error"), TimeSpan.FromSeconds(30),
            "the message reached the error queue");
        // It is seen: readiness says Degraded (the service still works) and names the queue.
        await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync()).Entries["dead-letters"].Status
            == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, TimeSpan.FromSeconds(30), "readiness reports the error queue");
        Assert.Contains(queue + "_error (1)", (await health.CheckHealthAsync()).Entries["dead-letters"].Description);
        var deadLetter = await channel.BasicGetAsync(queue + "_error", autoAck: false);
        Assert.Equal(4, FlakySettlementConsumer.Tries[settlement]);
        Assert.Equal(1, await host.EffectsAsync(settlement)); // only the original state change: failed tries left no trace

        // Nothing is lost: the whole message, its id and the reason are in the error queue...
        Assert.Contains(settlement.ToString(), Encoding.UTF8.GetString(deadLetter!.Body.Span));
        Assert.Contains(messageId.ToString(), Encoding.UTF8.GetString(deadLetter.Body.Span));
        var reason = deadLetter.BasicProperties.Headers!["MT-Fault-Message"];
        Assert.Contains("cannot be computed yet", Encoding.UTF8.GetString((byte[])reason!));


        // ...and once the cause is fixed, moving it back to its queue completes the work exactly once.
        FlakySettlementConsumer.Healed[settlement] = true;
        await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties(deadLetter.BasicProperties), deadLetter.Body);
        await channel.BasicAckAsync(deadLetter.DeliveryTag, multiple: false);
        await Eventually.HoldsAsync(async () => await host.EffectsAsync(settlement) == 2, TimeSpan.FromSeconds(30), "the redelivered message was handled");
        Assert.Null(await channel.BasicGetAsync(queue + "_error", autoAck: false));
        await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync()).Entries["dead-letters"].Status
            == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, TimeSpan.FromSeconds(30), "readiness healthy again once the queue is empty");
        await host.StopAsync();
    }

    /// <summary>MassTransit creates the error queue with its first message; asking for a missing queue closes the channel, hence a channel per look.</summary>
    private static async Task<bool> HasMessagesAsync(IConnection connection, string queue)
    {
        await using var probe = await connection.CreateChannelAsync();
        try
        {
            return (await probe.QueueDeclarePassiveAsync(queue)).MessageCount > 0;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return false;
        }
    }
}
