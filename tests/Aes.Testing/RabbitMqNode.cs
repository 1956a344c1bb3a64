namespace Aes.Testing;

/// <summary>A RabbitMQ node of a test's own, which the test may stop and restart at will.</summary>
public sealed class RabbitMqNode : IAsyncDisposable
{
    private readonly string _folder;

    private RabbitMqNode(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public static async Task<RabbitMqNode> StartAsync()
    {
        await Infra.RunAsync("install");
        var node = new RabbitMqNode(Infra.NewTempFolder("aes-rabbit"), await Infra.FreeRabbitMqPortAsync());
        await node.StartAgainAsync();
        return node;
    }

    public Task StopAsync() => Infra.RunAsync("stop-rabbitmq", _folder);

    public Task StartAgainAsync() => Infra.RunAsync("start-rabbitmq", _folder, Port.ToString());

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* left for the OS to clean */ }
    }
}
