using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.ServiceDefaults;

/// <summary>
/// Says when a service becomes ready and when it stops being ready, with the check that failed and why,
/// once per change. It stands in for the health-check service's own log, which reports every probe of a
/// check not yet healthy as an error: during start-up (the bus connecting, the database migrating) that
/// printed errors for what is only a wait. Not ready before the first ready is information; after, a warning,
/// unless the service is stopping: its bus and database close before the last probe, as they should.
/// </summary>
internal sealed partial class ReadinessLog(ILogger<ReadinessLog> logger, IHostApplicationLifetime lifetime) : IHealthCheckPublisher
{
    private readonly Dictionary<string, HealthStatus> _last = [];
    private bool _wasReady;
    private bool _ready;

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        lock (_last)
        {
            foreach (var (name, entry) in report.Entries)
            {
                if (_last.TryGetValue(name, out var previous) && previous == entry.Status)
                {
                    continue;
                }
                _last[name] = entry.Status;
                if (entry.Status == HealthStatus.Healthy)
                {
                    continue;
                }
                if (lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    ClosedWhileStopping(logger, name, entry.Status);
                }
                else if (_wasReady)
                {
                    NoLongerReady(logger, entry.Exception, name, entry.Status, entry.Description ?? "");
                }
                else
                {
                    NotReadyYet(logger, name, entry.Status, entry.Description ?? entry.Exception?.Message ?? "");
                }
            }
            var ready = report.Status == HealthStatus.Healthy;
            if (ready && !_ready)
            {
                Ready(logger);
            }
            _ready = ready;
            _wasReady |= ready;
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready: every health check passes")]
    private static partial void Ready(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not ready yet: {Check} is {Status} ({Description})")]
    private static partial void NotReadyYet(ILogger logger, string check, HealthStatus status, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: {Check} is {Status}")]
    private static partial void ClosedWhileStopping(ILogger logger, string check, HealthStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No longer ready: {Check} is {Status} ({Description})")]
    private static partial void NoLongerReady(ILogger logger, Exception? exception, string check, HealthStatus status, string description);
}
