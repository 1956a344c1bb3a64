using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// A REST client that holds the API to its own contract: every answer from /api/v1, success or problem, is
/// checked against the portal's OpenAPI document (the operation, the status among its responses, the
/// content type, and the body against the schema with a JSON Schema 2020-12 validator). An answer the
/// document does not describe fails the call that got it, with what differs.
/// </summary>
public sealed class OpenApiConformance(string portalAddress) : DelegatingHandler(new HttpClientHandler())
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<OpenApiContract>>> Contracts = new();

    /// <summary>An HttpClient on the portal whose every /api/v1 answer is checked.</summary>
    public static HttpClient Client(string portalAddress) => new(new OpenApiConformance(portalAddress)) { BaseAddress = new Uri(portalAddress) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        if (!path.StartsWith("/api/v1/", StringComparison.Ordinal) || path is "/api/v1/openapi.json" || path.StartsWith("/api/v1/reference", StringComparison.Ordinal))
        {
            return response;
        }
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var contract = await Contracts.GetOrAdd(portalAddress, address => new Lazy<Task<OpenApiContract>>(() => OpenApiContract.LoadAsync(address))).Value;
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var problems = contract.Check(request.Method.Method, path, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        if (problems.Count > 0)
        {
            throw new OpenApiViolationException($"{request.Method} {request.RequestUri.PathAndQuery} answered {(int)response.StatusCode}, "
                + $"which the OpenAPI document does not describe:\n  {string.Join("\n  ", problems)}\nbody: {Shortened(System.Text.Encoding.UTF8.GetString(body))}");
        }
        return response;
    }

    private static string Shortened(string text) => text.Length <= 1500 ? text : text[..1500];
}

public sealed class OpenApiViolationException(string message) : Exception(message);

/// <summary>The portal's OpenAPI document, ready to check answers against.</summary>
public sealed class OpenApiContract
{
    private readonly JsonObject _document;
    private readonly List<(string Method, Regex Path, JsonObject Operation)> _operations = [];
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();

    private OpenApiContract(JsonObject document)
    {
        _document = document;
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            var pattern = new Regex("^" + Regex.Replace(Regex.Escape(template), @"\\\{[^/]+?\}", "[^/]+") + "$");
            foreach (var (method, operation) in item!.AsObject())
            {
                _operations.Add((method.ToUpperInvariant(), pattern, operation!.AsObject()));
            }
        }
    }

    public static async Task<OpenApiContract> LoadAsync(string portalAddress)
    {
        using var http = new HttpClient();
        return new OpenApiContract(JsonNode.Parse(await http.GetStringAsync($"{portalAddress}/api/v1/openapi.json"))!.AsObject());
    }

    public IReadOnlyList<string> Check(string method, string path, int status, string? mediaType, byte[] body)
    {
        // ASP.NET Core's routing answers "/api/v1/requests/" as "/api/v1/requests" (an empty identifier lands there):
        // the same operation, held to the same contract.
        var routed = path.Length > 1 ? path.TrimEnd('/') : path;
        var operation = _operations.FirstOrDefault(o => o.Method == method && o.Path.IsMatch(routed)).Operation;
        if (operation is null)
        {
            // An address or method the API does not have: the framework's problem+json, as any problem.
            return status is 404 or 405 ? CheckBody("#/components/schemas/Problem", "application/problem+json", mediaType, body) : [$"no operation {method} {path}"];
        }
        var responses = operation["responses"]!.AsObject();
        if ((responses[status.ToString()] ?? responses["default"]) is not JsonObject response)
        {
            return [$"status {status} is not among {operation["operationId"]}'s responses ({string.Join(", ", responses.Select(r => r.Key))})"];
        }
        if (response["content"] is not JsonObject content)
        {
            return body.Length == 0 ? [] : [$"status {status} declares no body, yet one was sent"];
        }
        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            return [$"content type {mediaType ?? "(none)"} is not among {string.Join(", ", content.Select(c => c.Key))}"];
        }
        var pointer = $"#/paths/{Escape(_operations.First(o => o.Operation == operation).Path.ToString())}/{method}/{status}/{mediaType}";
        return mediaType.EndsWith("json", StringComparison.Ordinal) ? Validate(pointer, media["schema"]!, body) : [];
    }

    private List<string> CheckBody(string reference, string expected, string? mediaType, byte[] body) =>
        mediaType != expected ? [$"content type {mediaType} where {expected} was expected"] : Validate(reference, new JsonObject { ["$ref"] = reference }, body);

    private List<string> Validate(string key, JsonNode schema, byte[] body)
    {
        var compiled = _schemas.GetOrAdd(key, _ => Compile(schema));
        JsonElement instance;
        try
        {
            instance = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException exception)
        {
            return [$"the body is not JSON: {exception.Message}"];
        }
        var result = compiled.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value} (schema {d.EvaluationPath})")).Take(20).ToList();
    }

    /// <summary>
    /// The operation's schema as a standalone JSON Schema 2020-12 document: the document's component schemas
    /// become its $defs, and references to them follow.
    /// </summary>
    private JsonSchema Compile(JsonNode schema)
    {
        var standalone = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = Rewrite(_document["components"]!["schemas"]!.DeepClone()),
            ["allOf"] = new JsonArray(Rewrite(schema.DeepClone())),
        };
        return JsonSchema.FromText(standalone.ToJsonString());
    }

    private static JsonNode Rewrite(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (name == "$ref" && value?.GetValue<string>() is { } reference && reference.StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    {
                        obj["$ref"] = "#/$defs/" + reference["#/components/schemas/".Length..].Replace("~", "~0").Replace("/", "~1");
                    }
                    else if (value is not null)
                    {
                        Rewrite(value);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Rewrite(item);
                    }
                }
                break;
        }
        return node;
    }

    private static string Escape(string text) => text.Replace("~", "~0").Replace("/", "~1");
}
