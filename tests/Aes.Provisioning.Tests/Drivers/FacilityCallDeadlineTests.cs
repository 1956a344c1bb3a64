using Aes.Contracts;
using Aes.Provisioning.Drivers;
using Aes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Provisioning.Tests.Drivers;

/// <summary>
/// Every facility call has a deadline: a simulated facility that answers each call after a minute fails the call as unavailable
/// (the workflow's step is tried again later) well before, while the caller's own cancellation stays a cancellation.
/// </summary>
public sealed class FacilityCallDeadlineTests : IAsyncLifetime
{
    private readonly string _folder = Infra.NewTempFolder("aes-slow-facility");
    private ServiceProvider _services = null!;
    private readonly FacilityTarget _facility = new(Guid.NewGuid(), "ML-BKO-1");

    public async ValueTask InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddSingleton(new SimulatorSettings { CallLatency = TimeSpan.FromMinutes(1) })
            .AddSingleton(TimeProvider.System).AddSingleton<SimulatedFacilityDriver>()
            .AddDbContext<SimulatedFacilityDbContext>(options => options.UseSqlite($"Data Source={Path.Combine(_folder, "facility.db")}"))
            .BuildServiceProvider();
        await SimulatedFacilityDriver.EnsureStoreAsync(_services, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private IFacilityDriver Bounded(TimeSpan deadline) => new DeadlinedFacilityDriver(_services.GetRequiredService<SimulatedFacilityDriver>(), deadline);

    [Fact]
    public async Task A_facility_that_does_not_answer_in_time_fails_the_call_as_unavailable()
    {
        var driver = Bounded(TimeSpan.FromMilliseconds(300));
        var spec = new FacilityVmSpec(Guid.NewGuid(), _facility, "lent-1", ResourceVector.Standard(1, 2, 40, 0), "s1.small", "debian-12", Guid.NewGuid(), Guid.NewGuid(),
            [], null, Guid.NewGuid(), []);

        var created = await Assert.ThrowsAsync<FacilityDriverException>(() => driver.EnsureCreatedAsync(spec, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        Assert.Equal(FacilityFault.Unavailable, created.Fault);
        var deleted = await Assert.ThrowsAsync<FacilityDriverException>(() => driver.EnsureDeletedAsync(_facility, spec.VmId, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        Assert.Equal(FacilityFault.Unavailable, deleted.Fault);

        // A probe never throws: silence is an unreachable facility.
        var health = await driver.ProbeAsync(_facility, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.False(health.Reachable);
        Assert.Contains("did not answer", health.DetailEn);
    }

    [Fact]
    public async Task The_callers_own_cancellation_stays_a_cancellation()
    {
        var driver = Bounded(TimeSpan.FromMinutes(5));
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => driver.FindAsync(_facility, Guid.NewGuid(), caller.Token)
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
    }
}
