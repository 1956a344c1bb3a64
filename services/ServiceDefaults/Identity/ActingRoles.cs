using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Aes.ServiceDefaults.Identity;

/// <summary>
/// The roles a call's acting user acts with, for the rules a method applies once it has loaded what it acts on
/// (home or host operator of a request, its submitter or an agency administrator). A user's token carries its
/// grants, and they alone count: the per-method rule and the method read the same roles. Only a service acting
/// for the user it names (the calls <see cref="ServiceClientAllowances"/> grant it) carries none of that user's
/// grants; then, and only then, the service's copy of tenancy's role assignments says what the user may do.
/// </summary>
public sealed class ActingRoles(IHttpContextAccessor http)
{
    /// <summary>
    /// The grants of the call's token for <paramref name="actor"/> (none when the token's subject is someone else),
    /// or null when a service acts for that user and the replicated assignments must answer.
    /// </summary>
    public IReadOnlyList<Grant>? FromToken(Guid actor)
    {
        var caller = http.HttpContext?.User;
        if (caller?.Identity?.IsAuthenticated == true && caller.IsInRole(AesClaims.ServiceRole))
        {
            return null;
        }
        // Anyone else, and anything outside a call, acts with what its token says: no token, no role.
        return caller is not null && ProjectVisibility.UserOf(caller) == actor ? Grant.Of(caller) : [];
    }

    /// <summary>A role assignment as tenancy announces it (<c>state-operator</c>, …), as a grant; null for a role unknown here.</summary>
    public static Grant? Replicated(string role, string? stateCode, Guid? agencyId) => role switch
    {
        "requester" => new Grant(AccessDecision.Requester, stateCode, agencyId),
        "agency-administrator" => new Grant(AccessDecision.AgencyAdministrator, stateCode, agencyId),
        "state-operator" => new Grant(AccessDecision.StateOperator, stateCode, null),
        "confederal-administrator" => new Grant(AccessDecision.ConfederalAdministrator, null, null),
        "auditor" => new Grant(AccessDecision.Auditor, stateCode, null),
        _ => null,
    };
}

public static class ActingRolesExtensions
{
    /// <summary>What a service's own access checks need (<see cref="ActingRoles"/>); safe to call more than once.</summary>
    public static IServiceCollection AddActingRoles(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.TryAddSingleton<ActingRoles>();
        return services;
    }
}
