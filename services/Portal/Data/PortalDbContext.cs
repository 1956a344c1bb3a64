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
}

public sealed class PortalPostgresDbContext(DbContextOptions<PortalPostgresDbContext> options) : PortalDbContext(options);

public sealed class PortalSqliteDbContext(DbContextOptions<PortalSqliteDbContext> options) : PortalDbContext(options);

internal sealed class PortalPostgresDesignFactory : PostgresDesignTimeFactory<PortalPostgresDbContext>;

internal sealed class PortalSqliteDesignFactory : SqliteDesignTimeFactory<PortalSqliteDbContext>;
