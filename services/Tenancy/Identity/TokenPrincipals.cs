using System.Security.Claims;
using Aes.ServiceDefaults.Identity;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Aes.Tenancy.Identity;

/// <summary>
/// Who a token speaks for, read afresh from tenancy's users at every issue and refresh, so a role removed
/// today is gone from the next token.
/// </summary>
public sealed class TokenPrincipals(TenancyDbContext db)
{
    public async Task<ClaimsPrincipal?> ForUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return null;
        }
        var agencyIds = user.Roles.Where(r => r.AgencyId is not null).Select(r => r.AgencyId!.Value).ToList();
        var agencyStates = await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => a.StateCode, cancellationToken);

        var identity = NewIdentity(user.Id.ToString(), user.UserName);
        identity.AddClaim(new Claim("display_name", user.DisplayName));
        foreach (var role in user.Roles)
        {
            var state = role.StateCode ?? (role.AgencyId is { } agency ? agencyStates.GetValueOrDefault(agency) : null);
            AddDistinct(identity, AesClaims.Role, role.Role.ToString());
            if (state is not null)
            {
                AddDistinct(identity, AesClaims.State, state);
            }
            if (role.AgencyId is { } agencyId)
            {
                AddDistinct(identity, AesClaims.Agency, agencyId.ToString());
            }
            identity.AddClaim(new Claim(AesClaims.Grant, new Grant(role.Role.ToString(), state, role.AgencyId).ToString()));
        }
        return Finish(identity);
    }

    /// <summary>One of the marketplace's own services, acting on its own account.</summary>
    public static ClaimsPrincipal ForService(string clientId)
    {
        var identity = NewIdentity(clientId, clientId);
        identity.AddClaim(new Claim(AesClaims.Role, AesClaims.ServiceRole));
        return Finish(identity);
    }

    private static ClaimsIdentity NewIdentity(string subject, string name)
    {
        var identity = new ClaimsIdentity("aes", AesClaims.Name, AesClaims.Role);
        identity.AddClaim(new Claim(Claims.Subject, subject));
        identity.AddClaim(new Claim(AesClaims.Name, name));
        return identity;
    }

    private static void AddDistinct(ClaimsIdentity identity, string type, string value)
    {
        if (!identity.HasClaim(type, value))
        {
            identity.AddClaim(new Claim(type, value));
        }
    }

    private static ClaimsPrincipal Finish(ClaimsIdentity identity)
    {
        // The access token's audience: the services accept tokens issued for the AES API and nothing else.
        identity.SetResources(AuthenticationExtensions.Audience);
        identity.SetDestinations(claim => claim.Type is AesClaims.Name or "display_name"
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }
}
