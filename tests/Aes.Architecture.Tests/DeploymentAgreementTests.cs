using Aes.Messaging;
using Aes.Testing;
using YamlDotNet.RepresentationModel;

namespace Aes.Architecture.Tests;

/// <summary>tye.yaml, k8s/ and the code use the same service names, ports and configuration keys.</summary>
public sealed class DeploymentAgreementTests
{
    private static YamlMappingNode LoadSingle(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, path));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static IEnumerable<YamlMappingNode> LoadAll(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, path));
        stream.Load(reader);
        return stream.Documents.Select(document => (YamlMappingNode)document.RootNode);
    }

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return ((YamlScalarNode)node).Value!;
    }

    private static YamlSequenceNode Sequence(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return (YamlSequenceNode)node;
    }

    private static bool Has(YamlMappingNode node, string key) => node.Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>k8s/base/secrets.example.yaml: each Secret's keys and placeholder values.</summary>
    private static Dictionary<string, Dictionary<string, string>> ExampleSecrets() =>
        LoadAll("k8s/base/secrets.example.yaml").ToDictionary(
            s => Scalar(s, "metadata", "name"),
            s => ((YamlMappingNode)s.Children[new YamlScalarNode("stringData")]).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!));

    public static TheoryData<string> AllServices => new([.. ResourceNames.Services, ResourceNames.Portal]);

    [Theory]
    [MemberData(nameof(AllServices))]
    public void Tye_declares_the_service_with_its_project_ports_and_keys(string service)
    {
        var tye = LoadSingle("tye.yaml");
        var entry = Sequence(tye, "services").Cast<YamlMappingNode>().Single(s => Scalar(s, "name") == service);
        var project = Scalar(entry, "project");
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, project)), $"{project} exists");

        var ports = Sequence(entry, "bindings").Cast<YamlMappingNode>().ToDictionary(b => Scalar(b, "name"), b => int.Parse(Scalar(b, "port")));
        var expected = ResourceNames.LocalPorts[service];
        Assert.Equal(expected.Http, ports["http"]);
        Assert.Equal(expected.Grpc, ports.GetValueOrDefault("grpc"));

        var env = Sequence(entry, "env").Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"), e => Scalar(e, "value"));
        Assert.Equal($"http://127.0.0.1:{expected.Http}", env["Kestrel__Endpoints__http__Url"]);
        Assert.Contains($"ConnectionStrings__{ResourceNames.DatabaseOf(service)}", env.Keys);
        Assert.Equal("Postgres", env["Database__Provider"]);
        Assert.Equal($"http://127.0.0.1:{ResourceNames.LocalPorts[ResourceNames.Tenancy].Http}/", env["Identity__Authority"]);
        var tenancy = Sequence(tye, "services").Cast<YamlMappingNode>().Single(s => Scalar(s, "name") == ResourceNames.Tenancy);
        var issuerSide = Sequence(tenancy, "env").Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"), e => Scalar(e, "value"));
        if (service == ResourceNames.Provisioning)
        {
            Assert.Equal($"aes-{service}", env["Identity__ClientId"]);
            Assert.Equal(env["Identity__ClientSecret"], issuerSide[$"Identity__ServiceClients__aes-{service}"]);
        }
        if (service == ResourceNames.Portal)
        {
            // The portal holds no service identity: nothing to steal from its configuration, nothing for the issuer to grant it.
            Assert.DoesNotContain("Identity__ClientId", env.Keys);
            Assert.DoesNotContain("Identity__ClientSecret", env.Keys);
            Assert.DoesNotContain($"Identity__ServiceClients__aes-{service}", issuerSide.Keys);
            Assert.Equal(env["Identity__PortalClient__Secret"], issuerSide["Identity__PortalClient__Secret"]);
            Assert.Equal($"http://127.0.0.1:{expected.Http}/signin-oidc", issuerSide["Identity__PortalClient__RedirectUri"]);
            Assert.Equal($"http://127.0.0.1:{ResourceNames.LocalPorts[ResourceNames.Tenancy].Grpc}",
                env[ResourceNames.ServiceAddressKey(ResourceNames.Tenancy).Replace(":", "__")]);
            Assert.Equal($"http://127.0.0.1:{ResourceNames.LocalPorts[ResourceNames.Provisioning].Grpc}",
                env[ResourceNames.ServiceAddressKey(ResourceNames.Provisioning).Replace(":", "__")]);
        }
        else
        {
            Assert.Contains($"ConnectionStrings__{ResourceNames.RabbitMqConnection}", env.Keys);
            Assert.Equal("RabbitMq", env["Messaging__Transport"]);
        }
    }

    [Theory]
    [MemberData(nameof(AllServices))]
    public void Kubernetes_deploys_the_service_with_the_same_name_ports_and_keys(string service)
    {
        var documents = LoadAll($"k8s/base/{service}.yaml").ToList();
        var deployment = documents.Single(d => Scalar(d, "kind") == "Deployment");
        var kubeService = documents.Single(d => Scalar(d, "kind") == "Service");
        Assert.Equal(service, Scalar(deployment, "metadata", "name"));
        Assert.Equal(service, Scalar(kubeService, "metadata", "name"));

        var container = (YamlMappingNode)Sequence(deployment, "spec", "template", "spec", "containers").Single();
        var ports = Sequence(container, "ports").Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name"), p => int.Parse(Scalar(p, "containerPort")));
        var expected = ResourceNames.LocalPorts[service];
        Assert.Equal(expected.Http, ports["http"]);
        Assert.Equal(expected.Grpc, ports.GetValueOrDefault("grpc"));
        var servicePorts = Sequence(kubeService, "spec", "ports").Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name"), p => int.Parse(Scalar(p, "port")));
        Assert.Equal(ports, servicePorts);

        // Connection strings and client secrets: the app's own Secret, read through the Dapr secret store, never plain env.
        var env = Sequence(container, "env").Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"));
        Assert.Contains("Kestrel__Endpoints__http__Url", env.Keys);
        Assert.Equal("true", Scalar(env["Dapr__Enabled"], "value"));
        Assert.Equal($"aes-{service}", Scalar(env["Dapr__Secrets"], "value"));
        var secrets = ExampleSecrets();
        var secret = secrets[$"aes-{service}"];
        var database = $"ConnectionStrings__{ResourceNames.DatabaseOf(service)}";
        Assert.Contains(database, secret.Keys);
        Assert.DoesNotContain(database, env.Keys);
        if (service != ResourceNames.Portal)
        {
            Assert.Contains($"ConnectionStrings__{ResourceNames.RabbitMqConnection}", secret.Keys);
        }
        if (service == ResourceNames.Provisioning)
        {
            Assert.Contains($"ConnectionStrings__{ResourceNames.FacilitySimulatorDatabase}", secret.Keys);
        }
        if (service == ResourceNames.Provisioning)
        {
            Assert.Equal($"aes-{service}", Scalar(env["Identity__ClientId"], "value"));
            Assert.Equal(secret["Identity__ClientSecret"], secrets[$"aes-{ResourceNames.Tenancy}"][$"Identity__ServiceClients__aes-{service}"]);
        }
        if (service == ResourceNames.Portal)
        {
            Assert.DoesNotContain("Identity__ClientId", env.Keys);
            Assert.DoesNotContain("Identity__ClientSecret", secret.Keys);
            Assert.DoesNotContain($"Identity__ServiceClients__aes-{service}", secrets[$"aes-{ResourceNames.Tenancy}"].Keys);
        }
        if (service == ResourceNames.Portal)
        {
            Assert.Equal(secret["Identity__PortalClient__Secret"], secrets[$"aes-{ResourceNames.Tenancy}"]["Identity__PortalClient__Secret"]);
        }
        if (service is ResourceNames.Portal or ResourceNames.Tenancy)
        {
            Assert.Contains($"{Aes.Messaging.Persistence.KeyRing.Section}__Certificate", secret.Keys); // their session key rings are encrypted at rest
        }

        // Calls between the apps go through Dapr: the app id is the service name, the app port its gRPC port (the portal's HTTP one).
        var annotations = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment.Children[new YamlScalarNode("spec")]).Children[new YamlScalarNode("template")]).Children[new YamlScalarNode("metadata")]).Children[new YamlScalarNode("annotations")];
        Assert.Equal(service, Scalar(annotations, "dapr.io/app-id"));
        Assert.Equal(expected.Grpc == 0 ? expected.Http : expected.Grpc, int.Parse(Scalar(annotations, "dapr.io/app-port")));
        Assert.Equal($"aes-{service}", Scalar(annotations, "dapr.io/config"));

        // The schema is applied by the service's migration Job, from the same Secret.
        var job = LoadAll("k8s/base/migrations.yaml").Single(d => Scalar(d, "metadata", "name") == $"{service}-migrate");
        var jobContainer = (YamlMappingNode)Sequence(job, "spec", "template", "spec", "containers").Single();
        Assert.Equal(Scalar(container, "image"), Scalar(jobContainer, "image"));
        var jobEnv = Sequence(jobContainer, "env").Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"));
        Assert.Equal($"aes-{service}", Scalar(jobEnv[database], "valueFrom", "secretKeyRef", "name"));
        Assert.Equal(database, Scalar(jobEnv[database], "valueFrom", "secretKeyRef", "key"));
        Assert.Equal($"http://tenancy:{ResourceNames.LocalPorts[ResourceNames.Tenancy].Http}/",
            Scalar(LoadSingle("k8s/base/configuration.yaml"), "data", "Identity__Authority"));

        // Probes on the shared health endpoints, limits set, and a non-root read-only container.
        Assert.Equal("/health/ready", Scalar(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/health/live", Scalar(container, "livenessProbe", "httpGet", "path"));
        Assert.True(Has((YamlMappingNode)container.Children[new YamlScalarNode("resources")], "limits"));
        Assert.Equal("true", Scalar(container, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("true", Scalar(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot"));
    }

    [Fact]
    public void The_kustomization_lists_every_service()
    {
        var resources = Sequence(LoadSingle("k8s/base/kustomization.yaml"), "resources").Cast<YamlScalarNode>().Select(r => r.Value).ToList();
        foreach (var service in ResourceNames.Services.Append(ResourceNames.Portal))
        {
            Assert.Contains($"{service}.yaml", resources);
        }
        Assert.DoesNotContain("secrets.example.yaml", resources);
        Assert.All(resources, resource =>
        {
            var path = Path.Combine(RepositoryPaths.Root, "k8s", "base", resource!);
            Assert.True(File.Exists(path) || File.Exists(Path.Combine(path, "kustomization.yaml")), $"{resource} exists");
        });
    }
}
