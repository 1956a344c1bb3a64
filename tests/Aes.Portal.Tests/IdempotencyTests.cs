using System.Text.Json;
using Aes.Portal.Api;
using Aes.Portal.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Aes.Portal.Tests;

/// <summary>The kept first answers: what is kept of them, and for how long (the filter's own rules, on a real SQLite portal database).</summary>
public sealed class IdempotencyTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private PortalSqliteDbContext _db = null!;
    private static readonly DateTime Now = new(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);

    public async ValueTask InitializeAsync()
    {
        await _connection.OpenAsync();
        _db = new PortalSqliteDbContext(new DbContextOptionsBuilder<PortalSqliteDbContext>().UseSqlite(_connection).Options);
        await _db.Database.MigrateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task KeepAsync(string user, string key, DateTime createdAt)
    {
        _db.IdempotencyRecords.Add(new IdempotencyRecord
        {
            UserId = user, Key = key, Fingerprint = "f", Completed = true, StatusCode = 201, Body = "{}", CreatedAt = createdAt,
        });
        await _db.SaveChangesAsync();
        _db.ChangeTracker.Clear();
    }

    [Fact]
    public async Task A_key_past_its_retention_is_forgotten_and_may_serve_again_while_a_younger_one_still_replays()
    {
        var retention = TimeSpan.FromHours(24);
        await KeepAsync("awa", "old", Now - retention - TimeSpan.FromMinutes(1));
        await KeepAsync("awa", "young", Now - retention + TimeSpan.FromMinutes(1));

        Assert.Null(await IdempotencyFilter.FindLiveAsync(_db, "awa", "old", Now - retention, default));
        Assert.False(await _db.IdempotencyRecords.AnyAsync(r => r.Key == "old"));
        Assert.NotNull(await IdempotencyFilter.FindLiveAsync(_db, "awa", "young", Now - retention, default));
    }

    [Fact]
    public async Task The_sweep_forgets_every_answer_older_than_the_retention_and_no_other()
    {
        var retention = TimeSpan.FromHours(24);
        await KeepAsync("awa", "a", Now - TimeSpan.FromDays(3));
        await KeepAsync("moussa", "b", Now - retention - TimeSpan.FromSeconds(1));
        await KeepAsync("awa", "c", Now - TimeSpan.FromHours(1));

        Assert.Equal(2, await IdempotencyFilter.ForgetExpiredAsync(_db, Now - retention, default));
        Assert.Equal(["c"], await _db.IdempotencyRecords.Select(r => r.Key).ToListAsync());
    }

    [Fact]
    public void A_kept_answer_never_holds_a_secret_and_says_it_was_shown_once()
    {
        const string created = """{"clientId":"auto-1","clientSecret":"s3cr3t-value","userId":"u","nested":{"password":"p4ss","name":"n"},"items":[{"bootstrapSecret":"x"}]}""";
        var kept = IdempotencyFilter.WithoutSecrets(created, "application/json; charset=utf-8");

        Assert.DoesNotContain("s3cr3t-value", kept);
        Assert.DoesNotContain("p4ss", kept);
        Assert.DoesNotContain("\"x\"", kept);
        var answer = JsonDocument.Parse(kept).RootElement;
        Assert.Equal("auto-1", answer.GetProperty("clientId").GetString());
        Assert.Equal("n", answer.GetProperty("nested").GetProperty("name").GetString());
        Assert.Contains("montré qu'une fois", answer.GetProperty("noticeFr").GetString());
        Assert.Contains("shown once", answer.GetProperty("noticeEn").GetString());

        // An answer without a secret is kept exactly as the client received it.
        const string request = """{ "id": "r-1",  "status": "submitted" }""";
        Assert.Equal(request, IdempotencyFilter.WithoutSecrets(request, "application/json"));
        Assert.Equal("not json {", IdempotencyFilter.WithoutSecrets("not json {", "application/json"));
    }
}
