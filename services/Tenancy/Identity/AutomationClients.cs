using System.Security.Cryptography;
using System.Text.Json;
using Aes.ServiceDefaults.Errors;
using Aes.Tenancy.Application;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Identity;

/// <summary>
/// Clients for automation: a service account (a user with one role, announced like any other so every
/// service knows it) and a confidential client whose client-credentials tokens speak for it. The secret
/// is shown once; the issuer keeps only its hash.
/// </summary>
public sealed class AutomationClients(TenancyDbContext db, TenancyOperations operations, IOpenIddictApplicationManager applications)
{
    public async Task<V1.AutomationClient> CreateAsync(V1.CreateAutomationClientRequest request, CancellationToken cancellationToken)
    {
        var displayName = Validate.Name(request.DisplayName, "display_name");
        if (request.Assignment is null)
        {
            throw new InvalidFieldException("assignment", new BilingualMessage("le rôle du client est requis.", "the client's role is required."));
        }
        if (request.Assignment.Role == V1.Role.ConfederalAdministrator)
        {
            throw new InvalidFieldException("assignment.role", new BilingualMessage(
                "un client automatisé ne peut pas administrer la confédération.", "an automation client cannot administer the confederation."));
        }
        var clientId = $"auto-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        // The service account and its client exist together or not at all.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await operations.CreateUserAsync(new V1.CreateUserRequest
        {
            UserName = clientId, DisplayName = displayName, Roles = { request.Assignment },
        }, cancellationToken);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId, ClientSecret = secret, ClientType = ClientTypes.Confidential, DisplayName = displayName,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
        };
        descriptor.Properties[ClientRegistry.UserProperty] = JsonSerializer.SerializeToElement(user.Id.ToString());
        await applications.CreateAsync(descriptor, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new V1.AutomationClient
        {
            ClientId = clientId, ClientSecret = secret, UserId = user.Id.ToString(), DisplayName = displayName, Assignment = request.Assignment,
        };
    }
}
