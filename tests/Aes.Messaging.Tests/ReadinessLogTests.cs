using Aes.ServiceDefaults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.Messaging.Tests;

public sealed class ReadinessLogTests
{
    [Fact]
    public async Task A_check_failing_after_the_first_ready_is_a_warning_naming_it_once()
    {
        var (log, logged, _) = NewLog();
        await log.PublishAsync(Report(("bus", HealthStatus.Healthy)), CancellationToken.None);
        await log.PublishAsync(Report(("bus", HealthStatus.Unhealthy)), CancellationToken.None);
        await log.PublishAsync(Report(("bus", HealthStatus.Unhealthy)), CancellationToken.None);

        var warning = Assert.Single(logged, entry => entry.Level == LogLevel.Warning);
        Assert.Contains("bus", warning.Message);
    }

    [Fact]
    public async Task Waiting_before_the_first_ready_is_information()
    {
        var (log, logged, _) = NewLog();
        await log.PublishAsync(Report(("database", HealthStatus.Unhealthy)), CancellationToken.None);
        await log.PublishAsync(Report(("database", HealthStatus.Healthy)), CancellationToken.None);

        Assert.All(logged, entry => Assert.Equal(LogLevel.Information, entry.Level));
        Assert.Contains(logged, entry => entry.Message.Contains("Ready", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_service_stopping_closes_its_bus_and_database_without_a_warning()
    {
        var (log, logged, lifetime) = NewLog();
        await log.PublishAsync(Report(("bus", HealthStatus.Healthy), ("database", HealthStatus.Healthy)), CancellationToken.None);
        lifetime.StopApplication();
        await log.PublishAsync(Report(("bus", HealthStatus.Unhealthy), ("database", HealthStatus.Healthy)), CancellationToken.None);

        Assert.DoesNotContain(logged, entry => entry.Level >= LogLevel.Warning);
        Assert.Contains(logged, entry => entry.Message.Contains("Stopping: bus", StringComparison.Ordinal));
    }

    private static (ReadinessLog Log, List<(LogLevel Level, string Message)> Logged, Lifetime Lifetime) NewLog()
    {
        var logged = new List<(LogLevel, string)>();
        var lifetime = new Lifetime();
        return (new ReadinessLog(new ListLogger(logged), lifetime), logged, lifetime);
    }

    private static HealthReport Report(params (string Name, HealthStatus Status)[] checks) =>
        new(checks.ToDictionary(c => c.Name, c => new HealthReportEntry(c.Status, null, TimeSpan.Zero, null, null)), TimeSpan.Zero);

    private sealed class Lifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => _stopping.Token;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() => _stopping.Cancel();
    }

    private sealed class ListLogger(List<(LogLevel, string)> logged) : ILogger<ReadinessLog>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logged.Add((logLevel, formatter(state, exception)));
    }
}
