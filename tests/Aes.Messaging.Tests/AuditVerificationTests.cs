using Aes.Messaging.Audit;
using Aes.Messaging.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aes.Messaging.Tests;

/// <summary>
/// Issue 20 point 6: audit verification is bounded and incremental. A call checks at most its limit of records from the
/// checkpoint it is given, says where it stopped, and checks that the checkpoint's own record is still the one verified.
/// </summary>
public sealed class AuditVerificationTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.db");
    private IHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:audit-db"] = $"Data Source={_file}" });
        builder.Logging.ClearProviders();
        builder.AddServiceDatabase<InboxDb, InboxPostgresDb, InboxSqliteDb>("audit-db");
        builder.Services.AddScoped<AuditTrail<InboxDb>>();
        builder.Services.AddSingleton(TimeProvider.System);
        _host = builder.Build();
        await _host.Services.MigrateOrCreateAsync();
    }

    public ValueTask DisposeAsync()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
        return ValueTask.CompletedTask;
    }

    private async Task<T> InScopeAsync<T>(Func<AuditTrail<InboxDb>, InboxDb, Task<T>> work)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AuditTrail<InboxDb>>(), scope.ServiceProvider.GetRequiredService<InboxDb>());
    }

    private Task AppendAsync(int count) => InScopeAsync(async (trail, _) =>
    {
        for (var i = 0; i < count; i++)
        {
            await trail.AppendAsync(new AuditRecord("user", "Agent", "", "/test/Write", $"{{\"n\":{i}}}", "127.0.0.1"), CancellationToken.None);
        }
        return 0;
    });

    private Task<AuditReport> VerifyAsync(long after, string hash, int limit) =>
        InScopeAsync((trail, _) => trail.VerifyAsync(after, hash, limit, CancellationToken.None));

    private Task EditAsync(long position) =>
        InScopeAsync((_, db) => db.Database.ExecuteSqlAsync($"UPDATE audit_entries SET details = '{{}}' WHERE position = {position}"));

    [Fact]
    public async Task A_chain_is_verified_in_bounded_calls_then_from_its_checkpoint_and_an_edited_checkpoint_is_found()
    {
        await AppendAsync(25);

        var first = await VerifyAsync(0, AuditHead.Genesis, limit: 10);
        var second = await VerifyAsync(first.VerifiedThrough, first.VerifiedHash, limit: 10);
        var third = await VerifyAsync(second.VerifiedThrough, second.VerifiedHash, limit: 10);

        Assert.Equal((10L, 10L, false), (first.EntriesChecked, first.VerifiedThrough, first.Complete));
        Assert.Equal((10L, 20L, false), (second.EntriesChecked, second.VerifiedThrough, second.Complete));
        Assert.Equal((5L, 25L, true, true), (third.EntriesChecked, third.VerifiedThrough, third.Complete, third.Intact));
        Assert.Equal(third.HeadHash, third.VerifiedHash);

        // Two records later, the next verification checks those two only.
        await AppendAsync(2);
        var since = await VerifyAsync(third.VerifiedThrough, third.VerifiedHash, limit: 10);
        Assert.Equal((2L, 27L, true, true), (since.EntriesChecked, since.VerifiedThrough, since.Complete, since.Intact));

        // An edit of the checkpoint's record is found from the checkpoint; an older one takes a verification from the start.
        await EditAsync(27);
        await EditAsync(5);
        var fromCheckpoint = await VerifyAsync(since.VerifiedThrough, since.VerifiedHash, limit: 10);
        Assert.False(fromCheckpoint.Intact);
        Assert.Contains(fromCheckpoint.Problems, p => p.StartsWith("position 27: no longer the record verified before", StringComparison.Ordinal));
        var full = await VerifyAsync(0, AuditHead.Genesis, limit: 100);
        Assert.Contains(full.Problems, p => p.StartsWith("position 5: content changed", StringComparison.Ordinal));
        Assert.Contains(full.Problems, p => p.StartsWith("position 27: content changed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_record_inserted_past_the_head_is_found()
    {
        await AppendAsync(3);
        await InScopeAsync((_, db) => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO audit_entries (position, occurred_at, actor, actor_name, on_behalf_of, action, details, origin, previous_hash, hash) "
            + "SELECT 4, occurred_at, actor, actor_name, on_behalf_of, action, details, origin, hash, hash FROM audit_entries WHERE position = 3"));

        var verified = await VerifyAsync(0, AuditHead.Genesis, limit: 10);

        Assert.False(verified.Intact);
        Assert.Contains(verified.Problems, p => p.StartsWith("positions after 3: records past the head", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_checkpoint_past_the_head_shows_the_last_records_removed()
    {
        await AppendAsync(4);
        var verified = await VerifyAsync(0, AuditHead.Genesis, limit: 10);
        await InScopeAsync((_, db) => db.Database.ExecuteSqlRawAsync(
            "DELETE FROM audit_entries WHERE position = 4; UPDATE audit_head SET position = 3, hash = (SELECT hash FROM audit_entries WHERE position = 3)"));

        var after = await VerifyAsync(verified.VerifiedThrough, verified.VerifiedHash, limit: 10);

        Assert.False(after.Intact);
        Assert.Contains(after.Problems, p => p.StartsWith("position 4: no longer the record verified before", StringComparison.Ordinal));
    }
}
