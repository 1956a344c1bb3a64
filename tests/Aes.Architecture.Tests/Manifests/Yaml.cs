using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Aes.Architecture.Tests.Manifests;

/// <summary>Reading YamlDotNet's node tree by path, without throwing on what is missing.</summary>
internal static partial class Yaml
{
    public static IReadOnlyList<YamlNode> LoadAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return [.. stream.Documents.Select(document => document.RootNode)];
    }

    public static YamlNode? Get(this YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }
        return node;
    }

    public static string? Text(this YamlNode? node, params string[] path) => (node.Get(path) as YamlScalarNode)?.Value;

    public static YamlMappingNode? Map(this YamlNode? node, params string[] path) => node.Get(path) as YamlMappingNode;

    public static IEnumerable<YamlMappingNode> Items(this YamlNode? node, params string[] path) =>
        (node.Get(path) as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? [];

    public static IEnumerable<string> Strings(this YamlNode? node, params string[] path) =>
        (node.Get(path) as YamlSequenceNode)?.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "") ?? [];

    /// <summary>A mapping of scalars (labels, annotations, data) as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string> Pairs(this YamlNode? node, params string[] path) =>
        node.Map(path)?.Children.Where(pair => pair.Value is YamlScalarNode)
            .ToDictionary(pair => ((YamlScalarNode)pair.Key).Value!, pair => ((YamlScalarNode)pair.Value).Value ?? "")
        ?? new Dictionary<string, string>();

    public static IEnumerable<string> Keys(this YamlMappingNode node) =>
        node.Children.Keys.OfType<YamlScalarNode>().Select(key => key.Value ?? "");

    public static YamlNode Clone(this YamlNode node) => node switch
    {
        YamlScalarNode scalar => new YamlScalarNode(scalar.Value) { Style = scalar.Style, Tag = scalar.Tag },
        YamlSequenceNode sequence => new YamlSequenceNode(sequence.Children.Select(Clone)),
        YamlMappingNode mapping => new YamlMappingNode(mapping.Children.Select(pair => new KeyValuePair<YamlNode, YamlNode>(pair.Key.Clone(), pair.Value.Clone()))),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    /// <summary>A plain scalar that YAML's core schema reads as something else than a string.</summary>
    public static bool IsPlainNonString(this YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty && (IsPlainInteger(scalar) || IsPlainBoolean(scalar) || PlainOther().IsMatch(scalar.Value ?? ""));

    public static bool IsPlainInteger(this YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && PlainInteger().IsMatch(scalar.Value ?? "");

    public static bool IsPlainBoolean(this YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && PlainBoolean().IsMatch(scalar.Value ?? "");

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex PlainInteger();

    [GeneratedRegex("^(true|True|TRUE|false|False|FALSE)$")]
    private static partial Regex PlainBoolean();

    /// <summary>Null, floats and the special floats of the core schema.</summary>
    [GeneratedRegex(@"^(|~|null|Null|NULL|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex PlainOther();
}
