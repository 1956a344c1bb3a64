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
public sealed class AutomationClients(TenancyDbContext db, TenancyOperations operations, ProjectMemberships memberships, IOpenIddictApplicationManager applications)
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
        var projectIds = await ProjectsOfTheAgencyAsync(request, cancellationToken);
        var clientId = $"auto-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        // The service account and its client exist together or not at all.
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var user = await operations.CreateUserAsync(new V1.CreateUserRequest
        {
            UserName = clientId, DisplayName = displayName, Roles = { request.Assignment },
        }, cancellationToken);
        foreach (var projectId in projectIds)
        {
            await memberships.AddAsync(new V1.AddProjectMemberRequest
            {
                ActorUserId = request.ActorUserId, ProjectId = projectId.ToString(), UserId = user.Id.ToString(),
            }, cancellationToken);
        }
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

    /// <summary>The projects a requester client works on: each one of the agency its role names.</summary>
    private async Task<List<Guid>> ProjectsOfTheAgencyAsync(V1.CreateAutomationClientRequest request, CancellationToken cancellationToken)
    {
        var agencyId = Guid.TryParse(request.Assignment.AgencyId, out var parsed) ? parsed : (Guid?)null;
        var projectIds = new List<Guid>();
        for (var index = 0; index < request.ProjectIds.Count; index++)
        {
            var field = $"project_ids[{index}]";
            var projectId = Validate.Id(request.ProjectIds[index], field);
            if (agencyId is null || !await db.Projects.AnyAsync(p => p.Id == projectId && p.AgencyId == agencyId, cancellationToken))
            {
                throw new InvalidFieldException(field, new BilingualMessage(
                    "n'est pas un projet de l'organisme du client.", "is not a project of the client's agency."));
            }
            projectIds.Add(projectId);
        }
        return projectIds.Distinct().ToList();
    }
}
