using Aes.Messaging.Persistence;

namespace Aes.Quota.Data;

/// <summary>A facility as the quota service knows it from tenancy's events.</summary>
public sealed class KnownFacility
{
    public Guid FacilityId { get; init; }
    public required string Code { get; init; }
    public required string StateCode { get; init; }
    public required string Status { get; set; }
}

public abstract class QuotaDbContext(DbContextOptions options) : ServiceDbContext(options)
{
    public DbSet<KnownFacility> Facilities => Set<KnownFacility>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<KnownFacility>(facility =>
        {
            facility.ToTable("known_facilities");
            facility.HasKey(f => f.FacilityId);
            facility.Property(f => f.Code).HasMaxLength(32);
            facility.Property(f => f.StateCode).HasMaxLength(2);
            facility.Property(f => f.Status).HasMaxLength(16);
        });
    }
}

public sealed class QuotaPostgresDbContext(DbContextOptions<QuotaPostgresDbContext> options) : QuotaDbContext(options);

public sealed class QuotaSqliteDbContext(DbContextOptions<QuotaSqliteDbContext> options) : QuotaDbContext(options);

internal sealed class QuotaPostgresDesignFactory : PostgresDesignTimeFactory<QuotaPostgresDbContext>;

internal sealed class QuotaSqliteDesignFactory : SqliteDesignTimeFactory<QuotaSqliteDbContext>;
