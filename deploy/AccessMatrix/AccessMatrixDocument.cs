using System.Text;
using Aes.ServiceDefaults.Identity;
using Google.Protobuf.Reflection;

namespace Aes.AccessMatrix;

/// <summary>
/// The access matrix, generated from the four services' APIs and their rules: every method × every role ×
/// own or other agency and state. docs/access-matrix.md is the reviewed copy, which this project's command
/// rewrites after a deliberate change and the architecture tests compare with the rules.
/// </summary>
public static class AccessMatrixDocument
{
    public static readonly Guid OwnAgency = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    public static readonly Guid SisterAgency = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    public static readonly Guid ForeignAgency = Guid.Parse("00000000-0000-0000-0000-00000000000c");
    public static readonly Guid MembersProject = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    public static readonly Guid OtherProject = Guid.Parse("00000000-0000-0000-0000-0000000000a2");

    public static readonly (ServiceDescriptor Service, IReadOnlyDictionary<string, AccessRule> Rules)[] Policies =
    [
        (Aes.Tenancy.Identity.TenancyAccessRules.Service, Aes.Tenancy.Identity.TenancyAccessRules.Rules),
        (Aes.Quota.Extensions.QuotaAccessRules.Service, Aes.Quota.Extensions.QuotaAccessRules.Rules),
        (Aes.Billing.Extensions.BillingAccessRules.Service, Aes.Billing.Extensions.BillingAccessRules.Rules),
        (Aes.Provisioning.Extensions.ProvisioningAccessRules.Service, Aes.Provisioning.Extensions.ProvisioningAccessRules.Rules),
        (Aes.Notifications.Extensions.NotificationsAccessRules.Service, Aes.Notifications.Extensions.NotificationsAccessRules.Rules),
        // Answered by each of the four services, on its own trail.
        (Aes.Messaging.Audit.AuditTrailAccessRules.Service, Aes.Messaging.Audit.AuditTrailAccessRules.Rules),
    ];

    /// <summary>The callers: one grant each, in Mali (ML), agency "own".</summary>
    public static readonly (string Name, Grant Grant)[] Callers =
    [
        ("requester", new Grant(AccessDecision.Requester, "ML", OwnAgency)),
        ("agency admin", new Grant(AccessDecision.AgencyAdministrator, "ML", OwnAgency)),
        ("state operator", new Grant(AccessDecision.StateOperator, "ML", null)),
        ("state auditor", new Grant(AccessDecision.Auditor, "ML", null)),
        ("confederal auditor", new Grant(AccessDecision.Auditor, null, null)),
        ("confederal admin", new Grant(AccessDecision.ConfederalAdministrator, null, null)),
    ];

    /// <summary>What a request may touch, seen from the callers above; the requester works on <see cref="MembersProject"/> only.</summary>
    public static readonly (string Code, ResourceScope Scope)[] Targets =
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

    public static string Generate()
    {
        var text = new StringBuilder();
        text.Append("""
            # Matrice d'accès — Access matrix

            Generated from the services' gRPC APIs and their access rules, and checked by
            `tests/Aes.Architecture.Tests/AccessMatrixTests.cs`: a method without a rule, or a rule that
            differs from this page, fails the build (`dotnet run --project deploy/AccessMatrix` rewrites it). Every method checks it before it runs; a refusal is
            `PermissionDenied` with a French and English message. The marketplace's own services (client
            credentials) pass on the methods listed for them, and the method checks the user they name.

            Each cell lists what a caller with that single role, in Mali (ML), may reach:
            `P` a project of its own agency it works on (a request, a VM, a project's firewall), `A` its own agency
            (for what belongs to a project: one it does not work on), `a` another agency of its state, `S` its state, `H` a guest's request, VM or
            agreement hosted in its state, `o` another state's agency, `O` another state, `C` the
            confederation as a whole; `*` anything (reference data); `–` nothing. *(w)* marks a method that changes something,
            *(public)* one that answers without a token too (what the portal's home page shows to anyone).

            A service identity (`role=service`, client credentials) passes these rules and may name the user it acts for, so
            each has its own column: `yes` on the methods its work needs, and it is refused every other (`PermissionDenied`).
            The portal has none: it calls with the signed-in person's token, and its public pages with none.

            """);
        foreach (var (service, rules) in Policies)
        {
            var clients = ServiceClientAllowances.Marketplace.Keys.Order().ToList();
            text.Append($"\n## {service.FullName}\n\n| method | {string.Join(" | ", Callers.Select(c => c.Name).Concat(clients.Select(c => $"service {c}")))} |\n"
                + $"|---|{string.Concat(Callers.Select(_ => "---|"))}{string.Concat(clients.Select(_ => "---|"))}\n");
            foreach (var method in service.Methods)
            {
                var rule = rules[method.Name];
                var cells = Callers.Select(caller => rule.Who.HasFlag(Allowed.Everyone)
                    ? "*"
                    : string.Concat(Targets.Where(t => AccessDecision.Allows([caller.Grant], rule, t.Scope, t.Scope.Project == MembersProject))
                        .Select(t => t.Code)) is { Length: > 0 } codes ? codes : "–");
                var forClients = clients.Select(client => ServiceClientAllowances.Marketplace[client].Contains($"/{service.FullName}/{method.Name}") ? "yes" : "–");
                text.Append($"| {method.Name}{(rule.Writes ? " *(w)*" : "")}{(rule.Who.HasFlag(Allowed.Anonymous) ? " *(public)*" : "")} | {string.Join(" | ", cells.Concat(forClients))} |\n");
            }
        }
        return text.ToString().Replace("\r\n", "\n");
    }

    /// <summary>docs/access-matrix.md of the repository that holds <paramref name="start"/> (the folder with AesMarketplace.slnx, upwards).</summary>
    public static string DefaultPath(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "AesMarketplace.slnx")))
            {
                return Path.Combine(folder.FullName, "docs", "access-matrix.md");
            }
        }
        throw new InvalidOperationException($"No AesMarketplace.slnx above {start}: run it from the repository, or name the file to write.");
    }
}
