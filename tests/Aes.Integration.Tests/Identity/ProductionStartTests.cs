using System.Diagnostics;
using Aes.Testing;

namespace Aes.Integration.Tests.Identity;

/// <summary>Tenancy, started as its own process the way an installation starts it, in Production.</summary>
public sealed class ProductionStartTests
{
    [Fact]
    public async Task A_production_start_with_the_demo_seed_exits_with_the_reason_before_touching_anything()
    {
        var (exitCode, refusal, created) = await StartInProductionAsync("--Seed:Demo=true");

        Assert.True(exitCode == 2, $"exit {exitCode}: {refusal}");
        Assert.Contains("Seed:Demo est refusé en Production", refusal);
        Assert.Contains("is refused in Production", refusal);
        Assert.False(created, "nothing is created before the refusal");
    }

    [Fact]
    public async Task A_production_start_with_a_placeholder_secret_exits_naming_the_setting_and_not_its_value()
    {
        var (exitCode, refusal, created) = await StartInProductionAsync("--Identity:ServiceClients:aes-provisioning=CHANGE-ME-provisioning-client",
            "--Identity:PortalClient:Secret=dev-portal-web-secret");

        Assert.True(exitCode == 2, $"exit {exitCode}: {refusal}");
        Assert.Contains("Identity:ServiceClients:aes-provisioning garde une valeur d'exemple", refusal);
        Assert.Contains("Identity:PortalClient:Secret garde une valeur d'exemple", refusal);
        Assert.Contains("refused in Production", refusal);
        Assert.DoesNotContain("provisioning-client", refusal);
        Assert.DoesNotContain("dev-portal-web-secret", refusal);
        Assert.False(created, "nothing is created before the refusal");
    }

    /// <summary>Starts tenancy with ASPNETCORE_ENVIRONMENT=Production; returns its exit code, what it printed and whether it made its database.</summary>
    private static async Task<(int ExitCode, string Output, bool DatabaseCreated)> StartInProductionAsync(params string[] arguments)
    {
        var folder = Directory.CreateTempSubdirectory("aes-production-start-");
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = folder.FullName, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "services", "Tenancy", "bin", "Debug", "net10.0", "Aes.Tenancy.dll"));
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ConnectionStrings__tenancy-db"] = $"Data Source={Path.Combine(folder.FullName, "tenancy.db")}";
            using var tenancy = Process.Start(start)!;
            // A service that starts anyway would run until stopped: a minute is far more than a refusal takes.
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            patience.CancelAfter(TimeSpan.FromMinutes(1));
            var output = tenancy.StandardOutput.ReadToEndAsync(patience.Token);
            var errors = tenancy.StandardError.ReadToEndAsync(patience.Token);
            try
            {
                await tenancy.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                tenancy.Kill(entireProcessTree: true);
                Assert.Fail($"tenancy started in Production with {string.Join(' ', arguments)} instead of refusing");
            }
            return (tenancy.ExitCode, await errors + await output, File.Exists(Path.Combine(folder.FullName, "tenancy.db")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
