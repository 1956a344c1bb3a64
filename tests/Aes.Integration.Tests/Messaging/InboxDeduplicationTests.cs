using Aes.Messaging;
using Aes.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.Integration.Tests.Messaging;

public sealed record InvoiceLineCounted(Guid LineId);

public sealed class InvoiceLineCountedConsumer(ProbeDb db, ILogger<InvoiceLineCountedConsumer> logger)
    : InboxConsumer<InvoiceLineCounted, ProbeDb>(db, logger)
{
    protected override async Task HandleAsync(InvoiceLineCounted message, ConsumeContext<InvoiceLineCounted> context)
    {
        Db.Effects.Add(new Effect { Subject = message.LineId, Kind = "counted" });
        // Widen the window in which two copies are inside the handler at once.
        await Task.Delay(50, context.CancellationToken);
    }
}

public sealed class InboxDeduplicationTests
{
    private static async Task<IHost> StartAsync() => await ProbeService.StartAsync(
        await TestInfrastructure.RabbitMqAsync(),
        await TestInfrastructure.NewPostgresDatabaseAsync("inbox"),
        bus => bus.AddConsumer<InvoiceLineCountedConsumer>());

    private static Task PublishCopyAsync(IHost host, Guid line, Guid messageId) =>
        host.Services.GetRequiredService<IBus>().Publish(new InvoiceLineCounted(line), context => context.MessageId = messageId);

    [Fact]
    public async Task A_message_delivered_twice_has_one_effect()
    {
        using var host = await StartAsync();
        var line = Guid.NewGuid();
        var messageId = NewId.NextGuid();

        await PublishCopyAsync(host, line, messageId);
        await Eventually.HoldsAsync(async () => await host.EffectsAsync(line) == 1, TimeSpan.FromSeconds(30), "first copy handled");
        await PublishCopyAsync(host, line, messageId);
        // The second copy consumed (and found in the inbox): nothing of it is still on its way.
        await Eventually.HoldsAsync(() => Task.FromResult(host.Messages().Consumed(messageId) == 2), TimeSpan.FromSeconds(30), "second copy consumed");

        Assert.Equal(1, await host.EffectsAsync(line));
        await host.StopAsync();
    }

    [Fact]
    public async Task Copies_delivered_at_the_same_moment_have_one_effect()
    {
        using var host = await StartAsync();
        var line = Guid.NewGuid();
        var messageId = NewId.NextGuid();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PublishCopyAsync(host, line, messageId)));
        // Every one of the eight copies consumed: none is still on its way to add an effect.
        await Eventually.HoldsAsync(() => Task.FromResult(host.Messages().Consumed(messageId) == 8), TimeSpan.FromSeconds(30), "every copy consumed");

        Assert.Equal(1, await host.EffectsAsync(line));
        await host.StopAsync();
    }

    [Fact]
    public async Task Distinct_messages_about_the_same_subject_each_count()
    {
        using var host = await StartAsync();
        var line = Guid.NewGuid();

        await PublishCopyAsync(host, line, NewId.NextGuid());
        await PublishCopyAsync(host, line, NewId.NextGuid());

        await Eventually.HoldsAsync(async () => await host.EffectsAsync(line) == 2, TimeSpan.FromSeconds(30), "both messages handled");
        await host.StopAsync();
    }
}
