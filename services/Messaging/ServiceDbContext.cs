using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Aes.Messaging;

/// <summary>
/// Base of every service's database: it carries the outbox and inbox tables, and stores every
/// <see cref="DateTime"/> as UTC on both PostgreSQL and SQLite.
/// </summary>
public abstract class ServiceDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();
    public DbSet<Audit.AuditEntry> AuditEntries => Set<Audit.AuditEntry>();
    public DbSet<Audit.AuditHead> AuditHeads => Set<Audit.AuditHead>();
    public DbSet<Audit.CallReplay> CallReplays => Set<Audit.CallReplay>();
    public DbSet<Persistence.ProjectionRevision> ProjectionRevisions => Set<Persistence.ProjectionRevision>();

    /// <summary>True from <see cref="AddToOutbox"/> until the relay has been told of the commit (or the rollback).</summary>
    internal bool OutboxPending { get; set; }

    /// <summary>Signals to wake once what this context writes is durable, as the outbox's relay is woken.</summary>
    internal HashSet<WakeSignal> WakeAfterCommitSignals { get; } = [];

    /// <summary>
    /// Wakes <paramref name="signal"/> once the rows this context writes are committed (after SaveChanges, or after the
    /// commit of the transaction around it), never before: a dispatcher woken earlier would not see them yet.
    /// </summary>
    public void WakeAfterCommit(WakeSignal signal) => WakeAfterCommitSignals.Add(signal);

    /// <summary>Saves an integration event with the next <see cref="DbContext.SaveChangesAsync(CancellationToken)"/>.</summary>
    public void AddToOutbox(object message, DateTime occurredAt)
    {
        OutboxMessages.Add(OutboxMessage.Create(message, occurredAt));
        OutboxPending = true;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(outbox =>
        {
            outbox.ToTable("outbox_messages");
            outbox.HasKey(m => m.Sequence);
            outbox.Property(m => m.Sequence).HasColumnName("sequence").ValueGeneratedOnAdd();
            outbox.Property(m => m.MessageId).HasColumnName("message_id");
            outbox.Property(m => m.MessageType).HasColumnName("message_type").HasMaxLength(300);
            outbox.Property(m => m.Body).HasColumnName("body");
            outbox.Property(m => m.OccurredAt).HasColumnName("occurred_at");
            outbox.Property(m => m.DispatchedAt).HasColumnName("dispatched_at");
            outbox.Property(m => m.Attempts).HasColumnName("attempts");
            // Quota's hold function writes outbox rows in SQL and leaves the count of refusals to the database.
            outbox.Property(m => m.Refusals).HasColumnName("refusals").HasDefaultValue(0);
            outbox.Property(m => m.ParkedAt).HasColumnName("parked_at");
            outbox.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(2000);
            outbox.Property(m => m.TraceParent).HasColumnName("trace_parent").HasMaxLength(64);
            outbox.HasIndex(m => m.MessageId).IsUnique();
            outbox.HasIndex(m => m.DispatchedAt);
        });
        modelBuilder.Entity<Audit.AuditEntry>(entry =>
        {
            entry.ToTable("audit_entries");
            entry.HasKey(e => e.Position);
            entry.Property(e => e.Position).HasColumnName("position").ValueGeneratedNever();
            entry.Property(e => e.OccurredAt).HasColumnName("occurred_at");
            entry.Property(e => e.Actor).HasColumnName("actor").HasMaxLength(200);
            entry.Property(e => e.ActorName).HasColumnName("actor_name").HasMaxLength(200);
            entry.Property(e => e.OnBehalfOf).HasColumnName("on_behalf_of").HasMaxLength(200);
            entry.Property(e => e.Action).HasColumnName("action").HasMaxLength(300);
            entry.Property(e => e.Details).HasColumnName("details");
            entry.Property(e => e.Origin).HasColumnName("origin").HasMaxLength(1000);
            entry.Property(e => e.PreviousHash).HasColumnName("previous_hash").HasMaxLength(64);
            entry.Property(e => e.Hash).HasColumnName("hash").HasMaxLength(64);
        });
        modelBuilder.Entity<Audit.AuditHead>(head =>
        {
            head.ToTable("audit_head");
            head.HasKey(h => h.Id);
            head.Property(h => h.Id).HasColumnName("id").ValueGeneratedNever();
            head.Property(h => h.Position).HasColumnName("position");
            head.Property(h => h.Hash).HasColumnName("hash").HasMaxLength(64);
            head.HasData(new Audit.AuditHead { Id = Audit.AuditHead.SingleId, Position = 0, Hash = Audit.AuditHead.Genesis });
        });
        modelBuilder.Entity<Audit.CallReplay>(replay =>
        {
            replay.ToTable("call_replays");
            replay.HasKey(r => new { r.Method, r.Caller, r.IdempotencyKey });
            replay.Property(r => r.Method).HasColumnName("method").HasMaxLength(300);
            replay.Property(r => r.Caller).HasColumnName("caller").HasMaxLength(200);
            replay.Property(r => r.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(200);
            replay.Property(r => r.Fingerprint).HasColumnName("fingerprint").HasMaxLength(64);
            replay.Property(r => r.Response).HasColumnName("response");
            replay.Property(r => r.CreatedAt).HasColumnName("created_at");
            replay.HasIndex(r => r.CreatedAt); // the purge's way in (MessageStorePurge)
        });
        modelBuilder.Entity<Persistence.ProjectionRevision>(revision =>
        {
            revision.ToTable("projection_revisions");
            revision.HasKey(r => r.Key);
            revision.Property(r => r.Key).HasColumnName("key").HasMaxLength(200);
            revision.Property(r => r.Revision).HasColumnName("revision");
        });
        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable("inbox_messages");
            inbox.HasKey(m => new { m.MessageId, m.Consumer });
            inbox.Property(m => m.MessageId).HasColumnName("message_id");
            inbox.Property(m => m.Consumer).HasColumnName("consumer").HasMaxLength(200);
            inbox.Property(m => m.ProcessedAt).HasColumnName("processed_at");
            inbox.HasIndex(m => m.ProcessedAt); // the purge's way in (MessageStorePurge)
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        value => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime(),
        value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
