using Aes.Tenancy.Application;
using Aes.Tenancy.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Aes.Tenancy.Tests;

/// <summary>Tenancy's rules on an in-memory SQLite database built from the SQLite migrations, with a fake clock set to <paramref name="now"/>.</summary>
public abstract class TenancyDatabaseTests(DateTimeOffset now) : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    protected readonly FakeTimeProvider _clock = new(now);
    protected TenancySqliteDbContext _db = null!;
    protected TenancyOperations _operations = null!;

    public async ValueTask InitializeAsync()
    {
        await _connection.OpenAsync();
        _db = new TenancySqliteDbContext(new DbContextOptionsBuilder<TenancySqliteDbContext>().UseSqlite(_connection).Options);
        await _db.Database.MigrateAsync();
        _operations = new TenancyOperations(_db, _clock);
        await SeedAsync();
    }

    /// <summary>A second writer on the same database, as another request or replica would be.</summary>
    protected (TenancySqliteDbContext Db, TenancyOperations Operations) SecondWriter()
    {
        var db = new TenancySqliteDbContext(new DbContextOptionsBuilder<TenancySqliteDbContext>().UseSqlite(_connection).Options);
        return (db, new TenancyOperations(db, _clock));
    }

    /// <summary>What every test of the class starts from.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;

    /// <summary>The events of one type put in the outbox so far, oldest first.</summary>
    protected async Task<List<TEvent>> AnnouncedAsync<TEvent>() =>
        (await _db.OutboxMessages.AsNoTracking().OrderBy(m => m.Sequence).ToListAsync())
        .Where(m => m.MessageType.StartsWith(typeof(TEvent).FullName!, StringComparison.Ordinal))
        .Select(m => System.Text.Json.JsonSerializer.Deserialize<TEvent>(m.Body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!)
        .ToList();

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        await _connection.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
