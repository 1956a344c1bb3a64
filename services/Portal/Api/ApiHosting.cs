using System.Text.Json;
using System.Threading.RateLimiting;
using Aes.Contracts.Audit.V1;
using Aes.Contracts.Billing.V1;
using Aes.Contracts.Provisioning.V1;
using Aes.Contracts.Quota.V1;
using Aes.Contracts.Tenancy.V1;
using Aes.Messaging;
using Aes.Messaging.Dapr;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Scalar.AspNetCore;

namespace Aes.Portal.Api;

/// <summary>Wiring of the public API: service clients carrying the caller's token, limits, OpenAPI and its reference page.</summary>
public static class ApiHosting
{
    public static IHostApplicationBuilder AddPublicApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        // Registered by name, a client is also what its type resolves to: the request and VM endpoints take it so.
        RelayingClient<ProvisioningService.ProvisioningServiceClient>(builder, ResourceNames.Provisioning, RpcEndpoints.ClientName<ProvisioningService.ProvisioningServiceClient>());
        RelayingClient<TenancyService.TenancyServiceClient>(builder, ResourceNames.Tenancy, RpcEndpoints.ClientName<TenancyService.TenancyServiceClient>());
        RelayingClient<QuotaService.QuotaServiceClient>(builder, ResourceNames.Quota, RpcEndpoints.ClientName<QuotaService.QuotaServiceClient>());
        RelayingClient<BillingService.BillingServiceClient>(builder, ResourceNames.Billing, RpcEndpoints.ClientName<BillingService.BillingServiceClient>());
        RelayingClient<Aes.Contracts.Notifications.V1.NotificationService.NotificationServiceClient>(builder, ResourceNames.Notifications,
            RpcEndpoints.ClientName<Aes.Contracts.Notifications.V1.NotificationService.NotificationServiceClient>());
        foreach (var service in ResourceNames.Services)
        {
            RelayingClient<AuditTrail.AuditTrailClient>(builder, service, RpcEndpoints.ClientName<AuditTrail.AuditTrailClient>(service));
        }

        var permitsPerMinute = builder.Configuration.GetValue("Api:RateLimit:PermitsPerMinute", 600);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ApiEndpoints.RateLimitPolicy, http => RateLimitPartition.GetTokenBucketLimiter(
                http.User.FindFirst("sub")?.Value ?? http.Connection.RemoteIpAddress?.ToString() ?? "",
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = permitsPerMinute, TokensPerPeriod = permitsPerMinute, ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                    QueueLimit = 0, AutoReplenishment = true,
                }));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await ApiProblems.Of(429, $"Plus de {permitsPerMinute} requêtes par minute ; réessayez dans une minute.",
                    $"More than {permitsPerMinute} requests a minute; retry in a minute.").ExecuteAsync(context.HttpContext);
            };
        });
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddSingleton(IdempotencySettings.From(builder.Configuration));
        builder.Services.AddHostedService<IdempotencyRecordSweeper>();
        builder.Services.AddOpenApi("v1", options => options.DescribeApi());
        // Answers that carry no problem of their own (401 from the token check, 404 for an unknown address…) say why in both languages.
        builder.Services.Configure<ProblemDetailsOptions>(options => options.CustomizeProblemDetails = context =>
        {
            if (context.HttpContext.Request.Path.StartsWithSegments("/api") && !context.ProblemDetails.Extensions.ContainsKey("detailFr"))
            {
                var (french, english) = ApiProblems.Standard(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
                context.ProblemDetails.Title = ApiProblems.Title(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
                context.ProblemDetails.Detail ??= $"{french} / {english}";
                context.ProblemDetails.Extensions["detailFr"] = french;
                context.ProblemDetails.Extensions["detailEn"] = english;
            }
        });
        return builder;
    }

    /// <summary>A gRPC client that passes on the caller's own token: the service decides with the caller's rights.</summary>
    private static void RelayingClient<TClient>(IHostApplicationBuilder builder, string service, string name)
        where TClient : class
    {
        builder.Services.AddServiceGrpcClient<TClient>(builder.Configuration, service, name).AddCallCredentials((_, metadata, services) =>
            {
                if (services.GetRequiredService<IHttpContextAccessor>().HttpContext?.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
                {
                    metadata.Add("Authorization", authorization);
                }
                return Task.CompletedTask;
            })
            .ConfigureChannel(channel => channel.UnsafeUseInsecureChannelCallCredentials = true);
    }

    public static WebApplication MapPublicApi(this WebApplication app)
    {
        var maxBody = app.Configuration.GetValue("Api:MaxBodyBytes", 1_048_576L);
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api/v1"), api => api.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > maxBody)
            {
                await ApiProblems.Of(400, $"Le corps dépasse {maxBody} octets.", $"The body is larger than {maxBody} bytes.", "body").ExecuteAsync(context);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = maxBody;
            }
            context.Request.EnableBuffering();
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
            {
                var (field, english) = exception.InnerException is JsonException json
                    ? (ApiProblems.FieldOf(json), $"The JSON body cannot be read: {json.Message}")
                    : ("body", exception.Message);
                await ApiProblems.Of(400, $"Le corps de la requête est illisible ({field}).", english, field).ExecuteAsync(context);
            }
        }));
        app.UseRateLimiter();
        app.MapOpenApi("/api/{documentName}/openapi.json").AllowAnonymous();
        app.MapScalarApiReference("/api/v1/reference", options => options.WithOpenApiRoutePattern("/api/v1/openapi.json").WithTitle("AES API v1")).AllowAnonymous();
        app.MapApiV1();
        return app;
    }
}
