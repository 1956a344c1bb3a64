using Aes.Contracts;
using Aes.Contracts.Tenancy;
using Aes.Messaging.Persistence;
using Aes.Quota.Application;
using Aes.Quota.Consumers;
using Aes.Quota.Data;
using Aes.ServiceDefaults.Identity;
using Aes.Testing;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Quota.Tests;

/// <summary>
/// Issue 20 point 3: events of one entity delivered the wrong way round leave the later state. Quota's copies of roles and of
/// facilities' status on a real PostgreSQL, each pair delivered reversed, one after the other. Before revisions, a role
/// revoked and then (late) assigned was held again, and a facility closed and then (late) opened was open again.
/// </summary>
public sealed class ProjectionOrderTests : IAsyncLifetime
{
    private ServiceProvider _services = null!;
    private ITestHarness _harness = null!;

    public async ValueTask InitializeAsync()
    {
        var connectionString = await TestInfrastructure.NewPostgresDatabaseAsync("quota_order");
        _services = await QuotaProjectionHost.StartAsync(connectionString, demo: false, bus =>
            {
                bus.AddConsumer<RoleAssignedConsumer>();
                bus.AddConsumer<RoleRevokedConsumer>();
                bus.AddConsumer<FacilityRegisteredConsumer>();
                bus.AddConsumer<FacilityOpenedConsumer>();
                bus.AddConsumer<FacilityClosedConsumer>();
            });
        _harness = _services.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop();
        await _services.DisposeAsync();
    }

    private int _delivered;

    /// <summary>
    /// Publishes each message once the one before it has been consumed (its inbox record committed with its change): the order
    /// of delivery is the test's.
    /// </summary>
    private async Task DeliverInOrderAsync(params object[] messages)
    {
        foreach (var message in messages)
        {
            await _harness.Bus.Publish(message);
            var delivered = ++_delivered;
            await Eventually.HoldsAsync(() => ReadAsync(async db => await db.InboxMessages.CountAsync() == delivered), TimeSpan.FromSeconds(60), $"{message} consumed");
        }
        Assert.False(await _harness.Published.Any<Fault>(), "a consumer faulted");
    }

    private async Task<T> ReadAsync<T>(Func<QuotaDbContext, Task<T>> read)
    {
        await using var scope = _services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<QuotaDbContext>());
    }

    [Fact]
    public async Task A_revocation_delivered_before_its_assignment_leaves_the_role_revoked_and_a_later_assignment_applies()
    {
        var user = Guid.NewGuid();

        await DeliverInOrderAsync(new RoleRevoked(user, "state_operator", "ML", null, Revision: 3), new RoleAssigned(user, "state_operator", "ML", null, Revision: 2));

        Assert.False(await ReadAsync(db => db.Roles.AnyAsync(r => r.UserId == user)));

        await DeliverInOrderAsync(new RoleAssigned(user, "state_operator", "ML", null, Revision: 4), new RoleAssigned(user, "auditor", "ML", null, Revision: 1));
        // The auditor role (another role of the same user) has its own order: revision 1 is its first news, so it applies.
        Assert.Equal(["auditor", "state_operator"], await ReadAsync(db => db.Roles.Where(r => r.UserId == user).OrderBy(r => r.Role).Select(r => r.Role).ToListAsync()));
        await DeliverInOrderAsync(new RoleRevoked(user, "auditor", "ML", null, Revision: 5));
        Assert.Equal(["state_operator"], await ReadAsync(db => db.Roles.Where(r => r.UserId == user).Select(r => r.Role).ToListAsync()));
    }

    [Fact]
    public async Task A_newer_first_revision_waiting_on_an_older_ones_insert_still_applies()
    {
        var key = ProjectionRevisions.RoleKey(Guid.NewGuid(), "auditor", "ML", null);
        await using var olderScope = _services.CreateAsyncScope();
        var olderDb = olderScope.ServiceProvider.GetRequiredService<QuotaDbContext>();
        await using var older = await olderDb.Database.BeginTransactionAsync();
        Assert.True(await olderDb.IsNewerAsync(key, 2, CancellationToken.None)); // inserted, not yet committed

        var newer = Task.Run(async () =>
        {
            await using var scope = _services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<QuotaDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var applied = await db.IsNewerAsync(key, 3, CancellationToken.None);
            await transaction.CommitAsync();
            return applied;
        });
        // The newer one is waiting on the older one's row: both were the key's first news.
        await Eventually.HoldsAsync(() => ReadAsync(async db => await db.Database.SqlQueryRaw<int>(
            "SELECT count(*)::int AS \"Value\" FROM pg_locks WHERE NOT granted").SingleAsync() > 0), TimeSpan.FromSeconds(30), "the newer revision waiting");
        await older.CommitAsync();

        Assert.True(await newer); // before, its insert found the older row and it was dropped
        Assert.Equal(3, await ReadAsync(db => db.ProjectionRevisions.Where(r => r.Key == key).Select(r => r.Revision).SingleAsync()));
    }

    [Fact]
    public async Task A_closing_delivered_before_the_opening_leaves_the_facility_closed()
    {
        var facility = Guid.NewGuid();
        var now = DateTime.UtcNow;
        var slice = ResourceVector.Standard(64, 256, 1000, 2).ToList();

        await DeliverInOrderAsync(
            new FacilityRegistered(facility, "ML-KYS-1", "ML", "Kayes", "Kayes", 3, 99.982m, "planned", "Africa/Bamako", slice),
            new FacilityClosed(facility, "ML-KYS-1", "ML", now.AddMinutes(1), Version: 3),
            new FacilityOpened(facility, "ML-KYS-1", "ML", now, Version: 2));

        Assert.Equal("closed", await ReadAsync(db => db.Facilities.Where(f => f.FacilityId == facility).Select(f => f.Status).SingleAsync()));

        await DeliverInOrderAsync(new FacilityOpened(facility, "ML-KYS-1", "ML", now.AddMinutes(2), Version: 4));
        Assert.Equal("open", await ReadAsync(db => db.Facilities.Where(f => f.FacilityId == facility).Select(f => f.Status).SingleAsync()));
    }
}
