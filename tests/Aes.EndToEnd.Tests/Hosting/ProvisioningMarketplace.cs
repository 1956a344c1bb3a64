using Aes.Messaging;
using Aes.Testing;
using Aes.Testing.Otlp;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using B = Aes.Contracts.Billing.V1;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// A whole marketplace started by the launcher with the demo data, one capacity pool in each open
/// facility (ML-BKO-1: 64 vCPU), generous quotas, and simulated facilities that answer in tens of milliseconds.
/// </summary>
public abstract class ProvisioningMarketplace() : LaunchedMarketplace("provisioning")
{
    public P.ProvisioningService.ProvisioningServiceClient Provisioning { get; private set; } = null!;
    public Q.QuotaService.QuotaServiceClient Quota { get; private set; } = null!;
    public B.BillingService.BillingServiceClient Billing { get; private set; } = null!;
    public T.TenancyService.TenancyServiceClient Tenancy { get; private set; } = null!;
    public Dictionary<string, string> Users { get; } = [];
    public Dictionary<string, string> Agencies { get; } = [];
    /// <summary>Each agency's first project by name (MEF's "Budget de l'État", the one agent.mef.ml works on).</summary>
    public Dictionary<string, string> Projects { get; } = [];
    /// <summary>Every demo project by its name.</summary>
    public Dictionary<string, string> AgencyProjects { get; } = [];
    public Dictionary<string, string> Facilities { get; } = [];
    public Dictionary<string, string> Pools { get; } = [];

    /// <summary>Settings a kind of marketplace adds to (or overrides in) the ones above.</summary>
    protected virtual string[] ExtraArguments => [];

    /// <summary>Short, so that a request left unapproved expires within a test.</summary>
    public static readonly TimeSpan HoldDuration = TimeSpan.FromSeconds(30);


    /// <summary>The seeded users, whose password the demo gives: they act with their own tokens.</summary>
    private readonly HashSet<string> _demoUsers = [];

    public int PortOffset => Marketplace.PortOffset;
    public string TenancyHttpAddress => Marketplace.HttpAddress(ResourceNames.Tenancy) + "/";
    public string PortalAddress => Marketplace.HttpAddress(ResourceNames.Portal);
    public TestIssuer Issuer => Marketplace.Issuer;

    /// <summary>The four APIs as one demo user sees them, through that user's own token.</summary>
    public async Task<UserClients> AsAsync(string userName)
    {
        var token = await TokenOfAsync(userName);
        Grpc.Net.Client.GrpcChannel Channel(string service) =>
            Marketplace.Issuer.Channel($"http://127.0.0.1:{ResourceNames.LocalPorts[service].Shift(Marketplace.PortOffset).Grpc}", () => token);
        return new UserClients(
            new P.ProvisioningService.ProvisioningServiceClient(Channel(ResourceNames.Provisioning)),
            new Q.QuotaService.QuotaServiceClient(Channel(ResourceNames.Quota)),
            new B.BillingService.BillingServiceClient(Channel(ResourceNames.Billing)),
            new T.TenancyService.TenancyServiceClient(Channel(ResourceNames.Tenancy)),
            new Aes.Contracts.Notifications.V1.NotificationService.NotificationServiceClient(Channel(ResourceNames.Notifications)));
    }

    public override async ValueTask InitializeAsync()
    {
        await LaunchAsync(
        [
            "--Quota:SweepInterval=00:00:00.500",
            "--Simulator:MinCreateLatency=00:00:00.020", "--Simulator:MaxCreateLatency=00:00:00.100", "--Simulator:DeleteLatency=00:00:00.010",
            "--Provisioning:WorkflowPollInterval=00:00:00.200", "--Provisioning:WaitingRetryInterval=00:00:02", "--Provisioning:StepRetryDelay=00:00:01",
            $"--Provisioning:HoldDuration={HoldDuration}",
            .. ExtraArguments,
        ]);
        Provisioning = new P.ProvisioningService.ProvisioningServiceClient(Marketplace.Channel(ResourceNames.Provisioning));
        Quota = new Q.QuotaService.QuotaServiceClient(Marketplace.Channel(ResourceNames.Quota));
        Billing = new B.BillingService.BillingServiceClient(Marketplace.Channel(ResourceNames.Billing));
        Tenancy = new T.TenancyService.TenancyServiceClient(Marketplace.Channel(ResourceNames.Tenancy));
        foreach (var user in (await Tenancy.ListUsersAsync(new T.ListUsersRequest())).Users) Users[user.UserName] = user.Id;
        _demoUsers.UnionWith(Users.Keys);
        foreach (var agency in (await Tenancy.ListAgenciesAsync(new T.ListAgenciesRequest())).Agencies)
        {
            Agencies[$"{agency.StateCode}/{agency.Code}"] = agency.Id;
            var projects = (await Tenancy.ListProjectsAsync(new T.ListProjectsRequest { AgencyId = agency.Id })).Projects;
            Projects[$"{agency.StateCode}/{agency.Code}"] = projects[0].Id;
            foreach (var project in projects) AgencyProjects[project.Name] = project.Id;
        }
        foreach (var facility in (await Tenancy.ListFacilitiesAsync(new T.ListFacilitiesRequest())).Facilities) Facilities[facility.Code] = facility.Id;

        var plenty = ByClassWire.Size<Q.ResourceAmount>(10_000, 100_000, 10_000_000, 100);
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                foreach (var state in new[] { "ML", "BF", "NE" })
                {
                    await Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest { ActorUserId = Users[$"op.{state.ToLowerInvariant()}"], StateCode = state, LimitsByClass = { plenty } });
                }
                return (await Quota.ListKnownFacilitiesAsync(new Q.ListKnownFacilitiesRequest())).Facilities.Count(f => f.Status == "open") == 3
                    && (await Provisioning.ListAgreementsInForceAsync(new P.ListAgreementsInForceRequest { GuestStateCode = "NE" })).Agreements.Count == 1;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.PermissionDenied or StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "quota and provisioning learnt the demo data from tenancy's events");

        foreach (var (facility, vcpu) in new[] { ("ML-BKO-1", 64L), ("BF-OUA-1", 64L), ("BF-BOB-1", 32L) })
        {
            var state = facility[..2].ToLowerInvariant();
            var pool = await Quota.CreatePoolAsync(new Q.CreatePoolRequest { ActorUserId = Users[$"op.{state}"], FacilityId = Facilities[facility], Name = "general" });
            foreach (var (resourceClass, total) in new[] { ("vcpu", vcpu), ("memory_gib", 4_096L), ("storage_gib", 100_000L), ("public_ipv4", 16L) })
            {
                await Quota.SetInventoryAsync(new Q.SetInventoryRequest
                {
                    ActorUserId = Users[$"op.{state}"], PoolId = pool.Id, ResourceClass = resourceClass, Total = total, Reserved = 0, AllocationRatio = "1.0",
                });
            }
            Pools[facility] = pool.Id;
        }
    }

    /// <summary>The bodies of the events of one type that provisioning has written to its outbox.</summary>
    public Task<List<System.Text.Json.JsonElement>> OutboxEventsAsync(string type) => OutboxEventsAsync(type, ResourceNames.Provisioning);

    /// <summary>A service's audit trail, read with the test's own (service) token.</summary>
    public Aes.Contracts.Audit.V1.AuditTrail.AuditTrailClient AuditTrailOf(string service) => new(Marketplace.Channel(service));

    /// <summary>A request from <paramref name="agency"/>'s requester, e.g. "ML/MEF".</summary>
    public P.SubmitRequestRequest Request(string agency, string classification, int count = 1, long vcpu = 4, long memoryGib = 16, long diskGib = 200) => new()
    {
        RequestId = Guid.NewGuid().ToString(),
        ActorUserId = Users[$"agent.{agency[3..].ToLowerInvariant()}.{agency[..2].ToLowerInvariant()}"],
        AgencyId = Agencies[agency], ProjectId = Projects[agency], Classification = classification,
        Vms = { new P.VmSpec { Resources = { ByClassWire.Size<P.ResourceAmount>(vcpu, memoryGib, diskGib) }, Image = "debian-12", Count = count } },
        Justification = "Plateforme de test", Deadline = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(7)),
    };

    /// <summary>
    /// Submits as its requester, with that demo user's own token from the issuer (a user the harness made, who has no password,
    /// through the harness), waiting until provisioning has learnt the agency, its project and its requester from tenancy's events.
    /// </summary>
    public async Task<P.HostingRequest> SubmitAsync(P.SubmitRequestRequest request)
    {
        var requester = Users.FirstOrDefault(user => user.Value == request.ActorUserId).Key;
        var provisioning = requester is not null && _demoUsers.Contains(requester) ? (await AsAsync(requester)).Provisioning : Provisioning;
        P.HostingRequest? submitted = null;
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                submitted = await provisioning.SubmitRequestAsync(request);
                return true;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.PermissionDenied
                || (exception.StatusCode == StatusCode.InvalidArgument && exception.Trailers.GetValue("aes-field") == "project_id"))
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "provisioning knows the agency, its project and its requester");
        return submitted!;
    }

    /// <summary>Waits until the request reaches <paramref name="status"/>, and returns it.</summary>
    public async Task<P.HostingRequest> WaitForAsync(string requestId, string status, TimeSpan? timeout = null)
    {
        P.HostingRequest current = null!;
        await Eventually.HoldsAsync(async () =>
        {
            current = await Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = requestId });
            return current.Status == status;
        }, timeout ?? TimeSpan.FromSeconds(30),
            () => $"request {requestId} becomes {status}; it is {current}\n--- the run's last warnings:\n{LastComplaints()}");
        return current;
    }

    /// <summary>The VM's metered periods in billing for the current month of its agency's state, once billing has them all.</summary>
    public async Task<List<B.UsagePeriod>> MeteredAsync(string operatorName, string agency, string vmId, TimeSpan utcOffset, bool ended)
    {
        var month = (DateTime.UtcNow + utcOffset).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        List<B.UsagePeriod> periods = [];
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                var usage = await Billing.ListUsageAsync(new B.ListUsageRequest { ActorUserId = Users[operatorName], AgencyId = Agencies[agency], Month = month });
                periods = usage.Periods.Where(p => p.VmId == vmId).ToList();
                return periods.Count > 0 && (periods[^1].Until is not null) == ended;
            }, TimeSpan.FromSeconds(30), $"billing metered VM {vmId}");
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message}; metered: [{string.Join(", ", periods)}]", timeout);
        }
        return periods;
    }

    public async Task<long> UsedVcpuAsync(string facility) =>
        (await Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Pool, Id = Pools[facility] })).Lines.Single(l => l.ResourceClass == "vcpu").Used;

    /// <summary>Ends a test's leftover request, unless it has already ended (its holds may have expired meanwhile).</summary>
    public async Task RejectIfOpenAsync(string requestId, string operatorName)
    {
        try
        {
            await Provisioning.RejectAsync(new P.RejectRequest { RequestId = requestId, ActorUserId = Users[operatorName], Reason = "fin du test" });
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.FailedPrecondition)
        {
        }
    }

    public async Task<IReadOnlyDictionary<string, long>> UsedVcpuAsync(params string[] facilities)
    {
        var used = new Dictionary<string, long>();
        foreach (var facility in facilities)
        {
            used[facility] = await UsedVcpuAsync(facility);
        }
        return used;
    }

    /// <summary>
    /// Waits until a test's rejections have released their holds, which happens after the call returns:
    /// a later test that measures the room left must not see it grow under its feet.
    /// </summary>
    public Task UsageReturnsToAsync(IReadOnlyDictionary<string, long> usedBefore) => Eventually.HoldsAsync(async () =>
    {
        var now = await UsedVcpuAsync(usedBefore.Keys.ToArray());
        return usedBefore.All(before => now[before.Key] == before.Value);
    }, TimeSpan.FromSeconds(30), $"the test's holds are released ({string.Join(", ", usedBefore.Select(u => $"{u.Key} back to {u.Value} vCPU"))})");

    public async Task<long> AgencyVcpuAsync(string agency) =>
        (await Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Agency, Id = Agencies[agency] })).Lines.Single(l => l.ResourceClass == "vcpu").Used;

    public async Task<long> FreeVcpuAsync(string facility) =>
        (await Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Pool, Id = Pools[facility] })).Lines.Single(l => l.ResourceClass == "vcpu").Headroom;
}

public sealed record UserClients(
    P.ProvisioningService.ProvisioningServiceClient Provisioning,
    Q.QuotaService.QuotaServiceClient Quota,
    B.BillingService.BillingServiceClient Billing,
    T.TenancyService.TenancyServiceClient Tenancy,
    Aes.Contracts.Notifications.V1.NotificationService.NotificationServiceClient Notifications);

/// <summary>The embedded default: SQLite files and the in-memory bus.</summary>
public sealed class EmbeddedProvisioningMarketplace : ProvisioningMarketplace
{
    protected override bool OnPostgres => false;
}

/// <summary>
/// Embedded, for the portal's journeys in a browser: two operators deciding in turn through pages can take longer than
/// the API journeys' 30 s holds on a loaded machine, so holds last the hour; no portal journey waits for an expiry.
/// </summary>
public sealed class PortalMarketplace : ProvisioningMarketplace
{
    protected override bool OnPostgres => false;
    protected override string[] ExtraArguments => ["--Provisioning:HoldDuration=01:00:00"];
}

/// <summary>
/// Embedded, for thousands of requests at once: those waiting for capacity are looked at again every ten
/// minutes rather than every two seconds, and holds last the hour the campaign's report takes to read.
/// </summary>
public sealed class RepatriationMarketplace : ProvisioningMarketplace
{
    protected override bool OnPostgres => false;
    protected override string[] ExtraArguments => ["--Provisioning:WaitingRetryInterval=00:10:00", "--Provisioning:HoldDuration=01:00:00"];
}

/// <summary>
/// The distributed run: each service and the portal its own process (the launcher's --distributed), on
/// real PostgreSQL (a database per service) and RabbitMQ (a virtual host of its own).
/// </summary>
public class PostgresProvisioningMarketplace : ProvisioningMarketplace
{
    protected override bool OnPostgres => true;
    protected override string[] ExtraArguments => ["--distributed"];
}

/// <summary>
/// The distributed run with every process sending its traces and metrics (each under its own service
/// name) to a collector in the test: only the journeys' fixture, as exporting costs the run some speed.
/// </summary>
public sealed class TracedPostgresProvisioningMarketplace : PostgresProvisioningMarketplace
{
    public OtlpCollector Telemetry { get; } = new();

    protected override IReadOnlyDictionary<string, string> Environment =>
        new Dictionary<string, string>(Telemetry.Environment) { ["Telemetry__GaugeInterval"] = "00:00:01" };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Telemetry.Dispose();
    }
}
