using Aes.Messaging;
using Aes.Messaging.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.Integration.Tests.Messaging;

/// <summary>One effect of a consumed message: a row per handling.</summary>
public sealed class Effect
{
    public long Id { get; init; }
    public Guid Subject { get; init; }
    public required string Kind { get; init; }
}

public abstract class ProbeDb(DbContextOptions options) : ServiceDbContext(options)
{
    public DbSet<Effect> Effects => Set<Effect>();
}
public sealed class ProbePostgresDb(DbContextOptions<ProbePostgresDb> options) : ProbeDb(options);
public sealed class ProbeSqliteDb(DbContextOptions<ProbeSqliteDb> options) : ProbeDb(options);

/// <summary>
/// What the probe's own bus published and consumed, by message id: the tests' proof that nothing more is on its way (every
/// copy the broker took has been consumed, and the relay sends no more) instead of a sleep.
/// </summary>
public sealed class MessageCounter : IConsumeObserver, IPublishObserver
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _consumed = new(), _published = new();

    public int Consumed(Guid messageId) => _consumed.GetValueOrDefault(messageId);

    public int Published(Guid messageId) => _published.GetValueOrDefault(messageId);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Count(_consumed, context.MessageId);

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context) where T : class => Count(_published, context.MessageId);

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    private static Task Count(System.Collections.Concurrent.ConcurrentDictionary<Guid, int> counts, Guid? messageId)
    {
        if (messageId is { } id)
        {
            counts.AddOrUpdate(id, 1, (_, n) => n + 1);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// A small service built from the same building block as the real ones: PostgreSQL, the outbox,
/// the inbox and MassTransit on RabbitMQ, with its own queue names.
/// </summary>
public static class ProbeService
{
    public static async Task<IHost> StartAsync(string rabbitMq, string postgres, Action<IBusRegistrationConfigurator> consumers,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:probe-db"] = postgres,
            ["ConnectionStrings:rabbitmq"] = rabbitMq,
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:OutboxPollInterval"] = "00:00:00.200",
            ["Messaging:RetryIntervals:0"] = "00:00:00.050",
            ["Messaging:RetryIntervals:1"] = "00:00:00.050",
            ["Messaging:RetryIntervals:2"] = "00:00:00.050",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The inbox tests make EF report the unique violations they provoke on purpose.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None);
        builder.AddServiceDatabase<ProbeDb, ProbePostgresDb, ProbeSqliteDb>("probe-db");
        builder.AddServiceMessaging<ProbeDb>($"probe-{Guid.NewGuid():N}"[..14], consumers);
        builder.Services.AddSingleton<MessageCounter>();
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ProbeDb>().Database.EnsureCreatedAsync();
        }
        var bus = host.Services.GetRequiredService<IBus>();
        var counter = host.Services.GetRequiredService<MessageCounter>();
        bus.ConnectConsumeObserver(counter);
        bus.ConnectPublishObserver(counter);
        await host.StartAsync();
        await WaitForBusAsync(host);
        return host;
    }

    public static MessageCounter Messages(this IHost host) => host.Services.GetRequiredService<MessageCounter>();

    public static async Task<int> EffectsAsync(this IHost host, Guid subject)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProbeDb>().Effects.CountAsync(e => e.Subject == subject);
    }

    public static async Task<OutboxMessage> OutboxRowAsync(this IHost host, Guid messageId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProbeDb>().OutboxMessages.AsNoTracking().SingleAsync(m => m.MessageId == messageId);
    }

    /// <summary>Saves an effect and an event in one transaction, as a service does; returns the event's message id.</summary>
    public static async Task<Guid> SaveWithEventAsync(this IHost host, object message, Guid subject)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProbeDb>();
        db.Effects.Add(new Effect { Subject = subject, Kind = "state-change" });
        db.AddToOutbox(message, DateTime.UtcNow);
        await db.SaveChangesAsync();
        return db.OutboxMessages.Local.Single().MessageId;
    }

    private static async Task WaitForBusAsync(IHost host)
    {
        var bus = host.Services.GetRequiredService<IBusControl>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (bus.CheckHealth().Status != BusHealthStatus.Healthy)
        {
            await Task.Delay(100, timeout.Token);
        }
    }
}
