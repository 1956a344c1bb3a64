using System.Net.Sockets;
using Aes.Messaging;
using Aes.Testing;
using Grpc.Net.Client;

namespace Aes.EndToEnd.Tests;

/// <summary>
/// The README's run command (deploy/Aes.Embedded) as a user starts it: its own process, its own
/// data folder, ports shifted by an offset so that it never meets another run.
/// </summary>
public sealed class EmbeddedMarketplace : IAsyncDisposable
{
    private readonly List<GrpcChannel> _channels = [];

    private EmbeddedMarketplace(ServiceProcess process, int portOffset, TestIssuer issuer)
    {
        Issuer = issuer;
        Process = process;
        PortOffset = portOffset;
    }

    public ServiceProcess Process { get; }
    /// <summary>The tests' own issuer, which every service of this run trusts besides tenancy.</summary>
    public TestIssuer Issuer { get; }
    public int PortOffset { get; }

    public static Task<EmbeddedMarketplace> StartAsync(string dataDirectory, int portOffset, params string[] extraArguments) =>
        StartAsync(dataDirectory, portOffset, new Dictionary<string, string>(), extraArguments);

    public static async Task<EmbeddedMarketplace> StartAsync(string dataDirectory, int portOffset, IReadOnlyDictionary<string, string> environment, params string[] extraArguments)
    {
        var issuer = await TestIssuer.SharedAsync();
        var process = ServiceProcess.Start("deploy/Aes.Embedded", "Aes.Embedded",
            ["--data-dir", dataDirectory, "--port-offset", portOffset.ToString(), .. issuer.TrustArguments(), .. extraArguments],
            environment.ToDictionary());
        var marketplace = new EmbeddedMarketplace(process, portOffset, issuer);
        // The distributed run starts five processes one after the other, each migrating its database.
        await process.WaitForOutputAsync("Ctrl-C", TimeSpan.FromSeconds(240));
        if (process.HasExited)
        {
            throw new InvalidOperationException($"The launcher exited with {process.ExitCode}:\n{process.Output}");
        }
        return marketplace;
    }

    public string HttpAddress(string service) => $"http://127.0.0.1:{ResourceNames.LocalPorts[service].Shift(PortOffset).Http}";

    public GrpcChannel Channel(string service)
    {
        var channel = Issuer.Channel($"http://127.0.0.1:{ResourceNames.LocalPorts[service].Shift(PortOffset).Grpc}");
        _channels.Add(channel);
        return channel;
    }

    /// <summary>An offset below RabbitMQ's test ports (20000+) whose every shifted port is free.</summary>
    public static int FreePortOffset()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var offset = 8000 + Random.Shared.Next(0, 3900);
            var ports = ResourceNames.LocalPorts.Values.SelectMany(p => new[] { p.Http, p.Grpc }).Where(p => p != 0).Select(p => p + offset);
            if (ports.All(IsFree))
            {
                return offset;
            }
        }
        throw new InvalidOperationException("No free port offset found.");
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
        await Process.DisposeAsync();
    }
}
