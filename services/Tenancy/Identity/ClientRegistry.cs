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
