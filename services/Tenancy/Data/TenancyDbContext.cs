using Aes.Messaging.Persistence;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Aes.Tenancy.Data;

public abstract class TenancyDbContext(DbContextOptions options) : ServiceDbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<MemberState> MemberStates => Set<MemberState>();
    public DbSet<ResourceClass> ResourceClasses => Set<ResourceClass>();
    public DbSet<Facility> Facilities => Set<Facility>();
    public DbSet<Agency> Agencies => Set<Agency>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ProjectMembership> ProjectMemberships => Set<ProjectMembership>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Aes.Tenancy.Application.ExternalIdentityLink> ExternalIdentityLinks => Set<Aes.Tenancy.Application.ExternalIdentityLink>();
    public DbSet<Agreement> Agreements => Set<Agreement>();
    public DbSet<Aes.Tenancy.Identity.IdentityKey> IdentityKeys => Set<Aes.Tenancy.Identity.IdentityKey>();
    public DbSet<Aes.Tenancy.Identity.IssuerKey> IssuerKeys => Set<Aes.Tenancy.Identity.IssuerKey>();
    public DbSet<Aes.Tenancy.Identity.SignInFailure> SignInFailures => Set<Aes.Tenancy.Identity.SignInFailure>();
    public DbSet<Aes.Tenancy.Application.ReferenceAnnouncement> ReferenceAnnouncements => Set<Aes.Tenancy.Application.ReferenceAnnouncement>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.UseOpenIddict();
        modelBuilder.Entity<Aes.Tenancy.Identity.IdentityKey>(key =>
        {
            key.ToTable("identity_keys");
            key.HasKey(k => k.Purpose);
            key.Property(k => k.Purpose).HasMaxLength(32);
        });
        modelBuilder.Entity<Aes.Tenancy.Identity.IssuerKey>(key =>
        {
            key.ToTable("issuer_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(64);
            key.Property(k => k.Purpose).HasMaxLength(32);
            key.HasIndex(k => new { k.Purpose, k.Generation }).IsUnique();
        });

        modelBuilder.Entity<Aes.Tenancy.Application.ReferenceAnnouncement>(announcement =>
        {
            announcement.ToTable("reference_announcements");
            announcement.HasKey(a => a.Generation);
            announcement.Property(a => a.Generation).ValueGeneratedNever();
        });
        modelBuilder.Entity<MemberState>(state =>
        {
            state.HasKey(s => s.Code);
            state.Property(s => s.Code).HasMaxLength(2);
            state.Property(s => s.NameFr).HasMaxLength(100);
            state.Property(s => s.NameEn).HasMaxLength(100);
            state.Property(s => s.TimeZone).HasMaxLength(64);
            state.Property(s => s.Currency).HasMaxLength(3);
        });

        modelBuilder.Entity<ResourceClass>(resourceClass =>
        {
            resourceClass.ToTable("resource_classes");
            resourceClass.HasKey(c => c.Code);
            resourceClass.Property(c => c.Code).HasMaxLength(40);
            resourceClass.Property(c => c.Unit).HasMaxLength(16);
            resourceClass.Property(c => c.NameFr).HasMaxLength(100);
            resourceClass.Property(c => c.NameEn).HasMaxLength(100);
            resourceClass.Property(c => c.Metering).HasConversion<string>().HasMaxLength(16);
            resourceClass.Property(c => c.Consumption).HasConversion<string>().HasMaxLength(16);
            resourceClass.Property(c => c.DefinedByStateCode).HasMaxLength(2);
            resourceClass.HasIndex(c => new { c.Rank, c.Code });
            resourceClass.HasOne<MemberState>().WithMany().HasForeignKey(c => c.DefinedByStateCode);
            // The standard classes come with the schema, so every database, new or carried, has them before anything refers to them.
            resourceClass.HasData(ResourceClass.Standard(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        });

        modelBuilder.Entity<Facility>(facility =>
        {
            facility.HasIndex(f => f.Code).IsUnique();
            facility.Property(f => f.Code).HasMaxLength(32);
            facility.Property(f => f.StateCode).HasMaxLength(2);
            facility.Property(f => f.Name).HasMaxLength(200);
            facility.Property(f => f.City).HasMaxLength(200);
            facility.Property(f => f.TimeZone).HasMaxLength(64);
            facility.Property(f => f.TargetAvailabilityPercent).HasPrecision(6, 3);
            facility.Property(f => f.Status).HasConversion<string>().HasMaxLength(16);
            facility.Property(f => f.InstalledCapacity).ByClass();
            facility.Property(f => f.Version).IsConcurrencyToken();
            facility.HasOne<MemberState>().WithMany().HasForeignKey(f => f.StateCode);
        });

        modelBuilder.Entity<Agency>(agency =>
        {
            agency.HasIndex(a => new { a.StateCode, a.Code }).IsUnique();
            agency.Property(a => a.Code).HasMaxLength(20);
            agency.Property(a => a.StateCode).HasMaxLength(2);
            agency.Property(a => a.Name).HasMaxLength(200);
            agency.HasOne<MemberState>().WithMany().HasForeignKey(a => a.StateCode);
        });

        modelBuilder.Entity<Project>(project =>
        {
            project.HasIndex(p => new { p.AgencyId, p.Name }).IsUnique();
            project.Property(p => p.Name).HasMaxLength(200);
            project.Property(p => p.Description).HasMaxLength(2000);
            project.HasOne<Agency>().WithMany().HasForeignKey(p => p.AgencyId);
        });

        modelBuilder.Entity<Aes.Tenancy.Identity.SignInFailure>(failure =>
        {
            failure.ToTable("sign_in_failures");
            failure.Property(f => f.Key).HasMaxLength(200);
            failure.HasIndex(f => new { f.Key, f.At });
            failure.HasIndex(f => f.At);
        });

        modelBuilder.Entity<ProjectMembership>(membership =>
        {
            membership.ToTable("project_memberships");
            membership.HasKey(m => new { m.ProjectId, m.UserId });
            membership.HasIndex(m => m.UserId);
            membership.Property(m => m.Revision).IsConcurrencyToken();
            membership.HasOne<Project>().WithMany().HasForeignKey(m => m.ProjectId);
            membership.HasOne<User>().WithMany().HasForeignKey(m => m.UserId);
        });

        modelBuilder.Entity<User>(user =>
        {
            user.HasIndex(u => u.UserName).IsUnique();
            user.Property(u => u.UserName).HasMaxLength(100);
            user.Property(u => u.DisplayName).HasMaxLength(200);
            user.Property(u => u.Email).HasMaxLength(254);
            user.Property(u => u.PasswordHash).HasMaxLength(500);
            user.Property(u => u.Version).IsConcurrencyToken();
            user.OwnsMany(u => u.Roles, role =>
            {
                role.ToTable("role_assignments");
                role.WithOwner().HasForeignKey("UserId");
                role.Property<int>("Id");
                role.HasKey("Id");
                role.Property(r => r.Role).HasConversion<string>().HasMaxLength(32);
                role.Property(r => r.StateCode).HasMaxLength(2);
            });
        });

        modelBuilder.Entity<Aes.Tenancy.Application.ExternalIdentityLink>(link =>
        {
            link.ToTable("external_identity_links");
            link.HasKey(l => new { l.Issuer, l.Subject });
            link.Property(l => l.Issuer).HasMaxLength(300);
            link.Property(l => l.Subject).HasMaxLength(255);
            link.Property(l => l.StateCode).HasMaxLength(2);
            link.Property(l => l.Revision).IsConcurrencyToken();
            link.HasIndex(l => l.UserId);
        });

        modelBuilder.Entity<Agreement>(agreement =>
        {
            agreement.HasIndex(a => a.Reference).IsUnique();
            agreement.HasIndex(a => new { a.FacilityId, a.Status });
            agreement.Property(a => a.Reference).HasMaxLength(64);
            agreement.Property(a => a.HostStateCode).HasMaxLength(2);
            agreement.Property(a => a.GuestStateCode).HasMaxLength(2);
            agreement.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
            agreement.Property(a => a.TerminationReason).HasMaxLength(1000);
            agreement.Property(a => a.Slice).ByClass();
            agreement.ComplexProperty(a => a.PriceTerms, terms => terms.Property(t => t.UnitPricesXof).ByClass());
            agreement.Property(a => a.AllowedClassifications)
                .HasConversion(
                    list => string.Join(',', list.Select(c => c.ToString())),
                    text => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<DataClassification>).ToList(),
                    new Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<DataClassification>>(
                        (left, right) => left!.SequenceEqual(right!),
                        list => list.Aggregate(0, (hash, item) => HashCode.Combine(hash, item)),
                        list => list.ToList()))
                .HasMaxLength(100);
            agreement.Property(a => a.Version).IsConcurrencyToken();
            agreement.HasOne<Facility>().WithMany().HasForeignKey(a => a.FacilityId);
        });
    }
}

[Aes.Messaging.Persistence.FoldedMigrations("20261203172721_ProjectionRevisions")]
public sealed class TenancyPostgresDbContext(DbContextOptions<TenancyPostgresDbContext> options) : TenancyDbContext(options);

[Aes.Messaging.Persistence.FoldedMigrations("20261203172726_ProjectionRevisions")]
public sealed class TenancySqliteDbContext(DbContextOptions<TenancySqliteDbContext> options) : TenancyDbContext(options);

internal sealed class TenancyPostgresDesignFactory : Aes.Messaging.Persistence.PostgresDesignTimeFactory<TenancyPostgresDbContext>;

internal sealed class TenancySqliteDesignFactory : Aes.Messaging.Persistence.SqliteDesignTimeFactory<TenancySqliteDbContext>;
