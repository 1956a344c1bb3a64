namespace Aes.ServiceDefaults.Identity;

/// <summary>The AES user a state provider's subject is linked to, and that user's state.</summary>
public sealed record LinkedUser(Guid UserId, string StateCode);

/// <summary>
/// The links from a state identity provider's subjects to AES users, which that state's operators manage in tenancy. A
/// service that trusts a state's provider resolves every token of it here: an unlinked subject is nobody.
/// </summary>
public interface IExternalIdentityLinks
{
    ValueTask<LinkedUser?> FindAsync(string issuer, string subject, CancellationToken cancellationToken);
}
