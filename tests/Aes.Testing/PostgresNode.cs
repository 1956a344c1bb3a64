namespace Aes.Testing;

/// <summary>A PostgreSQL server of a test's own, which the test may stop and start again at will.</summary>
public sealed class PostgresNode : IAsyncDisposable
{
    private readonly string _folder;

    private PostgresNode(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string ServerConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres";

    public static async Task<PostgresNode> StartAsync()
    {
        await Infra.RunAsync("install");
        var node = new PostgresNode(Infra.NewTempFolder("aes-pg"), Infra.FreeRestartablePort());
        await node.StartAgainAsync();
        return node;
    }

    public Task<string> NewDatabaseAsync(string name) => TestInfrastructure.CreateDatabaseAsync(ServerConnectionString, name);

    /// <summary>A fast shutdown: PostgreSQL ends its sessions, so every client sees its connections drop.</summary>
    public Task StopAsync() => Infra.RunAsync("stop-postgres", _folder);

    public Task StartAgainAsync() => Infra.RunAsync("start-postgres", _folder, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* left for the OS to clean */ } catch (UnauthorizedAccessException) { /* owned by postgres */ }
    }
}
