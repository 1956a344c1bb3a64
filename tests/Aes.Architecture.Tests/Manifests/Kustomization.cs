using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Aes.Architecture.Tests.Manifests;

/// <summary>One Kubernetes object of a build, and the file it came from.</summary>
internal sealed record Manifest(string Source, YamlMappingNode Root)
{
    public string Kind => Root.Text("kind") ?? "";
    public string Name => Root.Text("metadata", "name") ?? "";
    public string ApiVersion => Root.Text("apiVersion") ?? "";
    public string Group => ApiVersion.Contains('/') ? ApiVersion[..ApiVersion.IndexOf('/')] : "";
    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>The objects a kustomization renders, and what was wrong with it.</summary>
internal sealed record Build(IReadOnlyList<Manifest> Manifests, IReadOnlyList<string> Errors);

/// <summary>
/// The part of kustomize this repository uses, resolved by hand (no kustomize binary here):
/// resources (files and folders, recursively), patches (strategic merge and JSON 6902, inline or
/// from a file, with a target), images and namespace. Anything else is reported, not ignored.
/// Stricter than kustomize in one way: a strategic-merge patch may only change what its target
/// has (a typo would otherwise add a field nobody reads); additions are explicit JSON 6902 adds.
/// </summary>
internal static class Kustomization
{
    private static readonly string[] Fields = ["apiVersion", "kind", "namespace", "resources", "patches", "images"];
    private static readonly string[] TargetFields = ["group", "version", "kind", "name"];
    private static readonly string[] ClusterScoped = ["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"];

    public static Build Render(string folder)
    {
        var errors = new List<string>();
        var manifests = Render(Path.GetFullPath(folder), errors, []);
        return new Build(manifests, errors);
    }

    private static List<Manifest> Render(string folder, List<string> errors, HashSet<string> visiting)
    {
        var file = Path.Combine(folder, "kustomization.yaml");
        if (!File.Exists(file))
        {
            errors.Add($"{folder}: no kustomization.yaml");
            return [];
        }
        if (!visiting.Add(folder))
        {
            errors.Add($"{folder}: included from itself");
            return [];
        }
        var kustomization = Yaml.LoadAll(File.ReadAllText(file)).Single() as YamlMappingNode ?? new YamlMappingNode();
        foreach (var field in kustomization.Keys().Except(Fields))
        {
            errors.Add($"{file}: unsupported field '{field}'");
        }

        var manifests = new List<Manifest>();
        foreach (var resource in kustomization.Strings("resources"))
        {
            var path = Path.GetFullPath(Path.Combine(folder, resource));
            if (Directory.Exists(path))
            {
                manifests.AddRange(Render(path, errors, visiting));
            }
            else if (File.Exists(path))
            {
                manifests.AddRange(Load(path, errors));
            }
            else
            {
                errors.Add($"{file}: resource '{resource}' does not exist");
            }
        }

        foreach (var patch in kustomization.Items("patches"))
        {
            ApplyPatch(folder, file, patch, manifests, errors);
        }
        foreach (var image in kustomization.Items("images"))
        {
            ApplyImage(file, image, manifests, errors);
        }
        if (kustomization.Text("namespace") is { } ns)
        {
            foreach (var manifest in manifests.Where(m => !ClusterScoped.Contains(m.Kind)))
            {
                var metadata = manifest.Root.Map("metadata")!;
                metadata.Children[new YamlScalarNode("namespace")] = new YamlScalarNode(ns);
            }
        }
        visiting.Remove(folder);
        return manifests;
    }

    private static IEnumerable<Manifest> Load(string path, List<string> errors)
    {
        foreach (var document in Yaml.LoadAll(File.ReadAllText(path)))
        {
            if (document is YamlMappingNode root)
            {
                yield return new Manifest(path, root);
            }
            else
            {
                errors.Add($"{path}: a document is not a mapping");
            }
        }
    }

    private static void ApplyPatch(string folder, string file, YamlMappingNode entry, List<Manifest> manifests, List<string> errors)
    {
        var path = entry.Text("path");
        var inline = entry.Text("patch");
        if ((path is null) == (inline is null))
        {
            errors.Add($"{file}: a patch needs exactly one of 'path' and 'patch'");
            return;
        }
        var where = path is null ? $"{file} (inline patch)" : Path.Combine(folder, path);
        if (path is not null && !File.Exists(where))
        {
            errors.Add($"{file}: patch '{path}' does not exist");
            return;
        }
        var content = Yaml.LoadAll(inline ?? File.ReadAllText(where)).SingleOrDefault();
        var target = entry.Map("target");
        foreach (var field in target?.Keys().Except(TargetFields) ?? [])
        {
            errors.Add($"{where}: unsupported target field '{field}'");
        }

        switch (content)
        {
            case YamlSequenceNode operations when target is not null:
                var targets = manifests.Where(m => Matches(m, target)).ToList();
                if (targets.Count == 0)
                {
                    errors.Add($"{where}: the target matches no resource");
                }
                foreach (var manifest in targets)
                {
                    foreach (var operation in operations.Children.OfType<YamlMappingNode>())
                    {
                        ApplyOperation(where, manifest, operation, errors);
                    }
                }
                break;
            case YamlSequenceNode:
                errors.Add($"{where}: a JSON 6902 patch needs a target");
                break;
            case YamlMappingNode strategic:
                var selected = target is not null
                    ? manifests.Where(m => Matches(m, target)).ToList()
                    : manifests.Where(m => m.Kind == strategic.Text("kind") && m.Name == strategic.Text("metadata", "name")).ToList();
                if (selected.Count == 0)
                {
                    errors.Add($"{where}: no resource {strategic.Text("kind")}/{strategic.Text("metadata", "name")} to patch");
                }
                foreach (var manifest in selected)
                {
                    Merge(where, manifest, manifest.Root, strategic, "", errors);
                }
                break;
            default:
                errors.Add($"{where}: a patch is a list of operations or a partial object");
                break;
        }
    }

    private static bool Matches(Manifest manifest, YamlMappingNode target) =>
        (target.Text("kind") is not { } kind || manifest.Kind == kind)
        && (target.Text("group") is not { } group || manifest.Group == group)
        && (target.Text("version") is not { } version || manifest.ApiVersion.EndsWith(version, StringComparison.Ordinal))
        && (target.Text("name") is not { } name || Regex.IsMatch(manifest.Name, $"^(?:{name})$"));

    /// <summary>JSON 6902 add, replace and remove: replace and remove need the path, add its parent.</summary>
    private static void ApplyOperation(string where, Manifest manifest, YamlMappingNode operation, List<string> errors)
    {
        var op = operation.Text("op");
        var pointer = operation.Text("path") ?? "";
        var tokens = pointer.Split('/').Skip(1).Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToList();
        if (op is not ("add" or "replace" or "remove") || tokens.Count == 0)
        {
            errors.Add($"{where}: unsupported operation '{op} {pointer}'");
            return;
        }
        YamlNode? parent = manifest.Root;
        foreach (var token in tokens.SkipLast(1))
        {
            parent = Child(parent, token);
        }
        var last = tokens[^1];
        var exists = Child(parent, last) is not null;
        if (parent is null || (op != "add" && !exists))
        {
            errors.Add($"{where}: path {pointer} not found in {manifest}");
            return;
        }
        var value = operation.Get("value")?.Clone();
        if (op != "remove" && value is null)
        {
            errors.Add($"{where}: '{op} {pointer}' has no value");
            return;
        }
        switch (parent)
        {
            case YamlMappingNode mapping when op == "remove":
                mapping.Children.Remove(new YamlScalarNode(last));
                break;
            case YamlMappingNode mapping:
                mapping.Children[new YamlScalarNode(last)] = value!;
                break;
            case YamlSequenceNode sequence when op == "remove":
                sequence.Children.RemoveAt(int.Parse(last));
                break;
            case YamlSequenceNode sequence when op == "replace":
                sequence.Children[int.Parse(last)] = value!;
                break;
            case YamlSequenceNode sequence when last == "-":
                sequence.Children.Add(value!);
                break;
            case YamlSequenceNode sequence when int.TryParse(last, out var index) && index <= sequence.Children.Count:
                sequence.Children.Insert(index, value!);
                break;
            default:
                errors.Add($"{where}: path {pointer} not found in {manifest}");
                break;
        }
    }

    private static YamlNode? Child(YamlNode? node, string token) => node switch
    {
        YamlMappingNode mapping => mapping.Get(token),
        YamlSequenceNode sequence when int.TryParse(token, out var index) && index >= 0 && index < sequence.Children.Count => sequence.Children[index],
        _ => null,
    };

    /// <summary>Strategic merge limited to changing existing fields; list items are matched by name.</summary>
    private static void Merge(string where, Manifest manifest, YamlMappingNode target, YamlMappingNode patch, string path, List<string> errors)
    {
        foreach (var (keyNode, value) in patch.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var here = $"{path}/{key}";
            if (here is "/apiVersion" or "/kind" or "/metadata/name")
            {
                continue;
            }
            if (key.StartsWith('$'))
            {
                errors.Add($"{where}: directive {here} is not supported");
                continue;
            }
            var existing = target.Get(key);
            if (existing is null)
            {
                errors.Add($"{where}: path {here} not found in {manifest} (add new fields with a JSON 6902 'add')");
                continue;
            }
            switch (value, existing)
            {
                case (YamlMappingNode inner, YamlMappingNode current):
                    Merge(where, manifest, current, inner, here, errors);
                    break;
                case (YamlSequenceNode items, YamlSequenceNode current) when items.Children.All(i => i.Text("name") is not null):
                    foreach (var item in items.Children.Cast<YamlMappingNode>())
                    {
                        var match = current.Children.OfType<YamlMappingNode>().FirstOrDefault(c => c.Text("name") == item.Text("name"));
                        if (match is null)
                        {
                            errors.Add($"{where}: path {here}[name={item.Text("name")}] not found in {manifest}");
                        }
                        else
                        {
                            Merge(where, manifest, match, item, $"{here}[name={item.Text("name")}]", errors);
                        }
                    }
                    break;
                case (YamlScalarNode, YamlScalarNode):
                case (YamlSequenceNode, YamlSequenceNode):
                    target.Children[keyNode.Clone()] = value.Clone();
                    break;
                default:
                    errors.Add($"{where}: {here} has another shape in {manifest}");
                    break;
            }
        }
    }

    private static void ApplyImage(string file, YamlMappingNode entry, List<Manifest> manifests, List<string> errors)
    {
        var name = entry.Text("name");
        var used = false;
        foreach (var container in manifests.SelectMany(m => Containers(m.Root)))
        {
            var image = container.Text("image") ?? "";
            var at = image.IndexOf('@');
            var colon = image.LastIndexOf(':');
            var end = at >= 0 ? at : colon > image.LastIndexOf('/') ? colon : image.Length;
            if (image[..end] != name)
            {
                continue;
            }
            used = true;
            var tag = image[end..];
            if (entry.Text("newTag") is { } newTag)
            {
                tag = ":" + newTag;
            }
            if (entry.Text("digest") is { } digest)
            {
                tag = "@" + digest;
            }
            container.Children[new YamlScalarNode("image")] = new YamlScalarNode((entry.Text("newName") ?? name) + tag);
        }
        if (!used)
        {
            errors.Add($"{file}: image '{name}' is used by no container");
        }
    }

    /// <summary>The containers (and init containers) of a workload's pod template, or of a bare pod spec.</summary>
    public static IEnumerable<YamlMappingNode> Containers(YamlMappingNode root)
    {
        var spec = root.Map("spec", "template", "spec") ?? root.Map("spec", "jobTemplate", "spec", "template", "spec");
        return spec is null ? [] : spec.Items("initContainers").Concat(spec.Items("containers"));
    }
}
