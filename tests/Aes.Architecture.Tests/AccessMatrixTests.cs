using Aes.ServiceDefaults.Identity;
using Aes.Testing;
using static Aes.AccessMatrix.AccessMatrixDocument;

namespace Aes.Architecture.Tests;

/// <summary>
/// The access matrix (<see cref="Aes.AccessMatrix.AccessMatrixDocument"/>): the test fails when a method has no rule,
/// or when a rule and the reviewed docs/access-matrix.md disagree. It only reads the page; after a deliberate change
/// `dotnet run --project deploy/AccessMatrix` rewrites it, for review in the diff.
/// </summary>
public sealed class AccessMatrixTests
{
    public static TheoryData<string> Services => new(Policies.Select(p => p.Service.Name));

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_method_has_an_access_rule(string service)
    {
        var (descriptor, rules) = Policies.Single(p => p.Service.Name == service);
        Assert.Empty(new AccessPolicy(descriptor, rules).MethodsWithoutRule);
    }

    [Fact]
    public void The_rules_grant_what_the_reviewed_matrix_says()
    {
        var generated = Generate();
        var path = Path.Combine(RepositoryPaths.Root, "docs", "access-matrix.md");
        var reviewed = File.Exists(path) ? File.ReadAllText(path) : "";
        var differences = generated.Split('\n').Zip(reviewed.Split('\n')).Where(pair => pair.First != pair.Second)
            .Select(pair => $"rules:    {pair.First}\nreviewed: {pair.Second}").Take(5).ToList();
        Assert.True(differences.Count == 0 && generated.Length == reviewed.Length,
            "docs/access-matrix.md and the rules disagree (after a deliberate change: dotnet run --project deploy/AccessMatrix):\n" + string.Join("\n", differences));
    }

    [Fact]
    public void An_auditor_never_writes_and_nobody_writes_outside_their_scope()
    {
        foreach (var (service, rules) in Policies)
        {
            foreach (var (method, rule) in rules.Where(r => r.Value.Writes))
            {
                foreach (var (_, scope) in Targets)
                {
                    Assert.False(AccessDecision.Allows([new Grant(AccessDecision.Auditor, null, null)], rule, scope), $"{service.Name}/{method}");
                }
                // Nothing of Burkina's is written by someone from Mali.
                foreach (var (name, grant) in Callers.Where(c => c.Grant.Role != AccessDecision.ConfederalAdministrator))
                {
                    Assert.False(AccessDecision.Allows([grant], rule, new ResourceScope("BF", ForeignAgency)), $"{service.Name}/{method} by {name}");
                }
            }
        }
    }

    [Fact]
    public void A_requester_reaches_what_belongs_to_a_project_only_as_its_member_and_an_administrator_always()
    {
        var stop = Aes.Provisioning.Extensions.ProvisioningAccessRules.Rules["StopVm"];
        var listVms = Aes.Provisioning.Extensions.ProvisioningAccessRules.Rules["ListVms"];
        var vm = new ResourceScope("ML", OwnAgency, Project: OtherProject);
        Grant[] requester = [new Grant(AccessDecision.Requester, "ML", OwnAgency)];
        Grant[] administrator = [new Grant(AccessDecision.AgencyAdministrator, "ML", OwnAgency)];

        Assert.True(stop.WithinProject);
        Assert.False(AccessDecision.Allows(requester, stop, vm, memberOfProject: false));
        Assert.True(AccessDecision.Allows(requester, stop, vm, memberOfProject: true));
        Assert.True(AccessDecision.Allows(administrator, stop, vm, memberOfProject: false));
        // Membership never widens a requester's reach beyond their agency.
        Assert.False(AccessDecision.Allows(requester, stop, new ResourceScope("ML", SisterAgency, Project: OtherProject), memberOfProject: true));
        // Agency-wide lists let the requester in; the method then keeps only their projects' requests and VMs.
        Assert.False(listVms.WithinProject);
        Assert.True(AccessDecision.Allows(requester, listVms, new ResourceScope("ML", OwnAgency), memberOfProject: false));
        Assert.False(ProjectVisibility.SeesWholeAgency(requester, "ML", OwnAgency));
        Assert.True(ProjectVisibility.SeesWholeAgency(administrator, "ML", OwnAgency));
        Assert.False(ProjectVisibility.SeesWholeAgency([new Grant(AccessDecision.AgencyAdministrator, "ML", SisterAgency)], "ML", OwnAgency));
        Assert.True(ProjectVisibility.SeesWholeAgency([new Grant(AccessDecision.Auditor, "ML", null)], "ML", OwnAgency));
        Assert.False(ProjectVisibility.SeesWholeAgency([new Grant(AccessDecision.StateOperator, "BF", null)], "ML", OwnAgency));
    }
}
