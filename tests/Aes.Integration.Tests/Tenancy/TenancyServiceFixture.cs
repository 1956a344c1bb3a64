using Aes.Contracts.Tenancy.V1;
using Aes.Testing;
using Grpc.Net.Client;
using Npgsql;

namespace Aes.Integration.Tests.Tenancy;

/// <summary>The tenancy service as its own process, on a fresh PostgreSQL database and the shared RabbitMQ, with the demo seed.</summary>
public sealed class TenancyServiceFixture : IAsyncLifetime
{
    private ServiceProcess? _process;
    private GrpcChannel? _channel;

    public string Database { get; private set; } = "";
    public TenancyService.TenancyServiceClient Client { get; private set; } = null!;
    public Dictionary<string, string> UserIds { get; } = [];
    public TestIssuer Issuer { get; private set; } = null!;
    /// <summary>Burkina Faso's own identity provider, which this tenancy trusts for BF only, as a deployment would by configuration.</summary>
    public TestIssuer Burkina { get; private set; } = null!;
    /// <summary>Tenancy's HTTP address, which is also the confederal issuer's.</summary>
    public string HttpAddress { get; private set; } = "";
    public string GrpcAddress { get; private set; } = "";
    public const string ServiceClientSecret = "secret-of-the-test-service";
    public Dictionary<string, Facility> Facilities { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Database = await TestInfrastructure.NewPostgresDatabaseAsync("tenancy");
        var http = Infra.FreePort();
        var grpc = Infra.FreePort();
        Issuer = await TestIssuer.SharedAsync();
        Burkina = await TestIssuer.StartAsync();
        HttpAddress = $"http://127.0.0.1:{http}/";
        _process = ServiceProcess.Start("services/Tenancy", "Aes.Tenancy",
        [
            $"--Identity:Authority={HttpAddress}", .. Issuer.TrustArguments(), .. TestKeyRing.Arguments(),
            $"--Identity:TrustedIssuers:bf:Issuer={Burkina.Url}", "--Identity:TrustedIssuers:bf:State=BF", $"--Identity:ServiceClients:aes-test-service={ServiceClientSecret}",
            // A service client of the tests' own, allowed one method; and provisioning's, as the marketplace registers it.
            "--Identity:ServiceClientMethods:aes-test-service:0=/aes.tenancy.v1.TenancyService/ListAgencies",
            $"--Identity:ServiceClients:aes-provisioning={ServiceClientSecret}",
            $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{http}", "--Kestrel:Endpoints:http:Protocols=Http1",
            $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpc}", "--Kestrel:Endpoints:grpc:Protocols=Http2",
            "--Database:Provider=Postgres", $"--ConnectionStrings:tenancy-db={Database}",
            "--Messaging:Transport=RabbitMq", $"--ConnectionStrings:rabbitmq={await TestInfrastructure.RabbitMqAsync()}",
            "--Seed:Demo=true", "--Tenancy:AgreementClockInterval=00:00:00.500", "--Logging:LogLevel:Default=Warning",
        ]);
        // Generous: the whole suite starts dozens of processes on two cores at once.
        await _process.WaitUntilHealthyAsync($"http://127.0.0.1:{http}/health/ready", TimeSpan.FromSeconds(180));
        GrpcAddress = $"http://127.0.0.1:{grpc}";
        _channel = Issuer.Channel(GrpcAddress);
        Client = new TenancyService.TenancyServiceClient(_channel);
        foreach (var user in (await Client.ListUsersAsync(new ListUsersRequest())).Users)
        {
            UserIds[user.UserName] = user.Id;
        }
        foreach (var facility in (await Client.ListFacilitiesAsync(new ListFacilitiesRequest())).Facilities)
        {
            Facilities[facility.Code] = facility;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_process is not null)
        {
            await _process.InterruptAsync(TimeSpan.FromSeconds(30));
            await _process.DisposeAsync();
        }
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Every table's row count and version sum, and the outbox size: equal snapshots mean nothing changed.</summary>
    public async Task<string> SnapshotAsync()
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT concat_ws('|',
              (SELECT count(*) FROM "MemberStates"),
              (SELECT count(*) || ':' || coalesce(sum("Version"), 0) FROM "Facilities"),
              (SELECT count(*) FROM "Agencies"), (SELECT count(*) FROM "Projects"),
              (SELECT count(*) FROM "Users"), (SELECT count(*) FROM role_assignments),
              (SELECT count(*) || ':' || coalesce(sum("Version"), 0) FROM "Agreements"),
              (SELECT count(*) FROM resource_classes), (SELECT count(*) FROM outbox_messages))
            """, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<(string Type, string Body, bool Dispatched)>> OutboxAsync(string typeSuffix)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT message_type, body, dispatched_at IS NOT NULL FROM outbox_messages WHERE message_type LIKE @type ORDER BY sequence", connection);
        command.Parameters.AddWithValue("type", $"%.{typeSuffix},%");
        var rows = new List<(string, string, bool)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        }
        return rows;
    }
}
