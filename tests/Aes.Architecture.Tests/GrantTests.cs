using Aes.ServiceDefaults.Identity;

namespace Aes.Architecture.Tests;

/// <summary>What a grant in a token may say, and how far an agency grant reaches.</summary>
public sealed class GrantTests
{
    private static readonly Guid Agency = Guid.Parse("5b1d0c1e-0000-4000-8000-000000000001");

    [Theory]
    [InlineData("ConfederalAdministrator::", true)]
    [InlineData("Auditor::", true)]
    [InlineData("Auditor:BF:", true)]
    [InlineData("StateOperator:BF:", true)]
    [InlineData("Requester:BF:5b1d0c1e-0000-4000-8000-000000000001", true)]
    [InlineData("AgencyAdministrator:BF:5b1d0c1e-0000-4000-8000-000000000001", true)]
    [InlineData("StateOperator::", false)] // an operator of no state
    [InlineData("ConfederalAdministrator:BF:", false)]
    [InlineData("Requester::5b1d0c1e-0000-4000-8000-000000000001", false)] // an agency with no state
    [InlineData("AgencyAdministrator:BF:", false)] // no agency
    [InlineData("AgencyAdministrator:BF:not-a-guid", false)]
    [InlineData("StateOperator:BF:5b1d0c1e-0000-4000-8000-000000000001", false)]
    [InlineData("Superuser::", false)]
    [InlineData("StateOperator:BF", false)]
    [InlineData("StateOperator:BF::", false)]
    public void Only_a_known_role_with_exactly_the_scope_it_needs_is_a_grant(string claim, bool wellFormed)
    {
        Assert.Equal(wellFormed, Grant.Parse(claim) is not null);
        if (wellFormed)
        {
            Assert.Equal(claim, Grant.Parse(claim)!.ToString());
        }
    }

    [Fact]
    public void An_agency_grant_reaches_its_agency_only_where_the_service_places_that_agency_in_the_grants_state()
    {
        var projects = AccessRule.Read(Allowed.AgencyMembers, Scopes.Confederation);
        Grant[] administrator = [new Grant(AccessDecision.AgencyAdministrator, "BF", Agency)];
        Assert.True(AccessDecision.Allows(administrator, projects, new ResourceScope("BF", Agency)));
        // Same agency id, but the service's data places it in Mali: a grant "in BF" does not reach it.
        Assert.False(AccessDecision.Allows(administrator, projects, new ResourceScope("ML", Agency)));
        Assert.False(AccessDecision.Allows([new Grant(AccessDecision.Requester, "BF", Agency)], projects, new ResourceScope("ML", Agency)));
        Assert.False(ProjectVisibility.SeesWholeAgency(administrator, "ML", Agency));
        Assert.True(ProjectVisibility.SeesWholeAgency(administrator, "BF", Agency));
    }
}
