using Npgsql;

namespace Aes.Testing;

/// <summary>
/// The shared real RabbitMQ, PostgreSQL and Postfix of a test run. The test command (deploy/test.sh) starts
/// them and passes AES_TEST_RABBITMQ and AES_TEST_POSTGRES; a developer running `dotnet test`
/// alone gets them started here instead, through the same script.
/// </summary>
public static class TestInfrastructure
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (string RabbitMq, string RabbitMqManagement, string Postgres)? _started;

    public static async Task<string> RabbitMqAsync() => (await EnsureAsync()).RabbitMq;

    public static async Task<Uri> RabbitMqManagementAsync() => new((await EnsureAsync()).RabbitMqManagement);

    public static async Task<string> PostgresServerAsync() => (await EnsureAsync()).Postgres;

    /// <summary>A new, empty database on the shared server, so that tests never see each other's rows.</summary>
    public static async Task<string> NewPostgresDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, 63)].ToLowerInvariant();
        return await CreateDatabaseAsync(await PostgresServerAsync(), name);
    }

    /// <summary>Creates a database on a server (a superuser connection string); returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string server, string name)
    {
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>A new RabbitMQ virtual host, so that a whole marketplace under test has queues of its own.</summary>
    public static async Task<string> NewRabbitMqVirtualHostAsync(string prefix)
    {
        var (rabbit, management, _) = await EnsureAsync();
        var vhost = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        using var http = new HttpClient { BaseAddress = new Uri(management) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        (await http.PutAsync($"api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
        var permissions = new StringContent("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}", System.Text.Encoding.UTF8, "application/json");
        (await http.PutAsync($"api/permissions/{vhost}/guest", permissions)).EnsureSuccessStatusCode();
        return new Uri(new Uri(rabbit), vhost).ToString();
    }

    /// <summary>The shared server's connection string with a fresh database-name prefix (for the launcher's --postgres).</summary>
    public static async Task<string> NewPostgresPrefixAsync(string prefix) =>
        new NpgsqlConnectionStringBuilder(await PostgresServerAsync()) { Database = $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 8)] }.ConnectionString;

    private static (int Port, string Maildir)? _postfix;

    /// <summary>
    /// The shared real Postfix: the SMTP port it takes on 127.0.0.1 and the Maildir where it delivers every message for
    /// @aes.test (AES_TEST_SMTP_PORT and AES_TEST_MAILDIR from the test command, else started here by the same script).
    /// </summary>
    public static async Task<(int Port, string Maildir)> MailServerAsync()
    {
        if (Environment.GetEnvironmentVariable("AES_TEST_SMTP_PORT") is { } port && Environment.GetEnvironmentVariable("AES_TEST_MAILDIR") is { } maildir)
        {
            return (int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), maildir);
        }
        await Gate.WaitAsync();
        try
        {
            if (_postfix is { } started)
            {
                return started;
            }
            await Infra.RunAsync("install");
            var folder = Path.Combine(Infra.NewTempFolder("aes-postfix"), "postfix");
            var smtpPort = Infra.FreePort();
            await Infra.RunAsync("start-postfix", folder, smtpPort.ToString());
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Infra.RunAsync("stop-postfix", folder).GetAwaiter().GetResult();
            _postfix = (smtpPort, Path.Combine(folder, "mail", "aes.test", "all"));
            return _postfix.Value;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<(string RabbitMq, string RabbitMqManagement, string Postgres)> EnsureAsync()
    {
        var rabbit = Environment.GetEnvironmentVariable("AES_TEST_RABBITMQ");
        var management = Environment.GetEnvironmentVariable("AES_TEST_RABBITMQ_MANAGEMENT");
        var postgres = Environment.GetEnvironmentVariable("AES_TEST_POSTGRES");
        if (rabbit is not null && management is not null && postgres is not null)
        {
            return (rabbit, management, postgres);
        }

        await Gate.WaitAsync();
        try
        {
            if (_started is { } started)
            {
                return started;
            }
            await Infra.RunAsync("install");
            var folder = Infra.NewTempFolder("aes-infra");
            var rabbitPort = await Infra.FreeRabbitMqPortAsync();
            await Infra.RunAsync("start-rabbitmq", Path.Combine(folder, "rabbitmq"), rabbitPort.ToString());
            var postgresPort = Infra.FreePort();
            await Infra.RunAsync("start-postgres", Path.Combine(folder, "postgres"), postgresPort.ToString());
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                Infra.RunAsync("stop-rabbitmq", Path.Combine(folder, "rabbitmq")).GetAwaiter().GetResult();
                Infra.RunAsync("stop-postgres", Path.Combine(folder, "postgres")).GetAwaiter().GetResult();
            };
            _started = ($"amqp://guest:guest@127.0.0.1:{rabbitPort}/", $"http://127.0.0.1:{await Infra.RunAsync("management-port", rabbitPort.ToString())}/",
                $"Host=127.0.0.1;Port={postgresPort};Username=postgres");
            return _started.Value;
        }
        finally
        {
            Gate.Release();
        }
    }
}
