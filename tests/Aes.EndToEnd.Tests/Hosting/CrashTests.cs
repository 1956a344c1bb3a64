using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// Tenancy, quota and provisioning each as its own process on PostgreSQL and RabbitMQ (the distributed
/// mode), with simulated facilities that fail one build in ten, so that the crash tests can kill one
/// process with SIGKILL and start it again on the same ports and databases.
/// </summary>
public sealed class DistributedMarketplace : IAsyncLifetime
{
    private readonly Dictionary<string, (string Project, string Assembly, string[] Arguments, int Http)> _services = [];
    private readonly Dictionary<string, ServiceProcess> _running = [];
    private readonly List<GrpcChannel> _channels = [];
    private RabbitMqNode? _broker;

    public P.ProvisioningService.ProvisioningServiceClient Provisioning { get; private set; } = null!;
    public Q.QuotaService.QuotaServiceClient Quota { get; private set; } = null!;
    public Dictionary<string, string> Users { get; } = [];
    public string Agency { get; private set; } = "";
    public string Project { get; private set; } = "";
    public string Facility { get; private set; } = "";
    public string Pool { get; private set; } = "";
    public string SimulatorDatabase { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        // A broker of its own, so that it can be restarted without touching other tests.
        _broker = await RabbitMqNode.StartAsync();
        var rabbitMq = _broker.ConnectionString;
        SimulatorDatabase = await TestInfrastructure.NewPostgresDatabaseAsync("crash_facility_simulator");
        var quotaGrpc = 0;
        var issuer = await TestIssuer.SharedAsync();
        var tenancyHttp = Infra.FreePort();
        const string provisioningSecret = "secret-of-provisioning";
        foreach (var (service, project, assembly) in new[] { ("quota", "services/Quota", "Aes.Quota"), ("provisioning", "services/Provisioning", "Aes.Provisioning"), ("tenancy", "services/Tenancy", "Aes.Tenancy") })
        {
            var (http, grpc) = (service == "tenancy" ? tenancyHttp : Infra.FreePort(), Infra.FreePort());
            List<string> arguments =
            [
                $"--Identity:Authority=http://127.0.0.1:{tenancyHttp}/", .. issuer.TrustArguments(),
                $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{http}", "--Kestrel:Endpoints:http:Protocols=Http1",
                $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpc}", "--Kestrel:Endpoints:grpc:Protocols=Http2",
                "--Database:Provider=Postgres", $"--ConnectionStrings:{service}-db={await TestInfrastructure.NewPostgresDatabaseAsync($"crash_{service}")}",
                "--Messaging:Transport=RabbitMq", $"--ConnectionStrings:rabbitmq={rabbitMq}", "--Logging:LogLevel:Default=Warning",
            ];
            switch (service)
            {
                case "quota":
                    quotaGrpc = grpc;
                    arguments.Add("--Quota:SweepInterval=00:00:01");
                    break;
                case "provisioning":
                    arguments.AddRange([
                        $"--Services:quota=http://127.0.0.1:{quotaGrpc}", $"--ConnectionStrings:facility-simulator={SimulatorDatabase}",
                        "--Simulator:MinCreateLatency=00:00:00.050", "--Simulator:MaxCreateLatency=00:00:00.200", "--Simulator:DeleteLatency=00:00:00.020",
                        "--Simulator:FailureRate=0.1", "--Provisioning:WorkflowPollInterval=00:00:00.200", "--Provisioning:StepRetryDelay=00:00:00.500",
                        "--Provisioning:WaitingRetryInterval=00:00:02", "--Provisioning:StepLease=00:00:05",
                        "--Identity:ClientId=aes-provisioning", $"--Identity:ClientSecret={provisioningSecret}",
                    ]);
                    break;
                default:
                    arguments.AddRange(["--Seed:Demo=true", "--Seed:DemoCapacity=false", $"--Identity:ServiceClients:aes-provisioning={provisioningSecret}"]);
                    break;
            }
            _services[service] = (project, assembly, [.. arguments], http);
            // Consumers first, tenancy (whose seed publishes) last: RabbitMQ drops what no queue is bound for yet.
            await StartAsync(service);
            var channel = issuer.Channel($"http://127.0.0.1:{grpc}");
            _channels.Add(channel);
            switch (service)
            {
                case "quota": Quota = new Q.QuotaService.QuotaServiceClient(channel); break;
                case "provisioning": Provisioning = new P.ProvisioningService.ProvisioningServiceClient(channel); break;
                default:
                    var tenancy = new T.TenancyService.TenancyServiceClient(channel);
                    foreach (var user in (await tenancy.ListUsersAsync(new T.ListUsersRequest())).Users) Users[user.UserName] = user.Id;
                    Agency = (await tenancy.ListAgenciesAsync(new T.ListAgenciesRequest())).Agencies.Single(a => a.Code == "MEF").Id;
                    Project = (await tenancy.ListProjectsAsync(new T.ListProjectsRequest { AgencyId = Agency })).Projects[0].Id;
                    Facility = (await tenancy.ListFacilitiesAsync(new T.ListFacilitiesRequest())).Facilities.Single(f => f.Code == "ML-BKO-1").Id;
                    break;
            }
        }

        // Room for every request of both tests, and a policy that approves them without an operator.
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest
                {
                    ActorUserId = Users["op.ml"], StateCode = "ML", Limits = new Q.Resources { Vcpu = 10_000, MemoryGib = 100_000, StorageGib = 10_000_000, PublicIpv4 = 100 },
                });
                await Provisioning.SetAutoApprovalPolicyAsync(new P.SetAutoApprovalPolicyRequest
                {
                    ActorUserId = Users["op.ml"], Policy = new P.AutoApprovalPolicy { StateCode = "ML", Enabled = true, MaxVcpu = 8, Classifications = { "internal" } },
                });
                return true;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.PermissionDenied or StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "quota and provisioning learnt the demo data");
        Pool = (await Quota.CreatePoolAsync(new Q.CreatePoolRequest { ActorUserId = Users["op.ml"], FacilityId = Facility, Name = "crash" })).Id;
        foreach (var (resourceClass, total) in new[] { (Q.ResourceClass.Vcpu, 1_000L), (Q.ResourceClass.MemoryGib, 10_000L), (Q.ResourceClass.StorageGib, 1_000_000L), (Q.ResourceClass.PublicIpv4, 16L) })
        {
            await Quota.SetInventoryAsync(new Q.SetInventoryRequest { ActorUserId = Users["op.ml"], PoolId = Pool, ResourceClass = resourceClass, Total = total, AllocationRatio = "1.0" });
        }
    }

    public const string Broker = "rabbitmq";

    public async Task StartAsync(string service)
    {
        if (service == Broker)
        {
            await _broker!.StartAgainAsync();
            return;
        }
        var (project, assembly, arguments, http) = _services[service];
        var process = ServiceProcess.Start(project, assembly, arguments);
        _running[service] = process;
        await process.WaitUntilHealthyAsync($"http://127.0.0.1:{http}/health/ready", TimeSpan.FromSeconds(60));
    }

    public async Task KillAsync(string service)
    {
        if (service == Broker)
        {
            await _broker!.StopAsync();
            return;
        }
        await _running[service].KillAsync();
        await _running[service].DisposeAsync();
    }

    /// <summary>The latest run's log of a service, for a failure's post-mortem.</summary>
    public string Output(string service) => _running.TryGetValue(service, out var process) ? process.Output[^Math.Min(process.Output.Length, 6_000)..] : "";

    public async Task<List<(string Id, string Name)>> FacilityVmsAsync()
    {
        await using var connection = new NpgsqlConnection(SimulatorDatabase);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"VmId\"::text, \"Name\" FROM simulated_vms", connection);
        var vms = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            vms.Add((reader.GetString(0), reader.GetString(1)));
        }
        return vms;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels) channel.Dispose();
        // All at once, and longer than the host's own 30 s shutdown timeout: under the full suite a service
        // may use all of it to drain.
        await Task.WhenAll(_running.Values.Select(process => process.InterruptAsync(TimeSpan.FromSeconds(90))));
        foreach (var process in _running.Values)
        {
            await process.DisposeAsync();
        }
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}

/// <summary>
/// Issue 4's crash test: 100 requests in flight while one process is killed with SIGKILL at random
/// moments and started again (or the broker stopped and restarted). Every request ends active or failed (compensated), no VM exists twice
/// or without its record, and quota's usage is exactly what the active VMs use.
/// </summary>
public sealed class CrashTests(DistributedMarketplace m) : IClassFixture<DistributedMarketplace>
{
    private const int Requests = 100;
    private const long VcpuPerVm = 2;

    [Theory]
    [InlineData("provisioning")]
    [InlineData("quota")]
    [InlineData(DistributedMarketplace.Broker)]
    public async Task Killing_a_service_at_random_points_loses_nothing_and_duplicates_nothing(string victim)
    {
        var ids = Enumerable.Range(0, Requests).Select(_ => Guid.NewGuid().ToString()).ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
            await m.Provisioning.SubmitRequestAsync(new P.SubmitRequestRequest
            {
                RequestId = id, ActorUserId = m.Users["agent.mef.ml"], AgencyId = m.Agency, ProjectId = m.Project, Classification = "internal",
                PreferredFacilityId = m.Facility,
                Vms = { new P.VmSpec { Vcpu = VcpuPerVm, MemoryGib = 4, DiskGib = 20, Image = "debian-12", Count = 1 } },
                Justification = "test de panne", Deadline = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(1)),
            }));

        // Kill the victim three times at random moments while the requests are worked through.
        for (var round = 0; round < 3; round++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(300, 2_500)));
            await m.KillAsync(victim);
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(100, 1_000)));
            await m.StartAsync(victim);
        }

        var final = new[] { "active", "failed" };
        List<P.HostingRequest> requests = [];
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                requests = [.. await Task.WhenAll(ids.Select(id => m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = id }).ResponseAsync))];
                return requests.All(r => final.Contains(r.Status));
            }, TimeSpan.FromSeconds(180), "every request reaches a final state");
        }
        catch (TimeoutException)
        {
            Assert.Fail("Requests not in a final state: " + string.Join("; ", requests.Where(r => !final.Contains(r.Status)).GroupBy(r => r.Status)
                .Select(g => $"{g.Key} ×{g.Count()} ({g.First().StatusReasonEn})")) + "\n" + m.Output(victim));
        }

        var vms = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agency, IncludeEnded = true })).Vms;
        var active = vms.Where(v => v.Status == "active").ToList();
        Assert.Equal(requests.Count(r => r.Status == "active"), active.Count(v => ids.Contains(v.RequestId)));
        Assert.All(requests.Where(r => r.Status == "failed"), r => Assert.Contains("failed", r.StatusReasonEn));

        // In the facility: each active VM exactly once, and nothing else (failed requests were cleaned up).
        var inFacility = await m.FacilityVmsAsync();
        Assert.Equal(inFacility.Count, inFacility.Select(v => v.Id).Distinct().Count());
        Assert.Equal(inFacility.Count, inFacility.Select(v => v.Name).Distinct().Count());
        Assert.Equal(active.Select(v => v.Id).Order(), inFacility.Select(v => v.Id).Order());

        // Quota: once the sweeper and the compensations are done, the pool holds exactly the active VMs.
        long used = 0;
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                used = (await m.Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Pool, Id = m.Pool })).Lines.Single(l => l.ResourceClass == Q.ResourceClass.Vcpu).Used;
                return used == active.Count * VcpuPerVm;
            }, TimeSpan.FromSeconds(30), "quota usage equals the active VMs");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Quota holds {used} vCPU in the pool, the {active.Count} active VMs use {active.Count * VcpuPerVm}.\n{m.Output("provisioning")}");
        }
    }
}
