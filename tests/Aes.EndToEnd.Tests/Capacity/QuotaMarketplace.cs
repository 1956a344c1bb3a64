using Aes.Messaging;
using Aes.Testing;
using Grpc.Core;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests.Capacity;

/// <summary>
/// A whole marketplace started by the launcher, with the demo data, ready for quota tests: user,
/// agency and facility ids by name, and generous state default quotas for ML and NE. A call that
/// names its actor is made as that person (<see cref="ActAsNamedUser"/>): a demo user with their own
/// token from tenancy, a user a test created (who has no password) with a token of the trusted test
/// issuer carrying the roles tenancy gave them.
/// </summary>
public abstract class QuotaMarketplace() : LaunchedMarketplace("quota")
{
    public Q.QuotaService.QuotaServiceClient Quota { get; private set; } = null!;
    public T.TenancyService.TenancyServiceClient Tenancy { get; private set; } = null!;
    public Dictionary<string, string> Users { get; } = [];
    public Dictionary<string, string> Agencies { get; } = [];
    public Dictionary<string, string> Facilities { get; } = [];
    public string MaliToNigerAgreement { get; private set; } = "";
    private readonly HashSet<string> _demoUsers = [];

    /// <summary>How many events of each type quota has written to its outbox.</summary>
    public async Task<Dictionary<string, int>> OutboxEventCountsAsync()
    {
        await using var connection = ServiceDatabase(ResourceNames.Quota);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT message_type, COUNT(*) FROM outbox_messages GROUP BY message_type";
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0).Split(',')[0].Split('.').Last()] = Convert.ToInt32(reader.GetValue(1));
        }
        return counts;
    }

    public override async ValueTask InitializeAsync()
    {
        await LaunchAsync(
            "--Quota:SweepInterval=00:00:00.500", "--Quota:ThresholdCheckInterval=00:00:00.500", "--Tenancy:AgreementClockInterval=00:00:01");
        Quota = new Q.QuotaService.QuotaServiceClient(ActingAsNamedUsers(ResourceNames.Quota));
        Tenancy = new T.TenancyService.TenancyServiceClient(ActingAsNamedUsers(ResourceNames.Tenancy));
        foreach (var user in (await Tenancy.ListUsersAsync(new T.ListUsersRequest())).Users) Users[user.UserName] = user.Id;
        _demoUsers.UnionWith(Users.Keys);
        foreach (var agency in (await Tenancy.ListAgenciesAsync(new T.ListAgenciesRequest())).Agencies) Agencies[$"{agency.StateCode}/{agency.Code}"] = agency.Id;
        foreach (var facility in (await Tenancy.ListFacilitiesAsync(new T.ListFacilitiesRequest())).Facilities) Facilities[facility.Code] = facility.Id;
        MaliToNigerAgreement = (await Tenancy.ListAgreementsAsync(new T.ListAgreementsRequest { StateCode = "NE", Status = T.AgreementStatus.Active }))
            .Agreements.Single(a => a.HostStateCode == "ML").Id;

        // Quota learns agencies, roles, facilities and agreements from tenancy's events: wait for them.
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest { ActorUserId = Users["op.ml"], StateCode = "ML", LimitsByClass = { Plenty } });
                await Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest { ActorUserId = Users["op.ne"], StateCode = "NE", LimitsByClass = { Plenty } });
                await Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = Agencies["NE/ANSI"] });
                await Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Agreement, Id = MaliToNigerAgreement });
                return (await Quota.ListKnownFacilitiesAsync(new Q.ListKnownFacilitiesRequest())).Facilities.Count(f => f.Status == "open") == 3;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.PermissionDenied or StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "quota learnt the demo data from tenancy's events");
    }

    private CallInvoker ActingAsNamedUsers(string service) => ActAsNamedUser.Invoker(
        Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{ResourceNames.LocalPorts[service].Shift(Marketplace.PortOffset).Grpc}"),
        Marketplace.Issuer, TokenForAsync);

    private async Task<string> TokenForAsync(Guid user)
    {
        var name = Users.FirstOrDefault(u => u.Value == user.ToString()).Key;
        if (name is not null && _demoUsers.Contains(name))
        {
            return await TokenOfAsync(name);
        }
        T.User record;
        try
        {
            record = await Tenancy.GetUserAsync(new T.GetUserRequest { Id = user.ToString() });
        }
        catch (RpcException unknown) when (unknown.StatusCode == StatusCode.NotFound)
        {
            return ActAsNamedUser.Mint(Marketplace.Issuer, user, []);
        }
        var grants = new List<string>();
        foreach (var role in record.Roles)
        {
            var state = role.AgencyId.Length > 0
                ? (await Tenancy.GetAgencyAsync(new T.GetAgencyRequest { Id = role.AgencyId })).StateCode
                : role.StateCode;
            grants.Add($"{role.Role}:{state}:{role.AgencyId}");
        }
        return ActAsNamedUser.Mint(Marketplace.Issuer, user, grants);
    }

    public static Q.ResourceAmount[] Plenty => ByClassWire.Size<Q.ResourceAmount>(100_000, 1_000_000, 10_000_000, 1_000);

    /// <summary>A new pool in <paramref name="facility"/> with the given vCPU inventory and ample everything else.</summary>
    public async Task<Q.Pool> PoolAsync(string facility, long vcpuTotal, long vcpuReserved = 0, string vcpuRatio = "1.0")
    {
        var state = facility[..2].ToLowerInvariant();
        var pool = await Quota.CreatePoolAsync(new Q.CreatePoolRequest
        {
            ActorUserId = Users[$"op.{state}"], FacilityId = Facilities[facility], Name = $"p-{Guid.NewGuid():N}"[..14],
        });
        await SetAsync(pool.Id, state, "vcpu", vcpuTotal, vcpuReserved, vcpuRatio);
        await SetAsync(pool.Id, state, "memory_gib", 1_000_000, 0, "1.0");
        await SetAsync(pool.Id, state, "storage_gib", 10_000_000, 0, "1.0");
        return await SetAsync(pool.Id, state, "public_ipv4", 1_000, 0, "1.0");
    }

    public Task<Q.Pool> SetAsync(string poolId, string state, string resourceClass, long total, long reserved, string ratio) =>
        Quota.SetInventoryAsync(new Q.SetInventoryRequest
        {
            ActorUserId = Users[$"op.{state}"], PoolId = poolId, ResourceClass = resourceClass, Total = total, Reserved = reserved, AllocationRatio = ratio,
        }).ResponseAsync;

    public static Q.HoldRequest Hold(string agency, string pool, long vcpu, string agreement = "", TimeSpan? expiresIn = null) => new()
    {
        ClaimId = Guid.NewGuid().ToString(), AgencyId = agency, PoolId = pool, AgreementId = agreement,
        AmountsByClass = { ByClassWire.Size<Q.ResourceAmount>(vcpu, vcpu * 2) },
        ExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow + (expiresIn ?? TimeSpan.FromMinutes(10))),
        Reference = "test",
    };
}

/// <summary>The embedded default: SQLite files and the in-memory bus.</summary>
public sealed class EmbeddedQuotaMarketplace : QuotaMarketplace
{
    protected override bool OnPostgres => false;
}

/// <summary>The same processes on real PostgreSQL (a database per service) and RabbitMQ (a virtual host of its own).</summary>
public sealed class PostgresQuotaMarketplace : QuotaMarketplace
{
    protected override bool OnPostgres => true;
}
