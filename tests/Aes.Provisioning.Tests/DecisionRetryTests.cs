using Aes.Provisioning.Application;
using Aes.ServiceDefaults.Errors;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Aes.Provisioning.Tests;

/// <summary>A person's decision that meets the workflow's own change of the same row is made again on the fresh row.</summary>
public sealed class DecisionRetryTests : IAsyncLifetime
{
    private sealed class Row
    {
        public int Id { get; init; }
        public required string Status { get; set; }
        public int Version { get; set; }
    }

    private sealed class RowsContext(DbContextOptions<RowsContext> options) : DbContext(options)
    {
        public DbSet<Row> Rows => Set<Row>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) =>
            modelBuilder.Entity<Row>().Property(r => r.Version).IsConcurrencyToken();
    }

    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    public async ValueTask InitializeAsync()
    {
        await _connection.OpenAsync();
        await using var db = NewContext();
        await db.Database.EnsureCreatedAsync();
        db.Rows.Add(new Row { Id = 1, Status = "reserving" });
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private RowsContext NewContext() => new(new DbContextOptionsBuilder<RowsContext>().UseSqlite(_connection).Options);

    /// <summary>What the workflow does meanwhile: moves the row on through its own context.</summary>
    private async Task WorkflowMovesOnAsync(string status)
    {
        await using var workflow = NewContext();
        var row = await workflow.Rows.SingleAsync();
        (row.Status, row.Version) = (status, row.Version + 1);
        await workflow.SaveChangesAsync();
    }

    /// <summary>The decision: allowed only while the request awaits approval, as Approvals checks it.</summary>
    private static async Task<string> DecideAsync(RowsContext db, Func<Task>? meanwhile, List<string> seen)
    {
        var row = await db.Rows.SingleAsync();
        seen.Add(row.Status);
        if (row.Status is not ("reserving" or "awaiting-approval"))
        {
            throw new RuleViolationException(new("rien à rejeter", "nothing to reject"));
        }
        if (meanwhile is not null) await meanwhile();
        (row.Status, row.Version) = ("rejected", row.Version + 1);
        await db.SaveChangesAsync();
        return row.Status;
    }

    [Fact]
    public async Task A_decision_that_meets_the_workflow_once_is_made_again_on_the_row_as_it_now_is()
    {
        await using var db = NewContext();
        var seen = new List<string>();
        var raced = false;

        var outcome = await DecisionRetry.OnFreshRowsAsync(db, "HostingRequest", () => DecideAsync(db,
            raced ? null : async () => { raced = true; await WorkflowMovesOnAsync("awaiting-approval"); }, seen));

        Assert.Equal("rejected", outcome);
        Assert.Equal(["reserving", "awaiting-approval"], seen); // the second attempt read the workflow's change, not its own stale copy
        await using var check = NewContext();
        Assert.Equal(("rejected", 2), await check.Rows.Select(r => ValueTuple.Create(r.Status, r.Version)).SingleAsync());
    }

    [Fact]
    public async Task The_rules_are_checked_again_so_a_request_the_workflow_ended_meanwhile_is_refused_and_left_as_it_is()
    {
        await using var db = NewContext();
        var seen = new List<string>();

        await Assert.ThrowsAsync<RuleViolationException>(() => DecisionRetry.OnFreshRowsAsync(db, "HostingRequest",
            () => DecideAsync(db, seen.Count == 0 ? () => WorkflowMovesOnAsync("active") : null, seen)));

        Assert.Equal(["reserving", "active"], seen);
        await using var check = NewContext();
        Assert.Equal("active", await check.Rows.Select(r => r.Status).SingleAsync());
    }

    [Fact]
    public async Task A_conflict_that_persists_reaches_the_caller_as_a_concurrent_change_after_a_bounded_number_of_attempts()
    {
        await using var db = NewContext();
        var seen = new List<string>();

        var refused = await Assert.ThrowsAsync<ConcurrentChangeException>(() => DecisionRetry.OnFreshRowsAsync(db, "HostingRequest",
            () => DecideAsync(db, () => WorkflowMovesOnAsync("reserving"), seen)));

        Assert.Contains("HostingRequest", refused.Message, StringComparison.Ordinal);
        Assert.Equal(4, seen.Count);
    }
}
