using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.ServiceDefaults;

/// <summary>The marketplace's own activity source and meter, exported by every service.</summary>
public static class Telemetry
{
    public const string ActivitySourceName = "Aes.Marketplace";
    public const string MeterName = "Aes.Marketplace";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
    public static readonly Meter Meter = new(MeterName);
}

/// <summary>
/// A gauge whose values are counted now and then from the service's database (requests per status,
/// active holds), and reported as they were last counted, so a metrics collection never queries.
/// </summary>
public sealed class SnapshotGauge
{
    private volatile IReadOnlyList<Measurement<long>> _values = [];

    public SnapshotGauge(string name, string unit, string description) =>
        Telemetry.Meter.CreateObservableGauge(name, () => _values, unit, description);

    public void Set(IEnumerable<Measurement<long>> values) => _values = [.. values];

    public static Measurement<long> Value(long value, params (string Key, object? Value)[] tags) =>
        new(value, tags.Select(tag => new KeyValuePair<string, object?>(tag.Key, tag.Value)));
}

/// <summary>Counts the service's snapshot gauges every Telemetry:GaugeInterval (15 s by default).</summary>
public abstract partial class SnapshotGaugeRefresher(IServiceScopeFactory scopes, IConfiguration configuration, ILogger logger) : BackgroundService
{
    protected abstract Task RefreshAsync(IServiceProvider services, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(configuration.GetValue("Telemetry:GaugeInterval", TimeSpan.FromSeconds(15)));
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await RefreshAsync(scope.ServiceProvider, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(logger, exception);
            }
        } while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting the metrics gauges failed; the last counts stay")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
