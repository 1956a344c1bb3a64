using Aes.Contracts.Tenancy;
using Aes.Provisioning.Application;
using Aes.Provisioning.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Aes.Provisioning.Tests;

/// <summary>Provisioning's copy of tenancy's project memberships: it ends as tenancy's latest revision says, whatever the order of arrival.</summary>
public sealed class ProjectMembershipCopyTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private ProvisioningSqliteDbContext _db = null!;
    private static readonly Guid Project = Guid.CreateVersion7(), Agency = Guid.CreateVersion7(), User = Guid.CreateVersion7();

    public async ValueTask InitializeAsync()
    {
        await _connection.OpenAsync();
        _db = new ProvisioningSqliteDbContext(new DbContextOptionsBuilder<ProvisioningSqliteDbContext>().UseSqlite(_connection).Options);
        await _db.Database.MigrateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static ProjectMembershipChanged Change(bool isMember, long revision) => new(Project, Agency, User, isMember, revision, DateTime.UtcNow);

    public static TheoryData<bool[], long[], bool> Orders => new()
    {
        { [true, false], [1, 2], false },          // join, then leave
        { [false, true], [2, 1], false },          // the leave overtakes the join
        { [true, false, true], [1, 2, 3], true },  // joins again
        { [true, true, false], [3, 1, 2], true },  // the last join arrives first
        { [true, true], [1, 1], true },            // a redelivery
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task The_copy_keeps_the_highest_revision_whatever_the_order_of_arrival(bool[] joins, long[] revisions, bool member)
    {
        var memberships = new ProjectMemberships(_db);
        for (var i = 0; i < joins.Length; i++)
        {
            await memberships.RecordAsync(Change(joins[i], revisions[i]), default);
        }

        Assert.Equal(member, await memberships.IsMemberAsync(Project, User, default));
        Assert.Equal(revisions.Max(), (await _db.ProjectMembers.AsNoTracking().SingleAsync()).Revision);
        Assert.False(await memberships.IsMemberAsync(Project, Guid.CreateVersion7(), default));
    }
}
