using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Aes.Tenancy.Identity;

/// <summary>
/// Tenancy is the confederal issuer (OpenID Connect, by OpenIddict): it owns the users, so it signs for them.
/// Access tokens are signed JWTs, not encrypted, so every service checks them against the published keys.
/// </summary>
public static class IdentityServerExtensions
{
    public static IHostApplicationBuilder AddIdentityServer(this IHostApplicationBuilder builder)
    {
        var issuer = builder.Configuration["Identity:Authority"]
            ?? throw new InvalidOperationException("Identity:Authority (this issuer's public address) is not set.");
        var accessTokenLifetime = builder.Configuration.GetValue("Identity:AccessTokenLifetime", TimeSpan.FromMinutes(30));

        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<TenancyDbContext>())
            .AddServer(server =>
            {
                server.SetIssuer(new Uri(issuer.TrimEnd('/') + "/"));
                server.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token")
                    .SetEndSessionEndpointUris(IdentityEndpoints.EndSessionPath.TrimStart('/'));
                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange().AllowClientCredentialsFlow().AllowRefreshTokenFlow();
                server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.OfflineAccess, ClientRegistry.ApiScope);
                server.SetAccessTokenLifetime(accessTokenLifetime);
                server.DisableAccessTokenEncryption();
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    // Inside a cluster or on one machine the operators choose cleartext; TLS ends at their ingress.
                    .DisableTransportSecurityRequirement();
            });
        builder.Services.AddSingleton(SigningKeySettings.From(builder.Configuration));
        builder.Services.AddScoped<IssuerKeyStore>();
        builder.Services.AddSingleton<IssuerKeys>();
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>>(services => services.GetRequiredService<IssuerKeys>());
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(services => services.GetRequiredService<IssuerKeys>());
        builder.Services.AddHostedService<IssuerKeyRotation>();
        builder.Services.AddAuthentication().AddCookie(IdentityEndpoints.LoginScheme, cookie =>
        {
            cookie.LoginPath = IdentityEndpoints.LoginPath;
            cookie.Cookie.Name = "aes.login";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        builder.Services.AddAntiforgery();
        builder.Services.AddScoped<TokenPrincipals>();
        builder.Services.AddScoped<SignInThrottle>();
        builder.Services.AddScoped<ClientRegistry>();
        builder.Services.AddScoped<AutomationClients>();
        return builder;
    }
}
