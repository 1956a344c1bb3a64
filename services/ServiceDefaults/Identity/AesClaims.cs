namespace Aes.ServiceDefaults.Identity;

/// <summary>
/// The claims an access token carries, whoever issued it. A grant is one role with its scope,
/// written <c>role:STATE:agency-id</c> (state and agency empty when the role has no such scope).
/// </summary>
public static class AesClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string State = "aes_state";
    public const string Agency = "aes_agency";
    public const string Grant = "aes_grant";

    /// <summary>Set on the principal by validation: the state the token's issuer is trusted for, if only one.</summary>
    public const string IssuerState = "aes_issuer_state";

    /// <summary>Set on the principal by validation: a state provider's own subject, when <c>sub</c> became the AES user it is linked to.</summary>
    public const string ExternalSubject = "aes_external_sub";

    /// <summary>A service acting on its own account (client credentials of one of the four services).</summary>
    public const string ServiceRole = "service";
}
