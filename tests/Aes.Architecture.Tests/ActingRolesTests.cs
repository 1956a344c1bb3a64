using System.Security.Claims;
using Aes.ServiceDefaults.Identity;
using Microsoft.AspNetCore.Http;

namespace Aes.Architecture.Tests;

/// <summary>Which roles a method's own checks read: the token's, unless a service acts for the user it names.</summary>
public sealed class ActingRolesTests
{
    private static readonly Guid User = Guid.Parse("5b1d0c1e-0000-4000-8000-000000000007");

    /// <summary>The call in progress, as ASP.NET Core's accessor gives it (its own keeps one per async flow, for the whole test).</summary>
    private sealed class CurrentCall(HttpContext? context) : IHttpContextAccessor
    {
        public HttpContext? HttpContext { get; set; } = context;
    }

    private static ActingRoles For(params Claim[] claims) =>
        new(new CurrentCall(new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity(claims, "jwt", AesClaims.Name, AesClaims.Role)) }));

    [Fact]
    public void A_users_own_token_gives_its_grants_and_nothing_else()
    {
        var roles = For(new Claim(AesClaims.Subject, User.ToString()), new Claim(AesClaims.Grant, "StateOperator:ML:"), new Claim(AesClaims.Grant, "Superuser::"))
            .FromToken(User);
        Assert.Equal([new Grant(AccessDecision.StateOperator, "ML", null)], roles);
    }

    [Fact]
    public void A_token_of_someone_else_gives_the_named_user_no_role()
    {
        var roles = For(new Claim(AesClaims.Subject, Guid.NewGuid().ToString()), new Claim(AesClaims.Grant, "ConfederalAdministrator::")).FromToken(User);
        Assert.NotNull(roles);
        Assert.Empty(roles);
    }

    [Fact]
    public void Only_a_service_acting_for_a_user_leaves_the_answer_to_the_replicated_roles()
    {
        Assert.Null(For(new Claim(AesClaims.Subject, "aes-provisioning"), new Claim(AesClaims.Role, AesClaims.ServiceRole)).FromToken(User));
        // Outside a call, or with no token, there is no role at all: never the copy's.
        Assert.Empty(new ActingRoles(new CurrentCall(null)).FromToken(User)!);
        Assert.Empty(new ActingRoles(new CurrentCall(new DefaultHttpContext())).FromToken(User)!);
    }

    [Theory]
    [InlineData("state-operator", "ML", null, "StateOperator:ML:")]
    [InlineData("agency-administrator", "ML", "5b1d0c1e-0000-4000-8000-000000000001", "AgencyAdministrator:ML:5b1d0c1e-0000-4000-8000-000000000001")]
    [InlineData("requester", "BF", "5b1d0c1e-0000-4000-8000-000000000001", "Requester:BF:5b1d0c1e-0000-4000-8000-000000000001")]
    [InlineData("confederal-administrator", null, null, "ConfederalAdministrator::")]
    [InlineData("auditor", null, null, "Auditor::")]
    [InlineData("root", "ML", null, null)]
    public void A_replicated_role_reads_as_the_grant_tenancy_would_sign(string role, string? state, string? agency, string? grant) =>
        Assert.Equal(grant, ActingRoles.Replicated(role, state, agency is null ? null : Guid.Parse(agency))?.ToString());
}
