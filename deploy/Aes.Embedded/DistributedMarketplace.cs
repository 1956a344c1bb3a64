using System.Diagnostics;
using Aes.Messaging;

namespace Aes.Embedded;

/// <summary>
/// The distributed run on one machine: each service and the portal as its own process, on the same
/// ports and configuration keys as tye.yaml and k8s/, over a real RabbitMQ and PostgreSQL. Without
/// --rabbitmq and --postgres it starts both itself (deploy/scripts/infra.sh, Debian packages) and stops
/// them afterwards. Ready when every service's /health/ready answers; Ctrl-C stops everything.
/// </summary>
public static class DistributedMarketplace
{
    /// <summary>Tenancy last: it seeds the demo, and RabbitMQ drops events that no queue is bound for yet.</summary>
    private static readonly string[] StartOrder =
        [ResourceNames.Quota, ResourceNames.Billing, ResourceNames.Provisioning, ResourceNames.Notifications, ResourceNames.Portal, ResourceNames.Tenancy];

    public static async Task<int> RunAsync(EmbeddedOptions options)
    {
        var stop = new TaskCompletionSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);

        var infrastructure = new Infrastructure(options);
        var running = new List<(string Service, Process Process)>();
        var status = 0;
        try
        {
            options = await infrastructure.StartAsync(stop.Task);
            foreach (var service in StartOrder)
            {
                var started = Stopwatch.StartNew();
                var process = Start(service, options);
                running.Add((service, process));
                await WaitUntilReadyAsync(service, options, running, stop.Task);
                // bench/footprint.sh reads this line: the time from launch to ready, and the process to measure.
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{service} prêt en / ready in {started.Elapsed.TotalSeconds:F2} s (pid {process.Id})"));
            }
            await Banner.PrintAsync(options, distributed: true);
            var exited = Task.WhenAny(running.Select(r => r.Process.WaitForExitAsync()));
            if (await Task.WhenAny(stop.Task, exited) != stop.Task)
            {
                var (service, process) = running.First(r => r.Process.HasExited);
                await Console.Error.WriteLineAsync($"{service} s'est arrêté ({process.ExitCode}) / {service} stopped ({process.ExitCode}); arrêt de tous / stopping all.");
                status = 1;
            }
            Console.WriteLine("Arrêt en cours… / Stopping…");
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            status = 1;
        }
        finally
        {
            // Each service drains its consumers and ends its work on SIGTERM; tenancy, the issuer, last.
            for (var i = running.Count - 1; i >= 0; i--)
            {
                await StopAsync(running[i].Service, running[i].Process);
            }
            await infrastructure.StopAsync();
        }
        Console.WriteLine("Place de marché arrêtée. / Marketplace stopped.");
        return status;

        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }

    private static Process Start(string service, EmbeddedOptions options)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, $"Aes.{char.ToUpperInvariant(service[0])}{service[1..]}.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Environment.CurrentDirectory };
        start.ArgumentList.Add(assembly);
        foreach (var argument in EmbeddedMarketplace.ServiceArguments(service, options))
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{service} did not start.");
        process.OutputDataReceived += (_, line) => Relay(service, line.Data);
        process.ErrorDataReceived += (_, line) => Relay(service, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Relay(string service, string? line)
    {
        if (line is not null)
        {
            Console.WriteLine($"[{service}] {line}");
        }
    }

    private static async Task WaitUntilReadyAsync(string service, EmbeddedOptions options, List<(string Service, Process Process)> running, Task stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ready = $"http://127.0.0.1:{ResourceNames.LocalPorts[service].Shift(options.PortOffset).Http}/health/ready";
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline && !stop.IsCompleted)
        {
            if (running.Single(r => r.Service == service).Process.HasExited)
            {
                throw new InvalidOperationException($"{service} s'est arrêté au démarrage / {service} exited while starting.");
            }
            try
            {
                if ((await http.GetAsync(ready)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow to answer while it migrates.
            }
            await Task.Delay(100);
        }
        throw stop.IsCompleted ? new OperationCanceledException("Arrêt demandé / stop asked.") : new TimeoutException($"{service} n'est pas prêt après 3 min / {service} not ready after 3 min ({ready}).");
    }

    private static async Task StopAsync(string service, Process process)
    {
        if (!process.HasExited)
        {
            // It may end between the check and the signal; kill then says so on its error stream, which is not ours to print.
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { RedirectStandardError = true })!;
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"{service} ne s'arrête pas : arrêt forcé / {service} does not stop: killed.");
            process.Kill(entireProcessTree: true);
        }
        process.Dispose();
    }

    /// <summary>RabbitMQ and PostgreSQL of the run's own, under --infra-dir, when none was given.</summary>
    private sealed class Infrastructure(EmbeddedOptions options)
    {
        private readonly string _script = Path.Combine(AppContext.BaseDirectory, "infra.sh");
        private readonly List<string> _started = [];

        public async Task<EmbeddedOptions> StartAsync(Task stop)
        {
            if (options.OpenStack)
            {
                options = options with { OpenStackSettings = await StartOpenStackAsync() };
            }
            if (options.RabbitMq is not null && options.Postgres is not null)
            {
                return options;
            }
            Directory.CreateDirectory(options.InfraDirectory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(options.InfraDirectory, (UnixFileMode)0b111_101_101); // PostgreSQL runs as its own user and must reach its folder
            }
            await RunAsync("install");
            var rabbitMq = options.RabbitMq ?? await StartPartAsync("rabbitmq", 5672, port => $"amqp://guest:guest@127.0.0.1:{port}/");
            var postgres = options.Postgres ?? await StartPartAsync("postgres", 5432, port => $"Host=127.0.0.1;Port={port};Username=postgres");
            return options with { RabbitMq = rabbitMq, Postgres = postgres };
        }

        /// <summary>A local OpenStack under the infra folder, on the first free hundred ports from 10000; its settings.</summary>
        private async Task<IReadOnlyDictionary<string, string>> StartOpenStackAsync()
        {
            var folder = Path.Combine(options.InfraDirectory, "openstack");
            Directory.CreateDirectory(folder);
            var basePort = Enumerable.Range(0, 30).Select(i => 10000 + 100 * i).First(p => Free(p) && Free(p + 1));
            Console.WriteLine($"OpenStack local en cours de démarrage (environ une minute) / starting a local OpenStack (about a minute) on {basePort}…");
            await RunScriptAsync(Path.Combine(AppContext.BaseDirectory, "openstack.sh"), "start", folder, basePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _openStack = folder;
            return File.ReadAllLines(Path.Combine(folder, "openstack.env")).Where(line => line.Contains('='))
                .ToDictionary(line => line[..line.IndexOf('=')], line => line[(line.IndexOf('=') + 1)..]);
        }

        private string? _openStack;

        private static bool Free(int port)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                client.Connect("127.0.0.1", port);
                return false;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        /// <summary>Starts RabbitMQ or PostgreSQL on its usual port shifted like the services'; returns how to reach it.</summary>
        private async Task<string> StartPartAsync(string part, int usualPort, Func<int, string> address)
        {
            var port = usualPort + options.PortOffset;
            await RunAsync($"start-{part}", Path.Combine(options.InfraDirectory, part), port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _started.Add(part);
            return address(port);
        }

        public async Task StopAsync()
        {
            foreach (var part in Enumerable.Reverse(_started))
            {
                await RunAsync($"stop-{part}", Path.Combine(options.InfraDirectory, part));
            }
            if (_openStack is not null)
            {
                await RunScriptAsync(Path.Combine(AppContext.BaseDirectory, "openstack.sh"), "stop", _openStack);
            }
        }

        private Task RunAsync(params string[] arguments) => RunScriptAsync(_script, arguments);

        private static async Task RunScriptAsync(string script, params string[] arguments)
        {
            // Its output holds the cloud's credentials: read from the file it writes, never printed.
            var start = new ProcessStartInfo("bash") { ArgumentList = { script }, RedirectStandardOutput = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            // A run that claims to keep data keeps PostgreSQL's durable defaults.
            start.Environment["AES_PG_DURABLE"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{Path.GetFileName(script)} {string.Join(' ', arguments)} a échoué ({process.ExitCode}) / failed ({process.ExitCode}).");
            }
        }
    }
}
