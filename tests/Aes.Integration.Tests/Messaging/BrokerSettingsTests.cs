using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Aes.Messaging;
using Aes.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.Integration.Tests.Messaging;

public sealed record CapacityAnnounced(Guid FacilityId);

public sealed class CapacityAnnouncedConsumer(ProbeDb db, ILogger<CapacityAnnouncedConsumer> logger)
    : InboxConsumer<CapacityAnnounced, ProbeDb>(db, logger)
{
    protected override Task HandleAsync(CapacityAnnounced message, ConsumeContext<CapacityAnnounced> context)
    {
        Db.Effects.Add(new Effect { Subject = message.FacilityId, Kind = "announced" });
        return Task.CompletedTask;
    }
}

/// <summary>What RabbitMQ itself reports about a service's queues and publishing channel.</summary>
public sealed class BrokerSettingsTests
{
    [Fact]
    public async Task Queues_are_durable_and_publishing_waits_for_publisher_confirms()
    {
        using var host = await ProbeService.StartAsync(await TestInfrastructure.RabbitMqAsync(),
            await TestInfrastructure.NewPostgresDatabaseAsync("broker"), bus => bus.AddConsumer<CapacityAnnouncedConsumer>());
        var facility = Guid.NewGuid();
        await host.SaveWithEventAsync(new CapacityAnnounced(facility), facility);
        await Eventually.HoldsAsync(async () => await host.EffectsAsync(facility) == 2, TimeSpan.FromSeconds(30), "event consumed");

        using var management = new HttpClient { BaseAddress = await TestInfrastructure.RabbitMqManagementAsync() };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));

        var queue = host.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<CapacityAnnouncedConsumer>();
        using var queueInfo = JsonDocument.Parse(await management.GetStringAsync($"api/queues/%2F/{queue}"));
        Assert.True(queueInfo.RootElement.GetProperty("durable").GetBoolean());
        Assert.False(queueInfo.RootElement.GetProperty("auto_delete").GetBoolean());

        // The management plugin refreshes channel statistics every few seconds.
        var service = host.Services.GetRequiredService<MessagingSettings>().ServiceName;
        await Eventually.HoldsAsync(async () =>
        {
            using var connections = JsonDocument.Parse(await management.GetStringAsync("api/connections"));
            var myConnections = connections.RootElement.EnumerateArray()
                .Where(c => c.TryGetProperty("user_provided_name", out var name) && name.GetString() == service && c.TryGetProperty("name", out _))
                .Select(c => c.GetProperty("name").GetString())
                .ToHashSet();
            using var channels = JsonDocument.Parse(await management.GetStringAsync("api/channels"));
            // Statistics are partial for a channel being opened or closed (another test's): connection_details
            // may be [] and confirm absent until the next refresh.
            return channels.RootElement.EnumerateArray()
                .Where(c => c.TryGetProperty("connection_details", out var details) && details.ValueKind == JsonValueKind.Object
                    && details.TryGetProperty("name", out var connection) && myConnections.Contains(connection.GetString()))
                .Any(c => c.TryGetProperty("confirm", out var confirm) && confirm.ValueKind == JsonValueKind.True);
        }, TimeSpan.FromSeconds(30), "the service's publishing channel is in confirm mode");
        await host.StopAsync();
    }

    [Fact]
    public async Task With_quorum_queues_as_in_kubernetes_each_service_queue_is_a_quorum_queue()
    {
        using var host = await ProbeService.StartAsync(await TestInfrastructure.RabbitMqAsync(),
            await TestInfrastructure.NewPostgresDatabaseAsync("quorum"), bus => bus.AddConsumer<CapacityAnnouncedConsumer>(),
            new Dictionary<string, string?> { ["Messaging:QuorumQueues"] = "true" });
        var facility = Guid.NewGuid();
        await host.SaveWithEventAsync(new CapacityAnnounced(facility), facility);
        await Eventually.HoldsAsync(async () => await host.EffectsAsync(facility) == 2, TimeSpan.FromSeconds(30), "event consumed through a quorum queue");

        using var management = new HttpClient { BaseAddress = await TestInfrastructure.RabbitMqManagementAsync() };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        var queue = host.Services.GetRequiredService<IEndpointNameFormatter>().Consumer<CapacityAnnouncedConsumer>();
        using var queueInfo = JsonDocument.Parse(await management.GetStringAsync($"api/queues/%2F/{queue}"));
        Assert.Equal("quorum", queueInfo.RootElement.GetProperty("type").GetString());
        Assert.True(queueInfo.RootElement.GetProperty("durable").GetBoolean());
        await host.StopAsync();
    }
}
