using System.Security.Claims;
using Aes.ServiceDefaults.Identity;
using Aes.ServiceDefaults.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Aes.Portal.Web;

/// <summary>
/// People sign in to the portal at the confederal issuer (code + PKCE, client aes-portal-web), or at their
/// state's own provider where the portal has a client there (<see cref="StateSignIns"/>), and keep a
/// cookie. The cookie carries the access token the issuer gave, so the portal calls the services with
/// the person's own rights, as the REST API and the command line do.
/// </summary>
public static class BrowserSignInExtensions
{
    public const string ChallengeScheme = "aes-browser-oidc";
    public const string AccessTokenClaim = "aes_access_token";
    public const string SignInPath = "/connexion";
    /// <summary>Which provider the person signed in at: sign-out ends that provider's session.</summary>
    public const string SignInSchemeClaim = "aes_signin_scheme";
    public const string IdTokenClaim = "aes_id_token";

    public static IHostApplicationBuilder AddBrowserSignIn(this IHostApplicationBuilder builder)
    {
        var authority = builder.Configuration["Identity:Authority"]
            ?? throw new InvalidOperationException("Identity:Authority (the confederal issuer's address) is not set.");
        var secret = builder.Configuration["Identity:PortalClient:Secret"]
            ?? throw new InvalidOperationException("Identity:PortalClient:Secret (the portal's sign-in client secret at the issuer) is not set.");
        // Identity:Authority comes first among the trusted issuers, with the same rule on http metadata.
        var confederal = TrustedIssuer.From(builder.Configuration)[0];
        var states = StateSignIns.From(builder.Configuration);
        builder.Services.AddSingleton<BrowserSignIn>();
        builder.Services.AddSingleton(states);
        var authentication = builder.Services.AddAuthentication()
            .AddCookie(AuthenticationExtensions.BrowserScheme, cookie =>
            {
                cookie.Cookie.Name = "aes.portal";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                // Secure whenever the browser came over https, which behind the ingress the named proxies tell.
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.AccessDeniedPath = "/acces-refuse";
                if (states.Count == 0)
                {
                    cookie.ForwardChallenge = ChallengeScheme;
                }
                else
                {
                    // With a state's own provider to choose, the person first says where their account is.
                    cookie.LoginPath = SignInPath;
                    cookie.ReturnUrlParameter = "retour";
                }
            })
            .AddOpenIdConnect(ChallengeScheme, oidc =>
            {
                Configure(oidc, authority, confederal.MayUseHttp, "aes-portal-web", secret, ["aes"]);
                oidc.Events.OnTokenValidated = KeepTheAccessToken;
                oidc.Events.OnRedirectToIdentityProviderForSignOut = NameWhoSignsOut;
            });
        foreach (var state in states)
        {
            authentication.AddOpenIdConnect(state.Scheme, oidc =>
            {
                Configure(oidc, state.Issuer.Issuer, state.Issuer.MayUseHttp, state.ClientId, state.ClientSecret, state.Scopes);
                oidc.MetadataAddress = state.Issuer.MetadataAddress;
                oidc.CallbackPath = $"/signin-oidc-{state.Key}";
                oidc.SignedOutCallbackPath = $"/signout-callback-oidc-{state.Key}";
                oidc.Events.OnTokenValidated = context => StateSignIns.BecomeTheLinkedUserAsync(context, state);
                oidc.Events.OnRedirectToIdentityProviderForSignOut = NameWhoSignsOut;
            });
        }
        return builder;
    }

    private static void Configure(OpenIdConnectOptions oidc, string authority, bool mayUseHttp, string clientId, string secret, IEnumerable<string> scopes)
    {
        oidc.Authority = authority;
        oidc.RequireHttpsMetadata = !mayUseHttp;
        oidc.ClientId = clientId;
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
        foreach (var scope in scopes)
        {
            oidc.Scope.Add(scope);
        }
        oidc.TokenValidationParameters.NameClaimType = AesClaims.Name;
        oidc.TokenValidationParameters.RoleClaimType = AesClaims.Role;
    }

    /// <summary>
    /// A provider (Keycloak among them) ends a session only for a client it can tell, and the person by their id_token: the
    /// sign-out names both, the id_token kept from the sign-in.
    /// </summary>
    private static Task NameWhoSignsOut(RedirectContext context)
    {
        context.ProtocolMessage.ClientId = context.Options.ClientId;
        if (context.HttpContext.User.FindFirst(IdTokenClaim)?.Value is { } idToken)
        {
            context.ProtocolMessage.IdTokenHint = idToken;
        }
        return Task.CompletedTask;
    }

    /// <summary>The grants come with the access token; the cookie lives as long as it does.</summary>
    internal static Task KeepTheAccessToken(TokenValidatedContext context)
    {
        if (context.TokenEndpointResponse?.AccessToken is not { } accessToken || context.Principal?.Identity is not ClaimsIdentity identity)
        {
            context.Fail("The issuer gave no access token.");
            return Task.CompletedTask;
        }
        identity.AddClaim(new Claim(SignInSchemeClaim, context.Scheme.Name));
        // The pages decide on what the services decide on, the access token: whatever roles the id_token claims are dropped.
        foreach (var claimed in identity.FindAll(c => c.Type is AesClaims.Role or AesClaims.Grant or AesClaims.State or AesClaims.Agency).ToList())
        {
            identity.RemoveClaim(claimed);
        }
        var token = new JsonWebTokenHandler().ReadJsonWebToken(accessToken);
        foreach (var claim in token.Claims.Where(c => c.Type is AesClaims.Role or AesClaims.Grant or AesClaims.State or AesClaims.Agency))
        {
            identity.AddClaim(new Claim(claim.Type, claim.Value));
        }
        identity.AddClaim(new Claim(AccessTokenClaim, accessToken));
        // The provider ends the session of the person it signed in: a sign-out names them with their id_token.
        if (context.TokenEndpointResponse.IdToken is { Length: > 0 } idToken)
        {
            identity.AddClaim(new Claim(IdTokenClaim, idToken));
        }
        context.Properties!.ExpiresUtc = token.ValidTo;
        context.Properties.IsPersistent = false;
        return Task.CompletedTask;
    }

    public static WebApplication MapBrowserSignIn(this WebApplication app)
    {
        // etat=AES (or none, when no state's provider is offered) signs in at the confederal issuer; etat=BF at Burkina's own.
        app.MapGet(SignInPath, (string? retour, string? etat, StateSignIns states) =>
        {
            var back = LocalUrls.LocalOrHome(retour);
            var scheme = etat is null
                ? states.Count == 0 ? ChallengeScheme : null
                : string.Equals(etat, StateSignIns.Confederation, StringComparison.OrdinalIgnoreCase) ? ChallengeScheme : states.For(etat)?.Scheme;
            return scheme is null
                ? Results.Redirect($"{StateSignIns.ChoicePath}?retour={Uri.EscapeDataString(back)}")
                : Results.Challenge(new AuthenticationProperties { RedirectUri = back }, [scheme]);
        }).AllowAnonymous().ExcludeFromDescription();
        // Ends the issuer's session too: otherwise the next "Se connecter" on a shared computer signs the last person in again.
        app.MapPost("/deconnexion", async (HttpContext context, StateSignIns states) =>
        {
            var scheme = context.User.FindFirst(SignInSchemeClaim)?.Value is { } used && states.Any(s => s.Scheme == used) ? used : ChallengeScheme;
            await context.SignOutAsync(AuthenticationExtensions.BrowserScheme);
            if (scheme != ChallengeScheme && !await StateSignIns.EndsSessionsAsync(context, scheme))
            {
                return Results.Redirect("/");
            }
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [scheme]);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
