using YamlDotNet.RepresentationModel;

namespace Aes.Architecture.Tests.Manifests;

/// <summary>A pod that will run: its namespace's labels, its own labels and its named ports.</summary>
internal sealed record Pod(string Name, IReadOnlyDictionary<string, string> NamespaceLabels, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, int> Ports)
{
    public static IReadOnlyDictionary<string, string> NamespaceNamed(string name) =>
        new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = name };
}

/// <summary>
/// What the NetworkPolicies of one namespace allow, as Kubernetes defines it: a pod selected by a
/// policy of a direction accepts only what one of those policies' rules allows; a pod no policy
/// selects accepts everything. A connection needs the sender's egress and the receiver's ingress.
/// </summary>
internal sealed class NetworkPolicies(IReadOnlyList<Manifest> policies, IReadOnlyDictionary<string, string> namespaceLabels)
{
    public bool Allows(Pod from, Pod to, int port) =>
        Permits(from, to, to, port, "Egress", "egress", "to") && Permits(to, from, to, port, "Ingress", "ingress", "from");

    private bool Permits(Pod subject, Pod peer, Pod receiver, int port, string type, string rulesKey, string peersKey)
    {
        if (!SameNamespace(subject))
        {
            return true;
        }
        var applying = policies.Where(p => Types(p.Root).Contains(type) && Selects(p.Root.Map("spec", "podSelector"), subject.Labels)).ToList();
        return applying.Count == 0 || applying.SelectMany(p => p.Root.Items("spec", rulesKey)).Any(rule =>
            PortMatches(rule, receiver, port) && PeerMatches(rule, peersKey, peer));
    }

    private bool SameNamespace(Pod pod) => Selector.Equal(pod.NamespaceLabels, namespaceLabels);

    private static IReadOnlyList<string> Types(YamlMappingNode policy)
    {
        var declared = policy.Strings("spec", "policyTypes").ToList();
        if (declared.Count > 0)
        {
            return declared;
        }
        return policy.Get("spec", "egress") is null ? ["Ingress"] : ["Ingress", "Egress"];
    }

    private static bool PortMatches(YamlMappingNode rule, Pod receiver, int port)
    {
        var ports = rule.Items("ports").ToList();
        return ports.Count == 0 || ports.Any(p =>
        {
            if ((p.Text("protocol") ?? "TCP") != "TCP")
            {
                return false;
            }
            var value = p.Text("port");
            if (value is null)
            {
                return true;
            }
            var number = int.TryParse(value, out var n) ? n : receiver.Ports.GetValueOrDefault(value, -1);
            var end = int.TryParse(p.Text("endPort"), out var e) ? e : number;
            return port >= number && port <= end;
        });
    }

    private bool PeerMatches(YamlMappingNode rule, string peersKey, Pod peer)
    {
        var peers = rule.Items(peersKey).ToList();
        return peers.Count == 0 || peers.Any(p =>
        {
            // An address block may cover pod addresses: counted as allowing, so that "only these" checks stay safe.
            if (p.Get("ipBlock") is not null)
            {
                return true;
            }
            var namespaceSelector = p.Map("namespaceSelector");
            var inNamespace = namespaceSelector is null ? SameNamespace(peer) : Selects(namespaceSelector, peer.NamespaceLabels);
            return inNamespace && (p.Map("podSelector") is not { } podSelector || Selects(podSelector, peer.Labels));
        });
    }

    private static bool Selects(YamlMappingNode? selector, IReadOnlyDictionary<string, string> labels) =>
        selector is not null && Selector.Matches(selector, labels);
}

/// <summary>Label selectors: matchLabels and matchExpressions (an empty selector selects everything).</summary>
internal static class Selector
{
    public static bool Matches(YamlMappingNode selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Pairs("matchLabels").All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value)
        && selector.Items("matchExpressions").All(expression =>
        {
            var key = expression.Text("key") ?? "";
            var values = expression.Strings("values").ToList();
            var has = labels.TryGetValue(key, out var value);
            return expression.Text("operator") switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
        });

    /// <summary>A plain label map used as a selector (a Service's or a Deployment's matchLabels).</summary>
    public static bool MatchesLabels(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public static bool Equal(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && MatchesLabels(a, b);
}
