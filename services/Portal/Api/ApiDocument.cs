using System.Text.Json.Nodes;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Aes.Portal.Api;

/// <summary>The API's tags: one per area of the marketplace.</summary>
public static class ApiTags
{
    public const string Requests = "requests";
    public const string Organisation = "organisation";
    public const string Agreements = "agreements";
    public const string Capacity = "capacity";
    public const string Billing = "billing";
    public const string Facilities = "facilities";
    public const string Audit = "audit";
    public const string Notifications = "notifications";
    public const string Repatriation = "repatriation";

    public static readonly IReadOnlyList<(string Name, string Description)> All =
    [
        (Requests, "Demandes d'hébergement, placement, approbations et VM / hosting requests, placement, approvals and VMs"),
        (Organisation, "États, centres, organismes, projets, utilisateurs / states, facilities, agencies, projects, users"),
        (Agreements, "Accords confédéraux entre États / confederal agreements between states"),
        (Capacity, "Réserves, inventaires et quotas / pools, inventories and quotas"),
        (Facilities, "Nuage de chaque centre, son catalogue, la réconciliation et la disponibilité mesurée / each facility's cloud, its catalogue, reconciliation and measured availability"),
        (Billing, "Tarifs, consommation, factures, règlements entre États, grand livre / prices, usage, invoices, settlements, ledger"),
        (Repatriation, "Campagnes de rapatriement : charges importées, plan sans réservation / repatriation campaigns: imported workloads, a plan that reserves nothing"),
        (Notifications, "Mes préférences et messages, webhooks des organismes et des États / my preferences and messages, agencies' and states' webhooks"),
        (Audit, "Journal d'audit de chaque service / each service's audit trail"),
    ];
}

/// <summary>
/// The OpenAPI document, made to say exactly what the API sends: every operation named (its gRPC method),
/// secured by the issuer's bearer tokens, with its 2xx answer and each problem+json it may give; each gRPC
/// message a schema of its own (<c>aes.tenancy.v1.Facility</c>) in <see cref="ProtoJson"/>'s form, with every
/// field it always writes required and nothing else allowed, so a response that drifts fails validation.
/// </summary>
public static class ApiDocument
{
    public const string ProblemSchema = "Problem";
    private const string BearerScheme = "bearer";
    private const string OAuthScheme = "oauth2";

    public static OpenApiOptions DescribeApi(this OpenApiOptions options) => options.AddDocumentTransformer((document, context, _) =>
    {
        var configuration = context.ApplicationServices.GetRequiredService<IConfiguration>();
        document.Info.Title = "AES — place de marché d'hébergement / hosting marketplace";
        document.Info.Version = "v1";
        document.Info.Description =
            "Jetons OAuth 2 de l'émetteur confédéral (tenancy) ou d'un émetteur d'État reconnu. Erreurs en problem+json, en français et en anglais "
            + "(detailFr, detailEn, field). Les codes et valeurs énumérées sont lus sans les espaces qui les entourent. "
            + "OAuth 2 tokens from the confederal issuer (tenancy) or a trusted state issuer. Errors as problem+json, in French and English "
            + "(detailFr, detailEn, field). Codes and enumerated values are read without surrounding spaces.";
        if (context.ApplicationServices.GetService<IHttpContextAccessor>()?.HttpContext?.Request is { } request)
        {
            document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host}{request.PathBase}".TrimEnd('/') }];
        }
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = Problem();
        document.Components.SecuritySchemes = SecuritySchemes(configuration["Identity:Authority"]);
        document.Security = [Requirement(document, BearerScheme), Requirement(document, OAuthScheme)];
        document.Tags = ApiTags.All.Select(tag => new OpenApiTag { Name = tag.Name, Description = tag.Description }).ToHashSet();

        var messages = new MessageSchemas(document);
        foreach (var description in context.DescriptionGroups.SelectMany(group => group.Items))
        {
            if (document.Paths.GetValueOrDefault("/" + description.RelativePath) is not OpenApiPathItem path
                || path.Operations?.GetValueOrDefault(new HttpMethod(description.HttpMethod!)) is not { } operation)
            {
                continue;
            }
            var rpc = description.ActionDescriptor.EndpointMetadata.OfType<RpcEndpointMetadata>().FirstOrDefault();
            if (rpc is not null)
            {
                DescribeRpc(operation, rpc, description.RelativePath!, messages);
            }
            DescribeProblems(document, operation, rpc is not null, description.RelativePath!.Contains('{'), description.HttpMethod == "POST");
        }
        return Task.CompletedTask;
    });

    private static void DescribeRpc(OpenApiOperation operation, RpcEndpointMetadata rpc, string path, MessageSchemas messages)
    {
        var fields = Visible(rpc.Request).Where(f => !rpc.FilledFields.Contains(f.Name)).ToList();
        var inRoute = fields.Where(f => path.Contains("{" + f.JsonName + "}", StringComparison.Ordinal)).ToList();
        operation.Parameters = inRoute.Select(field => (IOpenApiParameter)new OpenApiParameter
        {
            Name = field.JsonName, In = ParameterLocation.Path, Required = true, Schema = messages.Value(field),
        }).ToList();
        operation.RequestBody = null;
        if (rpc.ReadsBody)
        {
            var body = messages.Object(rpc.Request, fields.Except(inRoute), requireAll: false);
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
            foreach (var field in fields.Except(inRoute).Where(f => f.FieldType != FieldType.Message))
            {
                operation.Parameters.Add(new OpenApiParameter { Name = field.JsonName, In = ParameterLocation.Query, Schema = messages.Value(field) });
            }
        }
        operation.Responses = new OpenApiResponses();
        if (rpc.Response.ClrType == typeof(Aes.Contracts.Billing.V1.Document))
        {
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "Document (HTML imprimable ou CSV) / document (printable HTML or CSV)",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["text/html"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            };
            return;
        }
        var answer = new OpenApiResponse
        {
            Description = rpc.Creates ? "Créé / created" : "OK",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = messages.Reference(rpc.Response) } },
        };
        if (rpc.Creates)
        {
            answer.Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Location"] = new OpenApiHeader { Description = "Adresse de ce qui a été créé / address of what was created", Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            };
        }
        operation.Responses[rpc.Creates ? "201" : "200"] = answer;
    }

    /// <summary>Every problem an operation may answer, each in problem+json.</summary>
    private static void DescribeProblems(OpenApiDocument document, OpenApiOperation operation, bool callsService, bool names, bool post)
    {
        operation.Responses ??= new OpenApiResponses();
        var statuses = new List<(string Status, string Description)>();
        if (callsService)
        {
            statuses.Add(("400", "Valeur invalide, le champ nommé / invalid value, the field named"));
        }
        statuses.Add(("401", "Jeton absent, expiré ou refusé / token missing, expired or refused"));
        statuses.Add(("403", "Votre rôle ne le permet pas / your role does not allow it"));
        if (callsService || names)
        {
            statuses.Add(("404", "Ce qu'elle nomme n'existe pas / what it names does not exist"));
        }
        if (callsService)
        {
            statuses.Add(("409", "L'état présent ne le permet pas, ou une autre requête est en cours / the present state does not allow it, or another request is under way"));
        }
        if (post)
        {
            statuses.Add(("422", "Clé d'idempotence reprise pour une autre requête / idempotency key reused for another request"));
        }
        statuses.Add(("429", "Trop de requêtes : réessayer après Retry-After / too many requests: retry after Retry-After"));
        if (operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true)
        {
            // The web server itself refuses an address past its limit (8 KiB), before the API reads it: no body.
            operation.Responses["414"] = new OpenApiResponse { Description = "Adresse trop longue / URI too long" };
        }
        statuses.Add(("503", "Service momentanément indisponible : réessayer / service unavailable for a moment: retry"));
        foreach (var (status, description) in statuses)
        {
            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
                },
            };
        }
    }

    private static OpenApiSchema Problem()
    {
        OpenApiSchema Text() => new() { Type = JsonSchemaType.String };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457, en français et en anglais / in French and English",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text(), ["title"] = Text(), ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                ["detail"] = Text(), ["instance"] = Text(), ["traceId"] = Text(),
                ["detailFr"] = Text(), ["detailEn"] = Text(), ["field"] = Text(),
                ["resourceClass"] = Text(), ["shortfall"] = Text(),
            },
            Required = new HashSet<string> { "title", "status", "detailFr", "detailEn" },
            AdditionalPropertiesAllowed = false,
        };
    }

    private static Dictionary<string, IOpenApiSecurityScheme> SecuritySchemes(string? authority)
    {
        var issuer = new Uri((authority ?? "http://127.0.0.1:5101/").TrimEnd('/') + "/");
        var scopes = new Dictionary<string, string>
        {
            ["openid"] = "Identité / identity", ["profile"] = "Nom / name", ["aes"] = "Place de marché / marketplace", ["offline_access"] = "Jeton de rafraîchissement / refresh token",
        };
        return new Dictionary<string, IOpenApiSecurityScheme>
        {
            [BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "Jeton d'accès de l'émetteur / the issuer's access token: Authorization: Bearer …",
            },
            [OAuthScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "Personnes : code avec PKCE ; automatisation : identifiants du client / people: code with PKCE; automation: client credentials",
                Flows = new OpenApiOAuthFlows
                {
                    AuthorizationCode = new OpenApiOAuthFlow
                    {
                        AuthorizationUrl = new Uri(issuer, "connect/authorize"), TokenUrl = new Uri(issuer, "connect/token"), Scopes = scopes,
                    },
                    ClientCredentials = new OpenApiOAuthFlow { TokenUrl = new Uri(issuer, "connect/token"), Scopes = new Dictionary<string, string> { ["aes"] = scopes["aes"] } },
                },
            },
        };
    }

    private static OpenApiSecurityRequirement Requirement(OpenApiDocument document, string scheme) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    private static IEnumerable<FieldDescriptor> Visible(MessageDescriptor message) =>
        message.Fields.InFieldNumberOrder().Where(f => !ProtoJson.IsHidden(f));

    /// <summary>The document's schemas for gRPC messages, each added once, under the message's full name.</summary>
    private sealed class MessageSchemas(OpenApiDocument document)
    {
        public IOpenApiSchema Reference(MessageDescriptor message)
        {
            if (!document.Components!.Schemas!.ContainsKey(message.FullName))
            {
                document.Components.Schemas[message.FullName] = new OpenApiSchema(); // placeholder: a message may contain itself
                document.Components.Schemas[message.FullName] = Object(message, Visible(message), requireAll: true);
            }
            return new OpenApiSchemaReference(message.FullName, document);
        }

        /// <summary>
        /// An object of <paramref name="fields"/>. In an answer (<paramref name="requireAll"/>) every field ProtoJson always
        /// writes is required (all but unset messages); in a request none is, and the service says which it lacks.
        /// </summary>
        public OpenApiSchema Object(MessageDescriptor message, IEnumerable<FieldDescriptor> fields, bool requireAll)
        {
            var schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema>(), Required = new HashSet<string>(),
                AdditionalPropertiesAllowed = false,
            };
            var withholdsSecrets = false;
            foreach (var field in fields)
            {
                schema.Properties[field.JsonName] = Value(field);
                // A secret is given once: the replay of the same POST leaves it out and says so (IdempotencyFilter).
                var secret = requireAll && IdempotencyFilter.IsSecretName(field.JsonName);
                withholdsSecrets |= secret;
                if (requireAll && !secret && (field.IsRepeated || field.FieldType != FieldType.Message))
                {
                    schema.Required.Add(field.JsonName);
                }
            }
            if (withholdsSecrets)
            {
                foreach (var notice in new[] { "notice", "noticeFr", "noticeEn" })
                {
                    schema.Properties[notice] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "Seulement sur un rejeu (Idempotent-Replayed) : le secret a été montré une fois / only on a replay: the secret was shown once",
                    };
                }
            }
            return schema;
        }

        public IOpenApiSchema Value(FieldDescriptor field) =>
            field.IsRepeated ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = Single(field) } : Single(field);

        private IOpenApiSchema Single(FieldDescriptor field) => field.FieldType switch
        {
            FieldType.Message when field.MessageType.ClrType == typeof(Google.Protobuf.WellKnownTypes.Timestamp) => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
            FieldType.Message => Reference(field.MessageType),
            // A class is any code of the catalogue (tenancy's ListResourceClasses), never a fixed list: operators add classes.
            FieldType.String when field.Name == "resource_class" => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Pattern = Aes.Contracts.ResourceClasses.CodePattern().ToString(),
                Description = "Code d'une classe du catalogue / a class code of the catalogue: vcpu, memory_gib, storage_gib, public_ipv4, gpu_a100_80g…",
                Examples = [JsonValue.Create("memory_gib")!],
            },
            FieldType.String => new OpenApiSchema { Type = JsonSchemaType.String },
            FieldType.Bool => new OpenApiSchema { Type = JsonSchemaType.Boolean },
            FieldType.Bytes => new OpenApiSchema { Type = JsonSchemaType.String, Format = "byte" },
            FieldType.Enum => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = field.EnumType.Values.Select(v => (JsonNode)JsonValue.Create(ProtoJson.ShortName(field.EnumType, v))!).ToList(),
            },
            FieldType.Double or FieldType.Float => new OpenApiSchema { Type = JsonSchemaType.Number },
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 or FieldType.UInt32 or FieldType.Fixed32 => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            _ => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" },
        };
    }
}
