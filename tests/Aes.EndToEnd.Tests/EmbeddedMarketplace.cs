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
        var malian = await TestIssuer.SharedMalianAsync();
        var process = ServiceProcess.Start("deploy/Aes.Embedded", "Aes.Embedded",
            ["--data-dir", dataDirectory, "--port-offset", portOffset.ToString(), .. issuer.TrustArguments(), .. malian.MalianTrustArguments(), .. extraArguments],
            environment.ToDictionary());
        var marketplace = new EmbeddedMarketplace(process, portOffset, issuer);
        // The distributed run starts its broker, its database, then five processes one after the other, each migrating its
        // database: on two loaded cores that took over 240 s once (CI, 2026-12-04).
        await process.WaitForOutputAsync("Ctrl-C", TimeSpan.FromSeconds(360));
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

    private static readonly HashSet<int> PortsTaken = [];

    /// <summary>An offset below RabbitMQ's test ports (20000+) whose every shifted port is free.</summary>
    public static int FreePortOffset() => FreePortOffset(8000, 3900, []);

    /// <summary>
    /// An offset from <paramref name="from"/> whose shifted service ports, and <paramref name="extraPorts"/> shifted (a distributed
    /// run's RabbitMQ and PostgreSQL), are free and handed to no other marketplace of this process: fixtures start in parallel,
    /// and a port found free is not bound yet by the one that found it.
    /// </summary>
    public static int FreePortOffset(int from, int span, int[] extraPorts)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var offset = from + Random.Shared.Next(0, span);
            var ports = ResourceNames.LocalPorts.Values.SelectMany(p => new[] { p.Http, p.Grpc }).Where(p => p != 0).Concat(extraPorts)
                .Select(p => p + offset).ToList();
            lock (PortsTaken)
            {
                if (ports.Any(PortsTaken.Contains) || !ports.All(IsFree))
                {
                    continue;
                }
                PortsTaken.UnionWith(ports);
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
