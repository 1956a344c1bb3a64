using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aes.ServiceDefaults.Web;

/// <summary>Configuration of a site that people reach from the internet: the portal and the issuer's pages.</summary>
public sealed class WebFrontSettings
{
    public const string Section = "WebFront";

    /// <summary>The addresses of the reverse proxies (the ingress) whose X-Forwarded-For and -Proto are believed.</summary>
    public List<string> KnownProxies { get; init; } = [];

    /// <summary>The same, as networks (CIDR), for an ingress whose pods move within the cluster's network.</summary>
    public List<string> KnownNetworks { get; init; } = [];

    /// <summary>Requests a minute one address may make to the pages and endpoints that need no sign-in.</summary>
    public int AnonymousPermitsPerMinute { get; init; } = 600;
}

/// <summary>
/// What a site facing the internet adds in front of everything else: the client's real address and scheme
/// from the named proxies only (a forged X-Forwarded-For from anyone else is ignored, so it cannot dodge the
/// limits below), security headers on every answer, and a per-address limit on what needs no sign-in,
/// applied before any token or cookie is read.
/// </summary>
public static class WebFront
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    public static IHostApplicationBuilder AddWebFront(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(WebFrontSettings.Section).Get<WebFrontSettings>() ?? new WebFrontSettings();
        if (settings.AnonymousPermitsPerMinute < 1)
        {
            throw new InvalidOperationException($"{WebFrontSettings.Section}:AnonymousPermitsPerMinute must be at least 1.");
        }
        var proxies = settings.KnownProxies.Select(text => IPAddress.TryParse(text, out var address)
            ? address
            : throw new InvalidOperationException($"{WebFrontSettings.Section}:KnownProxies holds '{text}', which is not an IP address.")).ToList();
        var networks = settings.KnownNetworks.Select(text => System.Net.IPNetwork.TryParse(text, out var network)
            ? network
            : throw new InvalidOperationException($"{WebFrontSettings.Section}:KnownNetworks holds '{text}', which is not a network such as 10.0.0.0/8.")).ToList();
        builder.Services.AddSingleton(settings);
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET believes loopback by default; here only what the operators name.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            proxies.ForEach(options.KnownProxies.Add);
            networks.ForEach(options.KnownIPNetworks.Add);
        });
        return builder;
    }

    /// <summary>First in the pipeline, when <see cref="AddWebFront"/> was called.</summary>
    public static WebApplication UseWebFrontWhenAdded(this WebApplication app)
    {
        if (app.Services.GetService<WebFrontSettings>() is not { } settings)
        {
            return app;
        }
        app.UseForwardedHeaders();
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                AddSecurityHeaders(context);
                return Task.CompletedTask;
            });
            return next(context);
        });
        var limiter = AnonymousLimiter(settings.AnonymousPermitsPerMinute);
        app.Use(async (context, next) =>
        {
            if (IsLimited(context))
            {
                using var lease = limiter.AttemptAcquire(context);
                if (!lease.IsAcquired)
                {
                    var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(10);
                    await TooManyAsync(context, (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds)));
                    return;
                }
            }
            await next(context);
        });
        return app;
    }

    private static void AddSecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        // Blazor sets a policy of its own (frame-ancestors 'self'): this one, stricter, replaces it.
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        }
    }

    private static PartitionedRateLimiter<HttpContext> AnonymousLimiter(int permitsPerMinute) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "",
            _ => new TokenBucketRateLimiterOptions
            {
                // A page and its assets may come at once; a flood drains the bucket and then gets a sixth a minute every ten seconds.
                TokenLimit = permitsPerMinute,
                TokensPerPeriod = Math.Max(1, permitsPerMinute / 6),
                ReplenishmentPeriod = TimeSpan.FromSeconds(10),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    /// <summary>Endpoints that allow anyone, except the probes the cluster itself sends.</summary>
    private static bool IsLimited(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null
        && !context.Request.Path.StartsWithSegments("/health")
        && !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health");

    private static Task TooManyAsync(HttpContext context, int seconds)
    {
        var french = $"Trop de requêtes depuis votre adresse ; réessayez dans {seconds} s.";
        var english = $"Too many requests from your address; retry in {seconds} s.";
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/problem+json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "https://tools.ietf.org/html/rfc6585#section-4",
            ["title"] = "Too Many Requests",
            ["status"] = 429,
            ["detail"] = $"{french} / {english}",
            ["detailFr"] = french,
            ["detailEn"] = english,
        }));
    }
}
