using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Aes.Testing;

/// <summary>Runs deploy/scripts/infra.sh, the one place that knows how to start RabbitMQ and PostgreSQL here.</summary>
public static class Infra
{
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryPaths.InfraScript);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }
        return (await output).Trim();
    }

    public static async Task<int> FreeRabbitMqPortAsync() => int.Parse(await RunAsync("free-port"));

    private static readonly HashSet<int> RestartablePortsHandedOut = [];

    /// <summary>
    /// A free port below the kernel's ephemeral range, for a server a test stops and starts again on the
    /// same port: in that range an outgoing connection could take the port while the server is down.
    /// A port is handed out once per process: a port found free is not bound yet by the one that asked.
    /// </summary>
    public static int FreeRestartablePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(29000, 32768);
            lock (RestartablePortsHandedOut)
            {
                if (RestartablePortsHandedOut.Contains(port))
                {
                    continue;
                }
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                }
                catch (SocketException)
                {
                    continue; // taken; draw again
                }
                RestartablePortsHandedOut.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException("No free port in 29000-32767.");
    }

    /// <summary>A free port chosen by the kernel, for a service under test.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string NewTempFolder(string prefix)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(folder);
        // PostgreSQL runs as the postgres user and must be able to enter the folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        }
        return folder;
    }
}
