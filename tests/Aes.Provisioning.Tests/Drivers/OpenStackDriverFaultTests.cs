using Aes.Provisioning.Drivers;
using Aes.Provisioning.Drivers.OpenStack;
using Aes.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Provisioning.Tests.Drivers;

/// <summary>
/// The OpenStack driver when Keystone is down, against the real cloud, in the two ways it meets it: without a token (a
/// provisioning service restarted during the outage: Keystone cannot be reached), and with a token that Nova cannot
/// validate (Nova restarted during the outage, its token cache empty: Nova answers 503). A driver whose token Nova
/// validated before may go on working for a while, which is why neither relies on that.
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
    public async Task With_keystone_down_a_driver_without_a_token_and_one_nova_cannot_check_answer_unavailable_create_nothing_and_build_once_keystone_is_back()
    {
        await using var services = OpenStackFacilityUnderTest.Services(_cloud, _folder, retryBaseDelay: TimeSpan.FromMilliseconds(200));
        await OpenStackFacilityUnderTest.Connect(services, _facility, _cloud);
        await using var restarted = OpenStackFacilityUnderTest.Services(_cloud, _folder, retryBaseDelay: TimeSpan.FromMilliseconds(200));
        var signedIn = services.GetRequiredService<OpenStackFacilityDriver>();
        var withoutToken = restarted.GetRequiredService<OpenStackFacilityDriver>();
        NativeFlavour small;
        using (await _cloud.EveryServiceUpAsync())
        {
            small = (await signedIn.ListOfferAsync(_facility, CancellationToken.None)).Flavours.Single(f => f.Name == "s1.small");
        }
        var vmId = Guid.NewGuid();
        var spec = new FacilityVmSpec(vmId, _facility, $"fault-{vmId.ToString()[..8]}", small.Shape, small.Id, _cloud["OS_IMAGE_ID"], Guid.NewGuid(), Guid.NewGuid(), [], null, Guid.Empty, []);

        using (await _cloud.FaultAsync())
        {
            await _cloud.StopServiceAsync("keystone");
            try
            {
                var noToken = await Assert.ThrowsAsync<FacilityDriverException>(() => withoutToken.EnsureCreatedAsync(spec, CancellationToken.None));
                Assert.Equal(FacilityFault.Unavailable, noToken.Fault); // the workflow retries it: the request does not fail
                Assert.Contains("Keystone", noToken.Message, StringComparison.Ordinal);
                var health = await withoutToken.ProbeAsync(_facility, CancellationToken.None);
                Assert.False(health.Reachable);
                Assert.Contains("Keystone", health.DetailEn, StringComparison.Ordinal);

                await _cloud.StopServiceAsync("nova-api");
                await _cloud.StartServiceAsync("nova-api");
                var unchecked503 = await Assert.ThrowsAsync<FacilityDriverException>(() => signedIn.EnsureCreatedAsync(spec, CancellationToken.None));
                Assert.Equal(FacilityFault.Unavailable, unchecked503.Fault);
                Assert.Contains("answered 503", unchecked503.Message, StringComparison.Ordinal);
            }
            finally
            {
                await _cloud.StartServiceAsync("keystone");
            }
        }

        using (await _cloud.EveryServiceUpAsync())
        {
            Assert.DoesNotContain(await _cloud.ServersAsync(), server => server.ToJsonString().Contains(vmId.ToString(), StringComparison.Ordinal));
            var created = await signedIn.EnsureCreatedAsync(spec, CancellationToken.None);
            Assert.Equal(vmId, created.VmId);
            await Eventually.HoldsAsync(async () => await signedIn.EnsureDeletedAsync(_facility, vmId, CancellationToken.None), TimeSpan.FromSeconds(120), "the server is gone");
        }
    }
}
