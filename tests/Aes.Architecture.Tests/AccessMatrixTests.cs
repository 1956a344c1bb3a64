using System.Text;
using Aes.ServiceDefaults.Identity;
using Aes.Testing;
using Google.Protobuf.Reflection;

namespace Aes.Architecture.Tests;

/// <summary>
/// The access matrix, generated from the four services' APIs and their rules: every method × every role ×
/// own or other agency and state. docs/access-matrix.md is the reviewed copy; the test fails when a method
/// has no rule, or when a rule and the reviewed matrix disagree. `AES_WRITE_ACCESS_MATRIX=1` rewrites the
/// file after a deliberate change, for review in the diff.
/// </summary>
public sealed class AccessMatrixTests
{
    private static readonly Guid OwnAgency = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid SisterAgency = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid ForeignAgency = Guid.Parse("00000000-0000-0000-0000-00000000000c");
    private static readonly Guid MembersProject = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    private static readonly Guid OtherProject = Guid.Parse("00000000-0000-0000-0000-0000000000a2");

    public static TheoryData<string> Services => new(Policies.Select(p => p.Service.Name));

    private static readonly (ServiceDescriptor Service, IReadOnlyDictionary<string, AccessRule> Rules)[] Policies =
    [
        (Aes.Tenancy.Identity.TenancyAccessRules.Service, Aes.Tenancy.Identity.TenancyAccessRules.Rules),
        (Aes.Quota.Extensions.QuotaAccessRules.Service, Aes.Quota.Extensions.QuotaAccessRules.Rules),
        (Aes.Billing.Extensions.BillingAccessRules.Service, Aes.Billing.Extensions.BillingAccessRules.Rules),
        (Aes.Provisioning.Extensions.ProvisioningAccessRules.Service, Aes.Provisioning.Extensions.ProvisioningAccessRules.Rules),
        // Answered by each of the four services, on its own trail.
        (Aes.Messaging.Audit.AuditTrailAccessRules.Service, Aes.Messaging.Audit.AuditTrailAccessRules.Rules),
    ];

    /// <summary>The callers: one grant each, in Mali (ML), agency "own".</summary>
    private static readonly (string Name, Grant Grant)[] Callers =
    [
        ("requester", new Grant(AccessDecision.Requester, "ML", OwnAgency)),
        ("agency admin", new Grant(AccessDecision.AgencyAdministrator, "ML", OwnAgency)),
        ("state operator", new Grant(AccessDecision.StateOperator, "ML", null)),
        ("state auditor", new Grant(AccessDecision.Auditor, "ML", null)),
        ("confederal auditor", new Grant(AccessDecision.Auditor, null, null)),
        ("confederal admin", new Grant(AccessDecision.ConfederalAdministrator, null, null)),
    ];

    /// <summary>What a request may touch, seen from the callers above; the requester works on <see cref="MembersProject"/> only.</summary>
    private static readonly (string Code, ResourceScope Scope)[] Targets =
    [
        ("P", new ResourceScope("ML", OwnAgency, Project: MembersProject)),   // a project of the caller's agency they work on
        ("A", new ResourceScope("ML", OwnAgency, Project: OtherProject)),     // the caller's own agency (a project they do not work on)
        ("a", new ResourceScope("ML", SisterAgency)),         // another agency of the caller's state
        ("S", new ResourceScope("ML")),                       // the caller's state itself
        ("H", new ResourceScope("NE", ForeignAgency, "ML")),  // a guest's resource hosted in the caller's state
        ("o", new ResourceScope("BF", ForeignAgency)),        // another state's agency
        ("O", new ResourceScope("BF")),                       // another state
        ("C", ResourceScope.Confederation),                   // the confederation as a whole
    ];

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
        if (Environment.GetEnvironmentVariable("AES_WRITE_ACCESS_MATRIX") == "1")
        {
            File.WriteAllText(path, generated);
        }
        var reviewed = File.Exists(path) ? File.ReadAllText(path) : "";
        var differences = generated.Split('\n').Zip(reviewed.Split('\n')).Where(pair => pair.First != pair.Second)
            .Select(pair => $"rules:    {pair.First}\nreviewed: {pair.Second}").Take(5).ToList();
        Assert.True(differences.Count == 0 && generated.Length == reviewed.Length,
            "docs/access-matrix.md and the rules disagree:\n" + string.Join("\n", differences));
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

    private static string Generate()
    {
        var text = new StringBuilder();
        text.Append("""
            # Matrice d'accès — Access matrix

            Generated from the services' gRPC APIs and their access rules, and checked by
            `tests/Aes.Architecture.Tests/AccessMatrixTests.cs`: a method without a rule, or a rule that
            differs from this page, fails the build. Every method checks it before it runs; a refusal is
            `PermissionDenied` with a French and English message. The marketplace's own services (client
            credentials) pass, and the method checks the user they name.

            Each cell lists what a caller with that single role, in Mali (ML), may reach:
            `P` a project of its own agency it works on (a request, a VM, a project's firewall), `A` its own agency
            (for what belongs to a project: one it does not work on), `a` another agency of its state, `S` its state, `H` a guest's request, VM or
            agreement hosted in its state, `o` another state's agency, `O` another state, `C` the
            confederation as a whole; `*` anything (reference data); `–` nothing. *(w)* marks a method that changes something.

            """);
        foreach (var (service, rules) in Policies)
        {
            text.Append($"\n## {service.FullName}\n\n| method | {string.Join(" | ", Callers.Select(c => c.Name))} |\n|---|{string.Concat(Callers.Select(_ => "---|"))}\n");
            foreach (var method in service.Methods)
            {
                var rule = rules[method.Name];
                var cells = Callers.Select(caller => rule.Who.HasFlag(Allowed.Everyone)
                    ? "*"
                    : string.Concat(Targets.Where(t => AccessDecision.Allows([caller.Grant], rule, t.Scope, t.Scope.Project == MembersProject))
                        .Select(t => t.Code)) is { Length: > 0 } codes ? codes : "–");
                text.Append($"| {method.Name}{(rule.Writes ? " *(w)*" : "")} | {string.Join(" | ", cells)} |\n");
            }
        }
        return text.ToString().Replace("\r\n", "\n");
    }
}
