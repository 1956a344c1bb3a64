using Aes.Messaging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Messaging.Tests;

public sealed class InProcessBusHubTests
{
    private static async Task<(ServiceProvider Provider, ITestHarness Harness)> BusAsync()
    {
        var provider = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return (provider, harness);
    }

    [Fact]
    public async Task Publishing_waits_until_every_expected_service_is_attached()
    {
        var (provider, harness) = await BusAsync();
        await using var _ = provider;
        var hub = new InProcessBusHub();
        hub.Expect(["tenancy", "quota"]);
        hub.Attach("tenancy", harness.Bus);

        var publishing = hub.PublishAsync(new ThingHappened(1), typeof(ThingHappened), NewId.NextGuid(), CancellationToken.None);
        await Task.Delay(300);
        Assert.False(publishing.IsCompleted);

        hub.Attach("quota", harness.Bus);
        await publishing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(await harness.Published.Any<ThingHappened>());
    }

    [Fact]
    public async Task A_closing_hub_refuses_to_publish_so_the_event_stays_in_its_outbox()
    {
        var (provider, harness) = await BusAsync();
        await using var _ = provider;
        var hub = new InProcessBusHub();
        hub.Attach("tenancy", harness.Bus);
        hub.Close();

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            hub.PublishAsync(new ThingHappened(2), typeof(ThingHappened), NewId.NextGuid(), CancellationToken.None));
        Assert.False(await harness.Published.Any<ThingHappened>(m => m.Context.Message.Number == 2));
    }
}
