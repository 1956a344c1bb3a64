using Aes.Messaging.Identity;
using Aes.Messaging.Persistence;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;

namespace Aes.Notifications.Data;

public abstract class NotificationsDbContext(DbContextOptions options) : ServiceDbContext(options), IDataProtectionKeyContext
{
    /// <summary>The key ring that encrypts the webhooks' secrets.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<Recipient> Recipients => Set<Recipient>();
    public DbSet<RecipientRole> RecipientRoles => Set<RecipientRole>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<KnownState> States => Set<KnownState>();
    public DbSet<KnownAgency> Agencies => Set<KnownAgency>();
    public DbSet<FollowedQuotaChange> QuotaChanges => Set<FollowedQuotaChange>();
    public DbSet<FollowedAgreement> Agreements => Set<FollowedAgreement>();
    public DbSet<Reminder> Reminders => Set<Reminder>();
    public DbSet<AgreementSignature> Signatures => Set<AgreementSignature>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.KeepsExternalIdentityLinks();
        modelBuilder.Entity<Recipient>(recipient =>
        {
            recipient.ToTable("recipients");
            recipient.HasKey(r => r.UserId);
            recipient.Property(r => r.UserName).HasMaxLength(64);
            recipient.Property(r => r.DisplayName).HasMaxLength(200);
            recipient.Property(r => r.Email).HasMaxLength(254);
            recipient.Property(r => r.Language).HasMaxLength(8);
        });
        modelBuilder.Entity<RecipientRole>(role =>
        {
            role.ToTable("recipient_roles");
            role.Property(r => r.Role).HasMaxLength(32);
            role.Property(r => r.StateCode).HasMaxLength(2);
            role.HasIndex(r => new { r.Role, r.StateCode });
            role.HasIndex(r => r.UserId);
        });
        modelBuilder.Entity<KnownState>(state =>
        {
            state.ToTable("known_states");
            state.HasKey(s => s.Code);
            state.Property(s => s.Code).HasMaxLength(2);
            state.Property(s => s.NameFr).HasMaxLength(100);
            state.Property(s => s.NameEn).HasMaxLength(100);
        });
        modelBuilder.Entity<KnownAgency>(agency =>
        {
            agency.ToTable("known_agencies");
            agency.HasKey(a => a.AgencyId);
            agency.Property(a => a.StateCode).HasMaxLength(2);
            agency.Property(a => a.Code).HasMaxLength(32);
            agency.Property(a => a.Name).HasMaxLength(200);
        });
        modelBuilder.Entity<FollowedQuotaChange>(change =>
        {
            change.ToTable("followed_quota_changes");
            change.HasKey(c => c.RequestId);
            change.Property(c => c.ResourceClass).HasMaxLength(40);
        });
        modelBuilder.Entity<FollowedAgreement>(agreement =>
        {
            agreement.ToTable("followed_agreements");
            agreement.HasKey(a => a.AgreementId);
            agreement.Property(a => a.Reference).HasMaxLength(64);
            agreement.Property(a => a.HostStateCode).HasMaxLength(2);
            agreement.Property(a => a.GuestStateCode).HasMaxLength(2);
        });
        modelBuilder.Entity<AgreementSignature>(signature =>
        {
            signature.ToTable("agreement_signatures");
            signature.HasKey(x => new { x.AgreementId, x.StateCode });
            signature.Property(x => x.StateCode).HasMaxLength(2);
        });
        modelBuilder.Entity<Reminder>(reminder =>
        {
            reminder.ToTable("reminders");
            reminder.Property(r => r.Kind).HasMaxLength(32);
            reminder.Property(r => r.StateCode).HasMaxLength(2);
            reminder.HasIndex(r => new { r.Kind, r.ObjectId }).IsUnique();
            reminder.HasIndex(r => new { r.Done, r.DueAt });
        });
        modelBuilder.Entity<Webhook>(webhook =>
        {
            webhook.ToTable("webhooks");
            webhook.Property(w => w.StateCode).HasMaxLength(2);
            webhook.Property(w => w.Url).HasMaxLength(2000);
            webhook.Property(w => w.EventTypes).HasMaxLength(500);
            webhook.Property(w => w.Description).HasMaxLength(200);
            webhook.Property(w => w.ProtectedSecret).HasMaxLength(1000);
            webhook.HasIndex(w => w.AgencyId);
            webhook.HasIndex(w => w.StateCode);
        });
        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.Property(d => d.EventType).HasMaxLength(100);
            delivery.Property(d => d.ObjectKind).HasMaxLength(32);
            delivery.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            delivery.HasIndex(d => new { d.WebhookId, d.EventId }).IsUnique();
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
            delivery.HasIndex(d => d.EventId);
        });
        modelBuilder.Entity<WebhookAttempt>(attempt =>
        {
            attempt.ToTable("webhook_attempts");
            attempt.Property(a => a.Outcome).HasMaxLength(32);
            attempt.Property(a => a.Error).HasMaxLength(500);
            attempt.HasIndex(a => a.DeliveryId);
        });
        modelBuilder.Entity<Delivery>(delivery =>
        {
            delivery.ToTable("deliveries");
            delivery.Property(d => d.EventType).HasMaxLength(100);
            delivery.Property(d => d.Channel).HasMaxLength(16);
            delivery.Property(d => d.Address).HasMaxLength(254);
            delivery.Property(d => d.Language).HasMaxLength(8);
            delivery.Property(d => d.ObjectKind).HasMaxLength(32);
            delivery.Property(d => d.Subject).HasMaxLength(300);
            delivery.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            delivery.Property(d => d.LastError).HasMaxLength(2000);
            delivery.HasIndex(d => new { d.EventId, d.RecipientUserId, d.Channel }).IsUnique();
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt });
            delivery.HasIndex(d => new { d.RecipientUserId, d.CreatedAt });
        });
    }
}

public sealed class NotificationsPostgresDbContext(DbContextOptions<NotificationsPostgresDbContext> options) : NotificationsDbContext(options);

public sealed class NotificationsSqliteDbContext(DbContextOptions<NotificationsSqliteDbContext> options) : NotificationsDbContext(options);

internal sealed class NotificationsPostgresDesignFactory : PostgresDesignTimeFactory<NotificationsPostgresDbContext>;

internal sealed class NotificationsSqliteDesignFactory : SqliteDesignTimeFactory<NotificationsSqliteDbContext>;
