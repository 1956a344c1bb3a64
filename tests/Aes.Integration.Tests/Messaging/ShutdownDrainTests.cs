using Aes.Messaging;
using Aes.Testing;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.Integration.Tests.Messaging;

public sealed record ArchiveRequested(Guid ArchiveId);

/// <summary>A consumer whose work takes a while: long enough for a stop to arrive in the middle.</summary>
public sealed class SlowArchiveConsumer(ProbeDb db, ILogger<SlowArchiveConsumer> logger) : InboxConsumer<ArchiveRequested, ProbeDb>(db, logger)
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource> Started = new();

    protected override async Task HandleAsync(ArchiveRequested message, ConsumeContext<ArchiveRequested> context)
    {
        Started.GetOrAdd(message.ArchiveId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        await Task.Delay(TimeSpan.FromSeconds(2), context.CancellationToken);
        Db.Effects.Add(new Effect { Subject = message.ArchiveId, Kind = "archived" });
    }
}

/// <summary>A stop (SIGTERM, a rolling update) lets the message being handled finish: nothing is cut in half.</summary>
public sealed class ShutdownDrainTests
{
    [Fact]
    public async Task Stopping_a_service_lets_the_consumer_finish_the_message_it_holds()
    {
        var database = await TestInfrastructure.NewPostgresDatabaseAsync("drain");
        var service = await ProbeService.StartAsync(await TestInfrastructure.RabbitMqAsync(), database, bus => bus.AddConsumer<SlowArchiveConsumer>());
        var archive = Guid.NewGuid();
        var started = SlowArchiveConsumer.Started.GetOrAdd(archive, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        await service.SaveWithEventAsync(new ArchiveRequested(archive), archive);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await service.StopAsync(TimeSpan.FromSeconds(30));

        // The handler's work and its inbox mark were committed before the host let go of the broker.
        Assert.Equal(2, await service.EffectsAsync(archive)); // the state change that raised the event, and the archive
        service.Dispose();
    }
}
