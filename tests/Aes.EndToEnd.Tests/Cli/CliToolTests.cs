using Aes.Testing;

namespace Aes.EndToEnd.Tests.Cli;

/// <summary>`aes` installed as the README says: packed from the repository as a .NET tool, installed once, then typed as `aes`.</summary>
public sealed class CliToolTests : IDisposable
{
    private readonly string _folder = Infra.NewTempFolder("aes-cli-tool");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Aes_packs_as_a_dotnet_tool_installs_once_and_runs_as_aes()
    {
        var packages = Path.Combine(_folder, "packages");
        var tools = Path.Combine(_folder, "tools");
        await RunAsync("dotnet", ["pack", "services/Cli", "-c", ServiceProcess.BuildConfiguration, "-o", packages, "--nologo"]);
        await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "Aes.Cli", "--add-source", packages]);

        var aes = Path.Combine(tools, "aes");
        Assert.Contains("1.0.0", await RunAsync(aes, ["--version"]));
        var help = await RunAsync(aes, ["--help"]);
        Assert.Contains("login", help);
        Assert.Contains("requests", help);
    }

    private async Task<string> RunAsync(string command, string[] arguments)
    {
        await using var process = ServiceProcess.StartCommand(command, arguments, RepositoryPaths.Root);
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"{command} {string.Join(' ', arguments)} exited with {exit}:\n{process.Output}");
        return process.Output;
    }
}
