using Aes.Provisioning.Application;
using Aes.Provisioning.Data;
using Aes.Provisioning.Domain;
using Aes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Provisioning.Tests;

/// <summary>
/// The workflow step's lease on real PostgreSQL (ADR 031): two runners' scopes on one request row, as two replicas have them. A
/// runner whose lease ran out and was taken is fenced off from the facility and quota, its saves are refused, and it can
/// neither extend, clear nor postpone the lease of the runner that took it; a kept lease is not taken at all.
/// </summary>
public sealed class StepLeaseTests : IAsyncLifetime
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private readonly ManualClock _clock = new();
    private ServiceProvider _services = null!;
    private readonly Guid _requestId = Guid.CreateVersion7();

    public async ValueTask InitializeAsync() => _services = await ServicesAsync(_clock, Lease);

    private async Task<ServiceProvider> ServicesAsync(TimeProvider clock, TimeSpan lease)
    {
        var database = await TestInfrastructure.NewPostgresDatabaseAsync("lease");
        var services = new ServiceCollection()
            .AddDbContext<ProvisioningDbContext, ProvisioningPostgresDbContext>(options => options.UseNpgsql(database))
            .AddSingleton(new ProvisioningSettings { StepLease = lease, StepRetryDelay = TimeSpan.FromSeconds(5) })
            .AddSingleton(clock).AddLogging().AddScoped<StepLease>()
            .BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        await db.Database.MigrateAsync();
        db.Requests.Add(new HostingRequest
        {
            Id = _requestId, AgencyStateCode = "ML", Justification = "bail", VmLinesJson = "[]", Status = RequestStatus.Approved,
            NextStepAt = clock.GetUtcNow().UtcDateTime, SubmittedAt = clock.GetUtcNow().UtcDateTime, Deadline = clock.GetUtcNow().UtcDateTime.AddDays(1),
        });
        await db.SaveChangesAsync();
        return services;
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    private async Task<HostingRequest> RowAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>().Requests.AsNoTracking().SingleAsync(r => r.Id == _requestId);
    }

    [Fact]
    public async Task A_runner_whose_lease_was_taken_is_fenced_off_and_cannot_touch_the_new_holders_lease()
    {
        await using var stale = _services.CreateAsyncScope();
        var staleLease = stale.ServiceProvider.GetRequiredService<StepLease>();
        Assert.True(await staleLease.TakeAsync(_requestId, default));
        var staleDb = stale.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        var staleRow = await staleDb.Requests.SingleAsync(r => r.Id == _requestId); // what the stale runner's step read

        await using var current = _services.CreateAsyncScope();
        var currentLease = current.ServiceProvider.GetRequiredService<StepLease>();
        Assert.False(await currentLease.TakeAsync(_requestId, default)); // held: nobody else takes it

        _clock.Now += Lease + TimeSpan.FromSeconds(1); // the stale runner is paused past its lease
        Assert.True(await currentLease.TakeAsync(_requestId, default));
        var taken = await RowAsync(_services);

        await Assert.ThrowsAsync<LeaseLostException>(() => staleLease.HoldAsync(default));
        Assert.True(staleLease.Lost);
        staleRow.Status = RequestStatus.Failed;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => staleDb.SaveChangesAsync());
        await staleLease.PostponeAsync(default);
        await staleLease.ReleaseAsync(default);

        var after = await RowAsync(_services);
        Assert.Equal(RequestStatus.Approved, after.Status);
        Assert.Equal(currentLease.Token, after.LeaseToken);
        Assert.Equal(taken.LeasedUntil, after.LeasedUntil);
        Assert.Equal(taken.NextStepAt, after.NextStepAt);

        await currentLease.HoldAsync(default); // the holder's fence passes, and renews from now
        Assert.Equal(_clock.GetUtcNow().UtcDateTime + Lease, (await RowAsync(_services)).LeasedUntil!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_lease_run_out_that_no_runner_took_is_still_its_holders_and_its_release_frees_the_step()
    {
        await using var scope = _services.CreateAsyncScope();
        var lease = scope.ServiceProvider.GetRequiredService<StepLease>();
        Assert.True(await lease.TakeAsync(_requestId, default));
        _clock.Now += Lease * 2;
        await lease.HoldAsync(default);
        Assert.False(lease.Lost);

        await lease.PostponeAsync(default);
        var after = await RowAsync(_services);
        Assert.Null(after.LeaseToken);
        Assert.Null(after.LeasedUntil);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(5), after.NextStepAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_kept_lease_outlives_its_length_and_no_second_runner_takes_it()
    {
        await using var services = await ServicesAsync(TimeProvider.System, TimeSpan.FromSeconds(4));
        await using var first = services.CreateAsyncScope();
        var lease = first.ServiceProvider.GetRequiredService<StepLease>();
        Assert.True(await lease.TakeAsync(_requestId, default));
        await using (var kept = lease.KeepAlive(default))
        {
            var takenAt = DateTime.UtcNow;
            // Two and a half lease lengths of a slow call: the row's lease keeps moving ahead of the clock, so a second runner never gets it.
            while (DateTime.UtcNow - takenAt < TimeSpan.FromSeconds(10))
            {
                await using var second = services.CreateAsyncScope();
                Assert.False(await second.ServiceProvider.GetRequiredService<StepLease>().TakeAsync(_requestId, default));
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            Assert.False(kept.Token.IsCancellationRequested);
        }
        Assert.False(lease.Lost);
    }

    [Fact]
    public async Task The_token_alone_refuses_a_stale_save()
    {
        await using var stale = _services.CreateAsyncScope();
        Assert.True(await stale.ServiceProvider.GetRequiredService<StepLease>().TakeAsync(_requestId, default));
        var staleDb = stale.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        var staleRow = await staleDb.Requests.SingleAsync(r => r.Id == _requestId);

        // Another token with the version left as it was: only the token tells the two leases apart.
        await using (var other = _services.CreateAsyncScope())
        {
            await other.ServiceProvider.GetRequiredService<ProvisioningDbContext>().Requests.Where(r => r.Id == _requestId)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeaseToken, Guid.CreateVersion7()), TestContext.Current.CancellationToken);
        }
        staleRow.Status = RequestStatus.Failed;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => staleDb.SaveChangesAsync(TestContext.Current.CancellationToken));
        Assert.Equal(RequestStatus.Approved, (await RowAsync(_services)).Status);
    }

    [Fact]
    public async Task A_lease_its_step_gave_back_is_released_not_lost()
    {
        // Long enough that a renewal on two loaded cores still lands inside the lease: this test is about the release, not a lapse.
        await using var services = await ServicesAsync(TimeProvider.System, TimeSpan.FromSeconds(6));
        await using var scope = services.CreateAsyncScope();
        var lease = scope.ServiceProvider.GetRequiredService<StepLease>();
        Assert.True(await lease.TakeAsync(_requestId, default));
        await using (var kept = lease.KeepAlive(default))
        {
            // The step's final save, as the workflow makes it: the lease and its token cleared with the step's changes.
            var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
            var row = await db.Requests.SingleAsync(r => r.Id == _requestId, TestContext.Current.CancellationToken);
            (row.LeasedUntil, row.LeaseToken, row.NextStepAt) = (null, null, null);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            // Heartbeats come every 2 s; the released lease is seen at the next one and the heartbeat ends there, cancelling nothing.
            await Eventually.HoldsAsync(() => Task.FromResult(lease.HeartbeatEnded), TimeSpan.FromSeconds(30), "the heartbeat sees the lease given back");
            Assert.False(kept.Token.IsCancellationRequested);
        }
        Assert.False(lease.Lost);
    }

    [Fact]
    public async Task A_heartbeat_that_finds_its_lease_taken_cancels_the_step()
    {
        await using var services = await ServicesAsync(TimeProvider.System, TimeSpan.FromSeconds(4));
        await using var first = services.CreateAsyncScope();
        var lease = first.ServiceProvider.GetRequiredService<StepLease>();
        Assert.True(await lease.TakeAsync(_requestId, default));
        await using var kept = lease.KeepAlive(default);

        // Another runner's lease, written as TakeAsync writes one when this runner's has run out.
        await using (var other = services.CreateAsyncScope())
        {
            await other.ServiceProvider.GetRequiredService<ProvisioningDbContext>().Requests.Where(r => r.Id == _requestId)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeaseToken, Guid.CreateVersion7()), TestContext.Current.CancellationToken);
        }
        var cancelled = new TaskCompletionSource();
        await using var _ = kept.Token.Register(() => cancelled.TrySetResult());
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(lease.Lost);
    }
}
