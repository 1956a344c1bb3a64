using Aes.Contracts;
using Aes.Messaging.Identity;
using Aes.Provisioning.Domain;
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
    /// <summary>The guest pays the facility's list price, or else these prices.</summary>
    public bool FacilityListPrice { get; init; } = true;
    /// <summary>The fixed price of each class the terms name (a standard class they leave out costs nothing).</summary>
    public ResourceVector UnitPrices { get; init; } = ResourceVector.Zero;
}

/// <summary>A facility's list prices over a period, kept from billing's events; placement ranks by them.</summary>
public sealed class KnownPrice
{
    public Guid CatalogueId { get; init; }
    public Guid FacilityId { get; init; }
    public DateTime From { get; init; }
    public DateTime? Until { get; set; }
    /// <summary>The price of each class the catalogue prices.</summary>
    public ResourceVector UnitPrices { get; init; } = ResourceVector.Zero;
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
    public DbSet<KnownPrice> Prices => Set<KnownPrice>();
    public DbSet<EndedAgreement> EndedAgreements => Set<EndedAgreement>();
    public DbSet<KnownFacility> Facilities => Set<KnownFacility>();
    public DbSet<KnownAgency> Agencies => Set<KnownAgency>();
    public DbSet<KnownProject> Projects => Set<KnownProject>();
    public DbSet<KnownRole> Roles => Set<KnownRole>();
    public DbSet<KnownProjectMember> ProjectMembers => Set<KnownProjectMember>();
    public DbSet<HostingRequest> Requests => Set<HostingRequest>();
    public DbSet<VmRecord> Vms => Set<VmRecord>();
    public DbSet<SshKeyRecord> SshKeys => Set<SshKeyRecord>();
    public DbSet<ProjectFirewall> ProjectFirewalls => Set<ProjectFirewall>();
    public DbSet<SnapshotRecord> Snapshots => Set<SnapshotRecord>();
    public DbSet<AgencySshAccess> AgencySshAccess => Set<AgencySshAccess>();
    public DbSet<FirewallApplication> FirewallApplications => Set<FirewallApplication>();
    public DbSet<PlacementDecisionRecord> Decisions => Set<PlacementDecisionRecord>();
    public DbSet<AutoApprovalPolicy> AutoApprovalPolicies => Set<AutoApprovalPolicy>();
    public DbSet<FacilityConnection> Connections => Set<FacilityConnection>();
    public DbSet<FacilityFlavour> FacilityFlavours => Set<FacilityFlavour>();
    public DbSet<FacilityImage> FacilityImages => Set<FacilityImage>();
    public DbSet<FacilityCatalogueState> CatalogueStates => Set<FacilityCatalogueState>();
    public DbSet<ReconciliationFinding> Findings => Set<ReconciliationFinding>();
    public DbSet<FacilityOutage> Outages => Set<FacilityOutage>();
    public DbSet<FacilityWatch> Watches => Set<FacilityWatch>();
    public DbSet<KnownResourceClass> ResourceClasses => Set<KnownResourceClass>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignWorkload> CampaignWorkloads => Set<CampaignWorkload>();
    public DbSet<CampaignImportRecord> CampaignImports => Set<CampaignImportRecord>();
    public DbSet<CampaignImportPart> CampaignImportParts => Set<CampaignImportPart>();

    /// <summary>Every save of a request or a VM bumps its version, so that two writers never both win.</summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        foreach (var entry in ChangeTracker.Entries().Where(e => e.State == EntityState.Modified))
        {
            switch (entry.Entity)
            {
                case HostingRequest request: request.Version++; break;
                case VmRecord vm: vm.Version++; break;
            }
        }
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.KeepsExternalIdentityLinks();
        modelBuilder.Entity<AgreementInForce>(agreement =>
        {
            agreement.ToTable("agreements_in_force");
            agreement.HasKey(a => a.AgreementId);
            agreement.Property(a => a.HostStateCode).HasMaxLength(2);
            agreement.Property(a => a.GuestStateCode).HasMaxLength(2);
            agreement.Property(a => a.AllowedClassifications).HasMaxLength(100);
            agreement.HasIndex(a => a.GuestStateCode);
            agreement.Property(a => a.UnitPrices).ByClass();
        });
        modelBuilder.Entity<KnownPrice>(price =>
        {
            price.ToTable("known_prices");
            price.HasKey(p => p.CatalogueId);
            price.HasIndex(p => p.FacilityId);
            price.Property(p => p.UnitPrices).ByClass();
        });
        modelBuilder.Entity<Campaign>(campaign =>
        {
            campaign.ToTable("campaigns");
            campaign.HasKey(c => c.Id);
            campaign.Property(c => c.Name).HasMaxLength(200);
            campaign.Property(c => c.OwnerStateCode).HasMaxLength(2);
            campaign.Property(c => c.AgencyIds).HasMaxLength(40_000);
            campaign.Property(c => c.WavesJson).HasMaxLength(20_000);
            campaign.HasIndex(c => c.OwnerStateCode);
            campaign.Ignore(c => c.Agencies);
        });
        modelBuilder.Entity<CampaignWorkload>(workload =>
        {
            workload.ToTable("campaign_workloads");
            workload.HasKey(w => w.Id);
            workload.HasIndex(w => new { w.CampaignId, w.Key }).IsUnique();
            workload.Property(w => w.Key).HasMaxLength(200);
            workload.Property(w => w.AgencyStateCode).HasMaxLength(2);
            workload.Property(w => w.Project).HasMaxLength(200);
            workload.Property(w => w.SourceProvider).HasMaxLength(100);
            workload.Property(w => w.SourceRegion).HasMaxLength(100);
            workload.Property(w => w.Image).HasMaxLength(100);
            workload.Property(w => w.Step).HasMaxLength(32);
            workload.Property(w => w.PlannedFacilityCode).HasMaxLength(32);
            workload.Property(w => w.PlannedStateCode).HasMaxLength(2);
            workload.Property(w => w.PlanReasonFr).HasMaxLength(1000);
            workload.Property(w => w.PlanReasonEn).HasMaxLength(1000);
            workload.Property(w => w.Resources).ByClass();
            workload.Property(w => w.RequestStatus).HasMaxLength(32);
            workload.Property(w => w.HostedFacilityCode).HasMaxLength(32);
            workload.Property(w => w.TransferSha256).HasMaxLength(64);
            workload.Property(w => w.DeletionAttestedBy).HasMaxLength(200);
            workload.Property(w => w.DeletionReference).HasMaxLength(200);
            workload.Property(w => w.DeletionDocumentSha256).HasMaxLength(64);
            // A request's events find their workload by it.
            workload.HasIndex(w => w.RequestId);
            workload.Ignore(w => w.Total);
            workload.Ignore(w => w.StillAbroad);
        });
        modelBuilder.Entity<CampaignImportRecord>(import =>
        {
            import.ToTable("campaign_imports");
            import.HasKey(i => new { i.CampaignId, i.FileSha256 });
            import.Property(i => i.FileSha256).HasMaxLength(64);
            import.Property(i => i.Format).HasMaxLength(8);
            import.Property(i => i.Status).HasMaxLength(16);
        });
        modelBuilder.Entity<CampaignImportPart>(part =>
        {
            part.ToTable("campaign_import_parts");
            part.HasKey(p => new { p.CampaignId, p.FileSha256, p.Part });
            part.Property(p => p.FileSha256).HasMaxLength(64);
        });
        modelBuilder.Entity<EndedAgreement>(ended =>
        {
            ended.ToTable("ended_agreements");
            ended.HasKey(a => a.AgreementId);
        });
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
            agency.Property(a => a.Code).HasMaxLength(32);
        });
        modelBuilder.Entity<KnownProject>(project =>
        {
            project.ToTable("known_projects");
            project.HasKey(p => p.ProjectId);
            project.Property(p => p.Name).HasMaxLength(200);
        });
        modelBuilder.Entity<KnownProjectMember>(member =>
        {
            member.ToTable("known_project_members");
            member.HasKey(m => new { m.ProjectId, m.UserId });
            member.HasIndex(m => m.UserId);
        });
        modelBuilder.Entity<KnownRole>(role =>
        {
            role.ToTable("known_roles");
            role.Property(r => r.Role).HasMaxLength(32);
            role.Property(r => r.StateCode).HasMaxLength(2);
            role.HasIndex(r => r.UserId);
        });
        modelBuilder.Entity<KnownResourceClass>(resourceClass =>
        {
            resourceClass.ToTable("known_resource_classes");
            resourceClass.HasKey(c => c.Code);
            resourceClass.Property(c => c.Code).HasMaxLength(40);
            resourceClass.Property(c => c.Metering).HasConversion<string>().HasMaxLength(16);
            resourceClass.HasData(Aes.Contracts.ResourceClasses.Standard.Select(c => new KnownResourceClass { Code = c.Code, Metering = c.Metering, DefinedAt = DateTime.UnixEpoch }));
        });
        modelBuilder.Entity<HostingRequest>(request =>
        {
            request.ToTable("hosting_requests");
            request.HasKey(r => r.Id);
            request.Property(r => r.AgencyStateCode).HasMaxLength(2);
            request.Property(r => r.PreferredStateCode).HasMaxLength(2);
            request.Property(r => r.FacilityCode).HasMaxLength(32);
            request.Property(r => r.FacilityStateCode).HasMaxLength(2);
            request.Property(r => r.Justification).HasMaxLength(2000);
            request.Property(r => r.StatusReasonFr).HasMaxLength(1000);
            request.Property(r => r.StatusReasonEn).HasMaxLength(1000);
            request.Property(r => r.RejectionReason).HasMaxLength(1000);
            request.Property(r => r.TraceParent).HasMaxLength(64);
            request.Property(r => r.SshPublicKeys).HasMaxLength(40_000);
            request.Property(r => r.SshKeyFingerprints).HasMaxLength(1000);
            request.Property(r => r.UserData).HasMaxLength(16 * 1024);
            request.Property(r => r.Total).ByClass().HasDefaultValue(ResourceVector.Zero);
            request.Property(r => r.Version).IsConcurrencyToken();
            request.Property(r => r.LeaseToken).IsConcurrencyToken();
            request.HasMany(r => r.Vms).WithOne().HasForeignKey(v => v.RequestId);
            request.HasIndex(r => r.NextStepAt);
            request.HasIndex(r => new { r.AgencyId, r.Status });
            request.HasIndex(r => new { r.Status, r.SubmittedAt });
        });
        modelBuilder.Entity<VmRecord>(vm =>
        {
            vm.ToTable("vms");
            vm.HasKey(v => v.Id);
            vm.Property(v => v.AgencyStateCode).HasMaxLength(2);
            vm.Property(v => v.Name).HasMaxLength(80);
            vm.Property(v => v.Flavour).HasMaxLength(32);
            vm.Property(v => v.Image).HasMaxLength(64);
            vm.Property(v => v.FacilityCode).HasMaxLength(32);
            vm.Property(v => v.FacilityStateCode).HasMaxLength(2);
            vm.Property(v => v.DecommissionReason).HasMaxLength(500);
            vm.Property(v => v.ResizeRefusedReason).HasMaxLength(1000);
            vm.Property(v => v.ServerId).HasMaxLength(64);
            vm.Property(v => v.Addresses).HasMaxLength(500);
            vm.Property(v => v.PowerRefusedReason).HasMaxLength(1000);
            vm.Property(v => v.PublicAddress).HasMaxLength(45);
            vm.Property(v => v.Size).ByClass().HasDefaultValue(ResourceVector.Zero);
            vm.Property(v => v.TargetSize).OptionalByClass();
            vm.Property(v => v.Version).IsConcurrencyToken();
            vm.HasIndex(v => new { v.AgencyId, v.Status });
            vm.HasIndex(v => new { v.FacilityId, v.Status });
        });
        modelBuilder.Entity<SshKeyRecord>(key =>
        {
            key.ToTable("ssh_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Name).HasMaxLength(64);
            key.Property(k => k.Algorithm).HasMaxLength(16);
            key.Property(k => k.Fingerprint).HasMaxLength(64);
            key.Property(k => k.PublicKey).HasMaxLength(16 * 1024);
            key.HasIndex(k => new { k.UserId, k.AgencyId, k.Fingerprint }).IsUnique();
        });
        modelBuilder.Entity<SnapshotRecord>(snapshot =>
        {
            snapshot.ToTable("vm_snapshots");
            snapshot.HasKey(x => x.Id);
            snapshot.Property(x => x.AgencyStateCode).HasMaxLength(2);
            snapshot.Property(x => x.FacilityCode).HasMaxLength(32);
            snapshot.Property(x => x.FacilityStateCode).HasMaxLength(2);
            snapshot.Property(x => x.Name).HasMaxLength(100);
            snapshot.Property(x => x.ImageId).HasMaxLength(64);
            snapshot.HasIndex(x => x.VmId);
        });
        modelBuilder.Entity<ProjectFirewall>(firewall =>
        {
            firewall.ToTable("project_firewalls");
            firewall.HasKey(f => f.ProjectId);
            firewall.Property(f => f.RulesJson).HasMaxLength(20_000);
        });
        modelBuilder.Entity<AgencySshAccess>(ssh =>
        {
            ssh.ToTable("agency_ssh_access");
            ssh.HasKey(a => a.AgencyId);
            ssh.Property(a => a.SourceCidrs).HasMaxLength(5_000);
        });
        modelBuilder.Entity<FirewallApplication>(application =>
        {
            application.ToTable("firewall_applications");
            application.HasKey(a => new { a.ProjectId, a.FacilityId });
            application.Property(a => a.FacilityCode).HasMaxLength(32);
            application.Property(a => a.Digest).HasMaxLength(64);
            application.Property(a => a.Error).HasMaxLength(1000);
        });
        modelBuilder.Entity<FacilityConnection>(connection =>
        {
            connection.ToTable("facility_connections");
            connection.HasKey(c => c.FacilityId);
            connection.Property(c => c.FacilityCode).HasMaxLength(32);
            connection.Property(c => c.Driver).HasMaxLength(16);
            connection.Property(c => c.AuthUrl).HasMaxLength(500);
            connection.Property(c => c.Region).HasMaxLength(64);
            connection.Property(c => c.Project).HasMaxLength(64);
            connection.Property(c => c.ProjectDomain).HasMaxLength(64);
            connection.Property(c => c.CredentialReference).HasMaxLength(64);
            connection.Property(c => c.Network).HasMaxLength(64);
        });
        modelBuilder.Entity<FacilityFlavour>(flavour =>
        {
            flavour.ToTable("facility_flavours");
            flavour.HasKey(f => new { f.FacilityId, f.NativeId });
            flavour.Property(f => f.NativeId).HasMaxLength(64);
            flavour.Property(f => f.NativeName).HasMaxLength(100);
            flavour.Property(f => f.Code).HasMaxLength(32);
            flavour.Property(f => f.Shape).ByClass().HasDefaultValue(ResourceVector.Zero);
        });
        modelBuilder.Entity<FacilityImage>(image =>
        {
            image.ToTable("facility_images");
            image.HasKey(i => new { i.FacilityId, i.NativeId });
            image.Property(i => i.NativeId).HasMaxLength(64);
            image.Property(i => i.NativeName).HasMaxLength(200);
            image.Property(i => i.Code).HasMaxLength(64);
        });
        modelBuilder.Entity<FacilityCatalogueState>(state =>
        {
            state.ToTable("facility_catalogue_states");
            state.HasKey(s => s.FacilityId);
            state.Property(s => s.RefreshErrorFr).HasMaxLength(1000);
            state.Property(s => s.RefreshErrorEn).HasMaxLength(1000);
        });
        modelBuilder.Entity<ReconciliationFinding>(finding =>
        {
            finding.ToTable("reconciliation_findings");
            finding.Property(f => f.FacilityCode).HasMaxLength(32);
            finding.Property(f => f.ServerId).HasMaxLength(64);
            finding.Property(f => f.DetailFr).HasMaxLength(1000);
            finding.Property(f => f.DetailEn).HasMaxLength(1000);
            finding.HasIndex(f => new { f.FacilityId, f.ClearedAt });
        });
        modelBuilder.Entity<FacilityOutage>(outage =>
        {
            outage.ToTable("facility_outages");
            outage.Property(o => o.CauseFr).HasMaxLength(1000);
            outage.Property(o => o.CauseEn).HasMaxLength(1000);
            outage.HasIndex(o => new { o.FacilityId, o.StartedAt });
        });
        modelBuilder.Entity<FacilityWatch>(watch =>
        {
            watch.ToTable("facility_watches");
            watch.HasKey(w => w.FacilityId);
        });
        modelBuilder.Entity<PlacementDecisionRecord>(decision =>
        {
            decision.ToTable("placement_decisions");
            decision.Property(d => d.Outcome).HasMaxLength(16);
            decision.Property(d => d.ReasonFr).HasMaxLength(1000);
            decision.Property(d => d.ReasonEn).HasMaxLength(1000);
            decision.HasIndex(d => new { d.RequestId, d.Attempt });
        });
        modelBuilder.Entity<AutoApprovalPolicy>(policy =>
        {
            policy.ToTable("auto_approval_policies");
            policy.HasKey(p => p.StateCode);
            policy.Property(p => p.StateCode).HasMaxLength(2);
            policy.Property(p => p.Classifications).HasMaxLength(100);
            policy.Property(p => p.MaxPerRequest).ByClass().HasDefaultValue(ResourceVector.Zero);
        });
    }
}

[Aes.Messaging.Persistence.FoldedMigrations("20261203172750_ProjectionRevisions")]
public sealed class ProvisioningPostgresDbContext(DbContextOptions<ProvisioningPostgresDbContext> options) : ProvisioningDbContext(options);

[Aes.Messaging.Persistence.FoldedMigrations("20261203172755_ProjectionRevisions")]
public sealed class ProvisioningSqliteDbContext(DbContextOptions<ProvisioningSqliteDbContext> options) : ProvisioningDbContext(options);

internal sealed class ProvisioningPostgresDesignFactory : PostgresDesignTimeFactory<ProvisioningPostgresDbContext>;

internal sealed class ProvisioningSqliteDesignFactory : SqliteDesignTimeFactory<ProvisioningSqliteDbContext>;

public static class PricesInForce
{
    /// <summary>Each facility's list price at <paramref name="now"/>, for those billing has published one.</summary>
    public static async Task<Dictionary<Guid, KnownPrice>> PricesInForceAsync(this ProvisioningDbContext db, DateTime now, CancellationToken cancellationToken) =>
        (await db.Prices.AsNoTracking().Where(p => p.From <= now && (p.Until == null || p.Until > now)).ToListAsync(cancellationToken))
        .GroupBy(p => p.FacilityId).ToDictionary(g => g.Key, g => g.MaxBy(p => p.From)!);
}
