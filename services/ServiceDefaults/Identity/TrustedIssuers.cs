using Microsoft.Extensions.Configuration;

namespace Aes.ServiceDefaults.Identity;

/// <summary>
/// An identity provider whose tokens this service accepts. The confederal one (tenancy's) speaks for every
/// state; a state that runs its own is trusted for that state only.
/// </summary>
public sealed record TrustedIssuer(string Issuer, string? State, string MetadataAddress)
{
    public bool Matches(string issuer) =>
        string.Equals(issuer.TrimEnd('/'), Issuer.TrimEnd('/'), StringComparison.Ordinal);

    /// <summary>
    /// Identity:Authority is the confederal issuer; Identity:TrustedIssuers:N:{Issuer,State,MetadataAddress} adds
    /// more. Every service needs at least one: without it nothing could be authorised, so start-up fails.
    /// </summary>
    public static IReadOnlyList<TrustedIssuer> From(IConfiguration configuration)
    {
        var issuers = new List<TrustedIssuer>();
        if (configuration["Identity:Authority"] is { Length: > 0 } authority)
        {
            issuers.Add(Create(authority, null, null));
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
            issuers.Add(Create(issuer, string.IsNullOrEmpty(state) ? null : state, entry["MetadataAddress"]));
        }
        if (issuers.Count == 0)
        {
            throw new InvalidOperationException(
                "No identity provider is trusted: set Identity:Authority (the confederal issuer, tenancy's address) or Identity:TrustedIssuers.");
        }
        return issuers;
    }

    private static TrustedIssuer Create(string issuer, string? state, string? metadataAddress)
    {
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"The trusted issuer '{issuer}' is not an absolute http(s) address.");
        }
        var normalised = issuer.TrimEnd('/') + "/";
        return new TrustedIssuer(normalised, state, metadataAddress ?? normalised + ".well-known/openid-configuration");
    }
}
