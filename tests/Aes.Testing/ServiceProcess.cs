using System.Diagnostics;
using System.Text;

namespace Aes.Testing;

/// <summary>
/// A built service or launcher started as its own process, as it runs in production: the test
/// talks to it only over the network and stops it with a signal.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    /// <summary>True when the process leads a process group of its own, as a command typed in a terminal does.</summary>
    private readonly bool _groupLeader;

    private ServiceProcess(Process process, bool groupLeader = false)
    {
        _process = process;
        _groupLeader = groupLeader;
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>{projectFolder}/bin/{Configuration}/net10.0/{assembly}.dll</c> with <paramref name="arguments"/>.</summary>
    public static ServiceProcess Start(string projectFolder, string assembly, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(RepositoryPaths.Root, projectFolder, "bin", Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; build the solution first (deploy/test.sh does).", dll);
        }
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        return new ServiceProcess(Process.Start(start)!);
    }

    /// <summary>
    /// A command started as a user types it (for example the README's <c>dotnet run --project …</c>), from
    /// <paramref name="workingDirectory"/>, in no particular environment: DOTNET_ENVIRONMENT and
    /// ASPNETCORE_ENVIRONMENT are removed, as a new user's shell has neither.
    /// </summary>
    public static ServiceProcess StartCommand(string fileName, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        // In a process group of its own, as a terminal runs a command: Ctrl-C reaches the whole group
        // (dotnet run and the program it started), and so does InterruptAsync.
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        return new ServiceProcess(Process.Start(start)!, groupLeader: true);
    }

    /// <summary>The build configuration the tests were built in, which a command they start should use too.</summary>
    public static string BuildConfiguration => Configuration;

    /// <summary>Waits for a short-lived process (a command) to end; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Still running after {timeout}:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>Waits until GET <paramref name="url"/> answers 200, failing early if the process dies.</summary>
    public async Task WaitUntilHealthyAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with {_process.ExitCode} before {url} was healthy:\n{Output}");
            }
            try
            {
                if ((await http.GetAsync(url)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{url} not healthy after {timeout.TotalSeconds} s:\n{Output}");
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        await Eventually.HoldsAsync(() => Task.FromResult(Output.Contains(text, StringComparison.Ordinal) || _process.HasExited),
            timeout, () => $"output contains \"{text}\"; what it printed last:\n{string.Join('\n', Output.Split('\n').TakeLast(80))}");

    /// <summary>Sends SIGINT (Ctrl-C; to its whole group when it leads one) and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-INT", "--", (_groupLeader ? "-" : "") + _process.Id.ToString()]);
            await kill.WaitForExitAsync();
        }
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as Kubernetes and systemd stop a service, and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
            await kill.WaitForExitAsync();
        }
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL, as a crash would: no shutdown hook runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
