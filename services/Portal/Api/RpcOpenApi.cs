using System.Text.Json.Nodes;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Aes.Portal.Api;

/// <summary>Describes the endpoints made from gRPC methods from the methods' own message descriptors, in <see cref="ProtoJson"/>'s form.</summary>
public static class RpcOpenApi
{
    public static OpenApiOptions DescribeRpcEndpoints(this OpenApiOptions options) => options.AddOperationTransformer((operation, context, _) =>
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RpcEndpointMetadata>().FirstOrDefault() is not { } rpc)
        {
            return Task.CompletedTask;
        }
        var routeValues = context.Description.ParameterDescriptions.Where(p => p.Source == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Path).Select(p => p.Name).ToHashSet();
        var inRoute = Fields(rpc.Request).Where(f => routeValues.Contains(f.JsonName) || context.Description.RelativePath?.Contains("{" + f.JsonName + "}") == true).ToList();
        operation.Parameters = inRoute.Select(field => (IOpenApiParameter)new OpenApiParameter
        {
            Name = field.JsonName, In = ParameterLocation.Path, Required = true, Schema = SchemaOf(field),
        }).ToList();
        if (rpc.ReadsBody)
        {
            var body = ObjectSchema(rpc.Request, 0, inRoute.Select(f => f.JsonName).ToHashSet());
            if (body.Properties?.Count > 0)
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = false,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = body } },
                };
            }
        }
        else
        {
            foreach (var field in Fields(rpc.Request).Where(f => !inRoute.Contains(f) && f.FieldType != FieldType.Message))
            {
                operation.Parameters.Add(new OpenApiParameter { Name = field.JsonName, In = ParameterLocation.Query, Schema = SchemaOf(field) });
            }
        }
        var document = rpc.Response.ClrType == typeof(Aes.Contracts.Billing.V1.Document);
        operation.Responses ??= [];
        operation.Responses["200"] = new OpenApiResponse
        {
            Description = "OK",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [document ? "text/html" : "application/json"] = new() { Schema = document ? new OpenApiSchema { Type = JsonSchemaType.String } : ObjectSchema(rpc.Response, 0, []) },
            },
        };
        var problem = new OpenApiResponse
        {
            Description = "problem+json (detailFr, detailEn, field)",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } } },
        };
        foreach (var status in new[] { "400", "401", "403", "404", "409" })
        {
            operation.Responses[status] = problem;
        }
        return Task.CompletedTask;
    });

    private static IEnumerable<FieldDescriptor> Fields(MessageDescriptor message) =>
        message.Fields.InFieldNumberOrder().Where(f => !ProtoJson.IsHidden(f));

    private static OpenApiSchema ObjectSchema(MessageDescriptor message, int depth, HashSet<string> except)
    {
        var schema = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema>() };
        if (depth > 6)
        {
            return schema;
        }
        foreach (var field in Fields(message).Where(f => !except.Contains(f.JsonName)))
        {
            schema.Properties[field.JsonName] = field.IsRepeated
                ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = ValueSchema(field, depth) }
                : ValueSchema(field, depth);
        }
        return schema;
    }

    private static OpenApiSchema SchemaOf(FieldDescriptor field) =>
        field.IsRepeated ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = ValueSchema(field, 0) } : ValueSchema(field, 0);

    private static OpenApiSchema ValueSchema(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.Message when field.MessageType.ClrType == typeof(Google.Protobuf.WellKnownTypes.Timestamp) => new() { Type = JsonSchemaType.String, Format = "date-time" },
        FieldType.Message => ObjectSchema(field.MessageType, depth + 1, []),
        FieldType.String => new() { Type = JsonSchemaType.String },
        FieldType.Bool => new() { Type = JsonSchemaType.Boolean },
        FieldType.Bytes => new() { Type = JsonSchemaType.String, Format = "byte" },
        FieldType.Enum => new()
        {
            Type = JsonSchemaType.String,
            Enum = field.EnumType.Values.Where(v => v.Number != 0).Select(v => (JsonNode)JsonValue.Create(ProtoJson.ShortName(field.EnumType, v))!).ToList(),
        },
        FieldType.Double or FieldType.Float => new() { Type = JsonSchemaType.Number },
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 or FieldType.UInt32 or FieldType.Fixed32 => new() { Type = JsonSchemaType.Integer, Format = "int32" },
        _ => new() { Type = JsonSchemaType.Integer, Format = "int64" },
    };
}
