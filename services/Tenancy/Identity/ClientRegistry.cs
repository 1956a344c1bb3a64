using System.Text.Json;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Aes.Tenancy.Identity;

/// <summary>
/// The clients the issuer knows: the command line (public, code + PKCE), and each marketplace service
/// (confidential, client credentials) whose secret comes from Identity:ServiceClients:&lt;client id&gt;.
/// Run at every start, so a rotated secret takes effect on the next one.
/// </summary>
public sealed class ClientRegistry(IOpenIddictApplicationManager applications, IConfiguration configuration)
{
    public const string CommandLineClient = "aes-cli";
    /// <summary>The portal's sign-in for people (code + PKCE, confidential): not its service identity, aes-portal.</summary>
    public const string PortalWebClient = "aes-portal-web";
    /// <summary>The loopback address the command line listens on for the code (RFC 8252).</summary>
    public const string CommandLineRedirect = "http://127.0.0.1:7890/callback";
    public const string ServiceProperty = "aes_service";
    public const string UserProperty = "aes_user";
    public const string ApiScope = "aes";

    public async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var commandLine = new OpenIddictApplicationDescriptor
        {
            ClientId = CommandLineClient,
            ClientType = ClientTypes.Public,
            DisplayName = "aes (ligne de commande / command line)",
            RedirectUris = { new Uri(CommandLineRedirect) },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code, Permissions.Prefixes.Scope + ApiScope, Permissions.Prefixes.Scope + Scopes.OfflineAccess,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        await UpsertAsync(commandLine, cancellationToken);

        if (configuration["Identity:PortalClient:Secret"] is { Length: > 0 } portalSecret)
        {
            var redirect = configuration["Identity:PortalClient:RedirectUri"]
                ?? throw new InvalidOperationException("Identity:PortalClient:RedirectUri (the portal's /signin-oidc address) is not set.");
            var portal = new OpenIddictApplicationDescriptor
            {
                ClientId = PortalWebClient,
                ClientSecret = portalSecret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Portail / portal",
                RedirectUris = { new Uri(redirect) },
                // The portal's sign-out ends the session here, then comes back to ASP.NET's default signed-out callback.
                PostLogoutRedirectUris = { new Uri(new Uri(redirect), "/signout-callback-oidc") },
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                    Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                    Permissions.Scopes.Profile, Permissions.Prefixes.Scope + ApiScope,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            await UpsertAsync(portal, cancellationToken);
        }

        foreach (var service in configuration.GetSection("Identity:ServiceClients").GetChildren())
        {
            if (string.IsNullOrEmpty(service.Value))
            {
                continue;
            }
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = service.Key,
                ClientSecret = service.Value,
                ClientType = ClientTypes.Confidential,
                DisplayName = $"Service {service.Key}",
                Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
            };
            descriptor.Properties[ServiceProperty] = JsonSerializer.SerializeToElement(true);
            await UpsertAsync(descriptor, cancellationToken);
        }
    }

    private async Task UpsertAsync(OpenIddictApplicationDescriptor descriptor, CancellationToken cancellationToken)
    {
        if (await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken) is { } existing)
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
        else
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
    }
}
