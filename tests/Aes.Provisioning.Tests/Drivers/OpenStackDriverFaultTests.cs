using Aes.Provisioning.Drivers;
using Aes.Provisioning.Drivers.OpenStack;
using Aes.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Provisioning.Tests.Drivers;

/// <summary>
/// The OpenStack driver when Keystone is down, against the real cloud. A driver that still holds a token may go on
/// working (Nova caches what Keystone validated), so this one starts without any: it is what a provisioning service
/// restarted during the outage meets.
/// </summary>
public sealed class OpenStackDriverFaultTests : IAsyncLifetime
{
    private readonly string _folder = Infra.NewTempFolder("aes-openstack-fault");
    private readonly FacilityTarget _facility = new(Guid.NewGuid(), "ML-BKO-1");
    private OpenStackCloud _cloud = null!;

    public async ValueTask InitializeAsync() => _cloud = await OpenStackCloud.SharedAsync();

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task With_keystone_down_a_driver_without_a_token_answers_unavailable_creates_nothing_and_builds_once_keystone_is_back()
    {
        await using var services = OpenStackFacilityUnderTest.Services(_cloud, _folder, retryBaseDelay: TimeSpan.FromMilliseconds(200));
        await OpenStackFacilityUnderTest.Connect(services, _facility, _cloud);
        var driver = services.GetRequiredService<OpenStackFacilityDriver>();
        NativeFlavour small;
        using (await _cloud.EveryServiceUpAsync())
        {
            // Read through a driver of its own, so the one under test has never signed in.
            await using var reader = OpenStackFacilityUnderTest.Services(_cloud, _folder, retryBaseDelay: TimeSpan.FromMilliseconds(200));
            small = (await reader.GetRequiredService<OpenStackFacilityDriver>().ListOfferAsync(_facility, CancellationToken.None)).Flavours.Single(f => f.Name == "s1.small");
        }
        var vmId = Guid.NewGuid();
        var spec = new FacilityVmSpec(vmId, _facility, $"fault-{vmId.ToString()[..8]}", small.Size, small.Id, _cloud["OS_IMAGE_ID"], false, Guid.NewGuid(), Guid.NewGuid());

        using (await _cloud.FaultAsync())
        {
            await _cloud.StopServiceAsync("keystone");
            try
            {
                var refused = await Assert.ThrowsAsync<FacilityDriverException>(() => driver.EnsureCreatedAsync(spec, CancellationToken.None));
                Assert.Equal(FacilityFault.Unavailable, refused.Fault); // the workflow retries it: the request does not fail
                var health = await driver.ProbeAsync(_facility, CancellationToken.None);
                Assert.False(health.Reachable);
                Assert.Contains("Keystone", health.DetailEn, StringComparison.Ordinal);
            }
            finally
            {
                await _cloud.StartServiceAsync("keystone");
            }
        }

        using (await _cloud.EveryServiceUpAsync())
        {
            Assert.DoesNotContain(await _cloud.ServersAsync(), server => server.ToJsonString().Contains(vmId.ToString(), StringComparison.Ordinal));
            var created = await driver.EnsureCreatedAsync(spec, CancellationToken.None);
            Assert.Equal(vmId, created.VmId);
            await Eventually.HoldsAsync(async () => await driver.EnsureDeletedAsync(_facility, vmId, CancellationToken.None), TimeSpan.FromSeconds(120), "the server is gone");
        }
    }
}
