using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.ClientFactory;

namespace Aes.Portal.Api;

/// <summary>
/// What the OpenAPI document needs to describe an endpoint that answers with one gRPC method: the messages,
/// whether the body is read, the fields the caller does not give (the route's, and those the API fills
/// itself), and whether it creates something (201 with its address).
/// </summary>
public sealed record RpcEndpointMetadata(MessageDescriptor Request, MessageDescriptor Response, bool ReadsBody, IReadOnlySet<string> FilledFields, bool Creates);

/// <summary>
/// An endpoint of the public API that calls one gRPC method with the caller's token: its request is made
/// of the route values, then the query string (GET, DELETE) or the JSON body (POST, PUT), by the fields'
/// JSON names; its answer is the method's response in <see cref="ProtoJson"/>. The operation is named after
/// the method (ListFacilitiesAsync is listFacilities), so generated clients read like the gRPC API.
/// </summary>
public static class RpcEndpoints
{
    /// <summary>Name of the gRPC clients that relay the caller's token, one per service client type (and per audited service).</summary>
    public static string ClientName<TClient>(string? service = null) => $"api:{typeof(TClient).FullName}:{service}";

    /// <param name="fill">Sets the fields the API fills itself (named in <paramref name="filled"/>), after the caller's are read.</param>
    public static RouteHandlerBuilder MapRpc<TClient, TRequest, TResponse>(
        this RouteGroupBuilder api, string httpMethod, string pattern, Expression<Func<TClient, TRequest, CallOptions, AsyncUnaryCall<TResponse>>> call,
        string summary, bool created = false, string? service = null, string[]? filled = null, Action<HttpContext, TRequest>? fill = null)
        where TClient : ClientBase<TClient>
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        var readsBody = httpMethod is "POST" or "PUT" or "PATCH";
        var invoke = call.Compile();
        var filledFields = (filled ?? []).ToHashSet();
        var endpoint = api.MapMethods(pattern, [httpMethod], async (HttpContext http) =>
        {
            var request = new TRequest();
            try
            {
                if (readsBody)
                {
                    await ReadBodyAsync(http, request, filledFields);
                }
                else
                {
                    foreach (var (name, values) in http.Request.Query)
                    {
                        foreach (var value in values)
                        {
                            ProtoJson.ReadText(request, FieldOf(request.Descriptor, name, filledFields), value ?? "");
                        }
                    }
                }
                foreach (var (name, value) in http.Request.RouteValues)
                {
                    ProtoJson.ReadText(request, FieldOf(request.Descriptor, name, NoFields), value?.ToString() ?? "");
                }
            }
            catch (ProtoJsonException invalid)
            {
                return ApiProblems.Of(400, invalid.French, invalid.Message, invalid.Field);
            }
            fill?.Invoke(http, request);
            CarryIdempotencyKey(http, request);
            var client = http.RequestServices.GetRequiredService<GrpcClientFactory>().CreateClient<TClient>(ClientName<TClient>(service));
            try
            {
                using var call = invoke(client, request, new CallOptions(cancellationToken: http.RequestAborted));
                var response = await call.ResponseAsync;
                var replayed = (await call.ResponseHeadersAsync).GetValue(Aes.Messaging.Audit.RepeatedCalls.ReplayedHeader) == "true";
                return Answer(http, response, created, replayed);
            }
            catch (RpcException exception)
            {
                return ApiProblems.From(exception);
            }
        });
        var method = ((MethodCallExpression)call.Body).Method.Name;
        var operation = char.ToLowerInvariant(method[0]) + method[1..^"Async".Length];
        endpoint.WithName(service is null ? operation : $"{service}{char.ToUpperInvariant(operation[0])}{operation[1..]}")
            .WithSummary(summary)
            .WithMetadata(new RpcEndpointMetadata(new TRequest().Descriptor, Activator.CreateInstance<TResponse>().Descriptor, readsBody, filledFields, created));
        if (httpMethod == "POST")
        {
            endpoint.AddEndpointFilter<IdempotencyFilter>();
        }
        return endpoint;
    }

    private static readonly IReadOnlySet<string> NoFields = new HashSet<string>();

    /// <summary>
    /// A write whose service keeps its own first answers (an <c>idempotency_key</c> field) gets the caller's Idempotency-Key
    /// unless the body gave one: the API's record of the answer is lost with a 5xx, the service's commits with the write.
    /// </summary>
    private static void CarryIdempotencyKey(HttpContext http, IMessage request)
    {
        if (request.Descriptor.FindFieldByName(Aes.Messaging.Audit.RepeatedCalls.KeyField) is { FieldType: FieldType.String } field
            && ((string)field.Accessor.GetValue(request)).Length == 0
            && http.Request.Headers[IdempotencyFilter.Header].ToString() is { Length: > 0 } key)
        {
            field.Accessor.SetValue(request, key);
        }
    }

    private static FieldDescriptor FieldOf(MessageDescriptor descriptor, string name, IReadOnlySet<string> filled) =>
        ProtoJson.FieldNamed(descriptor, name) is { } field && !filled.Contains(field.Name)
            ? field
            : throw new ProtoJsonException(name, $"Le paramètre « {name} » n'existe pas.", $"There is no parameter \"{name}\".");

    /// <summary>
    /// The body as one JSON object. A key given twice is refused rather than one of its values kept silently,
    /// and so is a field the operation does not have, or one the API fills itself.
    /// </summary>
    private static async Task ReadBodyAsync(HttpContext http, IMessage request, IReadOnlySet<string> filled)
    {
        http.Request.Body.Position = 0;
        using var content = new MemoryStream();
        await http.Request.Body.CopyToAsync(content, http.RequestAborted);
        if (content.Length == 0)
        {
            return;
        }
        JsonNode? body;
        try
        {
            if (DuplicateKey(content.ToArray()) is { } duplicate)
            {
                throw new ProtoJsonException(duplicate, $"Le champ « {duplicate} » est donné deux fois.", $"The field \"{duplicate}\" is given twice.");
            }
            body = JsonNode.Parse(content.ToArray());
        }
        catch (JsonException json)
        {
            var field = ApiProblems.FieldOf(json);
            throw new ProtoJsonException(field, $"Le corps de la requête est illisible ({field}).", $"The JSON body cannot be read: {json.Message}");
        }
        switch (body)
        {
            case null:
                return;
            case JsonObject fields:
                if (fields.Select(f => ProtoJson.FieldNamed(request.Descriptor, f.Key)).FirstOrDefault(f => f is not null && filled.Contains(f.Name)) is { } own)
                {
                    throw new ProtoJsonException(own.JsonName, $"Le champ « {own.JsonName} » n'existe pas.", $"There is no field \"{own.JsonName}\".");
                }
                ProtoJson.Read(fields, request);
                return;
            default:
                throw new ProtoJsonException("body", "Le corps doit être un objet JSON.", "The body must be a JSON object.");
        }
    }

    /// <summary>The path of the first key an object of <paramref name="json"/> gives twice ("vms[0].count"), or null.</summary>
    internal static string? DuplicateKey(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var scopes = new Stack<(HashSet<string>? Keys, string Path, int Index)>();
        var path = "";
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString()!;
                    var (keys, objectPath, _) = scopes.Peek();
                    if (!keys!.Add(property))
                    {
                        return objectPath.Length == 0 ? property : $"{objectPath}.{property}";
                    }
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    path = Child(scopes, property);
                    scopes.Push((reader.TokenType == JsonTokenType.StartObject ? [] : null, path, 0));
                    property = null;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    scopes.Pop();
                    Next(scopes);
                    property = null;
                    break;
                default:
                    Next(scopes);
                    property = null;
                    break;
            }
        }
        return null;

        static string Child(Stack<(HashSet<string>? Keys, string Path, int Index)> scopes, string? property) =>
            scopes.Count == 0 ? ""
            : scopes.Peek() is { Keys: null } array ? $"{array.Path}[{array.Index}]"
            : scopes.Peek().Path.Length == 0 ? property ?? "" : $"{scopes.Peek().Path}.{property}";

        // A value inside an array moves its index on.
        static void Next(Stack<(HashSet<string>? Keys, string Path, int Index)> scopes)
        {
            if (scopes.Count > 0 && scopes.Peek() is { Keys: null } array)
            {
                scopes.Pop();
                scopes.Push(array with { Index = array.Index + 1 });
            }
        }
    }

    private static IResult Answer(HttpContext http, IMessage response, bool created, bool replayed)
    {
        if (response is Aes.Contracts.Billing.V1.Document document)
        {
            return Results.File(System.Text.Encoding.UTF8.GetBytes(document.Content), document.ContentType, document.FileName);
        }
        var json = ProtoJson.ToJson(response);
        if (replayed)
        {
            // Said as the API's own replays say it, with the notice for a secret shown once.
            http.Response.Headers["Idempotent-Replayed"] = "true";
            json = IdempotencyFilter.WithoutSecrets(json, "application/json");
        }
        if (created && response.Descriptor.FindFieldByName("id")?.Accessor.GetValue(response) is string { Length: > 0 } id)
        {
            http.Response.Headers.Location = $"{http.Request.PathBase}{http.Request.Path.Value?.TrimEnd('/')}/{id}";
            return Results.Text(json, "application/json", System.Text.Encoding.UTF8, StatusCodes.Status201Created);
        }
        return Results.Text(json, "application/json", System.Text.Encoding.UTF8);
    }
}
