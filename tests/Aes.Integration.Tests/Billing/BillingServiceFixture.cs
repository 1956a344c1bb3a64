using Aes.Contracts;
using Aes.Contracts.Billing.V1;
using Aes.Contracts.Tenancy;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using MassTransit;

namespace Aes.Integration.Tests.Billing;

/// <summary>
/// The billing service as its own process, on PostgreSQL or on SQLite, with a RabbitMQ virtual host
/// of its own. The test plays tenancy and provisioning: it publishes their events on the broker. Each call
/// is made as the user it names, with that user's own token (<see cref="ActAsNamedUser"/>).
/// </summary>
public abstract class BillingServiceFixture : IAsyncLifetime
{
    public static readonly DateTime AgreementStart = new(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly StandardPrices MaliList = new(25, 5, 60, 2500);
    public static readonly AgreementPriceTerms NigerInMali = new(false, [new("vcpu", 20), new("memory_gib", 4), new("storage_gib", 50), new("public_ipv4", 2000)]);

    private readonly string _folder = Infra.NewTempFolder("aes-billing");
    private ServiceProcess? _process;
    private string _database = "";
    private GrpcChannel? _channel;
    private IBusControl? _bus;

    public BillingService.BillingServiceClient Client { get; private set; } = null!;
    /// <summary>What <see cref="Client"/> calls through: each call with the token of the user its <c>actor_user_id</c> names.</summary>
    public CallInvoker Invoker { get; private set; } = null!;
    public Guid MaliFacility { get; } = Guid.NewGuid();
    public Guid BurkinaFacility { get; } = Guid.NewGuid();
    public Guid NigerAgreement { get; } = Guid.NewGuid();
    public Guid MaliOperator { get; } = Guid.NewGuid();
    public Guid BurkinaOperator { get; } = Guid.NewGuid();
    public Guid NigerOperator { get; } = Guid.NewGuid();
    public Guid Confederation { get; } = Guid.NewGuid();
    public Guid Stranger { get; } = Guid.NewGuid();
    /// <summary>An operator of Mali whose role tenancy has not announced to billing: only their token says who they are.</summary>
    public Guid MaliNewcomer { get; } = Guid.NewGuid();
    /// <summary>Mali's operator as billing's copy of tenancy's roles knows them, whose role was since taken away: their token has no grant.</summary>
    public Guid FormerMaliOperator { get; } = Guid.NewGuid();

    protected abstract bool OnPostgres { get; }

    public async ValueTask InitializeAsync()
    {
        var rabbit = await TestInfrastructure.NewRabbitMqVirtualHostAsync("billing");
        _database = OnPostgres ? await TestInfrastructure.NewPostgresDatabaseAsync("billing") : $"Data Source={Path.Combine(_folder, "billing.db")}";
        string[] database = OnPostgres
            ? ["--Database:Provider=Postgres", $"--ConnectionStrings:billing-db={_database}"]
            : ["--Database:Provider=Sqlite", $"--ConnectionStrings:billing-db={_database}"];
        var http = Infra.FreePort();
        var grpc = Infra.FreePort();
        var issuer = await TestIssuer.SharedAsync();
        _process = ServiceProcess.Start("services/Billing", "Aes.Billing",
        [
            .. issuer.TrustArguments(),
            $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{http}", "--Kestrel:Endpoints:http:Protocols=Http1",
            $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpc}", "--Kestrel:Endpoints:grpc:Protocols=Http2",
            .. database, "--Messaging:Transport=RabbitMq", $"--ConnectionStrings:rabbitmq={rabbit}", "--Logging:LogLevel:Default=Warning",
        ]);
        await _process.WaitUntilHealthyAsync($"http://127.0.0.1:{http}/health/ready", TimeSpan.FromSeconds(60));
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpc}");
        var grants = new Dictionary<Guid, string[]>
        {
            [MaliOperator] = ["StateOperator:ML:"], [BurkinaOperator] = ["StateOperator:BF:"], [NigerOperator] = ["StateOperator:NE:"],
            [Confederation] = ["ConfederalAdministrator::"], [MaliNewcomer] = ["StateOperator:ML:"],
        };
        Invoker = ActAsNamedUser.Invoker(_channel, issuer, user => Task.FromResult(ActAsNamedUser.Mint(issuer, user, grants.GetValueOrDefault(user, []))));
        Client = new BillingService.BillingServiceClient(Invoker);
        _bus = Bus.Factory.CreateUsingRabbitMq(bus =>
        {
            bus.Host(new Uri(rabbit));
            // What billing tells the rest of the system, as another service would receive it.
            bus.ReceiveEndpoint("billing-test-listener", endpoint =>
            {
                endpoint.Handler<Aes.Contracts.Billing.InvoiceIssued>(context => Record(context.Message));
                endpoint.Handler<Aes.Contracts.Billing.SettlementClosed>(context => Record(context.Message));
            });
        });
        await _bus.StartAsync();

        await PublishAsync(new MemberStateRegistered("ML", "Mali", "Mali", "Africa/Bamako", "XOF"));
        await PublishAsync(new MemberStateRegistered("BF", "Burkina Faso", "Burkina Faso", "Africa/Ouagadougou", "XOF"));
        await PublishAsync(new MemberStateRegistered("NE", "Niger", "Niger", "Africa/Niamey", "XOF"));
        var capacity = ResourceVector.Standard(2048, 8192, 512000, 256).ToList();
        await PublishAsync(new FacilityRegistered(MaliFacility, "ML-BKO-1", "ML", "Datacenter national de Bamako", "Bamako", 3, 99.982m, "open", "Africa/Bamako", capacity));
        await PublishAsync(new FacilityRegistered(BurkinaFacility, "BF-OUA-1", "BF", "Datacenter national de Ouagadougou", "Ouagadougou", 3, 99.982m, "open", "Africa/Ouagadougou", capacity));
        await PublishAsync(new RoleAssigned(MaliOperator, "state-operator", "ML", null));
        await PublishAsync(new RoleAssigned(BurkinaOperator, "state-operator", "BF", null));
        await PublishAsync(new RoleAssigned(NigerOperator, "state-operator", "NE", null));
        await PublishAsync(new RoleAssigned(Confederation, "confederal-administrator", null, null));
        await PublishAsync(new RoleAssigned(FormerMaliOperator, "state-operator", "ML", null));
        await PublishAsync(new AgreementActivated(NigerAgreement, "AES-ML-NE-001", "ML", MaliFacility, "NE", ResourceVector.Standard(256, 1024, 51200, 16).ToList(),
            ["internal", "public"], NigerInMali, AgreementStart, new DateTime(2028, 1, 31, 0, 0, 0, DateTimeKind.Utc)));

        await PriceOnceKnownAsync(MaliOperator, MaliFacility, "ML-BKO-1");
        await PriceOnceKnownAsync(BurkinaOperator, BurkinaFacility, "BF-OUA-1");
    }

    /// <summary>List prices from 1 January 2026, published as soon as billing knows the facility and its operator.</summary>
    private Task PriceOnceKnownAsync(Guid stateOperator, Guid facility, string code) =>
        Eventually.HoldsAsync(async () =>
        {
            try
            {
                await SetPricesAsync(stateOperator, facility, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), null, MaliList);
                return true;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.PermissionDenied)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"billing learnt facility {code} and its operator");

    public System.Collections.Concurrent.ConcurrentQueue<object> Received { get; } = new();

    private Task Record(object message)
    {
        Received.Enqueue(message);
        return Task.CompletedTask;
    }

    public Task PublishAsync(object message, Guid? messageId = null) =>
        _bus!.Publish(message, message.GetType(), Pipe.Execute<PublishContext>(context => context.MessageId = messageId ?? NewId.NextGuid()));

    /// <summary>
    /// Publishes each event 1 to 3 times, all at once in a shuffled order, some copies under the same message id and some under
    /// a new one; returns the message ids used.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ReplayAsync(IEnumerable<object> events, int seed)
    {
        var random = new Random(seed);
        var copies = events.SelectMany(e =>
        {
            var id = NewId.NextGuid();
            return Enumerable.Range(0, random.Next(1, 4)).Select(copy => (Event: e, Id: copy == 0 || random.Next(2) == 0 ? id : NewId.NextGuid()));
        }).ToArray();
        random.Shuffle(copies);
        await Task.WhenAll(copies.Select(c => PublishAsync(c.Event, c.Id)));
        return [.. copies.Select(c => c.Id).Distinct()];
    }

    /// <summary>
    /// Waits until billing's inbox holds every one of <paramref name="messageIds"/>: each was handled and committed, and a copy
    /// still on its way under one of them can only be found in the inbox and skipped. Nothing of them can change anything after.
    /// </summary>
    public Task AllConsumedAsync(IReadOnlyList<Guid> messageIds) => Eventually.HoldsAsync(async () =>
    {
        foreach (var messageId in messageIds)
        {
            if (!await ConsumedAsync(messageId))
            {
                return false;
            }
        }
        return true;
    }, TimeSpan.FromSeconds(60), $"billing consumed all {messageIds.Count} messages");

    /// <summary>Runs SQL on billing's own PostgreSQL database, as its administrator would (a fault to inject, a count to read).</summary>
    public async Task<object?> PostgresAsync(string sql)
    {
        if (!OnPostgres)
        {
            throw new InvalidOperationException("billing runs on SQLite here");
        }
        await using var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>True once billing's inbox holds the message: a consumer handled it and committed.</summary>
    public async Task<bool> ConsumedAsync(Guid messageId)
    {
        await using System.Data.Common.DbConnection connection = OnPostgres
            ? new Npgsql.NpgsqlConnection(_database) : new Microsoft.Data.Sqlite.SqliteConnection(_database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // EF keeps a Guid as uuid on PostgreSQL and as upper-case text on SQLite.
        command.CommandText = OnPostgres
            ? $"SELECT count(*) FROM inbox_messages WHERE message_id = '{messageId}'"
            : $"SELECT count(*) FROM inbox_messages WHERE message_id = '{messageId.ToString().ToUpperInvariant()}'";
        return Convert.ToInt64(await command.ExecuteScalarAsync()) > 0;
    }

    public async Task<Guid> NewAgencyAsync(string state, string name)
    {
        var agency = Guid.NewGuid();
        await PublishAsync(new AgencyRegistered(agency, state, name.ToUpperInvariant()[..3], name, DateTime.UtcNow));
        await Eventually.HoldsAsync(async () => (await Client.ListAccountsAsync(new ListAccountsRequest { StateCode = state })).Accounts
            .Any(a => a.AgencyId == agency.ToString()), TimeSpan.FromSeconds(30), $"billing opened an account for {name}");
        return agency;
    }

    /// <summary>A facility of the test's own, with list prices from 1 January 2026.</summary>
    public async Task<Guid> NewFacilityAsync(string state, string code, Guid stateOperator)
    {
        var facility = Guid.NewGuid();
        await PublishAsync(new FacilityRegistered(facility, code, state, code, code, 3, 99.982m, "open", "Africa/Bamako", ResourceVector.Standard(64, 256, 10000, 8).ToList()));
        await PriceOnceKnownAsync(stateOperator, facility, code);
        return facility;
    }

    public Task<PriceCatalogue> SetPricesAsync(Guid actor, Guid facility, DateTime from, DateTime? until, StandardPrices prices, string currency = "XOF") =>
        Client.SetPriceCatalogueAsync(new SetPriceCatalogueRequest
        {
            ActorUserId = actor.ToString(), FacilityId = facility.ToString(), EffectiveFrom = Timestamp.FromDateTime(from),
            EffectiveUntil = until is { } end ? Timestamp.FromDateTime(end) : null, UnitPrices = { prices.ByClass() }, Currency = currency,
        }).ResponseAsync;

    /// <summary>
    /// The issued invoice of a new Mali agency for a small VM that ran ten days of <paramref name="month"/> (2026), drafted and
    /// issued by Mali's operator.
    /// </summary>
    public async Task<Invoice> IssuedInvoiceAsync(string agencyName, int month, int seed)
    {
        var agency = await NewAgencyAsync("ML", agencyName);
        var actor = MaliOperator.ToString();
        var vmId = Guid.NewGuid();
        var size = ResourceVector.Standard(1, 2, 10, 0).ToList();
        var (from, until) = (new DateTime(2026, month, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, month, 11, 0, 0, 0, DateTimeKind.Utc));
        var monthText = $"2026-{month:00}";
        await AllConsumedAsync(await ReplayAsync([
            new Aes.Contracts.Provisioning.VmActivated(vmId, Guid.Empty, agency, "ML", MaliFacility, "ML", size, from),
            new Aes.Contracts.Provisioning.VmDecommissioned(vmId, Guid.Empty, agency, "ML", MaliFacility, "ML", size, from, until)], seed));
        await Eventually.HoldsAsync(async () => (await Client.ListUsageAsync(new ListUsageRequest { ActorUserId = actor, AgencyId = agency.ToString(), Month = monthText }))
            .Periods.Any(p => p.Until is not null), TimeSpan.FromSeconds(60), $"billing metered {monthText}");
        var draft = await Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = actor, AgencyId = agency.ToString(), Month = monthText });
        return await Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = actor, InvoiceId = draft.Id });
    }

    public static string ReceivableOf(Invoice invoice) => $"ML:agency:{Guid.Parse(invoice.AgencyId):N}:receivable";

    public async Task<LedgerAudit> AuditAsync() => await Client.AuditLedgerAsync(new AuditLedgerRequest { ActorUserId = Confederation.ToString() });

    public async Task<long> BalanceAsync(string account) =>
        (await Client.ListLedgerBalancesAsync(new ListLedgerBalancesRequest { ActorUserId = Confederation.ToString(), Prefix = account })).Balances
        .Where(b => b.Account == account).Sum(b => b.BalanceXof);

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
        {
            await _bus.StopAsync();
        }
        _channel?.Dispose();
        if (_process is not null)
        {
            await _process.InterruptAsync(TimeSpan.FromSeconds(30));
            await _process.DisposeAsync();
        }
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class PostgresBillingService : BillingServiceFixture
{
    protected override bool OnPostgres => true;
}

public sealed class SqliteBillingService : BillingServiceFixture
{
    protected override bool OnPostgres => false;
}

/// <summary>The standard classes' list prices a test publishes, in whole XOF (vCPU and memory per hour, storage and IPv4 per month).</summary>
public sealed record StandardPrices(long VcpuHourXof, long MemoryGibHourXof, long StorageGibMonthXof, long PublicIpv4MonthXof)
{
    public IEnumerable<Aes.Contracts.Billing.V1.ResourcePrice> ByClass() =>
        new (string Class, long Price)[] { ("vcpu", VcpuHourXof), ("memory_gib", MemoryGibHourXof), ("storage_gib", StorageGibMonthXof), ("public_ipv4", PublicIpv4MonthXof) }
            .Select(p => new Aes.Contracts.Billing.V1.ResourcePrice { ResourceClass = p.Class, UnitPriceXof = p.Price });
}

/// <summary>A VM's size in the standard classes as a test writes it (storage is its disk); events carry it by class.</summary>
public sealed record StandardSize(long Vcpu, long MemoryGib, long StorageGib, long PublicIpv4)
{
    public IReadOnlyList<Aes.Contracts.ResourceAmount> ByClass() => ResourceVector.Standard(Vcpu, MemoryGib, StorageGib, PublicIpv4).ToList();
}
