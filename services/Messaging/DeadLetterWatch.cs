using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Aes.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Aes.Messaging;

/// <summary>The service's receive endpoints, as MassTransit configured them: each has its <c>_error</c> queue.</summary>
public sealed class ReceiveEndpointNames
{
    private readonly ConcurrentDictionary<string, byte> _names = new();

    public void Add(string name) => _names.TryAdd(name, 0);

    public IReadOnlyCollection<string> All => [.. _names.Keys.Order()];
}

/// <summary>
/// Counts the messages in the service's <c>_error</c> queues every <c>Messaging:DeadLetterCheckInterval</c> (30 s):
/// the gauge <c>aes.bus.dead_letters{service,queue}</c>, and readiness <c>Degraded</c> (still ready: the service
/// works; someone must look) naming the queues, until they are empty again.
/// </summary>
public sealed partial class DeadLetterWatch(ReceiveEndpointNames endpoints, MessagingSettings settings, IConfiguration configuration,
    ILogger<DeadLetterWatch> logger) : BackgroundService, IHealthCheck
{
    private static readonly ConcurrentDictionary<(string Service, string Queue), long> Counts = new();
    private volatile IReadOnlyList<string> _holding = [];

    static DeadLetterWatch() => Telemetry.Meter.CreateObservableGauge("aes.bus.dead_letters",
        () => Counts.Select(entry => new Measurement<long>(entry.Value,
            new KeyValuePair<string, object?>("service", entry.Key.Service), new KeyValuePair<string, object?>("queue", entry.Key.Queue))),
        "{message}", "Messages in the service's error queues: consumers gave up on them; replay them once the cause is fixed");

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_holding.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"messages in error queues / messages en file d'erreur: {string.Join(", ", _holding)}"));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var broker = new ConnectionFactory
        {
            Uri = new Uri(configuration.GetConnectionString(ResourceNames.RabbitMqConnection)!),
            ClientProvidedName = $"{settings.ServiceName}-dead-letter-watch",
        };
        using var timer = new PeriodicTimer(configuration.GetValue("Messaging:DeadLetterCheckInterval", TimeSpan.FromSeconds(30)));
        do
        {
            try
            {
                await CountAsync(broker, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogCountFailed(exception, settings.ServiceName);
            }
        } while (await NextAsync(timer, stoppingToken));
    }

    private async Task CountAsync(ConnectionFactory broker, CancellationToken cancellationToken)
    {
        await using var connection = await broker.CreateConnectionAsync(cancellationToken);
        var holding = new List<string>();
        foreach (var queue in endpoints.All.Select(name => name + "_error"))
        {
            long count;
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                count = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
            }
            catch (OperationInterruptedException missing) when (missing.ShutdownReason?.ReplyCode == 404)
            {
                count = 0; // no such queue: nothing was ever given up on there
            }
            Counts[(settings.ServiceName, queue)] = count;
            if (count > 0)
            {
                holding.Add($"{queue} ({count})");
            }
        }
        if (holding.Count > 0 && holding.Count != _holding.Count)
        {
            LogHolding(settings.ServiceName, string.Join(", ", holding));
        }
        _holding = holding;
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service}: counting the error queues failed (the broker's own readiness check says why); the last counts stay")]
    private partial void LogCountFailed(Exception exception, string service);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Service}: messages wait in error queues: {Queues}")]
    private partial void LogHolding(string service, string queues);
}
