using Microsoft.Extensions.Configuration;

namespace Aes.ServiceDefaults.Identity;

/// <summary>
/// An identity provider whose tokens this service accepts. The confederal one (tenancy's) speaks for every
/// state; a state that runs its own is trusted for that state only.
/// </summary>
public sealed record TrustedIssuer(string Issuer, string? State, string MetadataAddress, bool MayUseHttp)
{
    /// <summary>Hosts whose issuer may publish its metadata and keys over http when Identity:HttpMetadataHosts names none.</summary>
    public static readonly IReadOnlyList<string> LoopbackHosts = ["127.0.0.1", "::1", "localhost"];

    public bool Matches(string issuer) =>
        string.Equals(issuer.TrimEnd('/'), Issuer.TrimEnd('/'), StringComparison.Ordinal);

    /// <summary>
    /// Identity:Authority is the confederal issuer; Identity:TrustedIssuers:N:{Issuer,State,MetadataAddress} adds
    /// more. Every service needs at least one: without it nothing could be authorised, so start-up fails.
    /// Every issuer's metadata and keys come over https, except from the hosts Identity:HttpMetadataHosts names
    /// (by default loopback; in a cluster, tenancy's in-cluster name): an issuer reached over http elsewhere stops the start.
    /// </summary>
    public static IReadOnlyList<TrustedIssuer> From(IConfiguration configuration)
    {
        var httpHosts = configuration.GetSection("Identity:HttpMetadataHosts").GetChildren().Select(host => host.Value).OfType<string>()
            .Select(host => host.Trim().Trim('[', ']')).Where(host => host.Length > 0).ToList();
        if (httpHosts.Count == 0)
        {
            httpHosts = [.. LoopbackHosts];
        }
        var issuers = new List<TrustedIssuer>();
        if (configuration["Identity:Authority"] is { Length: > 0 } authority)
        {
            issuers.Add(Create(authority, null, null, httpHosts));
        }
        foreach (var entry in configuration.GetSection("Identity:TrustedIssuers").GetChildren())
        {
            var issuer = entry["Issuer"];
            if (string.IsNullOrWhiteSpace(issuer))
            {
                throw new InvalidOperationException($"Identity:TrustedIssuers:{entry.Key}:Issuer is missing.");
            }
            var state = entry["State"];
            if (state is { Length: > 0 } && (state.Length != 2 || !state.All(char.IsAsciiLetterUpper)))
            {
                throw new InvalidOperationException($"Identity:TrustedIssuers:{entry.Key}:State must be a state code such as BF, not '{state}'.");
            }
            issuers.Add(Create(issuer, string.IsNullOrEmpty(state) ? null : state, entry["MetadataAddress"], httpHosts));
        }
        if (issuers.Count == 0)
        {
            throw new InvalidOperationException(
                "No identity provider is trusted: set Identity:Authority (the confederal issuer, tenancy's address) or Identity:TrustedIssuers.");
        }
        return issuers;
    }

    private static TrustedIssuer Create(string issuer, string? state, string? metadataAddress, IReadOnlyList<string> httpHosts)
    {
        var normalised = issuer.TrimEnd('/') + "/";
        metadataAddress ??= normalised + ".well-known/openid-configuration";
        var mayUseHttp = false;
        foreach (var address in new[] { issuer, metadataAddress })
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException($"The trusted issuer's address '{address}' is not an absolute http(s) address.");
            }
            if (uri.Scheme == "http")
            {
                if (!httpHosts.Contains(uri.Host.Trim('[', ']'), StringComparer.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"The trusted issuer '{issuer}' would publish its keys over http at '{address}': anyone on the way could swap them. "
                        + $"Use https, or name the host '{uri.Host}' in Identity:HttpMetadataHosts if it is loopback or the in-cluster address.");
                }
                mayUseHttp = true;
            }
        }
        return new TrustedIssuer(normalised, state, metadataAddress, mayUseHttp);
    }
}
