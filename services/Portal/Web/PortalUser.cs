using System.Security.Claims;
using Aes.ServiceDefaults.Identity;

namespace Aes.Portal.Web;

/// <summary>The signed-in person as the pages need them: their name, which agency or state, which roles.</summary>
public sealed record PortalUser(string Name, IReadOnlyList<Grant> Grants)
{
    public static PortalUser Of(ClaimsPrincipal principal) =>
        new(principal.FindFirst(AesClaims.Name)?.Value ?? "", Grant.Of(principal)) { UserId = principal.FindFirst(AesClaims.Subject)?.Value ?? "" };

    /// <summary>The person's id at tenancy (the token's subject).</summary>
    public string UserId { get; init; } = "";

    /// <summary>The agency the person requests for or administers, when they belong to one.</summary>
    public Guid? Agency => Grants.FirstOrDefault(g => g.Agency is not null)?.Agency;

    /// <summary>The person's member state: their agency's, or the one they operate or audit.</summary>
    public string? State => Grants.FirstOrDefault(g => g.State is not null)?.State;

    public bool Is(string role) => Grants.Any(g => g.Role == role);
    public bool IsAgencyMember => Is(AccessDecision.Requester) || Is(AccessDecision.AgencyAdministrator);
    public bool IsAgencyAdministrator => Is(AccessDecision.AgencyAdministrator);
    public bool IsOperator => Is(AccessDecision.StateOperator);
    public bool IsConfederalAdministrator => Is(AccessDecision.ConfederalAdministrator);
    public bool IsAuditor => Is(AccessDecision.Auditor);

    /// <summary>The state the operator acts for (an operator belongs to one state).</summary>
    public string? OperatedState => Grants.FirstOrDefault(g => g.Role == AccessDecision.StateOperator)?.State;
}
