using Aes.Messaging;
using Aes.Messaging.Persistence;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Aes.Portal.Data;

/// <summary>
/// The portal's own database. It holds the Data Protection key ring, so that cookies and
/// anti-forgery tokens issued by one replica are read by the others and survive restarts.
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : ServiceDbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Api.IdempotencyRecord> IdempotencyRecords => Set<Api.IdempotencyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Api.IdempotencyRecord>(record =>
        {
            record.ToTable("idempotency_records");
            record.HasKey(r => new { r.UserId, r.Key });
            record.Property(r => r.UserId).HasMaxLength(200);
            record.Property(r => r.Key).HasMaxLength(200);
            record.Property(r => r.Fingerprint).HasMaxLength(64);
            record.Property(r => r.ContentType).HasMaxLength(200);
            record.Property(r => r.Location).HasMaxLength(500);
            record.HasIndex(r => r.CreatedAt);
        });
    }
}

[Aes.Messaging.Persistence.FoldedMigrations("20261203172758_ProjectionRevisions")]
public sealed class PortalPostgresDbContext(DbContextOptions<PortalPostgresDbContext> options) : PortalDbContext(options);

[Aes.Messaging.Persistence.FoldedMigrations("20261203172801_ProjectionRevisions")]
public sealed class PortalSqliteDbContext(DbContextOptions<PortalSqliteDbContext> options) : PortalDbContext(options);

internal sealed class PortalPostgresDesignFactory : PostgresDesignTimeFactory<PortalPostgresDbContext>;

internal sealed class PortalSqliteDesignFactory : SqliteDesignTimeFactory<PortalSqliteDbContext>;
