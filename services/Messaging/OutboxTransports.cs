using System.Collections.Concurrent;

namespace Aes.Messaging;

/// <summary>Where the relay sends what it reads from the outbox.</summary>
public interface IOutboxTransport
{
    Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Asked after a publish failed: true when the broker can be reached now, so that it was the broker that did not
    /// take the message (the message is the problem), not the way to it (the broker is).
    /// </summary>
    Task<bool> ReachableAsync(CancellationToken cancellationToken);
}

/// <summary>Publishes on this service's MassTransit bus (RabbitMQ with publisher confirms).</summary>
internal sealed class BusOutboxTransport(IBus bus, IConfiguration configuration) : IOutboxTransport
{
    public Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken cancellationToken) =>
        bus.Publish(message, messageType, Pipe.Execute<PublishContext>(context => context.MessageId = messageId), cancellationToken);

    /// <summary>
    /// Opens a connection of its own: the bus's health follows its receive endpoints only (a service with no consumer
    /// says healthy with the broker gone), and a dropped connection is noticed late.
    /// </summary>
    public async Task<bool> ReachableAsync(CancellationToken cancellationToken)
    {
        var broker = new RabbitMQ.Client.ConnectionFactory
        {
            Uri = new Uri(configuration.GetConnectionString(ResourceNames.RabbitMqConnection)!),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            AutomaticRecoveryEnabled = false,
        };
        try
        {
            await using var connection = await broker.CreateConnectionAsync(cancellationToken);
            return connection.IsOpen;
        }
        catch (Exception exception) when (exception is RabbitMQ.Client.Exceptions.BrokerUnreachableException or System.Net.Sockets.SocketException
            or IOException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>
/// The embedded mode's broker: every service in the process keeps its own MassTransit bus on the
/// in-memory transport, and an event relayed from any outbox is published on each of them, so each
/// service's own consumers receive it on their own endpoints, exactly as through RabbitMQ.
/// Publishing waits until every expected service has attached, and fails once the hub is closing,
/// so that no event is marked dispatched while a consumer is missing: it stays in its outbox.
/// </summary>
public sealed class InProcessBusHub : IOutboxTransport
{
    private readonly ConcurrentDictionary<string, IBus> _buses = new();
    private readonly TaskCompletionSource _allAttached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<string> _expected = [];
    private volatile bool _closing;

    /// <summary>The services that must all be attached before anything is published.</summary>
    public void Expect(IEnumerable<string> serviceNames)
    {
        _expected = [.. serviceNames];
        CheckAllAttached();
    }

    public void Attach(string serviceName, IBus bus)
    {
        _buses[serviceName] = bus;
        CheckAllAttached();
    }

    public void Detach(string serviceName) => _buses.TryRemove(serviceName, out _);

    /// <summary>From now on publishing fails, and events wait in their outboxes for the next start.</summary>
    public void Close() => _closing = true;

    public IReadOnlyCollection<string> AttachedServices => _buses.Keys.ToList();

    public Task<bool> ReachableAsync(CancellationToken cancellationToken) => Task.FromResult(!_closing && _allAttached.Task.IsCompleted);

    public async Task PublishAsync(object message, Type messageType, Guid messageId, CancellationToken cancellationToken)
    {
        await _allAttached.Task.WaitAsync(cancellationToken);
        foreach (var bus in _buses.Values)
        {
            if (_closing)
            {
                throw new InvalidOperationException("The in-process bus is closing.");
            }
            await bus.Publish(message, messageType, Pipe.Execute<PublishContext>(context => context.MessageId = messageId), cancellationToken);
        }
    }

    private void CheckAllAttached()
    {
        if (_expected.All(_buses.ContainsKey))
        {
            _allAttached.TrySetResult();
        }
    }
}

/// <summary>Attaches this service's bus to the process hub while it runs.</summary>
internal sealed class InProcessBusAttachment(InProcessBusHub hub, IBus bus, MessagingSettings settings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        hub.Attach(settings.ServiceName, bus);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        hub.Detach(settings.ServiceName);
        return Task.CompletedTask;
    }
}
