using System.Collections.Concurrent;
using System.Net;
using Aes.Contracts.Tenancy.V1;
using Aes.Testing;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;

namespace Aes.Integration.Tests.ServiceDefaults;

/// <summary>What every service gets from ServiceDefaults, checked on a real service process (tenancy, embedded settings).</summary>
public sealed class ServiceDefaultsTests : IAsyncLifetime
{
    private readonly string _data = Infra.NewTempFolder("aes-defaults");
    private readonly ConcurrentBag<string> _otlpPaths = [];
    private readonly HttpListener _collector = new();
    private readonly int _http = Infra.FreePort();
    private readonly int _grpc = Infra.FreePort();
    private TestIssuer _issuer = null!;
    private ServiceProcess _service = null!;

    public async ValueTask InitializeAsync()
    {
        // A minimal OTLP/HTTP collector that records which signals arrive.
        var collectorPort = Infra.FreePort();
        _collector.Prefixes.Add($"http://127.0.0.1:{collectorPort}/");
        _collector.Start();
        _ = Task.Run(async () =>
        {
            while (_collector.IsListening)
            {
                try
                {
                    var context = await _collector.GetContextAsync();
                    _otlpPaths.Add(context.Request.Url!.AbsolutePath);
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (HttpListenerException) { return; }
                catch (ObjectDisposedException) { return; }
            }
        });

        _issuer = await TestIssuer.SharedAsync();
        _service = ServiceProcess.Start("services/Tenancy", "Aes.Tenancy",
        [
            $"--Identity:Authority=http://127.0.0.1:{_http}/", .. _issuer.TrustArguments(), .. TestKeyRing.Arguments(),
            $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{_http}", "--Kestrel:Endpoints:http:Protocols=Http1",
            $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{_grpc}", "--Kestrel:Endpoints:grpc:Protocols=Http2",
            $"--ConnectionStrings:tenancy-db=Data Source={Path.Combine(_data, "tenancy.db")}", "--Seed:Demo=true",
        ], new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collectorPort}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        });
        // Generous: on two cores beside the browser suite and a running OpenStack, a cold start has taken over a minute.
        try
        {
            await _service.WaitUntilHealthyAsync($"http://127.0.0.1:{_http}/health/ready", TimeSpan.FromSeconds(180));
        }
        catch
        {
            await _service.DisposeAsync(); // xUnit does not dispose a fixture whose start failed: the process would outlive the run
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        _collector.Close();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_over_http()
    {
        using var http = new HttpClient();
        var live = await http.GetAsync($"http://127.0.0.1:{_http}/health/live");
        var ready = await http.GetAsync($"http://127.0.0.1:{_http}/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_grpc_health_service_reports_serving_and_reflection_lists_the_api()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_grpc}");

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var reflection = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        var services = reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("aes.tenancy.v1.TenancyService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task An_unknown_route_gets_problem_details()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync($"http://127.0.0.1:{_http}/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Traces_metrics_and_logs_go_to_the_otlp_endpoint_when_it_is_set()
    {
        using var channel = _issuer.Channel($"http://127.0.0.1:{_grpc}");
        await new TenancyService.TenancyServiceClient(channel).ListMemberStatesAsync(new ListMemberStatesRequest());

        await Eventually.HoldsAsync(() => Task.FromResult(
                _otlpPaths.Contains("/v1/traces") && _otlpPaths.Contains("/v1/metrics") && _otlpPaths.Contains("/v1/logs")),
            TimeSpan.FromSeconds(30), "traces, metrics and logs reached the collector");
    }

    [Fact]
    public async Task Ctrl_c_stops_the_service_gracefully()
    {
        Assert.Equal(0, await _service.InterruptAsync(TimeSpan.FromSeconds(30)));
    }
}
