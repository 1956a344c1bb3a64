using Aes.Messaging.Identity;
using Aes.Messaging.Persistence;

namespace Aes.Quota.Data;

public abstract class QuotaDbContext(DbContextOptions options) : ServiceDbContext(options)
{
    public DbSet<KnownFacility> Facilities => Set<KnownFacility>();
    public DbSet<KnownAgency> Agencies => Set<KnownAgency>();
    public DbSet<KnownRole> Roles => Set<KnownRole>();
    public DbSet<CapacityPool> Pools => Set<CapacityPool>();
    public DbSet<PoolInventory> Inventories => Set<PoolInventory>();
    public DbSet<StateQuotaDefault> StateDefaults => Set<StateQuotaDefault>();
    public DbSet<AgencyAllocation> AgencyAllocations => Set<AgencyAllocation>();
    public DbSet<AgreementSliceInfo> Agreements => Set<AgreementSliceInfo>();
    public DbSet<AgreementSlice> Slices => Set<AgreementSlice>();
    public DbSet<QuotaChangeRequest> QuotaChangeRequests => Set<QuotaChangeRequest>();
    public DbSet<QuotaHistoryEntry> QuotaHistory => Set<QuotaHistoryEntry>();
    public DbSet<Claim> Claims => Set<Claim>();
    public DbSet<KnownResourceClass> ResourceClasses => Set<KnownResourceClass>();

    /// <summary>A class code, as the catalogue writes it (ResourceClasses.CodePattern).</summary>
    private const int ClassLength = 40;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.KeepsExternalIdentityLinks();
        modelBuilder.Entity<KnownFacility>(facility =>
        {
            facility.ToTable("known_facilities");
            facility.HasKey(f => f.FacilityId);
            facility.Property(f => f.Code).HasMaxLength(32);
            facility.Property(f => f.StateCode).HasMaxLength(2);
            facility.Property(f => f.Status).HasMaxLength(16);
        });
        modelBuilder.Entity<KnownAgency>(agency =>
        {
            agency.ToTable("known_agencies");
            agency.HasKey(a => a.AgencyId);
            agency.Property(a => a.StateCode).HasMaxLength(2);
        });
        modelBuilder.Entity<KnownRole>(role =>
        {
            role.ToTable("known_roles");
            role.Property(r => r.Role).HasMaxLength(32);
            role.Property(r => r.StateCode).HasMaxLength(2);
            role.HasIndex(r => r.UserId);
        });
        modelBuilder.Entity<CapacityPool>(pool =>
        {
            pool.ToTable("pools");
            pool.Property(p => p.FacilityCode).HasMaxLength(32);
            pool.Property(p => p.StateCode).HasMaxLength(2);
            pool.Property(p => p.Name).HasMaxLength(64);
            pool.HasIndex(p => new { p.FacilityId, p.Name }).IsUnique();
            pool.HasIndex(p => p.StateCode);
            pool.HasMany(p => p.Inventories).WithOne().HasForeignKey(i => i.PoolId);
        });
        modelBuilder.Entity<PoolInventory>(inventory =>
        {
            inventory.ToTable("pool_inventories");
            inventory.HasKey(i => new { i.PoolId, i.Class });
            inventory.Property(i => i.AllocationRatio).HasPrecision(8, 3);
            inventory.Property(i => i.Class).HasMaxLength(ClassLength);
        });
        modelBuilder.Entity<StateQuotaDefault>(quota =>
        {
            quota.ToTable("state_quota_defaults");
            quota.HasKey(q => new { q.StateCode, q.Class });
            quota.Property(q => q.StateCode).HasMaxLength(2);
            quota.Property(q => q.Class).HasMaxLength(ClassLength);
        });
        modelBuilder.Entity<AgencyAllocation>(allocation =>
        {
            allocation.ToTable("agency_allocations");
            allocation.HasKey(a => new { a.AgencyId, a.Class });
            allocation.Property(a => a.StateCode).HasMaxLength(2);
            allocation.Property(a => a.Class).HasMaxLength(ClassLength);
            allocation.HasIndex(a => new { a.StateCode, a.Class });
        });
        modelBuilder.Entity<AgreementSliceInfo>(agreement =>
        {
            agreement.ToTable("agreements");
            agreement.HasKey(a => a.AgreementId);
            agreement.Property(a => a.HostStateCode).HasMaxLength(2);
            agreement.Property(a => a.GuestStateCode).HasMaxLength(2);
            agreement.HasIndex(a => new { a.GuestStateCode, a.Active });
        });
        modelBuilder.Entity<AgreementSlice>(slice =>
        {
            slice.ToTable("agreement_slices");
            slice.HasKey(s => new { s.AgreementId, s.Class });
            slice.Property(s => s.Class).HasMaxLength(ClassLength);
        });
        modelBuilder.Entity<QuotaChangeRequest>(request =>
        {
            request.ToTable("quota_change_requests");
            request.Property(r => r.StateCode).HasMaxLength(2);
            request.Property(r => r.Class).HasMaxLength(ClassLength);
            request.Property(r => r.Justification).HasMaxLength(2000);
            request.Property(r => r.DecisionReason).HasMaxLength(1000);
            request.Property(r => r.Version).IsConcurrencyToken();
            request.HasIndex(r => new { r.AgencyId, r.Status });
        });
        modelBuilder.Entity<QuotaHistoryEntry>(entry =>
        {
            entry.ToTable("quota_history");
            entry.HasIndex(e => e.AgencyId);
            entry.Property(e => e.Class).HasMaxLength(ClassLength);
        });
        modelBuilder.Entity<Claim>(claim =>
        {
            claim.ToTable("claims");
            claim.HasKey(c => c.ClaimId);
            claim.Property(c => c.Reference).HasMaxLength(200);
            claim.Property(c => c.Reason).HasMaxLength(1000);
            claim.Property(c => c.RefusedClass).HasMaxLength(ClassLength);
            // One value, written and read whole: a claim's amounts never change class by class.
            claim.Property(c => c.Amounts).ByClass();
            claim.HasIndex(c => new { c.Status, c.ExpiresAt });
            claim.HasIndex(c => c.AgencyId);
            claim.HasIndex(c => c.PoolId);
        });
        modelBuilder.Entity<KnownResourceClass>(resourceClass =>
        {
            resourceClass.ToTable("known_resource_classes");
            resourceClass.HasKey(c => c.Code);
            resourceClass.Property(c => c.Code).HasMaxLength(ClassLength);
            resourceClass.Property(c => c.Unit).HasMaxLength(16);
            resourceClass.HasData(Aes.Contracts.ResourceClasses.Standard.Select(c => new KnownResourceClass
            {
                Code = c.Code, Unit = c.Unit, DefinedAt = DateTime.UnixEpoch,
            }));
        });
    }
}

[Aes.Messaging.Persistence.FoldedMigrations("20261203172731_ProjectionRevisions")]
public sealed class QuotaPostgresDbContext(DbContextOptions<QuotaPostgresDbContext> options) : QuotaDbContext(options);

[Aes.Messaging.Persistence.FoldedMigrations("20261203172736_ProjectionRevisions")]
public sealed class QuotaSqliteDbContext(DbContextOptions<QuotaSqliteDbContext> options) : QuotaDbContext(options);

internal sealed class QuotaPostgresDesignFactory : PostgresDesignTimeFactory<QuotaPostgresDbContext>;

internal sealed class QuotaSqliteDesignFactory : SqliteDesignTimeFactory<QuotaSqliteDbContext>;
