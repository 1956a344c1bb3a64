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

    /// <summary>True from <see cref="AddToOutbox"/> until the relay has been told of the commit (or the rollback).</summary>
    internal bool OutboxPending { get; set; }

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
            outbox.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(2000);
            outbox.HasIndex(m => m.MessageId).IsUnique();
            outbox.HasIndex(m => m.DispatchedAt);
        });
        modelBuilder.Entity<InboxMessage>(inbox =>
        {
            inbox.ToTable("inbox_messages");
            inbox.HasKey(m => new { m.MessageId, m.Consumer });
            inbox.Property(m => m.MessageId).HasColumnName("message_id");
            inbox.Property(m => m.Consumer).HasColumnName("consumer").HasMaxLength(200);
            inbox.Property(m => m.ProcessedAt).HasColumnName("processed_at");
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
