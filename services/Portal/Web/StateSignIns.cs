using System.Collections.ObjectModel;
using System.Security.Claims;
using Aes.ServiceDefaults.Identity;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.Portal.Web;

/// <summary>
/// A state's own identity provider at which the portal signs people in: a trusted issuer for that state
/// (Identity:TrustedIssuers:&lt;key&gt;, as the services trust it) where the portal has a client of its own
/// (PortalClientId, PortalClientSecret, and PortalScopes, "aes" unless told).
/// </summary>
public sealed record StateSignIn(string Key, string StateCode, TrustedIssuer Issuer, string ClientId, string ClientSecret, IReadOnlyList<string> Scopes)
{
    public string Scheme => $"aes-browser-oidc-{Key}";
}

/// <summary>
/// The states whose own provider the portal offers at sign-in, next to the confederal issuer. An account of a
/// state's provider is an AES user only through the link that state's operators made: once the provider has
/// signed the person in, tenancy says which user that is (it checks the token and the link, as every service
/// does), and the portal's cookie names that user; an account linked to nobody is told so, with what to ask for.
/// </summary>
public sealed partial class StateSignIns(IList<StateSignIn> providers) : ReadOnlyCollection<StateSignIn>(providers)
{
    public const string Confederation = "AES";
    public const string ChoicePath = "/connexion/choix";
    public const string NotLinkedPath = "/connexion/compte-non-lie";

    public static StateSignIns From(IConfiguration configuration)
    {
        var trusted = TrustedIssuer.From(configuration);
        var providers = new List<StateSignIn>();
        foreach (var entry in configuration.GetSection("Identity:TrustedIssuers").GetChildren())
        {
            if (entry["PortalClientId"] is not { Length: > 0 } clientId)
            {
                continue;
            }
            var key = entry.Key.ToLowerInvariant();
            if (!key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                throw new InvalidOperationException($"Identity:TrustedIssuers:{entry.Key}: the key names the sign-in's return address, so only letters, digits and '-'.");
            }
            var entryState = string.IsNullOrEmpty(entry["State"]) ? null : entry["State"];
            var issuer = trusted.First(t => t.Matches(entry["Issuer"]!) && t.State == entryState);
            if (issuer.State is not { } state)
            {
                throw new InvalidOperationException(
                    $"Identity:TrustedIssuers:{entry.Key}:PortalClientId is for a state's own provider: set its State (the confederal issuer is Identity:Authority).");
            }
            var secret = entry["PortalClientSecret"] is { Length: > 0 } given ? given
                : throw new InvalidOperationException($"Identity:TrustedIssuers:{entry.Key}:PortalClientSecret (the portal's secret at {state}'s provider) is not set.");
            if (providers.Any(p => p.StateCode == state))
            {
                throw new InvalidOperationException($"Two providers offered for signing in to {state}: the person could not tell which is theirs.");
            }
            var scopes = entry.GetSection("PortalScopes").GetChildren().Select(s => s.Value).OfType<string>().Where(s => s.Length > 0).ToList();
            providers.Add(new StateSignIn(key, state, issuer, clientId, secret, scopes.Count == 0 ? ["aes"] : scopes));
        }
        return new StateSignIns(providers);
    }

    public StateSignIn? For(string stateCode) => this.FirstOrDefault(p => string.Equals(p.StateCode, stateCode, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// After the state's provider signed the person in: the cookie names the AES user tenancy says the account is linked
    /// to (with that user's name), or, for an account linked to nobody or refused, the person is told so and stays out.
    /// </summary>
    internal static async Task BecomeTheLinkedUserAsync(TokenValidatedContext context, StateSignIn provider)
    {
        await BrowserSignInExtensions.KeepTheAccessToken(context);
        if (context.Result is not null || context.Principal?.Identity is not ClaimsIdentity identity)
        {
            return;
        }
        var services = context.HttpContext.RequestServices;
        var subject = identity.FindFirst(AesClaims.Subject)?.Value ?? "";
        var signedIn = context.Principal;
        using var clients = new UserClients(() => Task.FromResult(signedIn), services.GetRequiredService<IConfiguration>(), services.GetRequiredService<SharedGrpcHandler>());
        T.User user;
        try
        {
            user = await (await clients.TenancyAsync()).GetSignedInUserAsync(new T.GetSignedInUserRequest(), cancellationToken: context.HttpContext.RequestAborted);
        }
        catch (RpcException refused) when (refused.StatusCode is StatusCode.Unauthenticated or StatusCode.NotFound or StatusCode.PermissionDenied)
        {
            LogNotLinked(services.GetRequiredService<ILogger<StateSignIns>>(), subject, provider.Issuer.Issuer, provider.StateCode, refused.StatusCode);
            context.HandleResponse();
            context.Response.Redirect($"{NotLinkedPath}?etat={provider.StateCode}&compte={Uri.EscapeDataString(subject)}");
            return;
        }
        catch (RpcException unanswered)
        {
            // Tenancy out of reach: the person is told to try again, not shown an error page.
            LogNotChecked(services.GetRequiredService<ILogger<StateSignIns>>(), unanswered, subject, provider.StateCode);
            context.HandleResponse();
            context.Response.Redirect($"{NotLinkedPath}?etat={provider.StateCode}&indisponible=1");
            return;
        }
        foreach (var claim in identity.FindAll(c => c.Type is AesClaims.Subject or AesClaims.Name).ToList())
        {
            identity.RemoveClaim(claim);
        }
        identity.AddClaim(new Claim(AesClaims.Subject, user.Id));
        identity.AddClaim(new Claim(AesClaims.Name, user.DisplayName));
        identity.AddClaim(new Claim(AesClaims.ExternalSubject, subject));
        identity.AddClaim(new Claim(AesClaims.IssuerState, provider.StateCode));
    }

    /// <summary>Whether the provider publishes where to end its session; one that does not is simply left.</summary>
    internal static async Task<bool> EndsSessionsAsync(HttpContext context, string scheme)
    {
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(scheme);
        try
        {
            var configuration = options.ConfigurationManager is { } manager ? await manager.GetConfigurationAsync(context.RequestAborted) : null;
            return !string.IsNullOrEmpty(configuration?.EndSessionEndpoint);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The account {Subject} signed in at {State}'s provider could not be checked with tenancy: sign-in not completed")]
    private static partial void LogNotChecked(ILogger logger, Exception exception, string subject, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The account {Subject} of {Issuer} signed in for {State} but is not an AES user there ({Status}): sign-in refused")]
    private static partial void LogNotLinked(ILogger logger, string subject, string issuer, string state, StatusCode status);
}
