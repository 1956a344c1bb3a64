using Aes.Messaging;
using Aes.Messaging.Persistence;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.Messaging.Tests;

public sealed record VmActivated(Guid VmId);

public sealed class Activation
{
    public long Id { get; init; }
    public Guid VmId { get; init; }
}

public abstract class InboxDb(DbContextOptions options) : ServiceDbContext(options)
{
    public DbSet<Activation> Activations => Set<Activation>();
}
public sealed class InboxPostgresDb(DbContextOptions<InboxPostgresDb> options) : InboxDb(options);
public sealed class InboxSqliteDb(DbContextOptions<InboxSqliteDb> options) : InboxDb(options);

public sealed class VmActivatedConsumer(InboxDb db, ILogger<VmActivatedConsumer> logger) : InboxConsumer<VmActivated, InboxDb>(db, logger)
{
    protected override Task HandleAsync(VmActivated message, ConsumeContext<VmActivated> context)
    {
        Db.Activations.Add(new Activation { VmId = message.VmId });
        return Task.CompletedTask;
    }
}

/// <summary>Counts every delivery that reached a consumer, duplicates included.</summary>
public sealed class DeliveryCounter : IConsumeObserver
{
    private int _delivered;

    public int Delivered => Volatile.Read(ref _delivered);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        Interlocked.Increment(ref _delivered);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}

/// <summary>The inbox on SQLite and MassTransit's in-memory transport: the embedded mode's path.</summary>
public sealed class InboxOnSqliteTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"inbox-{Guid.NewGuid():N}.db");
    private IHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:inbox-db"] = $"Data Source={_file}" });
        builder.Logging.ClearProviders();
        builder.AddServiceDatabase<InboxDb, InboxPostgresDb, InboxSqliteDb>("inbox-db");
        builder.Services.AddSingleton<DeliveryCounter>();
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumeObserver(provider => provider.GetRequiredService<DeliveryCounter>());
            bus.AddConsumer<VmActivatedConsumer>();
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseMessageRetry(retry => retry.Immediate(5)));
        });
        _host = builder.Build();
        await _host.Services.MigrateOrCreateAsync();
        await _host.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }

    private async Task<int> ActivationsAsync(Guid vm)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<InboxDb>().Activations.CountAsync(a => a.VmId == vm);
    }

    private async Task<int> DeliveredAsync()
    {
        await _host.Services.GetRequiredService<ITestHarness>().InactivityTask;
        return _host.Services.GetRequiredService<DeliveryCounter>().Delivered;
    }

    [Fact]
    public async Task A_projection_applies_a_revision_only_if_newer_and_remembers_it()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<InboxDb>();
        var key = ProjectionRevisions.RoleKey(Guid.NewGuid(), "state_operator", "ML", null);

        Assert.True(await db.IsNewerAsync(key, 3, CancellationToken.None));  // first news
        Assert.False(await db.IsNewerAsync(key, 2, CancellationToken.None)); // older: ignored
        Assert.False(await db.IsNewerAsync(key, 3, CancellationToken.None)); // the same again: ignored
        Assert.True(await db.IsNewerAsync(key, 4, CancellationToken.None));
        Assert.True(await db.IsNewerAsync(key, 0, CancellationToken.None));  // not numbered: applied as it comes
        Assert.Equal(4, (await db.ProjectionRevisions.SingleAsync(r => r.Key == key)).Revision);
    }

    [Fact]
    public async Task A_redelivered_message_changes_nothing_the_second_time()
    {
        var harness = _host.Services.GetRequiredService<ITestHarness>();
        var vm = Guid.NewGuid();
        var messageId = NewId.NextGuid();

        await harness.Bus.Publish(new VmActivated(vm), context => context.MessageId = messageId);
        await harness.Bus.Publish(new VmActivated(vm), context => context.MessageId = messageId);

        Assert.Equal(2, await DeliveredAsync());
        Assert.Equal(1, await ActivationsAsync(vm));
        Assert.False(await harness.Published.Any<Fault<VmActivated>>());
    }

    [Fact]
    public async Task Copies_racing_on_sqlite_have_one_effect()
    {
        var harness = _host.Services.GetRequiredService<ITestHarness>();
        var vm = Guid.NewGuid();
        var messageId = NewId.NextGuid();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => harness.Bus.Publish(new VmActivated(vm), context => context.MessageId = messageId)));

        Assert.Equal(8, await DeliveredAsync());
        Assert.Equal(1, await ActivationsAsync(vm));
        Assert.False(await harness.Published.Any<Fault<VmActivated>>());
    }
}

internal static class TestDatabase
{
    public static async Task MigrateOrCreateAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<InboxDb>().Database.EnsureCreatedAsync();
    }
}
