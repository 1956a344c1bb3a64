using Aes.Messaging.Identity;
using Aes.Billing.Domain;
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
    /// <summary>A class code's length, as the catalogue allows (<c>ResourceClasses.CodePattern</c>).</summary>
    private const int ClassLength = 40;

    public DbSet<BillingAccount> Accounts => Set<BillingAccount>();
    public DbSet<KnownState> States => Set<KnownState>();
    public DbSet<KnownResourceClass> ResourceClasses => Set<KnownResourceClass>();
    public DbSet<KnownFacility> Facilities => Set<KnownFacility>();
    public DbSet<KnownAgreement> Agreements => Set<KnownAgreement>();
    public DbSet<EndedAgreement> EndedAgreements => Set<EndedAgreement>();
    public DbSet<KnownRole> Roles => Set<KnownRole>();
    public DbSet<PriceCatalogue> Catalogues => Set<PriceCatalogue>();
    public DbSet<VmMeter> Meters => Set<VmMeter>();
    public DbSet<UsageEvent> UsageEvents => Set<UsageEvent>();
    public DbSet<UsageSegment> Segments => Set<UsageSegment>();
    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<InvoiceLine> InvoiceLines => Set<InvoiceLine>();
    public DbSet<RatedPiece> RatedPieces => Set<RatedPiece>();
    public DbSet<CreditNote> CreditNotes => Set<CreditNote>();
    public DbSet<CreditAllocation> CreditAllocations => Set<CreditAllocation>();
    public DbSet<NumberSequence> NumberSequences => Set<NumberSequence>();
    public DbSet<JournalEntry> JournalEntries => Set<JournalEntry>();
    public DbSet<JournalLine> JournalLines => Set<JournalLine>();
    public DbSet<SettlementRun> Settlements => Set<SettlementRun>();
    public DbSet<SettlementStatement> Statements => Set<SettlementStatement>();
    public DbSet<StatementLine> StatementLines => Set<StatementLine>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.KeepsExternalIdentityLinks();
        modelBuilder.Entity<BillingAccount>(account =>
        {
            account.ToTable("billing_accounts");
            account.HasKey(a => a.AgencyId);
            account.Property(a => a.StateCode).HasMaxLength(2);
            account.Property(a => a.AgencyName).HasMaxLength(200);
            account.Property(a => a.Currency).HasMaxLength(3);
        });
        modelBuilder.Entity<KnownState>(state =>
        {
            state.ToTable("known_states");
            state.HasKey(s => s.Code);
            state.Property(s => s.Code).HasMaxLength(2);
            state.Property(s => s.TimeZone).HasMaxLength(64);
        });
        modelBuilder.Entity<KnownFacility>(facility =>
        {
            facility.ToTable("known_facilities");
            facility.HasKey(f => f.Id);
            facility.Property(f => f.Code).HasMaxLength(64);
            facility.Property(f => f.StateCode).HasMaxLength(2);
            facility.Property(f => f.Name).HasMaxLength(200);
        });
        modelBuilder.Entity<KnownResourceClass>(resourceClass =>
        {
            resourceClass.ToTable("known_resource_classes");
            resourceClass.HasKey(c => c.Code);
            resourceClass.Property(c => c.Code).HasMaxLength(ClassLength);
            resourceClass.Property(c => c.Unit).HasMaxLength(16);
            resourceClass.Property(c => c.NameFr).HasMaxLength(100);
            resourceClass.Property(c => c.NameEn).HasMaxLength(100);
            resourceClass.Property(c => c.Metering).HasConversion<string>().HasMaxLength(16);
            resourceClass.Property(c => c.Consumption).HasConversion<string>().HasMaxLength(16);
            resourceClass.HasData(Aes.Contracts.ResourceClasses.Standard.Select(c => KnownResourceClass.From(c, DateTime.UnixEpoch)));
        });
        modelBuilder.Entity<KnownAgreement>(agreement =>
        {
            agreement.ToTable("known_agreements");
            agreement.HasKey(a => a.Id);
            agreement.Property(a => a.HostStateCode).HasMaxLength(2);
            agreement.Property(a => a.GuestStateCode).HasMaxLength(2);
            agreement.Property(a => a.UnitPrices).ByClass();
            agreement.HasIndex(a => new { a.FacilityId, a.GuestStateCode });
        });
        modelBuilder.Entity<EndedAgreement>(ended =>
        {
            ended.ToTable("ended_agreements");
            ended.HasKey(e => e.AgreementId);
        });
        modelBuilder.Entity<KnownRole>(role =>
        {
            role.ToTable("known_roles");
            role.HasKey(r => r.Id);
            role.Property(r => r.Role).HasMaxLength(64);
            role.Property(r => r.StateCode).HasMaxLength(2);
            role.HasIndex(r => r.UserId);
        });
        modelBuilder.Entity<PriceCatalogue>(catalogue =>
        {
            catalogue.ToTable("price_catalogues");
            catalogue.HasKey(c => c.Id);
            catalogue.Property(c => c.Currency).HasMaxLength(3);
            catalogue.Property(c => c.UnitPrices).ByClass();
            catalogue.HasIndex(c => new { c.FacilityId, c.EffectiveFrom }).IsUnique();
        });
        modelBuilder.Entity<VmMeter>(meter =>
        {
            meter.ToTable("vm_meters");
            meter.HasKey(m => m.VmId);
            meter.Property(m => m.AgencyStateCode).HasMaxLength(2);
            meter.Property(m => m.FacilityStateCode).HasMaxLength(2);
        });
        modelBuilder.Entity<UsageEvent>(usage =>
        {
            usage.ToTable("usage_events");
            usage.HasKey(e => e.Id);
            usage.Property(e => e.Size).ByClass();
            usage.Property(e => e.OldSize).ByClass();
            usage.HasIndex(e => new { e.VmId, e.Kind, e.OccurredAt }).IsUnique();
        });
        modelBuilder.Entity<UsageSegment>(segment =>
        {
            segment.ToTable("usage_segments");
            segment.HasKey(s => s.Id);
            segment.Property(s => s.AgencyStateCode).HasMaxLength(2);
            segment.Property(s => s.FacilityStateCode).HasMaxLength(2);
            segment.Property(s => s.Size).ByClass();
            segment.HasIndex(s => s.VmId);
            segment.HasIndex(s => new { s.AgencyId, s.From });
        });
        modelBuilder.Entity<Invoice>(invoice =>
        {
            invoice.ToTable("invoices");
            invoice.HasKey(i => i.Id);
            invoice.Property(i => i.Number).HasMaxLength(32);
            invoice.Property(i => i.AgencyName).HasMaxLength(200);
            invoice.Property(i => i.StateCode).HasMaxLength(2);
            invoice.Property(i => i.Month).HasMaxLength(7);
            invoice.Property(i => i.TimeZone).HasMaxLength(64);
            invoice.Property(i => i.Currency).HasMaxLength(3);
            invoice.Property(i => i.CancelReason).HasMaxLength(500);
            invoice.Property(i => i.Version).IsConcurrencyToken();
            // One live invoice per agency and month: concurrent drafts cannot bill the same usage twice.
            invoice.HasIndex(i => new { i.AgencyId, i.Month }).IsUnique().HasFilter("\"Status\" <> 4");
            invoice.HasIndex(i => i.Number).IsUnique();
            invoice.HasIndex(i => new { i.Month, i.StateCode });
            invoice.HasMany(i => i.Lines).WithOne().HasForeignKey(l => l.InvoiceId).OnDelete(DeleteBehavior.Cascade);
            invoice.HasMany(i => i.CreditNotes).WithOne().HasForeignKey(c => c.InvoiceId);
            invoice.HasMany<RatedPiece>().WithOne().HasForeignKey(p => p.InvoiceId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<InvoiceLine>(line =>
        {
            line.ToTable("invoice_lines");
            line.HasKey(l => l.Id);
            line.Property(l => l.FacilityCode).HasMaxLength(64);
            line.Property(l => l.FacilityStateCode).HasMaxLength(2);
            line.Property(l => l.ResourceClass).HasMaxLength(ClassLength);
            line.HasIndex(l => l.InvoiceId);
        });
        modelBuilder.Entity<RatedPiece>(piece =>
        {
            piece.ToTable("rated_pieces");
            piece.HasKey(p => p.Id);
            piece.HasIndex(p => p.InvoiceId);
        });
        modelBuilder.Entity<CreditNote>(note =>
        {
            note.ToTable("credit_notes");
            note.HasKey(c => c.Id);
            note.Property(c => c.Number).HasMaxLength(32);
            note.Property(c => c.Reason).HasMaxLength(500);
            note.HasIndex(c => c.Number).IsUnique();
            note.HasMany(c => c.Allocations).WithOne().HasForeignKey(a => a.CreditNoteId);
        });
        modelBuilder.Entity<CreditAllocation>(allocation =>
        {
            allocation.ToTable("credit_allocations");
            allocation.HasKey(a => a.Id);
            allocation.HasIndex(a => a.InvoiceLineId);
        });
        modelBuilder.Entity<NumberSequence>(sequence =>
        {
            sequence.ToTable("number_sequences");
            sequence.HasKey(s => s.Key);
            sequence.Property(s => s.Key).HasMaxLength(32);
        });
        modelBuilder.Entity<JournalEntry>(entry =>
        {
            entry.ToTable("journal_entries");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Kind).HasMaxLength(32);
            entry.Property(e => e.Description).HasMaxLength(300);
            entry.HasIndex(e => new { e.Kind, e.Reference }).IsUnique();
            entry.HasMany(e => e.Lines).WithOne().HasForeignKey(l => l.EntryId);
        });
        modelBuilder.Entity<JournalLine>(line =>
        {
            line.ToTable("journal_lines");
            line.HasKey(l => l.Id);
            line.Property(l => l.Account).HasMaxLength(100);
            line.HasIndex(l => l.Account);
            line.HasIndex(l => l.InvoiceLineId);
        });
        modelBuilder.Entity<SettlementRun>(settlement =>
        {
            settlement.ToTable("settlements");
            settlement.HasKey(s => s.Id);
            settlement.Property(s => s.Month).HasMaxLength(7);
            settlement.HasIndex(s => s.Month).IsUnique();
            settlement.HasMany(s => s.Statements).WithOne().HasForeignKey(s => s.SettlementId);
        });
        modelBuilder.Entity<SettlementStatement>(statement =>
        {
            statement.ToTable("settlement_statements");
            statement.HasKey(s => s.Id);
            statement.Property(s => s.DebtorStateCode).HasMaxLength(2);
            statement.Property(s => s.CreditorStateCode).HasMaxLength(2);
            statement.HasMany(s => s.Lines).WithOne().HasForeignKey(l => l.StatementId);
        });
        modelBuilder.Entity<StatementLine>(line =>
        {
            line.ToTable("statement_lines");
            line.HasKey(l => l.Id);
            // An invoice line is settled once.
            line.HasIndex(l => l.InvoiceLineId).IsUnique();
        });
    }
}

[Aes.Messaging.Persistence.FoldedMigrations("20261203172741_ProjectionRevisions")]
public sealed class BillingPostgresDbContext(DbContextOptions<BillingPostgresDbContext> options) : BillingDbContext(options);

[Aes.Messaging.Persistence.FoldedMigrations("20261203172746_ProjectionRevisions")]
public sealed class BillingSqliteDbContext(DbContextOptions<BillingSqliteDbContext> options) : BillingDbContext(options);

internal sealed class BillingPostgresDesignFactory : PostgresDesignTimeFactory<BillingPostgresDbContext>;

internal sealed class BillingSqliteDesignFactory : SqliteDesignTimeFactory<BillingSqliteDbContext>;
