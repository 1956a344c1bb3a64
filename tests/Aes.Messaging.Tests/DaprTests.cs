using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using Aes.Messaging.Dapr;
using Aes.ServiceDefaults;
using Grpc.Core;
using Grpc.Health.V1;

namespace Aes.Messaging.Tests;

/// <summary>
/// Both ways a service calls another: straight to its address (embedded and distributed runs), or
/// through the local Dapr sidecar with dapr-app-id (Kubernetes); and secrets read from the Dapr secret
/// store. No sidecar runs here: a recording handler stands where the network would be.
/// </summary>
public sealed class DaprTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    /// <summary>Answers every gRPC call with UNIMPLEMENTED, and keeps the requests it saw.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Version = HttpVersion.Version20, Content = new ByteArrayContent([]) };
            response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
            response.Headers.Add("grpc-status", ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.FromResult(response);
        }
    }

    private static async Task<HttpRequestMessage> CallQuotaAsync(IConfiguration configuration)
    {
        var recorder = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddServiceGrpcClient<Health.HealthClient>(configuration, ResourceNames.Quota).ConfigurePrimaryHttpMessageHandler(() => recorder);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Health.HealthClient>();
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.CheckAsync(new HealthCheckRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, refused.StatusCode);
        return Assert.Single(recorder.Requests);
    }

    [Fact]
    public async Task Without_dapr_a_call_goes_straight_to_the_configured_address_and_names_no_app()
    {
        var sent = await CallQuotaAsync(Settings(("Services:quota", "http://127.0.0.1:6102")));
        Assert.Equal("http://127.0.0.1:6102/grpc.health.v1.Health/Check", sent.RequestUri!.ToString());
        Assert.False(sent.Headers.Contains(DaprSettings.AppIdMetadata));
    }

    [Fact]
    public async Task With_dapr_a_call_goes_to_the_local_sidecar_with_the_app_id_of_the_service_it_is_for()
    {
        var sent = await CallQuotaAsync(Settings((DaprSettings.EnabledKey, "true"), ("DAPR_GRPC_PORT", "50123"), ("Services:quota", "http://quota:6102")));
        Assert.Equal("http://127.0.0.1:50123/grpc.health.v1.Health/Check", sent.RequestUri!.ToString());
        Assert.Equal(["quota"], sent.Headers.GetValues(DaprSettings.AppIdMetadata));
    }

    [Fact]
    public void The_portal_channels_name_the_app_only_through_dapr()
    {
        using var shared = new HttpClientHandler();
        var direct = ServiceCalls.TargetOf(Settings(("Services:billing", "http://127.0.0.1:6103")), ResourceNames.Billing);
        Assert.Same(shared, ServiceCalls.HandlerFor(direct, shared));
        var sidecar = ServiceCalls.TargetOf(Settings((DaprSettings.EnabledKey, "true")), ResourceNames.Billing);
        Assert.Equal(new ServiceTarget(new Uri("http://127.0.0.1:50001"), "billing"), sidecar);
        Assert.IsType<DaprAppIdHandler>(ServiceCalls.HandlerFor(sidecar, shared));
    }

    [Fact]
    public void Without_dapr_or_an_address_the_target_is_refused_with_the_key_to_set()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => ServiceCalls.TargetOf(Settings(), ResourceNames.Quota));
        Assert.Contains("Services:quota", missing.Message);
    }

    /// <summary>A sidecar's HTTP API: healthy after <paramref name="unhealthyAnswers"/> refusals, serving the given secrets.</summary>
    private sealed class FakeSidecar(Dictionary<string, string> secrets, int unhealthyAnswers = 0) : HttpMessageHandler
    {
        private int _healthChecks;
        public List<string> Paths { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            Paths.Add(path);
            if (path == "/v1.0/healthz/outbound")
            {
                return Task.FromResult(new HttpResponseMessage(++_healthChecks > unhealthyAnswers ? HttpStatusCode.NoContent : HttpStatusCode.InternalServerError));
            }
            return Task.FromResult(secrets.TryGetValue(path, out var json)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent("{\"errorCode\":\"ERR_PERMISSION_DENIED\"}") });
        }
    }

    private static IConfiguration Load(FakeSidecar sidecar, string secrets, TimeSpan? wait = null)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [DaprSettings.EnabledKey] = "true", [DaprSettings.SecretStoreKey] = "aes-secrets", [DaprSettings.SecretsKey] = secrets, ["DAPR_HTTP_PORT"] = "3501",
        });
        configuration.AddDaprSecretStore(() => sidecar, wait ?? TimeSpan.FromSeconds(5));
        return configuration;
    }

    [Fact]
    public void Secrets_come_from_the_dapr_secret_store_once_the_sidecar_is_up_as_configuration_keys()
    {
        var sidecar = new FakeSidecar(new()
        {
            ["/v1.0/secrets/aes-secrets/aes-quota"] = """{"ConnectionStrings__quota-db":"Host=aes-postgres-rw;Database=aes_quota","ConnectionStrings__rabbitmq":"amqp://quota:s3cret@aes-rabbitmq:5672/"}""",
        }, unhealthyAnswers: 2);
        var configuration = Load(sidecar, "aes-quota");
        Assert.Equal("Host=aes-postgres-rw;Database=aes_quota", configuration.GetConnectionString("quota-db"));
        Assert.Equal("amqp://quota:s3cret@aes-rabbitmq:5672/", configuration.GetConnectionString("rabbitmq"));
        Assert.Equal(3, sidecar.Paths.Count(p => p == "/v1.0/healthz/outbound"));
    }

    [Fact]
    public void A_secret_the_store_refuses_stops_the_start_naming_the_secret()
    {
        var sidecar = new FakeSidecar([]);
        var refused = Assert.Throws<InvalidConfigurationException>(() => Load(sidecar, "aes-billing"));
        Assert.Contains("aes-billing", refused.Message);
        Assert.Contains("403", refused.Message);
    }

    [Fact]
    public void A_sidecar_that_never_answers_stops_the_start_saying_where_it_was_expected()
    {
        var sidecar = new FakeSidecar([], unhealthyAnswers: int.MaxValue);
        var refused = Assert.Throws<InvalidConfigurationException>(() => Load(sidecar, "aes-quota", TimeSpan.FromSeconds(1)));
        Assert.Contains("http://127.0.0.1:3501/", refused.Message);
    }

    [Fact]
    public void Without_dapr_no_secret_store_is_added()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { [DaprSettings.SecretStoreKey] = "aes-secrets", [DaprSettings.SecretsKey] = "aes-quota" });
        configuration.AddDaprSecretStore(() => throw new InvalidOperationException("no sidecar is called without Dapr"));
        Assert.DoesNotContain(((IConfigurationBuilder)configuration).Sources, source => source is DaprSecretStoreSource);
    }
}
