using Aes.Messaging.Persistence;
using Aes.ServiceDefaults.Identity;

namespace Aes.Messaging.Identity;

/// <summary>A state provider's subject and the AES user it is linked to (none once unlinked), as tenancy last announced it.</summary>
public sealed class KnownExternalIdentity
{
    public required string Issuer { get; init; }
    public required string Subject { get; init; }
    public Guid? UserId { get; set; }
    public string? StateCode { get; set; }
    public long Revision { get; set; }
}

/// <summary>
/// A service's copy of tenancy's links from state providers' subjects to AES users, kept from tenancy's
/// <c>ExternalIdentityLinkChanged</c> events, which authentication reads for every token of a state's provider.
/// </summary>
public static class KnownExternalIdentities
{
    public static ModelBuilder KeepsExternalIdentityLinks(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<KnownExternalIdentity>(link =>
        {
            link.ToTable("known_external_identities");
            link.HasKey(l => new { l.Issuer, l.Subject });
            link.Property(l => l.Issuer).HasMaxLength(300);
            link.Property(l => l.Subject).HasMaxLength(255);
            link.Property(l => l.StateCode).HasMaxLength(2);
        });
        return modelBuilder;
    }

    /// <summary>Keeps tenancy's latest word on the subject: an older revision, arriving late, changes nothing.</summary>
    public static async Task RecordAsync(ServiceDbContext db, string issuer, string subject, Guid? userId, string? stateCode, long revision,
        CancellationToken cancellationToken)
    {
        var known = new KnownExternalIdentity { Issuer = issuer, Subject = subject, UserId = userId, StateCode = stateCode, Revision = revision };
        if (!await db.InsertIfAbsentAsync(known, cancellationToken))
        {
            await db.Set<KnownExternalIdentity>().Where(l => l.Issuer == issuer && l.Subject == subject && l.Revision < revision)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.UserId, userId).SetProperty(l => l.StateCode, stateCode)
                    .SetProperty(l => l.Revision, revision), cancellationToken);
        }
    }
}

/// <summary>Resolves a state provider's subject from the service's own copy of the links.</summary>
public sealed class ReplicatedExternalIdentityLinks<TContext>(TContext db) : IExternalIdentityLinks where TContext : ServiceDbContext
{
    public async ValueTask<LinkedUser?> FindAsync(string issuer, string subject, CancellationToken cancellationToken) =>
        await db.Set<KnownExternalIdentity>().AsNoTracking()
            .Where(l => l.Issuer == issuer && l.Subject == subject && l.UserId != null && l.StateCode != null)
            .Select(l => new LinkedUser(l.UserId!.Value, l.StateCode!)).FirstOrDefaultAsync(cancellationToken);
}
