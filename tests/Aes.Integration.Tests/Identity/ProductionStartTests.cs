using System.Diagnostics;
using Aes.Testing;

namespace Aes.Integration.Tests.Identity;

/// <summary>Tenancy, started as its own process the way an installation starts it.</summary>
public sealed class ProductionStartTests
{
    [Fact]
    public async Task A_production_start_with_the_demo_seed_exits_with_the_reason_before_touching_anything()
    {
        var folder = Directory.CreateTempSubdirectory("aes-production-start-");
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { Path.Combine(RepositoryPaths.Root, "services", "Tenancy", "bin", "Debug", "net10.0", "Aes.Tenancy.dll"), "--Seed:Demo=true" },
                WorkingDirectory = folder.FullName, RedirectStandardOutput = true, RedirectStandardError = true,
            };
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
                Assert.Fail("tenancy started in Production with the demo seed instead of refusing");
            }

            var refusal = await errors;
            Assert.True(tenancy.ExitCode == 2, $"exit {tenancy.ExitCode}: {refusal}{await output}");
            Assert.Contains("Seed:Demo est refusé en Production", refusal);
            Assert.Contains("is refused in Production", refusal);
            Assert.False(File.Exists(Path.Combine(folder.FullName, "tenancy.db")), "nothing is created before the refusal");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
