using Aes.Messaging;
using Aes.Testing;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>
/// The portal as a container image ships it: <c>dotnet publish</c>, then the published assembly started from
/// another folder, in Production and in Development. Every asset its home page names is served with its bytes.
/// The services it calls are not there: the public home page says so and still answers.
/// </summary>
public sealed class PublishedPortalTests : IDisposable
{
    private readonly string _folder = Infra.NewTempFolder("aes-published-portal");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_published_portal_serves_every_asset_with_its_bytes_in_production_and_in_development()
    {
        var publish = Path.Combine(_folder, "publish");
        await using (var publishing = ServiceProcess.StartCommand("dotnet",
            ["publish", "services/Portal", "-c", ServiceProcess.BuildConfiguration, "-o", publish, "--nologo"], RepositoryPaths.Root))
        {
            Assert.True(await publishing.WaitForExitAsync(TimeSpan.FromMinutes(8)) == 0, publishing.Output);
        }
        Assert.True(File.Exists(Path.Combine(publish, "wwwroot", "_framework", "blazor.web.js")), "the publish carries Blazor's script");

        foreach (var environment in new[] { "Production", "Development" })
        {
            var ports = ResourceNames.LocalPorts[ResourceNames.Portal].Shift(EmbeddedMarketplace.FreePortOffset());
            var address = $"http://127.0.0.1:{ports.Http}";
            List<string> arguments = [Path.Combine(publish, "Aes.Portal.dll"), .. ports.KestrelArguments(),
                "--Identity:Authority=http://127.0.0.1:9/", "--Identity:PortalClient:Secret=unused", .. TestKeyRing.Arguments(),
                $"--ConnectionStrings:{ResourceNames.PortalDatabase}=Data Source={Path.Combine(_folder, environment + ".db")}"];
            arguments.AddRange(ResourceNames.CallsOf(ResourceNames.Portal).Select(service => $"--{ResourceNames.ServiceAddressKey(service)}=http://127.0.0.1:9"));
            await using var portal = ServiceProcess.StartCommand("dotnet", arguments, _folder, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = environment });
            await portal.WaitUntilHealthyAsync(address + "/health/live", TimeSpan.FromMinutes(2));

            var problems = await PortalAssets.ProblemsAsync(address, PortalAssets.ManifestIn(publish));
            Assert.True(problems.Count == 0, $"{environment}:\n{string.Join("\n", problems)}");
            using var http = new HttpClient();
            Assert.Contains("role=\"alert\"", await http.GetStringAsync(address + "/")); // tenancy out of reach, said on the page
        }
    }
}
