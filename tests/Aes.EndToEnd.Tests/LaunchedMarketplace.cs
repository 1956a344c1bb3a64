using System.Data.Common;
using Aes.Testing;

namespace Aes.EndToEnd.Tests;

/// <summary>
/// A whole marketplace started by the launcher for a test class: embedded (SQLite files, in-memory bus)
/// or on real PostgreSQL (a database per service) and RabbitMQ (a virtual host of its own).
/// </summary>
public abstract partial class LaunchedMarketplace(string name) : IAsyncLifetime
{
    private readonly string _data = Infra.NewTempFolder($"aes-{name}");
    private string? _postgres;
    /// <summary>Where the run's mail arrives: Postfix's Maildir on PostgreSQL and RabbitMQ, the .eml folder of the embedded run.</summary>
    private string? _maildir;
    private readonly Dictionary<string, (string Token, DateTime At)> _tokens = [];

    protected EmbeddedMarketplace Marketplace { get; private set; } = null!;

    /// <summary>False: the embedded default; true: PostgreSQL and RabbitMQ.</summary>
    protected abstract bool OnPostgres { get; }

    /// <summary>Environment of the launcher, which the services it starts inherit.</summary>
    protected virtual IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>();

    public abstract ValueTask InitializeAsync();

    protected async Task LaunchAsync(params string[] arguments)
    {
        var mail = OnPostgres ? await TestInfrastructure.MailServerAsync() : default;
        _maildir = OnPostgres ? mail.Maildir : Path.Combine(_data, "mail");
        string[] storage = OnPostgres
            ?
            [
                "--postgres", _postgres = await TestInfrastructure.NewPostgresPrefixAsync(name[..1]),
                "--rabbitmq", await TestInfrastructure.NewRabbitMqVirtualHostAsync(name),
                // A real Postfix on this machine, without TLS: notifications' messages go through SMTP.
                "--Mail:Smtp:Host=127.0.0.1", $"--Mail:Smtp:Port={mail.Port}", "--Mail:Smtp:Security=None",
            ]
            : [];
        // Webhooks reach the tests' receiver, in this process: plain http to loopback, which a real installation refuses.
        string[] webhooks = ["--Notifications:Webhooks:AllowedSchemes:0=https", "--Notifications:Webhooks:AllowedSchemes:1=http",
            "--Notifications:Webhooks:AllowedNetworks:0=127.0.0.0/8", "--Notifications:Webhooks:FirstRetryDelay=00:00:01"];
        // The fixtures set the capacity their tests count on; the demo's own pools and quotas would add to it.
        Marketplace = await EmbeddedMarketplace.StartAsync(_data, EmbeddedMarketplace.FreePortOffset(), Environment,
            [.. storage, .. webhooks, "--Seed:DemoCapacity=false", .. arguments]);
    }

    /// <summary>A real access token of a demo user, from tenancy by the code flow with PKCE, as the portal and the command line get one.</summary>
    public async Task<string> TokenOfAsync(string userName)
    {
        // Tenancy's tokens live 30 minutes; a fixture's tests may take longer on a loaded machine.
        lock (_tokens)
        {
            if (_tokens.TryGetValue(userName, out var cached) && DateTime.UtcNow - cached.At < TimeSpan.FromMinutes(20))
            {
                return cached.Token;
            }
        }
        using var flow = new CodeFlowClient(Marketplace.HttpAddress(Aes.Messaging.ResourceNames.Tenancy) + "/");
        var token = await flow.AccessTokenForAsync(userName, "aes-demo-2026");
        lock (_tokens)
        {
            _tokens[userName] = (token, DateTime.UtcNow);
        }
        return token;
    }

    /// <summary>The bodies of the events of one type that a service has written to its outbox, in the order written.</summary>
    public async Task<List<System.Text.Json.JsonElement>> OutboxEventsAsync(string type, string service)
    {
        await using var connection = ServiceDatabase(service);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT body FROM outbox_messages WHERE message_type LIKE 'Aes.Contracts.{char.ToUpperInvariant(service[0])}{service[1..]}.{type},%' ORDER BY sequence";
        var events = new List<System.Text.Json.JsonElement>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(System.Text.Json.JsonDocument.Parse(reader.GetString(0)).RootElement.Clone());
        }
        return events;
    }

    /// <summary>
    /// The messages this run has sent about one object ("request/{id}"), oldest event first: from Postfix's Maildir (shared by
    /// the runs of the test process, hence the object) or the embedded run's .eml folder.
    /// </summary>
    public List<MimeKit.MimeMessage> MailAbout(string objectKey) => MailAbout(objectKey, DateTime.MinValue);

    /// <summary>The messages about <paramref name="objectKey"/> (or, ending in "/", about any object of that kind) whose event came at or after <paramref name="since"/>.</summary>
    public List<MimeKit.MimeMessage> MailAbout(string objectKey, DateTime since)
    {
        if (_maildir is null || !Directory.Exists(_maildir))
        {
            return [];
        }
        var files = Directory.EnumerateFiles(_maildir, "*.eml")
            .Concat(new[] { "new", "cur" }.Select(f => Path.Combine(_maildir, f)).Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d)));
        static DateTime EventTime(MimeKit.MimeMessage message) =>
            DateTime.Parse(message.Headers["X-Aes-Event-Time"] ?? "", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
        return [.. files.Select(f => MimeKit.MimeMessage.Load(f))
            .Where(m => objectKey.EndsWith('/') ? (m.Headers["X-Aes-Object"] ?? "").StartsWith(objectKey, StringComparison.Ordinal) : m.Headers["X-Aes-Object"] == objectKey)
            .Where(m => EventTime(m) >= since)
            .OrderBy(EventTime)];
    }

    /// <summary>Waits until <paramref name="address"/> has a message about <paramref name="objectKey"/> whose subject has <paramref name="subjectPart"/>.</summary>
    public async Task<MimeKit.MimeMessage> MailToAsync(string objectKey, string address, string subjectPart, DateTime? since = null)
    {
        MimeKit.MimeMessage? found = null;
        await Eventually.HoldsAsync(() =>
        {
            found = MailAbout(objectKey, since ?? DateTime.MinValue).FirstOrDefault(x => x.To.Mailboxes.Single().Address == address && (x.Subject ?? "").Contains(subjectPart, StringComparison.Ordinal));
            return Task.FromResult(found is not null);
        }, TimeSpan.FromSeconds(60), () => $"{address} is told \"{subjectPart}\" about {objectKey}; told so far: "
            + string.Join(" | ", MailAbout(objectKey).Select(x => $"{x.To} {x.Subject}")) + "\n" + LastComplaints());
        return found!;
    }

    /// <summary>A connection to one service's own database, to read what it wrote (its outbox).</summary>
    public DbConnection ServiceDatabase(string service)
    {
        if (_postgres is null)
        {
            return new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_data, service + ".db")}");
        }
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(_postgres);
        builder.Database += "_" + service;
        return new Npgsql.NpgsqlConnection(builder.ConnectionString);
    }

    /// <summary>
    /// The run's last warnings and failures, each with the line after its header (the message), for a test that times out
    /// waiting: CI keeps no log file, only what a failing test prints.
    /// </summary>
    public string LastComplaints(int count = 12)
    {
        var lines = Marketplace.Process.Output.Split('\n');
        var complaints = Enumerable.Range(0, lines.Length)
            .Where(i => LogHeader().IsMatch(lines[i]))
            .TakeLast(count)
            .Select(i => lines[i].TrimEnd() + (i + 1 < lines.Length ? " " + lines[i + 1].Trim() : ""));
        return string.Join('\n', complaints);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\[\w+\] )?\s*(warn|fail|crit):")]
    private static partial System.Text.RegularExpressions.Regex LogHeader();

    public virtual async ValueTask DisposeAsync()
    {
        if (Marketplace is not null)
        {
            // The launcher's log of the last run, for a failing test's post-mortem.
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), $"aes-{GetType().Name}.log"), Marketplace.Process.Output);
            await Marketplace.Process.InterruptAsync(TimeSpan.FromSeconds(30));
            await Marketplace.DisposeAsync();
        }
        if (System.Environment.GetEnvironmentVariable("AES_TEST_KEEP_DATA") is { Length: > 0 } keep)
        {
            await File.WriteAllTextAsync(Path.Combine(keep, GetType().Name + ".txt"), $"{_data}\n{_postgres}\n");
            return;
        }
        Directory.Delete(_data, recursive: true);
    }
}
