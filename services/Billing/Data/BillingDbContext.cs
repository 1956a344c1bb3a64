using Aes.Messaging.Persistence;

namespace Aes.Billing.Data;

/// <summary>Each agency is billed in XOF on one account, opened when tenancy registers the agency.</summary>
public sealed class BillingAccount
{
    public Guid AgencyId { get; init; }
    public required string StateCode { get; init; }
    public required string AgencyName { get; init; }
    public string Currency { get; init; } = "XOF";
    public DateTime OpenedAt { get; init; }
}

public abstract class BillingDbContext(DbContextOptions options) : ServiceDbContext(options)
{
    public DbSet<BillingAccount> Accounts => Set<BillingAccount>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<BillingAccount>(account =>
        {
            account.ToTable("billing_accounts");
            account.HasKey(a => a.AgencyId);
            account.Property(a => a.StateCode).HasMaxLength(2);
            account.Property(a => a.AgencyName).HasMaxLength(200);
            account.Property(a => a.Currency).HasMaxLength(3);
        });
    }
}

public sealed class BillingPostgresDbContext(DbContextOptions<BillingPostgresDbContext> options) : BillingDbContext(options);

public sealed class BillingSqliteDbContext(DbContextOptions<BillingSqliteDbContext> options) : BillingDbContext(options);

internal sealed class BillingPostgresDesignFactory : PostgresDesignTimeFactory<BillingPostgresDbContext>;

internal sealed class BillingSqliteDesignFactory : SqliteDesignTimeFactory<BillingSqliteDbContext>;
