using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Aes.ServiceDefaults.Identity;

/// <summary>
/// Bearer tokens from every trusted issuer: one JWT scheme per issuer, and a policy scheme that picks it
/// from the token's (as yet unchecked) <c>iss</c>. A token from anyone else fails the first scheme's checks.
/// </summary>
public static class AuthenticationExtensions
{
    public const string Scheme = "aes-bearer";

    /// <summary>The scheme that authenticates a request without a bearer token: a browser's sign-in cookie, where the host has one (the portal).</summary>
    public const string BrowserScheme = "aes-browser";

    /// <summary>The audience every AES access token is issued for; a token meant for anything else is not ours to accept.</summary>
    public const string Audience = "aes";

    /// <summary>The JOSE type of an access token (RFC 9068): an id_token, typed <c>JWT</c>, is not a key to the API.</summary>
    public const string AccessTokenType = "at+jwt";

    /// <summary>Asymmetric signatures only: <c>none</c> and the HMAC family (whose "secret" could be a published key) are refused.</summary>
    public static readonly IReadOnlyList<string> AllowedAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>How far two clocks may disagree on a token's lifetime.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static TBuilder AddAesAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var issuers = TrustedIssuer.From(builder.Configuration);
        var authentication = builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "AES bearer tokens", options => options.ForwardDefaultSelector = context => SchemeFor(context, issuers));
        for (var i = 0; i < issuers.Count; i++)
        {
            var issuer = issuers[i];
            authentication.AddJwtBearer(SchemeOf(i), options =>
            {
                options.MetadataAddress = issuer.MetadataAddress;
                // Cleartext only where configuration names the host (loopback, the in-cluster address): TrustedIssuer checked it.
                options.RequireHttpsMetadata = !issuer.MayUseHttp;
                options.MapInboundClaims = false;
                options.RefreshOnIssuerKeyNotFound = true;
                var validation = options.TokenValidationParameters;
                validation.ValidIssuers = [issuer.Issuer, issuer.Issuer.TrimEnd('/')];
                validation.ValidateAudience = true;
                validation.ValidAudiences = [Audience];
                validation.ValidTypes = [AccessTokenType];
                validation.ValidAlgorithms = AllowedAlgorithms;
                validation.RequireSignedTokens = true;
                validation.RequireExpirationTime = true;
                validation.ValidateLifetime = true;
                validation.ClockSkew = ClockSkew;
                // A token names its key: one the issuer does not publish (retired, or never its own) is refused, not tried against the others.
                validation.TryAllIssuerSigningKeys = false;
                validation.NameClaimType = AesClaims.Name;
                validation.RoleClaimType = AesClaims.Role;
                options.Events = new JwtBearerEvents { OnTokenValidated = context => KeepToItsState(context, issuer), OnChallenge = ExplainAsync };
            });
        }
        builder.Services.AddAuthorization();
        return builder;
    }

    private static string SchemeOf(int index) => $"{Scheme}-{index}";

    /// <summary>An HTTP caller (the REST API) gets problem+json in French and English; gRPC keeps its Unauthenticated status.</summary>
    private static async Task ExplainAsync(JwtBearerChallengeContext context)
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            return;
        }
        context.HandleResponse();
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        const string french = "Jeton d'accès absent, expiré, invalide ou d'un émetteur non reconnu.";
        const string english = "The access token is missing, expired, invalid or from an untrusted issuer.";
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            ["title"] = "Non authentifié / Unauthenticated",
            ["status"] = StatusCodes.Status401Unauthorized,
            ["detail"] = $"{french} / {english}",
            ["detailFr"] = french,
            ["detailEn"] = english,
        }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }

    private static readonly JsonWebTokenHandler TokenReader = new();

    private static string SchemeFor(HttpContext context, IReadOnlyList<TrustedIssuer> issuers)
    {
        var header = context.Request.Headers.Authorization.ToString();
        // The REST API stays bearer-only: the relayed token is what the services decide with.
        if (header.Length == 0 && context.RequestServices.GetService<BrowserSignIn>() is not null && !context.Request.Path.StartsWithSegments("/api"))
        {
            return BrowserScheme;
        }
        // With one trusted issuer there is nothing to choose: reading the token here would parse it twice.
        if (issuers.Count > 1 && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            var handler = TokenReader;
            if (handler.CanReadToken(token))
            {
                try
                {
                    var claimed = handler.ReadJsonWebToken(token).Issuer;
                    for (var i = 0; i < issuers.Count; i++)
                    {
                        if (issuers[i].Matches(claimed))
                        {
                            return SchemeOf(i);
                        }
                    }
                }
                catch (ArgumentException)
                {
                    // Not a JWT after all: the first scheme rejects it.
                }
            }
        }
        return SchemeOf(0);
    }

    /// <summary>The roles a state's own provider may give: its state's people, never the confederation's or a service's.</summary>
    public static readonly IReadOnlyList<string> StateRoles =
        [AccessDecision.Requester, AccessDecision.AgencyAdministrator, AccessDecision.StateOperator, AccessDecision.Auditor];

    /// <summary>
    /// A state's own provider speaks for its state's people only: every role is a state role, every grant is well formed
    /// and lies in its state (an agency grant's agency is checked against the service's data when used), only the
    /// confederal issuer names services, and its subject is an AES user only through a link its state's operators made
    /// (<see cref="IExternalIdentityLinks"/>): <c>sub</c> becomes that user. Anything else refuses the whole token.
    /// </summary>
    private static async Task KeepToItsState(TokenValidatedContext context, TrustedIssuer issuer)
    {
        if (issuer.State is not { } state || context.Principal?.Identity is not ClaimsIdentity identity)
        {
            return;
        }
        var strayState = identity.FindAll(AesClaims.State).FirstOrDefault(claim => claim.Value != state);
        var strayRole = identity.FindAll(AesClaims.Role).FirstOrDefault(claim => !StateRoles.Contains(claim.Value));
        var strayGrant = identity.FindAll(AesClaims.Grant).FirstOrDefault(claim => Grant.Parse(claim.Value) is not { } grant || grant.State != state);
        if (strayState is not null)
        {
            context.Fail($"The issuer {issuer.Issuer} is trusted for {state} only, not for {strayState.Value}.");
            return;
        }
        if (strayRole is not null)
        {
            context.Fail($"The issuer {issuer.Issuer} is trusted for {state} only and cannot grant the role {strayRole.Value}.");
            return;
        }
        if (strayGrant is not null)
        {
            context.Fail($"The issuer {issuer.Issuer} is trusted for {state} only: the grant {strayGrant.Value} is not a grant in {state}.");
            return;
        }
        var subject = identity.FindFirst(AesClaims.Subject);
        var links = context.HttpContext.RequestServices.GetService<IExternalIdentityLinks>();
        var linked = subject is null || links is null ? null : await links.FindAsync(issuer.Issuer, subject.Value, context.HttpContext.RequestAborted);
        if (linked is null)
        {
            context.Fail($"The subject {subject?.Value} of {issuer.Issuer} is linked to no AES user.");
            return;
        }
        if (linked.StateCode != state)
        {
            context.Fail($"The subject {subject!.Value} of {issuer.Issuer} is linked to a user of {linked.StateCode}, not of {state}.");
            return;
        }
        identity.RemoveClaim(subject);
        identity.AddClaim(new Claim(AesClaims.Subject, linked.UserId.ToString()));
        identity.AddClaim(new Claim(AesClaims.ExternalSubject, subject!.Value));
        identity.AddClaim(new Claim(AesClaims.IssuerState, state));
    }
}

/// <summary>Registered by a host that signs people in with a cookie under <see cref="AuthenticationExtensions.BrowserScheme"/>.</summary>
public sealed class BrowserSignIn;
