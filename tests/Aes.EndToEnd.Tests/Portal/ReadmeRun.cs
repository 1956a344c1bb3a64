using System.Text.RegularExpressions;
using Aes.Messaging;
using Aes.Testing;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>
/// The README's run command exactly as a new user types it, from the repository: <c>dotnet run --project
/// deploy/Aes.Embedded</c> (with <c>-- --distributed</c> for the second run), in no particular environment,
/// with only the data folder and the port offset changed so that it meets no other run.
/// </summary>
public sealed partial class ReadmeRun : IAsyncDisposable
{
    private readonly string _data;

    private ReadmeRun(ServiceProcess process, int portOffset, string data)
    {
        Process = process;
        PortOffset = portOffset;
        _data = data;
    }

    public ServiceProcess Process { get; }
    public int PortOffset { get; }
    public string PortalAddress => $"http://127.0.0.1:{ResourceNames.LocalPorts[ResourceNames.Portal].Shift(PortOffset).Http}";

    public static async Task<ReadmeRun> StartAsync(bool distributed = false)
    {
        var data = Infra.NewTempFolder("aes-readme-run");
        var offset = distributed ? FreeDistributedOffset() : EmbeddedMarketplace.FreePortOffset();
        List<string> arguments = ["run", "--project", "deploy/Aes.Embedded"];
        if (ServiceProcess.BuildConfiguration != "Debug")
        {
            arguments.AddRange(["-c", ServiceProcess.BuildConfiguration]); // the README's command in the configuration the suite built
        }
        arguments.AddRange(["--", "--data-dir", Path.Combine(data, "data"), "--port-offset", offset.ToString()]);
        if (distributed)
        {
            // The distributed run keeps its RabbitMQ and PostgreSQL beside its data, fresh for this run.
            arguments.AddRange(["--distributed", "--infra-dir", Path.Combine(data, "infra")]);
        }
        var process = ServiceProcess.StartCommand("dotnet", arguments, RepositoryPaths.Root);
        var run = new ReadmeRun(process, offset, data);
        await process.WaitForOutputAsync("Ctrl-C", TimeSpan.FromMinutes(5));
        if (process.HasExited)
        {
            await run.DisposeAsync();
            throw new InvalidOperationException($"The README's run exited with {process.ExitCode}:\n{process.Output}");
        }
        return run;
    }

    /// <summary>
    /// Every line of the run's output that a new user should never see on a default start: a log line at
    /// warning level or above, an exception or a stack frame.
    /// </summary>
    public IReadOnlyList<string> Complaints()
    {
        var lines = Process.Output.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        // A log entry's header names only its level and category; its message is the line after.
        return Enumerable.Range(0, lines.Count).Where(i => ComplaintLine().IsMatch(lines[i]))
            .Select(i => LogHeader().IsMatch(lines[i]) && i + 1 < lines.Count ? $"{lines[i]} {lines[i + 1].Trim()}" : lines[i])
            .ToList();
    }

    [GeneratedRegex(@"^(\[\w+\] )?\s*(warn|fail|crit|error)\b|Exception\b|^\s*(\[\w+\] )?\s+at \S+\(|Unhandled", RegexOptions.IgnoreCase)]
    private static partial Regex ComplaintLine();

    [GeneratedRegex(@"^(\[\w+\] )?\s*(warn|fail|crit):", RegexOptions.IgnoreCase)]
    private static partial Regex LogHeader();

    /// <summary>Ctrl-C, as the README says; the run must stop cleanly.</summary>
    public Task<int> StopAsync() => Process.InterruptAsync(TimeSpan.FromSeconds(90));

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            try
            {
                await StopAsync();
            }
            catch (OperationCanceledException)
            {
                // Did not stop: killed below, and the test that stops it says so.
            }
        }
        await Process.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>
    /// An offset whose service ports and whose own RabbitMQ and PostgreSQL ports (5672, 5432, and RabbitMQ's
    /// management +3000 and distribution +6000) are free, all below the tests' RabbitMQ nodes (20000+).
    /// </summary>
    private static int FreeDistributedOffset() => EmbeddedMarketplace.FreePortOffset(8000, 300, [5672, 5672 + 3000, 5672 + 6000, 5432]);
}
