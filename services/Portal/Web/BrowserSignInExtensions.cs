using System.Security.Claims;
using Aes.ServiceDefaults.Identity;
using Aes.ServiceDefaults.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Aes.Portal.Web;

/// <summary>
/// People sign in to the portal at the confederal issuer (code + PKCE, client aes-portal-web) and keep a
/// cookie. The cookie carries the access token the issuer gave, so the portal calls the services with
/// the person's own rights, as the REST API and the command line do.
/// </summary>
public static class BrowserSignInExtensions
{
    public const string ChallengeScheme = "aes-browser-oidc";
    public const string AccessTokenClaim = "aes_access_token";
    public const string SignInPath = "/connexion";

    public static IHostApplicationBuilder AddBrowserSignIn(this IHostApplicationBuilder builder)
    {
        var authority = builder.Configuration["Identity:Authority"]
            ?? throw new InvalidOperationException("Identity:Authority (the confederal issuer's address) is not set.");
        var secret = builder.Configuration["Identity:PortalClient:Secret"]
            ?? throw new InvalidOperationException("Identity:PortalClient:Secret (the portal's sign-in client secret at the issuer) is not set.");
        // Identity:Authority comes first among the trusted issuers, with the same rule on http metadata.
        var confederal = TrustedIssuer.From(builder.Configuration)[0];
        builder.Services.AddSingleton<BrowserSignIn>();
        builder.Services.AddAuthentication()
            .AddCookie(AuthenticationExtensions.BrowserScheme, cookie =>
            {
                cookie.Cookie.Name = "aes.portal";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                // Secure whenever the browser came over https, which behind the ingress the named proxies tell.
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.AccessDeniedPath = "/acces-refuse";
                cookie.ForwardChallenge = ChallengeScheme;
            })
            .AddOpenIdConnect(ChallengeScheme, oidc =>
            {
                oidc.Authority = authority;
                oidc.RequireHttpsMetadata = !confederal.MayUseHttp;
                oidc.ClientId = "aes-portal-web";
                oidc.ClientSecret = secret;
                oidc.ResponseType = "code";
                // The code comes back in the address, not in a self-posting form: that form needs an inline script, which the CSP refuses.
                oidc.ResponseMode = "query";
                oidc.UsePkce = true;
                oidc.SignInScheme = AuthenticationExtensions.BrowserScheme;
                oidc.MapInboundClaims = false;
                oidc.GetClaimsFromUserInfoEndpoint = false;
                oidc.Scope.Clear();
                oidc.Scope.Add("openid");
                oidc.Scope.Add("profile");
                oidc.Scope.Add("aes");
                oidc.TokenValidationParameters.NameClaimType = AesClaims.Name;
                oidc.TokenValidationParameters.RoleClaimType = AesClaims.Role;
                oidc.Events.OnTokenValidated = KeepTheAccessToken;
            });
        return builder;
    }

    /// <summary>The grants come with the access token; the cookie lives as long as it does.</summary>
    private static Task KeepTheAccessToken(TokenValidatedContext context)
    {
        if (context.TokenEndpointResponse?.AccessToken is not { } accessToken || context.Principal?.Identity is not ClaimsIdentity identity)
        {
            context.Fail("The issuer gave no access token.");
            return Task.CompletedTask;
        }
        var token = new JsonWebTokenHandler().ReadJsonWebToken(accessToken);
        foreach (var claim in token.Claims.Where(c => c.Type is AesClaims.Role or AesClaims.Grant or AesClaims.State or AesClaims.Agency))
        {
            identity.AddClaim(new Claim(claim.Type, claim.Value));
        }
        identity.AddClaim(new Claim(AccessTokenClaim, accessToken));
        context.Properties!.ExpiresUtc = token.ValidTo;
        context.Properties.IsPersistent = false;
        return Task.CompletedTask;
    }

    public static WebApplication MapBrowserSignIn(this WebApplication app)
    {
        app.MapGet(SignInPath, (string? retour) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = LocalUrls.LocalOrHome(retour) },
            [ChallengeScheme])).AllowAnonymous().ExcludeFromDescription();
        // Ends the issuer's session too: otherwise the next "Se connecter" on a shared computer signs the last person in again.
        app.MapPost("/deconnexion", async (HttpContext context) =>
        {
            await context.SignOutAsync(AuthenticationExtensions.BrowserScheme);
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [ChallengeScheme]);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
