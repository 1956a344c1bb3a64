using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace Aes.Portal.Api;

/// <summary>A value of the request that cannot be read, with the JSON name of its field.</summary>
public sealed class ProtoJsonException(string field, string french, string english) : Exception(english)
{
    public string Field { get; } = field;
    public string French { get; } = french;
}

/// <summary>
/// The API's JSON for the services' messages: the proto3 mapping (camelCase names, timestamps in RFC 3339)
/// except that 64-bit integers are JSON numbers, as amounts in XOF and resources are everywhere, and enum
/// values are their short lower-case names ("vcpu", "pending"). <c>actor_user_id</c> is never shown or
/// read: the caller is the token's subject.
/// </summary>
public static class ProtoJson
{
    public static bool IsHidden(FieldDescriptor field) => field.Name == Aes.ServiceDefaults.Identity.CallerInterceptor.ActorField;

    /// <summary>The visible field called <paramref name="name"/> (its JSON name, or its proto name), or null.</summary>
    public static FieldDescriptor? FieldNamed(MessageDescriptor message, string name) =>
        message.Fields.InDeclarationOrder().FirstOrDefault(f => !IsHidden(f) && (f.JsonName == name || f.Name == name));

    /// <summary>The message as the API's JSON. Relaxed escaping keeps accents and '+' as they are: the content type is JSON, never HTML.</summary>
    public static string ToJson(IMessage message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, message);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Write(Utf8JsonWriter writer, IMessage message)
    {
        if (message is Timestamp timestamp)
        {
            writer.WriteStringValue(timestamp.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
            return;
        }
        writer.WriteStartObject();
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder().Where(f => !IsHidden(f)))
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                writer.WriteStartArray(field.JsonName);
                foreach (var item in (System.Collections.IEnumerable)value)
                {
                    WriteValue(writer, field, item);
                }
                writer.WriteEndArray();
            }
            else if (field.FieldType != FieldType.Message || value is not null)
            {
                writer.WritePropertyName(field.JsonName);
                WriteValue(writer, field, value);
            }
        }
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, FieldDescriptor field, object value)
    {
        switch (field.FieldType)
        {
            case FieldType.Message: Write(writer, (IMessage)value); break;
            case FieldType.String: writer.WriteStringValue((string)value); break;
            case FieldType.Bool: writer.WriteBooleanValue((bool)value); break;
            case FieldType.Bytes: writer.WriteBase64StringValue(((ByteString)value).Span); break;
            case FieldType.Enum: writer.WriteStringValue(EnumName(field.EnumType, (int)value)); break;
            case FieldType.Double or FieldType.Float: writer.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
            case FieldType.UInt64 or FieldType.Fixed64: writer.WriteNumberValue(Convert.ToUInt64(value, CultureInfo.InvariantCulture)); break;
            default: writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>RESOURCE_CLASS_MEMORY_GIB of ResourceClass is "memory_gib".</summary>
    public static string EnumName(EnumDescriptor type, int number)
    {
        var value = type.FindValueByNumber(number);
        return value is null ? number.ToString(CultureInfo.InvariantCulture) : ShortName(type, value);
    }

    public static string ShortName(EnumDescriptor type, EnumValueDescriptor value)
    {
        var prefix = string.Concat(type.Name.Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : c.ToString())).ToUpperInvariant() + "_";
        return (value.Name.StartsWith(prefix, StringComparison.Ordinal) ? value.Name[prefix.Length..] : value.Name).ToLowerInvariant();
    }

    /// <summary>Fills <paramref name="message"/> from a JSON object; <paramref name="path"/> prefixes the field names in errors.</summary>
    public static void Read(JsonObject json, IMessage message, string path = "")
    {
        foreach (var (name, node) in json)
        {
            var field = FieldNamed(message.Descriptor, name)
                ?? throw new ProtoJsonException(path + name, $"Le champ « {path}{name} » n'existe pas.", $"There is no field \"{path}{name}\".");
            if (node is null)
            {
                continue;
            }
            var fieldPath = path + field.JsonName;
            if (field.IsRepeated)
            {
                if (node is not JsonArray array)
                {
                    throw new ProtoJsonException(fieldPath, $"« {fieldPath} » doit être une liste.", $"\"{fieldPath}\" must be an array.");
                }
                var list = (System.Collections.IList)field.Accessor.GetValue(message);
                for (var i = 0; i < array.Count; i++)
                {
                    list.Add(ReadValue(field, array[i], $"{fieldPath}[{i}]"));
                }
            }
            else
            {
                field.Accessor.SetValue(message, ReadValue(field, node, fieldPath));
            }
        }
    }

    /// <summary>Sets one field from the text of a route value or a query parameter.</summary>
    public static void ReadText(IMessage message, FieldDescriptor field, string text)
    {
        JsonNode? node;
        try
        {
            node = field.FieldType is FieldType.String or FieldType.Enum or FieldType.Message or FieldType.Bytes
                ? JsonValue.Create(text)
                : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            throw Invalid(field.JsonName, field);
        }
        if (field.IsRepeated)
        {
            ((System.Collections.IList)field.Accessor.GetValue(message)).Add(ReadValue(field, node, field.JsonName));
        }
        else
        {
            field.Accessor.SetValue(message, ReadValue(field, node, field.JsonName));
        }
    }

    private static object ReadValue(FieldDescriptor field, JsonNode? node, string path)
    {
        try
        {
            switch (field.FieldType)
            {
                case FieldType.Message when field.MessageType.ClrType == typeof(Timestamp):
                    return Timestamp.FromDateTimeOffset(DateTimeOffset.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
                case FieldType.Message:
                    var nested = (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
                    Read(node as JsonObject ?? throw Invalid(path, field), nested, path + ".");
                    return nested;
                case FieldType.String: return node!.GetValue<string>();
                case FieldType.Bool: return node!.GetValue<bool>();
                case FieldType.Enum:
                    // Read without surrounding spaces, as the services read their codes (classification, status…).
                    var text = node!.GetValue<string>().Trim();
                    var value = field.EnumType.Values.FirstOrDefault(v => ShortName(field.EnumType, v) == text.ToLowerInvariant() || v.Name == text)
                        ?? throw new ProtoJsonException(path, $"« {path} » doit être l'une des valeurs : {Choices(field.EnumType)}.",
                            $"\"{path}\" must be one of: {Choices(field.EnumType)}.");
                    return value.Number;
                case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32: return node!.GetValue<int>();
                case FieldType.UInt32 or FieldType.Fixed32: return node!.GetValue<uint>();
                case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64: return node!.GetValue<long>();
                case FieldType.UInt64 or FieldType.Fixed64: return node!.GetValue<ulong>();
                case FieldType.Double: return node!.GetValue<double>();
                case FieldType.Float: return node!.GetValue<float>();
                case FieldType.Bytes: return ByteString.FromBase64(node!.GetValue<string>());
                default: throw Invalid(path, field);
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException or OverflowException or NullReferenceException)
        {
            throw Invalid(path, field);
        }
    }

    private static string Choices(EnumDescriptor type) =>
        string.Join(", ", type.Values.Where(v => v.Number != 0).Select(v => ShortName(type, v)));

    private static ProtoJsonException Invalid(string path, FieldDescriptor field)
    {
        var (french, english) = field.FieldType switch
        {
            FieldType.Message when field.MessageType.ClrType == typeof(Timestamp) => ("une date RFC 3339", "an RFC 3339 date"),
            FieldType.Message => ("un objet", "an object"),
            FieldType.String => ("un texte", "a string"),
            FieldType.Bool => ("true ou false", "true or false"),
            FieldType.Enum => ($"l'une des valeurs {Choices(field.EnumType)}", $"one of {Choices(field.EnumType)}"),
            FieldType.Double or FieldType.Float => ("un nombre", "a number"),
            FieldType.Bytes => ("du base64", "base64"),
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 or FieldType.UInt32 or FieldType.Fixed32 => ("un entier sur 32 bits", "a 32-bit integer"),
            _ => ("un entier sur 64 bits", "a 64-bit integer"),
        };
        return new ProtoJsonException(path, $"« {path} » doit être {french}.", $"\"{path}\" must be {english}.");
    }
}
