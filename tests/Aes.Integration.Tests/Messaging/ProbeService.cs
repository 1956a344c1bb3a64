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
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ProbeDb>().Database.EnsureCreatedAsync();
        }
        await host.StartAsync();
        await WaitForBusAsync(host);
        return host;
    }

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
