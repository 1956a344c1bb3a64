using System.Diagnostics;
using Aes.Messaging;
using Aes.Testing;
using Provisioning = Aes.Contracts.Provisioning.V1;
using Tenancy = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests;

/// <summary>
/// The distributed run as a person starts it (the launcher's --distributed with nothing else): it starts
/// its own RabbitMQ and PostgreSQL, then each service and the portal as its own process, and stops them
/// all on Ctrl-C. The journeys on PostgreSQL and RabbitMQ (PostgresJourneyTests and the others) run on
/// the same mode with the test run's shared broker and server.
/// </summary>
public sealed class DistributedRunTests : IDisposable
{
    private readonly string _data = Infra.NewTempFolder("aes-distributed");

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task The_distributed_run_starts_its_broker_and_database_then_each_service_as_its_own_process_and_stops_them_all()
    {
        var offset = EmbeddedMarketplace.FreePortOffset(8000, 3900, [5672, 5672 + 3000, 5672 + 6000, 5432]);
        var infra = Path.Combine(_data, "infra");
        await using var marketplace = await EmbeddedMarketplace.StartAsync(_data, offset, "--distributed", "--infra-dir", infra);
        using var http = new HttpClient();
        foreach (var service in ResourceNames.LocalPorts.Keys)
        {
            Assert.Contains(marketplace.HttpAddress(service), marketplace.Process.Output);
            Assert.True((await http.GetAsync($"{marketplace.HttpAddress(service)}/health/ready")).IsSuccessStatusCode, $"{service} is ready");
            var processes = ProcessesOf(service, ResourceNames.LocalPorts[service].Shift(offset).Http);
            Assert.True(processes.Count == 1, $"{service} runs as a process of its own ({processes.Count} found)");
            Assert.NotEqual(marketplace.Process.ProcessId, processes[0]);
        }
        Assert.True(Listens(5672 + offset), "its own RabbitMQ listens");
        Assert.True(Listens(5432 + offset), "its own PostgreSQL listens");

        // The demo crossed the real broker: provisioning learnt the agencies from tenancy's events and places a request.
        var tenancy = new Tenancy.TenancyService.TenancyServiceClient(marketplace.Channel(ResourceNames.Tenancy));
        var mef = (await tenancy.ListAgenciesAsync(new Tenancy.ListAgenciesRequest { StateCode = "ML" })).Agencies.Single(a => a.Code == "MEF");
        var provisioning = new Provisioning.ProvisioningService.ProvisioningServiceClient(marketplace.Channel(ResourceNames.Provisioning));
        var preview = new Provisioning.PreviewPlacementRequest { AgencyId = mef.Id, Classification = "internal" };
        preview.Vms.Add(new Provisioning.VmSpec { Flavour = "s1.medium", Image = "debian-12", Count = 2 });
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                return (await provisioning.PreviewPlacementAsync(preview)).Outcome == "placed";
            }
            catch (Grpc.Core.RpcException exception) when (exception.StatusCode is Grpc.Core.StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "a demo request would be placed in the distributed run");

        Assert.Equal(0, await marketplace.Process.InterruptAsync(TimeSpan.FromSeconds(120)));
        Assert.Contains("Marketplace stopped", marketplace.Process.Output);
        foreach (var service in ResourceNames.LocalPorts.Keys)
        {
            Assert.Empty(ProcessesOf(service, ResourceNames.LocalPorts[service].Shift(offset).Http));
        }
        Assert.False(Listens(5672 + offset), "its RabbitMQ is stopped");
        Assert.False(Listens(5432 + offset), "its PostgreSQL is stopped");
    }

    /// <summary>The processes running <paramref name="service"/>'s assembly on <paramref name="httpPort"/>.</summary>
    private static List<int> ProcessesOf(string service, int httpPort)
    {
        var assembly = $"Aes.{char.ToUpperInvariant(service[0])}{service[1..]}.dll";
        using var pgrep = Process.Start(new ProcessStartInfo("pgrep", ["-f", $"{assembly}.*127.0.0.1:{httpPort}"]) { RedirectStandardOutput = true })!;
        var output = pgrep.StandardOutput.ReadToEnd();
        pgrep.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
    }

    private static bool Listens(int port) => !EmbeddedMarketplace.IsFree(port);
}
