using Microsoft.Extensions.Configuration;
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

    /// <summary>
    /// A method answers without a token only when both its endpoint ([AllowAnonymous]) and its rule (<see cref="AccessRule.Public"/>) say
    /// so: one without the other is a method opened by mistake (the interceptor would refuse it, but nobody meant it) or a rule never served.
    /// </summary>
    [Fact]
    public void Only_the_public_reference_methods_answer_without_a_token_and_their_endpoints_and_rules_agree()
    {
        var implementations = new[] { typeof(Aes.Tenancy.Grpc.TenancyGrpcService), typeof(Aes.Provisioning.Grpc.ProvisioningGrpcService),
            typeof(Aes.Quota.Grpc.QuotaGrpcService), typeof(Aes.Billing.Grpc.BillingGrpcService) };
        var anonymousEndpoints = implementations.SelectMany(type => type.GetMethods()
                .Where(m => m.DeclaringType == type && m.GetCustomAttributes(typeof(Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute), true).Length > 0)
                .Select(m => $"{type.BaseType!.DeclaringType!.Name}/{m.Name}"))
            .Order().ToList();
        var publicRules = Policies.SelectMany(p => p.Rules.Where(r => r.Value.Who.HasFlag(Allowed.Anonymous)).Select(r => $"{p.Service.Name}/{r.Key}")).Order().ToList();

        Assert.Equal(publicRules, anonymousEndpoints);
        Assert.Equal(["ProvisioningService/GetFacilityAvailability", "TenancyService/GetFacility", "TenancyService/GetMemberState",
            "TenancyService/ListFacilities", "TenancyService/ListMemberStates"], publicRules);
    }

    [Fact]
    public void A_service_client_reaches_the_existing_methods_listed_for_it_and_nothing_else_provisioning_quotas_claims_only()
    {
        var methods = Policies.SelectMany(p => p.Service.Methods.Select(m => $"/{p.Service.FullName}/{m.Name}")).ToHashSet();
        foreach (var (client, allowed) in ServiceClientAllowances.Marketplace)
        {
            Assert.All(allowed, method => Assert.Contains(method, methods));
        }
        var marketplace = new ServiceClientAllowances(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        Assert.True(marketplace.Allows("aes-provisioning", "/aes.quota.v1.QuotaService/Hold"));
        Assert.False(marketplace.Allows("aes-provisioning", "/aes.billing.v1.BillingService/CloseSettlement"));
        Assert.False(marketplace.Allows("aes-provisioning", "/aes.tenancy.v1.TenancyService/CreateUser"));
        Assert.False(marketplace.Allows("aes-portal", "/aes.tenancy.v1.TenancyService/ListAgencies"));
        Assert.False(marketplace.Allows("aes-test-harness", "/aes.quota.v1.QuotaService/Hold"));
        Assert.False(marketplace.Allows(null, "/aes.quota.v1.QuotaService/Hold"));

        var configured = new ServiceClientAllowances(new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Identity:ServiceClientMethods:aes-test-harness:0"] = "*",
            ["Identity:ServiceClientMethods:aes-provisioning:0"] = "/aes.quota.v1.QuotaService/GetClaim",
        }).Build());
        Assert.True(configured.Allows("aes-test-harness", "/aes.billing.v1.BillingService/CloseSettlement"));
        Assert.True(configured.Allows("aes-provisioning", "/aes.quota.v1.QuotaService/GetClaim"));
        Assert.True(configured.Allows("aes-provisioning", "/aes.quota.v1.QuotaService/Hold"));
        Assert.Throws<InvalidOperationException>(() => new ServiceClientAllowances(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Identity:ServiceClientMethods:x:0"] = "QuotaService/Hold" }).Build()));
    }

    [Fact]
    public void No_deployment_widens_a_service_clients_methods_by_configuration()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "k8s"), "*.yaml", SearchOption.AllDirectories)
            .Append(Path.Combine(RepositoryPaths.Root, "tye.yaml")))
        {
            Assert.DoesNotContain("ServiceClientMethods", File.ReadAllText(file));
        }
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
