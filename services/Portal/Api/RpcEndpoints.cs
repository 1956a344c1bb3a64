using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.ClientFactory;

namespace Aes.Portal.Api;

/// <summary>What the OpenAPI document needs to describe an endpoint that answers with one gRPC method.</summary>
public sealed record RpcEndpointMetadata(MessageDescriptor Request, MessageDescriptor Response, bool ReadsBody);

/// <summary>
/// An endpoint of the public API that calls one gRPC method with the caller's token: its request is made
/// of the route values, then the query string (GET, DELETE) or the JSON body (POST, PUT), by the fields'
/// JSON names; its answer is the method's response in <see cref="ProtoJson"/>.
/// </summary>
public static class RpcEndpoints
{
    /// <summary>Name of the gRPC clients that relay the caller's token, one per service client type (and per audited service).</summary>
    public static string ClientName<TClient>(string? service = null) => $"api:{typeof(TClient).FullName}:{service}";

    public static RouteHandlerBuilder MapRpc<TClient, TRequest, TResponse>(
        this RouteGroupBuilder api, string httpMethod, string pattern, Func<TClient, TRequest, CallOptions, AsyncUnaryCall<TResponse>> call,
        string summary, bool created = false, string? service = null)
        where TClient : ClientBase<TClient>
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        var readsBody = httpMethod is "POST" or "PUT" or "PATCH";
        var endpoint = api.MapMethods(pattern, [httpMethod], async (HttpContext http) =>
        {
            var request = new TRequest();
            try
            {
                if (readsBody)
                {
                    await ReadBodyAsync(http, request);
                }
                else
                {
                    foreach (var (name, values) in http.Request.Query)
                    {
                        foreach (var value in values)
                        {
                            ProtoJson.ReadText(request, FieldOf(request.Descriptor, name), value ?? "");
                        }
                    }
                }
                foreach (var (name, value) in http.Request.RouteValues)
                {
                    ProtoJson.ReadText(request, FieldOf(request.Descriptor, name), value?.ToString() ?? "");
                }
            }
            catch (ProtoJsonException invalid)
            {
                return ApiProblems.Of(400, invalid.French, invalid.Message, invalid.Field);
            }
            var client = http.RequestServices.GetRequiredService<GrpcClientFactory>().CreateClient<TClient>(ClientName<TClient>(service));
            try
            {
                var response = await call(client, request, new CallOptions(cancellationToken: http.RequestAborted));
                return Answer(http, response, created);
            }
            catch (RpcException exception)
            {
                return ApiProblems.From(exception);
            }
        });
        endpoint.WithSummary(summary).WithMetadata(new RpcEndpointMetadata(new TRequest().Descriptor, Activator.CreateInstance<TResponse>().Descriptor, readsBody));
        if (httpMethod == "POST")
        {
            endpoint.AddEndpointFilter<IdempotencyFilter>();
        }
        return endpoint;
    }

    private static FieldDescriptor FieldOf(MessageDescriptor descriptor, string name) =>
        ProtoJson.FieldNamed(descriptor, name)
        ?? throw new ProtoJsonException(name, $"Le paramètre « {name} » n'existe pas.", $"There is no parameter \"{name}\".");

    private static async Task ReadBodyAsync(HttpContext http, IMessage request)
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
                ProtoJson.Read(fields, request);
                return;
            default:
                throw new ProtoJsonException("body", "Le corps doit être un objet JSON.", "The body must be a JSON object.");
        }
    }

    private static IResult Answer(HttpContext http, IMessage response, bool created)
    {
        if (response is Aes.Contracts.Billing.V1.Document document)
        {
            return Results.File(System.Text.Encoding.UTF8.GetBytes(document.Content), document.ContentType, document.FileName);
        }
        var json = ProtoJson.ToJson(response);
        if (created && response.Descriptor.FindFieldByName("id")?.Accessor.GetValue(response) is string { Length: > 0 } id)
        {
            http.Response.Headers.Location = $"{http.Request.PathBase}{http.Request.Path.Value?.TrimEnd('/')}/{id}";
            return Results.Text(json, "application/json", System.Text.Encoding.UTF8, StatusCodes.Status201Created);
        }
        return Results.Text(json, "application/json", System.Text.Encoding.UTF8);
    }
}
