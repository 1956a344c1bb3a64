using System.Net;
using Aes.Testing;

namespace Aes.Integration.Tests.Operations;

/// <summary>
/// How a service behaves for the people who run it, checked on the real process with a real PostgreSQL
/// and RabbitMQ: settings checked at start, migrations as their own step, readiness that waits for the
/// database and the broker, and a graceful stop.
/// </summary>
public sealed class OperationsTests
{
    private static string[] Ports(int http, int grpc) =>
    [
        $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{http}", "--Kestrel:Endpoints:http:Protocols=Http1",
        $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpc}", "--Kestrel:Endpoints:grpc:Protocols=Http2",
    ];

    [Fact]
    public async Task A_service_with_wrong_settings_exits_at_once_naming_every_one_of_them()
    {
        await using var service = ServiceProcess.Start("services/Provisioning", "Aes.Provisioning",
        [
            .. Ports(Infra.FreePort(), Infra.FreePort()),
            "--Database:Provider=Oracle", "--Messaging:Transport=RabbitMq", "--ConnectionStrings:rabbitmq=localhost:5672",
        ]);
        Assert.Equal(2, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("provisioning: configuration invalide / invalid configuration:", service.Output);
        Assert.Contains("  - Database:Provider", service.Output);
        Assert.Contains("  - ConnectionStrings:rabbitmq doit être une adresse amqp://", service.Output);
        Assert.Contains("  - Services:quota", service.Output);
        Assert.DoesNotContain("Unhandled exception", service.Output);
    }

    [Fact]
    public async Task Migrations_run_as_their_own_step_and_the_service_waits_for_them_before_it_serves()
    {
        var database = await TestInfrastructure.NewPostgresDatabaseAsync("ops");
        var rabbit = await TestInfrastructure.NewRabbitMqVirtualHostAsync("ops");
        var issuer = await TestIssuer.SharedAsync();
        string[] storage = ["--Database:Provider=Postgres", $"--ConnectionStrings:quota-db={database}"];
        var http = Infra.FreePort();
        await using var service = ServiceProcess.Start("services/Quota", "Aes.Quota",
        [
            .. Ports(http, Infra.FreePort()), .. issuer.TrustArguments(), .. storage,
            "--Database:MigrateOnStart=false", "--Messaging:Transport=RabbitMq", $"--ConnectionStrings:rabbitmq={rabbit}",
        ]);
        await service.WaitForOutputAsync("Waiting for the migrate step", TimeSpan.FromSeconds(60));
        Assert.False(service.HasExited, service.Output);
        Assert.False(await AnswersAsync($"http://127.0.0.1:{http}/health/live"), "not live before its schema is current");

        // The step a Kubernetes Job runs: the same binary with 'migrate', needing its database and nothing else.
        await using (var migrate = ServiceProcess.Start("services/Quota", "Aes.Quota", ["migrate", .. storage, "--Messaging:Transport=RabbitMq"]))
        {
            Assert.Equal(0, await migrate.WaitForExitAsync(TimeSpan.FromSeconds(120)));
            Assert.Contains("schema up to date", migrate.Output);
        }
        await service.WaitUntilHealthyAsync($"http://127.0.0.1:{http}/health/ready", TimeSpan.FromSeconds(60));

        // A second run of the step finds nothing to do and still succeeds, as a re-applied Job would.
        await using var again = ServiceProcess.Start("services/Quota", "Aes.Quota", ["migrate", .. storage]);
        Assert.Equal(0, await again.WaitForExitAsync(TimeSpan.FromSeconds(120)));

        Assert.Equal(0, await service.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Readiness_waits_for_the_broker_and_comes_back_when_it_answers()
    {
        await using var broker = await RabbitMqNode.StartAsync();
        await broker.StopAsync();
        var issuer = await TestIssuer.SharedAsync();
        var http = Infra.FreePort();
        var folder = Infra.NewTempFolder("aes-ops");
        await using var service = ServiceProcess.Start("services/Billing", "Aes.Billing",
        [
            .. Ports(http, Infra.FreePort()), .. issuer.TrustArguments(),
            $"--ConnectionStrings:billing-db=Data Source={Path.Combine(folder, "billing.db")}",
            "--Messaging:Transport=RabbitMq", $"--ConnectionStrings:rabbitmq={broker.ConnectionString}",
        ]);
        await Eventually.HoldsAsync(() => AnswersAsync($"http://127.0.0.1:{http}/health/live"), TimeSpan.FromSeconds(60), "the service is live");
        using var client = new HttpClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync($"http://127.0.0.1:{http}/health/ready")).StatusCode);
            await Task.Delay(500);
        }

        await broker.StartAgainAsync();
        await service.WaitUntilHealthyAsync($"http://127.0.0.1:{http}/health/ready", TimeSpan.FromSeconds(90));
        Assert.Equal(0, await service.TerminateAsync(TimeSpan.FromSeconds(30)));
        Directory.Delete(folder, recursive: true);
    }

    private static async Task<bool> AnswersAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            return (await client.GetAsync(url)).IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
