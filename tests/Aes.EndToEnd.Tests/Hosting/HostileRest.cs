using System.Net.Http.Json;
using System.Text.Json;
using CsCheck;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// The REST API's published operations (its OpenAPI document), and requests to them with each path or
/// query parameter and each body field drawn on its own (CsCheck) from values of the wrong kind or at
/// the extremes, so that bad values meet in every combination.
/// </summary>
internal static class HostileRest
{
    public sealed record Operation(HttpMethod Method, string Path, IReadOnlyList<(string Name, bool InPath)> Parameters, IReadOnlyList<string> Fields)
    {
        public bool Writes => Method != HttpMethod.Get;

        public Gen<object?[]> Inputs => Value.Array[Parameters.Count + Fields.Count];

        public HttpRequestMessage Request(object?[] values)
        {
            var address = Path;
            var query = new List<string>();
            for (var i = 0; i < Parameters.Count; i++)
            {
                var text = Text(values[i]);
                if (Parameters[i].InPath)
                {
                    address = address.Replace("{" + Parameters[i].Name + "}", text.Length == 0 ? Guid.NewGuid().ToString() : text[..Math.Min(text.Length, 1_000)]);
                }
                else
                {
                    query.Add($"{Parameters[i].Name}={text}");
                }
            }
            var payload = Fields.Select((field, i) => (field, values[Parameters.Count + i])).ToDictionary(f => f.field, f => f.Item2);
            return new HttpRequestMessage(Method, address + (query.Count > 0 ? "?" + string.Join("&", query) : ""))
            {
                Content = Method == HttpMethod.Get ? null : JsonContent.Create(payload),
            };
        }

        public string Describe(object?[] values) =>
            $"{Method} {Path} with {string.Join(", ", values.Select(v => Text(v)[..Math.Min(Text(v).Length, 40)]))}";
    }

    public static readonly Gen<object?> Value = Gen.OneOf<object?>(Gen.Const<object?>(""), Gen.Const<object?>(new string('ß', 5_000) + "مرحبا𝄞"),
        Gen.Const<object?>("9223372036854775808"), Gen.Const<object?>("-1"), Gen.Const<object?>("not-a-guid"), Gen.Const<object?>("☃"),
        Gen.Const(0).Select(_ => (object?)null), Gen.Const<object?>(1e308), Gen.Const<object?>(true), Gen.Const<object?>(new object[] { new { } }),
        Gen.String[0, 30].Select(text => (object?)text), Gen.Long.Select(number => (object?)number), Gen.Guid.Select(guid => (object?)guid.ToString()));

    public static IEnumerable<Operation> Operations(JsonElement contract)
    {
        foreach (var path in contract.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("in").GetString() == "path")).ToList()
                    : [];
                var fields = operation.Value.TryGetProperty("requestBody", out var body)
                    ? body.GetProperty("content").EnumerateObject().First().Value.GetProperty("schema").TryGetProperty("properties", out var properties)
                        ? properties.EnumerateObject().Select(p => p.Name).ToList() : []
                    : [];
                yield return new Operation(new HttpMethod(operation.Name.ToUpperInvariant()), path.Name, parameters, fields);
            }
        }
    }

    private static string Text(object? value) => Uri.EscapeDataString(value switch
    {
        null => "", string s => s, object[] => "[{}]", _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
    });
}
