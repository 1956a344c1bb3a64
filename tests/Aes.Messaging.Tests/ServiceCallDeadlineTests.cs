using System.Net;
using System.Net.Sockets;
using Aes.Messaging.Dapr;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Messaging.Tests;

/// <summary>
/// Every call from one service to another has a deadline (<c>Services:CallTimeout</c>): against a service that accepts the
/// connection and never answers, the call fails with <c>DeadlineExceeded</c> instead of holding its caller; a caller's own
/// deadline is kept.
/// </summary>
public sealed class ServiceCallDeadlineTests : IAsyncDisposable
{
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly System.Collections.Concurrent.ConcurrentBag<TcpClient> _accepted = [];
    private readonly CancellationTokenSource _stop = new();

    public ServiceCallDeadlineTests()
    {
        _silent.Start();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _accepted.Add(await _silent.AcceptTcpClientAsync(_stop.Token)); // read nothing, answer nothing
            }
        });
    }

    private ServiceProvider Services(string? callTimeout)
    {
        var settings = new Dictionary<string, string?> { ["Services:quota"] = $"http://127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}" };
        if (callTimeout is not null)
        {
            settings[ServiceCalls.CallTimeoutKey] = callTimeout;
        }
        var services = new ServiceCollection();
        services.AddServiceGrpcClient<Health.HealthClient>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), ResourceNames.Quota);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_service_that_never_answers_fails_the_call_at_the_configured_deadline()
    {
        await using var services = Services("00:00:00.500");
        var client = services.GetRequiredService<Health.HealthClient>();
        var call = client.CheckAsync(new HealthCheckRequest()).ResponseAsync;
        var failed = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.DeadlineExceeded, failed.StatusCode);
    }

    [Fact]
    public async Task A_callers_own_deadline_is_kept_over_the_default()
    {
        await using var services = Services("00:10:00");
        var client = services.GetRequiredService<Health.HealthClient>();
        var call = client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddMilliseconds(500)).ResponseAsync;
        var failed = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(StatusCode.DeadlineExceeded, failed.StatusCode);
    }

    [Fact]
    public void Without_a_setting_the_default_deadline_outlasts_a_facility_call()
    {
        Assert.Equal(TimeSpan.FromMinutes(3), ServiceCalls.CallTimeoutOf(new ConfigurationBuilder().Build()));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _silent.Stop();
        foreach (var client in _accepted)
        {
            client.Dispose();
        }
        _stop.Dispose();
    }
}
