using Aes.Messaging;
using YamlDotNet.RepresentationModel;

namespace Aes.Architecture.Tests.Manifests;

/// <summary>
/// What the manifests must say about the architecture: the apps and their ports, which of them own a
/// database and use the bus, and who calls whom (gRPC, through the Dapr sidecars).
/// </summary>
internal sealed record Topology(
    string Namespace,
    IReadOnlyDictionary<string, ServicePorts> Apps,
    IReadOnlyCollection<string> DatabaseApps,
    IReadOnlyCollection<string> BusApps,
    IReadOnlyCollection<(string Caller, string Callee)> Calls,
    string Issuer,
    string Entry,
    string IngressNamespace)
{
    /// <summary>daprd's port for sidecar-to-sidecar calls.</summary>
    public const int SidecarPort = 50002;
}

/// <summary>Checks the rendered objects of a kustomization, kind by kind; each problem is one message naming the field.</summary>
internal sealed class ManifestRules(IReadOnlyList<Manifest> manifests, Topology topology)
{
    private readonly List<string> _errors = [];

    private IEnumerable<Manifest> OfKind(string kind) => manifests.Where(m => m.Kind == kind);

    public IReadOnlyList<string> Check()
    {
        foreach (var manifest in manifests)
        {
            foreach (var field in new[] { "apiVersion", "kind" }.Where(f => string.IsNullOrEmpty(manifest.Root.Text(f))))
            {
                Error(manifest, $"{field} is missing");
            }
            if (string.IsNullOrEmpty(manifest.Name))
            {
                Error(manifest, "metadata.name is missing");
            }
        }
        foreach (var duplicate in manifests.GroupBy(m => (m.Kind, m.Name)).Where(g => g.Count() > 1))
        {
            _errors.Add($"{duplicate.Key.Kind}/{duplicate.Key.Name} is declared {duplicate.Count()} times");
        }
        var pods = Pods();
        foreach (var deployment in OfKind("Deployment"))
        {
            CheckDeployment(deployment);
        }
        foreach (var job in OfKind("Job"))
        {
            CheckJob(job);
        }
        CheckServices();
        CheckDisruptionAndScaling();
        CheckDapr();
        CheckMigrations();
        CheckNetworkPolicySelectors(pods);
        CheckTraffic(pods);
        return _errors;
    }

    private void Error(Manifest manifest, string message) => _errors.Add($"{manifest}: {message}");

    private static YamlMappingNode PodSpec(Manifest workload) => workload.Root.Map("spec", "template", "spec") ?? new YamlMappingNode();

    private static IReadOnlyDictionary<string, string> PodLabels(Manifest workload) => workload.Root.Pairs("spec", "template", "metadata", "labels");

    private static IReadOnlyDictionary<string, string> Annotations(Manifest workload) => workload.Root.Pairs("spec", "template", "metadata", "annotations");

    private static IReadOnlyDictionary<string, YamlMappingNode> Env(YamlMappingNode container) =>
        container.Items("env").ToDictionary(e => e.Text("name") ?? "", e => e);

    /// <summary>Pod security, resources and /tmp: the same for long-running and migration pods.</summary>
    private void CheckPodBasics(Manifest workload)
    {
        var spec = PodSpec(workload);
        if (spec.Text("securityContext", "runAsNonRoot") != "true")
        {
            Error(workload, "securityContext.runAsNonRoot must be true");
        }
        if (spec.Text("securityContext", "seccompProfile", "type") != "RuntimeDefault")
        {
            Error(workload, "securityContext.seccompProfile.type must be RuntimeDefault");
        }
        var containers = spec.Items("containers").ToList();
        if (containers.Count == 0)
        {
            Error(workload, "spec.template.spec.containers is empty");
        }
        var volumes = spec.Items("volumes").ToDictionary(v => v.Text("name") ?? "", v => v);
        foreach (var container in containers)
        {
            var name = $"containers[{container.Text("name")}]";
            if (string.IsNullOrEmpty(container.Text("image")))
            {
                Error(workload, $"{name}.image is missing");
            }
            foreach (var bound in new[] { "requests", "limits" })
            {
                foreach (var resource in new[] { "cpu", "memory" }.Where(r => container.Text("resources", bound, r) is null))
                {
                    Error(workload, $"{name}.resources.{bound}.{resource} is missing");
                }
            }
            if (container.Text("securityContext", "readOnlyRootFilesystem") != "true")
            {
                Error(workload, $"{name}.securityContext.readOnlyRootFilesystem must be true");
            }
            if (container.Text("securityContext", "allowPrivilegeEscalation") != "false")
            {
                Error(workload, $"{name}.securityContext.allowPrivilegeEscalation must be false");
            }
            if (!container.Strings("securityContext", "capabilities", "drop").Contains("ALL"))
            {
                Error(workload, $"{name}.securityContext.capabilities.drop must contain ALL");
            }
            var tmp = container.Items("volumeMounts").FirstOrDefault(m => m.Text("mountPath") == "/tmp");
            if (tmp is null || !volumes.TryGetValue(tmp.Text("name") ?? "", out var volume) || volume.Get("emptyDir") is null)
            {
                Error(workload, $"{name}.volumeMounts needs an emptyDir at /tmp (the root filesystem is read-only)");
            }
        }
    }

    private void CheckDeployment(Manifest deployment)
    {
        var selector = deployment.Root.Pairs("spec", "selector", "matchLabels");
        if (selector.Count == 0 || !Selector.MatchesLabels(selector, PodLabels(deployment)))
        {
            Error(deployment, "spec.selector.matchLabels must be non-empty and match the template's labels");
        }
        CheckPodBasics(deployment);
        var spec = PodSpec(deployment);
        if (spec.Text("terminationGracePeriodSeconds") != "30")
        {
            Error(deployment, "terminationGracePeriodSeconds must be 30 (the apps drain within 20 s)");
        }
        if (spec.Text("serviceAccountName") is { } account && !OfKind("ServiceAccount").Any(a => a.Name == account))
        {
            Error(deployment, $"serviceAccountName {account} names no ServiceAccount");
        }
        foreach (var container in spec.Items("containers"))
        {
            var name = $"containers[{container.Text("name")}]";
            if (container.Text("readinessProbe", "httpGet", "path") != "/health/ready" || container.Text("readinessProbe", "httpGet", "port") != "http")
            {
                Error(deployment, $"{name}.readinessProbe must get /health/ready on port http");
            }
            if (container.Text("livenessProbe", "httpGet", "path") != "/health/live")
            {
                Error(deployment, $"{name}.livenessProbe must get /health/live");
            }
            if (container.Get("startupProbe") is null)
            {
                Error(deployment, $"{name}.startupProbe is missing");
            }
            foreach (var key in Env(container).Where(e => e.Value.Get("valueFrom", "secretKeyRef") is not null).Select(e => e.Key))
            {
                Error(deployment, $"{name}.env {key} reads a Secret directly; secrets come from the Dapr secret store");
            }
            if (Env(container).GetValueOrDefault("Database__MigrateOnStart").Text("value") != "false")
            {
                Error(deployment, $"{name}.env Database__MigrateOnStart must be \"false\" (the migration Job migrates)");
            }
        }
    }

    private void CheckJob(Manifest job)
    {
        CheckPodBasics(job);
        foreach (var field in new[] { "backoffLimit", "ttlSecondsAfterFinished" }.Where(f => job.Root.Text("spec", f) is null))
        {
            Error(job, $"spec.{field} is missing");
        }
        if (PodSpec(job).Text("restartPolicy") is not ("Never" or "OnFailure"))
        {
            Error(job, "spec.template.spec.restartPolicy must be Never or OnFailure");
        }
        if (Annotations(job).GetValueOrDefault("dapr.io/enabled") != "false")
        {
            Error(job, "annotation dapr.io/enabled must be \"false\" (a sidecar would keep the Job from finishing)");
        }
    }

    private void CheckServices()
    {
        foreach (var service in OfKind("Service"))
        {
            var selector = service.Root.Pairs("spec", "selector");
            var target = OfKind("Deployment").FirstOrDefault(d => selector.Count > 0 && Selector.MatchesLabels(selector, PodLabels(d)));
            if (target is null)
            {
                Error(service, "spec.selector matches no Deployment's pods");
                continue;
            }
            var ports = PodSpec(target).Items("containers").SelectMany(c => c.Items("ports")).Select(p => p.Text("name")).ToHashSet();
            foreach (var port in service.Root.Items("spec", "ports").Where(p => !int.TryParse(p.Text("targetPort"), out _) && !ports.Contains(p.Text("targetPort"))))
            {
                Error(service, $"spec.ports targetPort {port.Text("targetPort")} is no port of Deployment/{target.Name}");
            }
        }
    }

    private void CheckDisruptionAndScaling()
    {
        foreach (var deployment in OfKind("Deployment"))
        {
            var labels = PodLabels(deployment);
            if (!OfKind("PodDisruptionBudget").Any(p => p.Root.Map("spec", "selector") is { } s && s.Children.Count > 0 && Selector.Matches(s, labels)))
            {
                Error(deployment, "no PodDisruptionBudget selects its pods");
            }
            var autoscalers = OfKind("HorizontalPodAutoscaler")
                .Where(h => h.Root.Text("spec", "scaleTargetRef", "kind") == "Deployment" && h.Root.Text("spec", "scaleTargetRef", "name") == deployment.Name).ToList();
            if (autoscalers.Count != 1)
            {
                Error(deployment, $"needs one HorizontalPodAutoscaler with scaleTargetRef Deployment/{deployment.Name}, has {autoscalers.Count}");
                continue;
            }
            var autoscaler = autoscalers[0];
            if (autoscaler.ApiVersion != "autoscaling/v2")
            {
                Error(autoscaler, "apiVersion must be autoscaling/v2");
            }
            if (!autoscaler.Root.Items("spec", "metrics").Any(m => m.Text("resource", "name") == "cpu" && m.Text("resource", "target", "type") == "Utilization"))
            {
                Error(autoscaler, "spec.metrics needs a cpu Utilization target");
            }
            var min = int.Parse(autoscaler.Root.Text("spec", "minReplicas") ?? "1");
            var max = int.Parse(autoscaler.Root.Text("spec", "maxReplicas") ?? "0");
            var replicas = int.Parse(deployment.Root.Text("spec", "replicas") ?? "1");
            if (min > max || replicas < min || replicas > max)
            {
                Error(deployment, $"spec.replicas {replicas} is outside its autoscaler's {min}..{max}");
            }
        }
        foreach (var budget in OfKind("PodDisruptionBudget").Where(p => !OfKind("Deployment").Any(d => p.Root.Map("spec", "selector") is { } s && Selector.Matches(s, PodLabels(d)))))
        {
            Error(budget, "spec.selector matches no Deployment's pods");
        }
        foreach (var autoscaler in OfKind("HorizontalPodAutoscaler").Where(h => !OfKind(h.Root.Text("spec", "scaleTargetRef", "kind") ?? "").Any(d => d.Name == h.Root.Text("spec", "scaleTargetRef", "name"))))
        {
            Error(autoscaler, "spec.scaleTargetRef names no resource");
        }
    }

    private void CheckDapr()
    {
        var appIds = new HashSet<string>();
        foreach (var deployment in OfKind("Deployment"))
        {
            var annotations = Annotations(deployment);
            var appId = annotations.GetValueOrDefault("dapr.io/app-id");
            appIds.Add(appId ?? "");
            if (annotations.GetValueOrDefault("dapr.io/enabled") != "true")
            {
                Error(deployment, "annotation dapr.io/enabled must be \"true\"");
            }
            if (appId != deployment.Name)
            {
                Error(deployment, $"annotation dapr.io/app-id must be {deployment.Name}");
            }
            if (topology.Apps.TryGetValue(deployment.Name, out var ports))
            {
                var (protocol, port) = ports.Grpc == 0 ? ("http", ports.Http) : ("grpc", ports.Grpc);
                if (annotations.GetValueOrDefault("dapr.io/app-protocol") != protocol || annotations.GetValueOrDefault("dapr.io/app-port") != port.ToString())
                {
                    Error(deployment, $"annotations dapr.io/app-protocol and dapr.io/app-port must be {protocol} and {port}");
                }
            }
            foreach (var key in new[] { "dapr.io/enable-metrics", "dapr.io/sidecar-cpu-limit", "dapr.io/sidecar-memory-limit", "dapr.io/sidecar-seccomp-profile-type" }
                .Where(k => !annotations.ContainsKey(k)))
            {
                Error(deployment, $"annotation {key} is missing");
            }

            var configuration = OfKind("Configuration").FirstOrDefault(c => c.Name == annotations.GetValueOrDefault("dapr.io/config"));
            if (configuration is null)
            {
                Error(deployment, $"annotation dapr.io/config names no Dapr Configuration");
                continue;
            }
            if (configuration.Root.Text("spec", "mtls", "enabled") != "true")
            {
                Error(configuration, "spec.mtls.enabled must be true");
            }
            if (string.IsNullOrEmpty(configuration.Root.Text("spec", "tracing", "otel", "endpointAddress")))
            {
                Error(configuration, "spec.tracing.otel.endpointAddress is missing");
            }
            foreach (var container in PodSpec(deployment).Items("containers"))
            {
                var env = Env(container);
                var store = env.GetValueOrDefault("Dapr__SecretStore").Text("value");
                var secrets = (env.GetValueOrDefault("Dapr__Secrets").Text("value") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (env.GetValueOrDefault("Dapr__Enabled").Text("value") != "true")
                {
                    Error(deployment, "env Dapr__Enabled must be \"true\"");
                }
                if (!OfKind("Component").Any(c => c.Name == store && (c.Root.Text("spec", "type") ?? "").StartsWith("secretstores.", StringComparison.Ordinal)))
                {
                    Error(deployment, $"env Dapr__SecretStore ({store}) names no secret store Component");
                }
                if (secrets.Length == 0)
                {
                    Error(deployment, "env Dapr__Secrets is empty");
                }
                var scope = configuration.Root.Items("spec", "secrets", "scopes").FirstOrDefault(s => s.Text("storeName") == store);
                if (scope?.Text("defaultAccess") != "deny" || !scope.Strings("allowedSecrets").Order().SequenceEqual(secrets.Order()))
                {
                    Error(configuration, $"spec.secrets.scopes for {store} must deny by default and allow exactly {string.Join(",", secrets)}");
                }
            }
        }
        foreach (var resource in manifests.Where(m => m.Group == "dapr.io"))
        {
            foreach (var scope in resource.Root.Strings("scopes").Where(s => !appIds.Contains(s)))
            {
                Error(resource, $"scopes lists {scope}, which is no app id");
            }
            foreach (var app in resource.Root.Map("spec", "targets", "apps")?.Keys().Where(a => !appIds.Contains(a)) ?? [])
            {
                Error(resource, $"spec.targets.apps names {app}, which is no app id");
            }
        }
    }

    private void CheckMigrations()
    {
        foreach (var app in topology.DatabaseApps)
        {
            var deployment = OfKind("Deployment").FirstOrDefault(d => d.Name == app);
            var image = deployment is null ? null : PodSpec(deployment).Items("containers").FirstOrDefault()?.Text("image");
            var database = ResourceNames.DatabaseOf(app);
            var jobs = OfKind("Job").Where(j => PodSpec(j).Items("containers").Any(c => c.Text("image") == image)).ToList();
            if (jobs.Count != 1)
            {
                _errors.Add($"Deployment/{app}: needs one migration Job running its image {image}, has {jobs.Count}");
                continue;
            }
            var container = PodSpec(jobs[0]).Items("containers").Single();
            if (!container.Strings("args").SequenceEqual(["migrate"]))
            {
                Error(jobs[0], "args must be [migrate]");
            }
            var connection = Env(container).GetValueOrDefault($"ConnectionStrings__{database}");
            if (connection?.Text("valueFrom", "secretKeyRef", "name") != $"aes-{app}" || connection.Text("valueFrom", "secretKeyRef", "key") != $"ConnectionStrings__{database}")
            {
                Error(jobs[0], $"env ConnectionStrings__{database} must come from Secret aes-{app}, key ConnectionStrings__{database}");
            }
        }
    }

    /// <summary>The pods the objects will run: workloads' templates, and the operators' pods for their clusters.</summary>
    private List<Pod> Pods()
    {
        var ns = Pod.NamespaceNamed(topology.Namespace);
        var pods = new List<Pod>();
        foreach (var workload in manifests.Where(m => m.Kind is "Deployment" or "Job"))
        {
            var ports = PodSpec(workload).Items("containers").SelectMany(c => c.Items("ports"))
                .Where(p => p.Text("name") is not null).ToDictionary(p => p.Text("name")!, p => int.Parse(p.Text("containerPort")!));
            pods.Add(new Pod(workload.ToString(), ns, PodLabels(workload), ports));
        }
        foreach (var cluster in manifests.Where(m => m.Kind == "RabbitmqCluster"))
        {
            pods.Add(new Pod(cluster.ToString(), ns, new Dictionary<string, string>
            {
                ["app.kubernetes.io/name"] = cluster.Name,
                ["app.kubernetes.io/component"] = "rabbitmq",
                ["app.kubernetes.io/part-of"] = "rabbitmq",
            }, new Dictionary<string, int>()));
        }
        foreach (var cluster in manifests.Where(m => m.Kind == "Cluster" && m.Group == "postgresql.cnpg.io"))
        {
            pods.Add(new Pod(cluster.ToString(), ns, new Dictionary<string, string>
            {
                ["cnpg.io/cluster"] = cluster.Name,
                ["cnpg.io/podRole"] = "instance",
            }, new Dictionary<string, int>()));
        }
        return pods;
    }

    private void CheckNetworkPolicySelectors(List<Pod> pods)
    {
        foreach (var policy in OfKind("NetworkPolicy"))
        {
            var selector = policy.Root.Map("spec", "podSelector");
            if (selector is null)
            {
                Error(policy, "spec.podSelector is missing");
            }
            else if (!pods.Any(p => Selector.Matches(selector, p.Labels)))
            {
                Error(policy, "spec.podSelector selects no pod");
            }
            var peers = policy.Root.Items("spec", "ingress").SelectMany(r => r.Items("from"))
                .Concat(policy.Root.Items("spec", "egress").SelectMany(r => r.Items("to")));
            foreach (var peer in peers.Where(p => p.Get("namespaceSelector") is null && p.Map("podSelector") is not null))
            {
                if (!pods.Any(p => Selector.Matches(peer.Map("podSelector")!, p.Labels)))
                {
                    Error(policy, "a rule's podSelector selects no pod");
                }
            }
        }
    }

    /// <summary>Between the apps, exactly the call graph and the issuer; the bus and the databases to those that use them.</summary>
    private void CheckTraffic(List<Pod> pods)
    {
        var policies = new NetworkPolicies([.. OfKind("NetworkPolicy")], Pod.NamespaceNamed(topology.Namespace));
        var apps = topology.Apps.Keys.ToDictionary(a => a, a => pods.FirstOrDefault(p => p.Name == $"Deployment/{a}"));
        foreach (var app in apps.Where(a => a.Value is null).Select(a => a.Key))
        {
            _errors.Add($"Deployment/{app} is missing");
        }
        var running = apps.Where(a => a.Value is not null).ToDictionary(a => a.Key, a => a.Value!);
        foreach (var (caller, from) in running)
        {
            foreach (var (callee, to) in running)
            {
                var ports = new[] { topology.Apps[callee].Http, topology.Apps[callee].Grpc, Topology.SidecarPort }.Where(p => p != 0);
                foreach (var port in ports)
                {
                    var expected = (callee == topology.Issuer && port == topology.Apps[callee].Http)
                        || (port == Topology.SidecarPort && topology.Calls.Contains((caller, callee)));
                    var allowed = policies.Allows(from, to, port);
                    if (allowed != expected)
                    {
                        _errors.Add($"NetworkPolicy: {caller} -> {callee}:{port} is {(allowed ? "allowed but not a call of the architecture" : "a call of the architecture but not allowed")}");
                    }
                }
            }
        }

        var outside = new Pod("ingress controller", Pod.NamespaceNamed(topology.IngressNamespace), new Dictionary<string, string>(), new Dictionary<string, int>());
        foreach (var (app, to) in running)
        {
            var port = topology.Apps[app].Http;
            if (policies.Allows(outside, to, port) != (app == topology.Entry))
            {
                _errors.Add($"NetworkPolicy: the ingress controller {(app == topology.Entry ? "cannot reach" : "reaches")} {app}:{port}");
            }
        }

        var broker = pods.FirstOrDefault(p => p.Name.StartsWith("RabbitmqCluster/", StringComparison.Ordinal));
        var database = pods.FirstOrDefault(p => p.Name.StartsWith("Cluster/", StringComparison.Ordinal));
        foreach (var (app, from) in running)
        {
            if (broker is not null && policies.Allows(from, broker, 5672) != topology.BusApps.Contains(app))
            {
                _errors.Add($"NetworkPolicy: {app} -> RabbitMQ:5672 should be {(topology.BusApps.Contains(app) ? "allowed" : "denied")}");
            }
            if (database is not null && policies.Allows(from, database, 5432) != topology.DatabaseApps.Contains(app))
            {
                _errors.Add($"NetworkPolicy: {app} -> PostgreSQL:5432 should be {(topology.DatabaseApps.Contains(app) ? "allowed" : "denied")}");
            }
        }
        foreach (var job in pods.Where(p => p.Name.StartsWith("Job/", StringComparison.Ordinal)))
        {
            if (database is not null && !policies.Allows(job, database, 5432))
            {
                _errors.Add($"NetworkPolicy: {job.Name} cannot reach PostgreSQL:5432");
            }
            foreach (var (app, to) in running.Where(a => policies.Allows(job, a.Value, topology.Apps[a.Key].Http)))
            {
                _errors.Add($"NetworkPolicy: {job.Name} reaches {app}");
            }
        }
    }
}
