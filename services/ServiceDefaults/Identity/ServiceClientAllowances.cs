using Microsoft.Extensions.Configuration;

namespace Aes.ServiceDefaults.Identity;

/// <summary>
/// What each service identity (a <c>role=service</c> token, its client id as <c>sub</c>) may call: the methods it needs
/// and no others, by their gRPC path. A service passes the per-user rules only on those methods, and names the user it
/// acts for only there; any other method, and any service identity not listed, is refused. The marketplace's own
/// clients are listed here, in code, reviewed with the access matrix; configuration may list others
/// (<c>Identity:ServiceClientMethods:&lt;client id&gt;:&lt;n&gt;</c>, a method path, or <c>*</c> for a test harness).
/// </summary>
public sealed class ServiceClientAllowances
{
    public const string Section = "Identity:ServiceClientMethods";
    public const string Everything = "*";

    /// <summary>
    /// Provisioning asks quota for candidates (and, for a campaign's plan, everything free at once) and holds, commits, resizes and releases its claims, and reads its pools (which
    /// facilities hold a GPU class, to offer GPU flavours only there); nothing else.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Marketplace = new Dictionary<string, IReadOnlyList<string>>
    {
        ["aes-provisioning"] =
        [
            "/aes.quota.v1.QuotaService/ListCandidates", "/aes.quota.v1.QuotaService/GetPlanningCapacity", "/aes.quota.v1.QuotaService/Hold", "/aes.quota.v1.QuotaService/Commit",
            "/aes.quota.v1.QuotaService/Resize", "/aes.quota.v1.QuotaService/Release", "/aes.quota.v1.QuotaService/ListPools",
        ],
    };

    private readonly Dictionary<string, HashSet<string>> _methods;

    public ServiceClientAllowances(IConfiguration configuration)
    {
        _methods = Marketplace.ToDictionary(entry => entry.Key, entry => entry.Value.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var client in configuration.GetSection(Section).GetChildren())
        {
            var methods = client.GetChildren().Select(method => method.Value).OfType<string>().Where(method => method.Length > 0).ToList();
            if (methods.Any(method => method != Everything && !method.StartsWith('/')))
            {
                throw new InvalidOperationException($"{Section}:{client.Key}: each entry is a gRPC method's path (/package.Service/Method) or {Everything}.");
            }
            if (!_methods.TryGetValue(client.Key, out var allowed))
            {
                _methods[client.Key] = allowed = new HashSet<string>(StringComparer.Ordinal);
            }
            allowed.UnionWith(methods);
        }
    }

    public bool Allows(string? client, string method) =>
        client is not null && _methods.TryGetValue(client, out var allowed) && (allowed.Contains(method) || allowed.Contains(Everything));
}
