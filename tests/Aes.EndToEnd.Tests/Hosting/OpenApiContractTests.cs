using System.Reflection;
using System.Runtime.Loader;
using Aes.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// The published contract, /api/v1/openapi.json, as an integrator uses it: it passes Redocly's linter (recommended
/// rules, no error), and a client generated from it (Kiota, the repository's local tool), compiled, signs in at
/// the issuer and runs journey 1 with nothing but that client (GeneratedClient/Journey1.cs). A document without
/// operation names, schemas or security breaks these tests; every REST suite checks each answer against it too.
/// </summary>
public sealed class OpenApiContractTests(EmbeddedProvisioningMarketplace m) : IClassFixture<EmbeddedProvisioningMarketplace>, IDisposable
{
    private readonly string _folder = Infra.NewTempFolder("aes-generated-client");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_openapi_document_passes_a_standard_linter_with_no_error()
    {
        using var http = new HttpClient();
        var document = Path.Combine(_folder, "openapi.json");
        await File.WriteAllTextAsync(document, await http.GetStringAsync($"{m.PortalAddress}/api/v1/openapi.json"));
        var lint = Path.Combine(RepositoryPaths.Root, "tests", "openapi-lint");
        await using var redocly = ServiceProcess.StartCommand("node",
            [Path.Combine(lint, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint", document, "--config", Path.Combine(lint, "redocly.yaml"), "--format", "stylish"],
            lint, new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });
        var exit = await redocly.WaitForExitAsync(TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, redocly.Output);
        Assert.Contains("Your API description is valid", redocly.Output);
    }

    [Fact]
    public async Task A_client_generated_from_the_openapi_document_signs_in_and_completes_journey_1()
    {
        using var http = new HttpClient();
        var document = Path.Combine(_folder, "openapi.json");
        await File.WriteAllTextAsync(document, await http.GetStringAsync($"{m.PortalAddress}/api/v1/openapi.json"));
        var generated = Path.Combine(_folder, "client");
        await using (var kiota = ServiceProcess.StartCommand("dotnet",
            ["kiota", "generate", "--language", "CSharp", "--openapi", document, "--class-name", "AesClient", "--namespace-name", "Aes.Generated",
             "--output", generated, "--exclude-backward-compatible", "--log-level", "Warning"],
            RepositoryPaths.Root, new Dictionary<string, string> { ["KIOTA_TUTORIAL_ENABLED"] = "false", ["KIOTA_OFFLINE_ENABLED"] = "true" }))
        {
            Assert.True(await kiota.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, kiota.Output);
        }

        var sources = Directory.GetFiles(generated, "*.cs", SearchOption.AllDirectories)
            .Append(Path.Combine(RepositoryPaths.Root, "tests", "Aes.EndToEnd.Tests", "Hosting", "GeneratedClient", "Journey1.cs"));
        var journey = Compile(sources).GetType("Aes.Generated.Journeys.Journey1")!.GetMethod("RunAsync")!;
        var run = (Task<Dictionary<string, string>>)journey.Invoke(null, [m.PortalAddress, (Func<string, Task<string>>)m.TokenOfAsync, m.Agencies["ML/MEF"], m.Projects["ML/MEF"]])!;
        var facts = await run;

        Assert.Equal("ML-BKO-1", facts["placedIn"]);
        Assert.Equal("placed", facts["outcome"]);
        Assert.Equal("active", facts["status"]);
        Assert.Equal("3x4/16/200", facts["vmsAsked"]);
        Assert.Equal("3", facts["activeVms"]);
        Assert.Contains("ML-BKO-1", facts["invoiceFacilities"]);
    }

    /// <summary>The generated client and the journey, compiled in memory against what this test process has loaded (Kiota's libraries among it).</summary>
    private static Assembly Compile(IEnumerable<string> files)
    {
        _ = typeof(Microsoft.Kiota.Http.HttpClientLibrary.HttpClientRequestAdapter);
        _ = typeof(Microsoft.Kiota.Serialization.Json.JsonParseNodeFactory);
        _ = typeof(Microsoft.Kiota.Serialization.Text.TextParseNodeFactory);
        _ = typeof(Microsoft.Kiota.Serialization.Form.FormParseNodeFactory);
        _ = typeof(Microsoft.Kiota.Serialization.Multipart.MultipartSerializationWriterFactory);
        var parse = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: ["NET", "NET5_0_OR_GREATER", "NETCOREAPP3_1_OR_GREATER", "NETSTANDARD2_1_OR_GREATER"]);
        var trees = files.Select(file => CSharpSyntaxTree.ParseText(File.ReadAllText(file), parse, file)).ToList();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0).Select(a => a.Location))
            .Distinct().Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Aes.Generated", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        image.Position = 0;
        return AssemblyLoadContext.Default.LoadFromStream(image);
    }
}
