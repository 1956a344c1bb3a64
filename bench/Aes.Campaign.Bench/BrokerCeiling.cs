using System.Diagnostics;
using MassTransit;

namespace Aes.Campaign.Bench;

public sealed record CeilingProbe(int Sequence);

/// <summary>
/// The most this machine's RabbitMQ carries through MassTransit as the services use it: durable
/// queue, persistent messages, publisher confirms (each publish awaits the broker's ack), one
/// consumer endpoint with MassTransit's default prefetch. Publishers run concurrently.
/// </summary>
public static class BrokerCeiling
{
    public static async Task<double> MeasureAsync(string rabbitMq, int messages, int publishers)
    {
        var received = 0;
        var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = $"bench-ceiling-{Guid.NewGuid():N}";
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(new Uri(rabbitMq), host => host.PublisherConfirmation = true);
            rabbit.Durable = true;
            rabbit.ReceiveEndpoint(queue, endpoint =>
            {
                endpoint.AutoDelete = true;
                endpoint.Handler<CeilingProbe>(_ =>
                {
                    if (Interlocked.Increment(ref received) == messages)
                    {
                        allReceived.TrySetResult();
                    }
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync();
        try
        {
            // Warm up the connection, the exchange and the binding before timing.
            await bus.Publish(new CeilingProbe(-1));
            await Task.Delay(500);
            received = 0;
            var clock = Stopwatch.StartNew();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, publishers).Select(async _ =>
            {
                int sequence;
                while ((sequence = Interlocked.Increment(ref next)) < messages)
                {
                    await bus.Publish(new CeilingProbe(sequence), context => context.Durable = true);
                }
            }));
            await allReceived.Task.WaitAsync(TimeSpan.FromMinutes(5));
            return messages / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            await bus.StopAsync();
        }
    }
}
