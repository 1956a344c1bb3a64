using YamlDotNet.RepresentationModel;

namespace Aes.Architecture.Tests.Manifests;

/// <summary>
/// The rules of Tye's configuration schema (dotnet/tye, src/schema/tye-schema.json), as code: the
/// keys each object may have, their types, what is required, and that a service is exactly one
/// kind (project, image, executable, ...). Where the schema leaves an object open it relies on its
/// oneOf to reject most strays; here every object is closed, so a misspelt key is an error.
/// Types follow YAML's core schema as a schema validator reads the file: a plain 5 is an integer,
/// not the string "5".
/// </summary>
internal static class TyeSchema
{
    private enum Type { String, Integer, Boolean, Object }

    private sealed record Field(Type Type, bool Array = false, Func<YamlNode, string, IEnumerable<string>>? Item = null, bool Required = false,
        IReadOnlyCollection<string>? Enum = null, bool ConstTrue = false, int MinItems = 0);

    private static readonly Field Text = new(Type.String);
    private static readonly Field Integer = new(Type.Integer);
    private static readonly Field Boolean = new(Type.Boolean);
    private static readonly Field Name = new(Type.String, Required: true);

    private static Field ArrayOf(Func<YamlNode, string, IEnumerable<string>> item, int minItems = 0) => new(Type.Object, Array: true, Item: item, MinItems: minItems);

    private static readonly Dictionary<string, Field> Binding = new()
    {
        ["name"] = Text, ["port"] = Integer, ["containerPort"] = Integer, ["host"] = Text, ["protocol"] = Text,
        ["autoAssignPort"] = Boolean, ["connectionString"] = Text,
    };

    private static readonly Dictionary<string, Field> NameValue = new() { ["name"] = Name, ["value"] = new(Type.String, Required: true) };

    private static readonly Dictionary<string, Field> Volume = new() { ["name"] = Text, ["source"] = Text, ["target"] = new(Type.String, Required: true) };

    private static readonly Dictionary<string, Field> IngressBinding = new() { ["name"] = Text, ["port"] = Integer, ["protocol"] = Text, ["ip"] = Text };

    private static readonly Dictionary<string, Field> IngressRule = new()
    {
        ["service"] = new(Type.String, Required: true), ["path"] = Text, ["host"] = Text, ["preservePath"] = Boolean,
    };

    private static readonly Dictionary<string, Field> Ingress = new()
    {
        ["name"] = Text, ["bindings"] = ArrayOf(ObjectOf(IngressBinding)), ["rules"] = ArrayOf(ObjectOf(IngressRule)),
    };

    private static readonly Field Env = ArrayOf(ObjectOf(NameValue));
    private static readonly Field Bindings = ArrayOf(ObjectOf(Binding));
    private static readonly Field Volumes = ArrayOf(ObjectOf(Volume));

    /// <summary>Each kind of service: the key that names the kind, and every key it may have.</summary>
    private static readonly Dictionary<string, Dictionary<string, Field>> ServiceKinds = new()
    {
        ["project"] = new()
        {
            ["name"] = Name, ["project"] = Text, ["env"] = Env, ["buildProperties"] = ArrayOf(ObjectOf(NameValue)), ["args"] = Text,
            ["build"] = Boolean, ["replicas"] = Integer, ["bindings"] = Bindings,
        },
        ["image"] = new()
        {
            ["name"] = Name, ["image"] = Text, ["volumes"] = Volumes, ["env"] = Env, ["args"] = Text, ["replicas"] = Integer, ["bindings"] = Bindings,
        },
        ["dockerFile"] = new()
        {
            ["name"] = Name, ["dockerFile"] = Text, ["dockerFileArgs"] = ArrayOf((node, path) => node is YamlMappingNode ? [] : [$"{path}: must be an object"]),
            ["dockerFileContext"] = Text, ["volumes"] = Volumes, ["env"] = Env, ["args"] = Text, ["replicas"] = Integer, ["bindings"] = Bindings,
        },
        ["executable"] = new()
        {
            ["name"] = Name, ["executable"] = Text, ["workingDirectory"] = Text, ["env"] = Env, ["args"] = Text, ["replicas"] = Integer,
            ["bindings"] = Bindings,
        },
        ["azureFunction"] = new()
        {
            ["name"] = Name, ["azureFunction"] = Text, ["env"] = Env, ["args"] = Text, ["replicas"] = Integer, ["bindings"] = Bindings,
            ["pathToFunc"] = Text,
        },
        ["external"] = new() { ["name"] = Name, ["external"] = new(Type.Boolean, ConstTrue: true), ["bindings"] = Bindings },
        ["repository"] = new() { ["name"] = Name, ["repository"] = Text, ["cloneDirectory"] = Text },
        ["include"] = new() { ["name"] = Name, ["include"] = Text },
    };

    private static readonly Dictionary<string, Field> Root = new()
    {
        ["name"] = Text, ["registry"] = Text, ["containerEngine"] = new(Type.String, Enum: ["docker", "podman"]), ["namespace"] = Text,
        ["network"] = Text, ["dashboardPort"] = Integer, ["solution"] = Text,
        ["ingress"] = ArrayOf(ObjectOf(Ingress), minItems: 1),
        ["extensions"] = ArrayOf((node, path) => node is YamlMappingNode extension && extension.Text("name") is not null ? [] : [$"{path}.name: required"]),
        ["services"] = new(Type.Object, Array: true, Item: Service, Required: true, MinItems: 1),
    };

    /// <summary>Every way the document breaks the schema, each as "path: problem".</summary>
    public static IReadOnlyList<string> Validate(YamlNode document)
    {
        var errors = ObjectOf(Root)(document, "$").ToList();
        if (document.Get("services") is YamlSequenceNode services)
        {
            errors.AddRange(services.Children.Select(s => s.Text("name")).OfType<string>().GroupBy(n => n).Where(g => g.Count() > 1)
                .Select(g => $"$.services: the name {g.Key} is used {g.Count()} times (it must be unique)"));
        }
        return errors;
    }

    private static IEnumerable<string> Service(YamlNode node, string path)
    {
        if (node is not YamlMappingNode service)
        {
            return [$"{path}: must be an object"];
        }
        var kinds = ServiceKinds.Keys.Where(kind => service.Get(kind) is not null).ToList();
        return kinds.Count == 1
            ? ObjectOf(ServiceKinds[kinds[0]])(service, path)
            : [$"{path}: must be exactly one of {string.Join(", ", ServiceKinds.Keys)}; has {(kinds.Count == 0 ? "none" : string.Join(", ", kinds))}"];
    }

    private static Func<YamlNode, string, IEnumerable<string>> ObjectOf(Dictionary<string, Field> fields) => (node, path) => CheckObject(node, path, fields);

    private static IEnumerable<string> CheckObject(YamlNode node, string path, Dictionary<string, Field> fields)
    {
        if (node is not YamlMappingNode mapping)
        {
            yield return $"{path}: must be an object";
            yield break;
        }
        foreach (var key in mapping.Keys().Where(k => !fields.ContainsKey(k)))
        {
            yield return $"{path}.{key}: is not allowed here";
        }
        foreach (var (key, field) in fields)
        {
            var value = mapping.Get(key);
            if (value is null)
            {
                if (field.Required)
                {
                    yield return $"{path}.{key}: required";
                }
                continue;
            }
            foreach (var error in CheckField(value, $"{path}.{key}", field))
            {
                yield return error;
            }
        }
    }

    private static IEnumerable<string> CheckField(YamlNode value, string path, Field field)
    {
        if (field.Array)
        {
            if (value is not YamlSequenceNode sequence)
            {
                yield return $"{path}: must be an array";
                yield break;
            }
            if (sequence.Children.Count < field.MinItems)
            {
                yield return $"{path}: needs at least {field.MinItems} item(s)";
            }
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                foreach (var error in field.Item!(sequence.Children[i], $"{path}[{i}]"))
                {
                    yield return error;
                }
            }
            yield break;
        }
        var scalar = value as YamlScalarNode;
        var problem = field.Type switch
        {
            Type.String when scalar is null || scalar.IsPlainNonString() => "must be a string",
            Type.Integer when scalar is null || !scalar.IsPlainInteger() => "must be an integer",
            Type.Boolean when scalar is null || !scalar.IsPlainBoolean() => "must be a boolean",
            Type.Boolean when field.ConstTrue && !bool.Parse(scalar!.Value!) => "must be true",
            Type.String when field.Enum is not null && !field.Enum.Contains(scalar!.Value!) => $"must be one of {string.Join(", ", field.Enum)}",
            _ => null,
        };
        if (problem is not null)
        {
            yield return $"{path}: {problem}";
        }
    }
}
