using Aes.Messaging.Persistence;

namespace Aes.Provisioning.Data;

/// <summary>A federation agreement in force, kept from tenancy's events; placement reads these.</summary>
public sealed class AgreementInForce
{
    public Guid AgreementId { get; init; }
    public required string HostStateCode { get; init; }
    public Guid FacilityId { get; init; }
    public required string GuestStateCode { get; init; }
    public required string AllowedClassifications { get; init; }
    public DateTime StartsAt { get; init; }
    public DateTime EndsAt { get; init; }
}

/// <summary>An agreement that ended, remembered so that a late activation cannot bring it back.</summary>
public sealed class EndedAgreement
{
    public Guid AgreementId { get; init; }
    public DateTime EndedAt { get; init; }
}

public abstract class ProvisioningDbContext(DbContextOptions options) : ServiceDbContext(options)
{
    public DbSet<AgreementInForce> AgreementsInForce => Set<AgreementInForce>();
    public DbSet<EndedAgreement> EndedAgreements => Set<EndedAgreement>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<AgreementInForce>(agreement =>
        {
            agreement.ToTable("agreements_in_force");
            agreement.HasKey(a => a.AgreementId);
            agreement.Property(a => a.HostStateCode).HasMaxLength(2);
            agreement.Property(a => a.GuestStateCode).HasMaxLength(2);
            agreement.Property(a => a.AllowedClassifications).HasMaxLength(100);
            agreement.HasIndex(a => a.GuestStateCode);
        });
        modelBuilder.Entity<EndedAgreement>(ended =>
        {
            ended.ToTable("ended_agreements");
            ended.HasKey(a => a.AgreementId);
        });
    }
}

public sealed class ProvisioningPostgresDbContext(DbContextOptions<ProvisioningPostgresDbContext> options) : ProvisioningDbContext(options);

public sealed class ProvisioningSqliteDbContext(DbContextOptions<ProvisioningSqliteDbContext> options) : ProvisioningDbContext(options);

internal sealed class ProvisioningPostgresDesignFactory : PostgresDesignTimeFactory<ProvisioningPostgresDbContext>;

internal sealed class ProvisioningSqliteDesignFactory : SqliteDesignTimeFactory<ProvisioningSqliteDbContext>;
