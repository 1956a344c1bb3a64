using Aes.Notifications.Application;
using Aes.Notifications.Data;
using Aes.Notifications.Domain;
using Aes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Aes.Notifications.Tests;

/// <summary>The service's parts on a migrated SQLite file of their own, with a clock the test moves.</summary>
public sealed class NotificationsHost : IAsyncDisposable
{
    private readonly string _folder = Infra.NewTempFolder("aes-notifications");

    private NotificationsHost(IMailSender sender, WebhookSettings? webhooks)
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
        Services = new ServiceCollection()
            .AddDbContext<NotificationsDbContext, NotificationsSqliteDbContext>(options => options.UseSqlite($"Data Source={Path.Combine(_folder, "n.db")}"))
            .AddSingleton<TimeProvider>(Clock)
            .AddSingleton(new NotificationSettings { PortalUrl = "https://marche.aes.test" })
            .AddSingleton(new MailSettings())
            .AddSingleton(sender)
            .AddSingleton<DeliverySignal>()
            .AddScoped<Notifier>()
            .AddScoped<Digests>()
            .AddSingleton(webhooks ?? new WebhookSettings())
            .AddSingleton<WebhookAddressPolicy>()
            .AddSingleton<WebhookSignal>()
            .AddSingleton<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider())
            .AddSingleton<WebhookSecrets>()
            .AddScoped<WebhookPublisher>()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .BuildServiceProvider(true);
    }

    public ServiceProvider Services { get; }
    public FakeTimeProvider Clock { get; }

    public static async Task<NotificationsHost> StartAsync(IMailSender? sender = null, WebhookSettings? webhooks = null)
    {
        var host = new NotificationsHost(sender ?? new PickupFolderMailSender(Infra.NewTempFolder("aes-mail")), webhooks);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<NotificationsDbContext>().Database.MigrateAsync();
        return host;
    }

    public MailDispatcher Dispatcher() => ActivatorUtilities.CreateInstance<MailDispatcher>(Services);

    public WebhookDispatcher Webhooks() => ActivatorUtilities.CreateInstance<WebhookDispatcher>(Services);

    public ReminderScheduler Reminders() => ActivatorUtilities.CreateInstance<ReminderScheduler>(Services);

    /// <summary>Runs <paramref name="work"/> in a scope, then saves, as a consumer's transaction would.</summary>
    public async Task<T> InScopeAsync<T>(Func<NotificationsDbContext, Notifier, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
        var result = await work(db, scope.ServiceProvider.GetRequiredService<Notifier>());
        await db.SaveChangesAsync();
        return result;
    }

    public Task InScopeAsync(Func<NotificationsDbContext, Notifier, Task> work) => InScopeAsync(async (db, notifier) =>
    {
        await work(db, notifier);
        return true;
    });

    public Task<List<Delivery>> DeliveriesAsync() => InScopeAsync((db, _) => db.Deliveries.AsNoTracking().OrderBy(d => d.CreatedAt).ToListAsync());

    /// <summary>Three people: an operator of Mali in French, one in English, and one of Niger without an address.</summary>
    public async Task SeedPeopleAsync()
    {
        await InScopeAsync((db, _) =>
        {
            db.Recipients.AddRange(
                new Recipient { UserId = OperatorMl, UserName = "op.ml", DisplayName = "Opérateur du Mali", Email = "op.ml@aes.test" },
                new Recipient { UserId = OperatorMlEnglish, UserName = "op2.ml", DisplayName = "Second operator", Email = "op2.ml@aes.test", Language = Languages.English },
                new Recipient { UserId = OperatorNe, UserName = "op.ne", DisplayName = "Opérateur du Niger" });
            db.RecipientRoles.AddRange(
                new RecipientRole { UserId = OperatorMl, Role = Roles.StateOperator, StateCode = "ML" },
                new RecipientRole { UserId = OperatorMlEnglish, Role = Roles.StateOperator, StateCode = "ML" },
                new RecipientRole { UserId = OperatorNe, Role = Roles.StateOperator, StateCode = "NE" });
            db.States.AddRange(new KnownState { Code = "ML", NameFr = "Mali", NameEn = "Mali" }, new KnownState { Code = "NE", NameFr = "Niger", NameEn = "Niger" });
            return Task.CompletedTask;
        });
    }

    public static readonly Guid OperatorMl = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    public static readonly Guid OperatorMlEnglish = Guid.Parse("00000000-0000-0000-0000-0000000000a2");
    public static readonly Guid OperatorNe = Guid.Parse("00000000-0000-0000-0000-0000000000b1");

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* left for the OS */ }
    }
}

/// <summary>A test class with a host of its own and its three people, fresh for each test.</summary>
public abstract class SeededHostTests : IAsyncLifetime
{
    protected NotificationsHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await NotificationsHost.StartAsync();
        await Host.SeedPeopleAsync();
        await ArrangeAsync();
    }

    /// <summary>What a class adds to the three people before each test.</summary>
    protected virtual Task ArrangeAsync() => Task.CompletedTask;

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
