using Aes.Architecture.Tests.Manifests;
using Aes.Messaging;
using Aes.Testing;
using YamlDotNet.RepresentationModel;
using Names = Aes.Messaging.ResourceNames;

namespace Aes.Architecture.Tests;

/// <summary>
/// k8s/ renders (resolved here by hand: no kustomize binary) into objects that hold together and say
/// what the architecture says: who calls whom, who owns a database, how each app is secured.
/// </summary>
public sealed class KubernetesManifestTests
{
    /// <summary>The gRPC calls between the apps; every app also reaches the issuer on tenancy.</summary>
    private static readonly (string Caller, string Callee)[] Calls =
    [
        (Names.Portal, Names.Tenancy), (Names.Portal, Names.Quota), (Names.Portal, Names.Billing), (Names.Portal, Names.Provisioning),
        (Names.Portal, Names.Notifications),
        (Names.Provisioning, Names.Quota),
    ];

    private static readonly Topology Architecture = new(
        Namespace: "aes-marketplace",
        Apps: Names.LocalPorts,
        DatabaseApps: [.. Names.Services, Names.Portal],
        BusApps: Names.Services,
        Calls: Calls,
        Issuer: Names.Tenancy,
        Entry: Names.Portal,
        IngressNamespace: "ingress-nginx");

    public static TheoryData<string> Kustomizations => new("k8s/base", "k8s/overlays/dev", "k8s/overlays/production");

    private static Build Render(string folder) => Kustomization.Render(Path.Combine(RepositoryPaths.Root, folder));

    private static Manifest Find(Build build, string kind, string name) => build.Manifests.Single(m => m.Kind == kind && m.Name == name);

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_kustomization_renders(string folder)
    {
        var build = Render(folder);

        Assert.Empty(build.Errors);
        Assert.All(build.Manifests.Where(m => m.Kind != "Namespace"), m => Assert.Equal("aes-marketplace", m.Root.Text("metadata", "namespace")));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void The_objects_follow_the_rules_and_the_architecture(string folder)
    {
        Assert.Empty(new ManifestRules(Render(folder).Manifests, Architecture).Check());
    }

    [Fact]
    public void Dev_runs_one_of_everything()
    {
        var build = Render("k8s/overlays/dev");

        Assert.All(build.Manifests.Where(m => m.Kind == "Deployment"), d => Assert.Equal("1", d.Root.Text("spec", "replicas")));
        Assert.All(build.Manifests.Where(m => m.Kind == "HorizontalPodAutoscaler"), h => Assert.Equal("1", h.Root.Text("spec", "minReplicas")));
        Assert.Equal("1", Find(build, "RabbitmqCluster", "aes-rabbitmq").Root.Text("spec", "replicas"));
        Assert.Equal("1", Find(build, "Cluster", "aes-postgres").Root.Text("spec", "instances"));
    }

    [Fact]
    public void Production_pins_images_runs_three_of_everything_and_serves_the_portal_over_tls()
    {
        var build = Render("k8s/overlays/production");

        var images = build.Manifests.SelectMany(m => Kustomization.Containers(m.Root)).Select(c => c.Text("image")!).ToList();
        Assert.All(images, image => Assert.Matches(@"^registry\.aes\.example/aes-marketplace/[a-z]+:\d+\.\d+\.\d+$", image));
        Assert.All(build.Manifests.Where(m => m.Kind == "Deployment"), d => Assert.Equal("3", d.Root.Text("spec", "replicas")));
        Assert.Equal("3", Find(build, "RabbitmqCluster", "aes-rabbitmq").Root.Text("spec", "replicas"));
        var postgres = Find(build, "Cluster", "aes-postgres").Root;
        Assert.Equal("3", postgres.Text("spec", "instances"));
        Assert.NotNull(postgres.Text("spec", "backup", "barmanObjectStore", "destinationPath"));
        Assert.Contains(build.Manifests, m => m.Kind == "ScheduledBackup" && m.Root.Text("spec", "cluster", "name") == "aes-postgres");

        var ingress = Find(build, "Ingress", Names.Portal).Root;
        var host = ingress.Items("spec", "tls").Single().Strings("hosts").Single();
        var rule = ingress.Items("spec", "rules").Single();
        Assert.Equal(host, rule.Text("host"));
        Assert.Equal(Names.Portal, rule.Items("http", "paths").Single().Text("backend", "service", "name"));
        Assert.Equal($"https://{host}/signin-oidc", Find(build, "ConfigMap", "aes-shared").Root.Text("data", "Portal__SignInRedirectUri"));
    }

    [Fact]
    public void The_data_services_are_operator_clusters_with_one_database_per_service()
    {
        var build = Render("k8s/base");

        var rabbitmq = Find(build, "RabbitmqCluster", "aes-rabbitmq").Root;
        Assert.Equal("3", rabbitmq.Text("spec", "replicas"));
        Assert.Contains("default_queue_type = quorum", rabbitmq.Text("spec", "rabbitmq", "additionalConfig"));

        var postgres = Find(build, "Cluster", "aes-postgres");
        Assert.Equal("postgresql.cnpg.io/v1", postgres.ApiVersion);
        Assert.Equal("3", postgres.Root.Text("spec", "instances"));
        var roles = postgres.Root.Items("spec", "managed", "roles").Select(r => r.Text("name")).ToList();
        var databases = build.Manifests.Where(m => m.Kind == "Database").ToDictionary(d => d.Root.Text("spec", "name")!, d => d.Root.Text("spec", "owner"));
        foreach (var app in Names.Services.Append(Names.Portal))
        {
            Assert.Contains(app, roles);
            Assert.Equal(app, databases[$"aes_{app}"]);
        }
        Assert.Equal(Names.Provisioning, databases["aes_facility_simulator"]);
    }

    [Fact]
    public void The_example_secrets_are_not_deployed_and_cover_every_secret_the_objects_name()
    {
        var build = Render("k8s/base");
        Assert.DoesNotContain(build.Manifests, m => m.Kind == "Secret");

        var examples = Yaml.LoadAll(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "k8s", "base", "secrets.example.yaml")))
            .ToDictionary(s => s.Text("metadata", "name")!, s => s.Pairs("stringData"));
        var referenced = build.Manifests.SelectMany(m => Kustomization.Containers(m.Root)).SelectMany(c => c.Items("env"))
            .Where(e => e.Get("valueFrom", "secretKeyRef") is not null)
            .Select(e => (Secret: e.Text("valueFrom", "secretKeyRef", "name")!, Key: e.Text("valueFrom", "secretKeyRef", "key")!))
            .Concat(Find(build, "Cluster", "aes-postgres").Root.Items("spec", "managed", "roles").Select(r => (Secret: r.Text("passwordSecret", "name")!, Key: "password")));
        Assert.All(referenced, r => Assert.Contains(r.Key, examples[r.Secret].Keys));
    }

    [Fact]
    public void A_deployment_without_limits_is_reported()
    {
        var build = Render("k8s/base");
        var container = Kustomization.Containers(Find(build, "Deployment", Names.Quota).Root).Single();
        container.Map("resources")!.Children.Remove(new YamlScalarNode("limits"));

        Assert.Equal(
        [
            "Deployment/quota: containers[quota].resources.limits.cpu is missing",
            "Deployment/quota: containers[quota].resources.limits.memory is missing",
        ], new ManifestRules(build.Manifests, Architecture).Check());
    }

    [Fact]
    public void A_deployment_missing_what_the_rules_ask_is_reported_field_by_field()
    {
        const string broken = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: quota
            spec:
              replicas: 1
              selector:
                matchLabels:
                  app.kubernetes.io/name: quota
              template:
                metadata:
                  labels:
                    app.kubernetes.io/name: quota-v2
                spec:
                  containers:
                  - name: quota
                    env:
                    - name: ConnectionStrings__quota-db
                      valueFrom:
                        secretKeyRef:
                          name: aes-quota
                          key: ConnectionStrings__quota-db
            """;
        var manifests = Yaml.LoadAll(broken).Select(d => new Manifest("broken", (YamlMappingNode)d)).ToList();

        var errors = new ManifestRules(manifests, Architecture with { Apps = new Dictionary<string, ServicePorts> { [Names.Quota] = Names.LocalPorts[Names.Quota] }, DatabaseApps = [] }).Check();

        foreach (var expected in new[]
        {
            "spec.selector.matchLabels must be non-empty and match the template's labels",
            "securityContext.runAsNonRoot must be true",
            "containers[quota].image is missing",
            "containers[quota].resources.requests.cpu is missing",
            "containers[quota].securityContext.readOnlyRootFilesystem must be true",
            "containers[quota].readinessProbe must get /health/ready on port http",
            "containers[quota].startupProbe is missing",
            "containers[quota].env ConnectionStrings__quota-db reads a Secret directly; secrets come from the Dapr secret store",
            "no PodDisruptionBudget selects its pods",
            "annotation dapr.io/app-id must be quota",
        })
        {
            Assert.Contains($"Deployment/quota: {expected}", errors);
        }
    }

    [Fact]
    public void A_policy_allowing_more_than_the_call_graph_is_reported()
    {
        const string allowAll = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: allow-all-inside
            spec:
              podSelector: {}
              policyTypes: [Ingress, Egress]
              ingress:
              - from:
                - podSelector: {}
              egress:
              - to:
                - podSelector: {}
            """;
        var build = Render("k8s/base");
        var manifests = build.Manifests.Append(new Manifest("test", (YamlMappingNode)Yaml.LoadAll(allowAll).Single())).ToList();

        var errors = new ManifestRules(manifests, Architecture).Check();

        Assert.Contains("NetworkPolicy: billing -> quota:50002 is allowed but not a call of the architecture", errors);
        Assert.Contains("NetworkPolicy: portal -> quota:6102 is allowed but not a call of the architecture", errors);
        Assert.Contains("NetworkPolicy: portal -> RabbitMQ:5672 should be denied", errors);
    }

    [Fact]
    public void A_call_the_policies_forget_is_reported()
    {
        var build = Render("k8s/base");
        var manifests = build.Manifests.Where(m => !(m.Kind == "NetworkPolicy" && m.Name == Names.Quota)).ToList();

        var errors = new ManifestRules(manifests, Architecture).Check();

        Assert.Contains("NetworkPolicy: portal -> quota:50002 is a call of the architecture but not allowed", errors);
        Assert.Contains("NetworkPolicy: provisioning -> quota:50002 is a call of the architecture but not allowed", errors);
    }

    [Fact]
    public void A_patch_aimed_at_nothing_is_reported()
    {
        var folder = Directory.CreateTempSubdirectory("aes-kustomize-");
        try
        {
            Directory.CreateDirectory(Path.Combine(folder.FullName, "overlay"));
            File.Copy(Path.Combine(RepositoryPaths.Root, "k8s", "base", "quota.yaml"), Path.Combine(folder.FullName, "quota.yaml"));
            File.WriteAllText(Path.Combine(folder.FullName, "kustomization.yaml"), "resources:\n- quota.yaml\n");
            File.WriteAllText(Path.Combine(folder.FullName, "overlay", "kustomization.yaml"), """
                resources:
                - ..
                - missing.yaml
                patches:
                - target:
                    kind: Deployment
                    name: quota
                  patch: |-
                    - op: replace
                      path: /spec/replicaz
                      value: 3
                - target:
                    kind: Deployment
                    name: quote
                  patch: |-
                    - op: replace
                      path: /spec/replicas
                      value: 3
                - patch: |-
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: quota
                    spec:
                      template:
                        spec:
                          terminationGracePeriod: 10
                commonLabels:
                  team: aes
                """);

            var errors = Kustomization.Render(Path.Combine(folder.FullName, "overlay")).Errors;

            Assert.Contains(errors, e => e.EndsWith("unsupported field 'commonLabels'", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.EndsWith("resource 'missing.yaml' does not exist", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.EndsWith("path /spec/replicaz not found in Deployment/quota", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.EndsWith("the target matches no resource", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.Contains("path /spec/template/spec/terminationGracePeriod not found in Deployment/quota", StringComparison.Ordinal));
            Assert.Equal(5, errors.Count);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
