using System.Xml.Linq;
using Aes.Messaging;
using Aes.Testing;

namespace Aes.Architecture.Tests;

/// <summary>Services share only contracts/ and the building blocks; never each other's code, protos or databases.</summary>
public sealed class ServiceBoundaryTests
{
    private static readonly string[] SharedProjects = ["Aes.Contracts", "Aes.ServiceDefaults", "Aes.Messaging"];
    private static readonly string[] ServiceFolders = ["Tenancy", "Quota", "Billing", "Provisioning", "Portal"];

    private static XDocument Project(string folder) =>
        XDocument.Load(Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "services", folder), "*.csproj").Single());

    public static TheoryData<string> Services => new(ServiceFolders);

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_references_no_other_service_project(string folder)
    {
        var references = Project(folder).Descendants("ProjectReference")
            .Select(reference => Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();

        Assert.All(references, reference => Assert.Contains(reference, SharedProjects));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_serves_only_its_own_proto_and_is_a_client_of_the_others(string folder)
    {
        foreach (var proto in Project(folder).Descendants("Protobuf"))
        {
            var file = Path.GetFileNameWithoutExtension(proto.Attribute("Include")!.Value.Replace('\\', '/'));
            var role = proto.Attribute("GrpcServices")!.Value;
            Assert.True(role == "Client" || file.Equals(folder, StringComparison.OrdinalIgnoreCase),
                $"{folder} compiles {file}.proto as {role}");
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_names_no_other_service_database(string folder)
    {
        var sources = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "services", folder), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(File.ReadAllText)
            .ToList();
        var others = ResourceNames.Services.Append(ResourceNames.Portal).Where(service => !service.Equals(folder, StringComparison.OrdinalIgnoreCase));

        foreach (var other in others)
        {
            var constant = $"ResourceNames.{char.ToUpperInvariant(other[0])}{other[1..]}Database";
            Assert.DoesNotContain(sources, source => source.Contains(constant, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Protos_live_only_under_contracts()
    {
        var protos = Directory.GetFiles(RepositoryPaths.Root, "*.proto", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(path => Path.GetRelativePath(RepositoryPaths.Root, path).Replace('\\', '/'));

        // One exception: the tests' own reading of OpenTelemetry's protocol, which no service shares.
        Assert.All(protos.Where(proto => proto != "tests/Aes.Testing/Otlp/otlp_receiver.proto"), proto => Assert.StartsWith("contracts/protos/", proto));
    }

    [Fact]
    public void The_contracts_project_has_no_package_references()
    {
        var contracts = XDocument.Load(Path.Combine(RepositoryPaths.Root, "contracts", "Aes.Contracts", "Aes.Contracts.csproj"));
        Assert.Empty(contracts.Descendants("PackageReference"));
    }

    [Fact]
    public void Package_versions_are_central_and_MassTransit_stays_on_8()
    {
        var projects = Directory.GetFiles(RepositoryPaths.Root, "*.csproj", SearchOption.AllDirectories);
        Assert.All(projects, project =>
            Assert.DoesNotContain(XDocument.Load(project).Descendants("PackageReference"), reference => reference.Attribute("Version") is not null));

        var central = XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Packages.props"));
        var massTransit = central.Descendants("PackageVersion").Where(p => p.Attribute("Include")!.Value.StartsWith("MassTransit", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(massTransit);
        Assert.All(massTransit, package => Assert.StartsWith("8.5.", package.Attribute("Version")!.Value));
    }
}
