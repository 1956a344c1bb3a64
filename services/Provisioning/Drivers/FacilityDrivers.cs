using System.Collections.Concurrent;
using Aes.Provisioning.Drivers.OpenStack;

namespace Aes.Provisioning.Drivers;

/// <summary>
/// Each facility's connection as the operators registered it (provisioning's <c>facility_connections</c>),
/// read through a short cache: the drivers ask for it on every call.
/// </summary>
public sealed class FacilityAccounts(IServiceScopeFactory scopes, TimeProvider clock)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<Guid, (FacilityConnection? Connection, DateTime ReadAt)> _cache = new();

    public async Task<FacilityConnection?> ConnectionAsync(Guid facilityId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_cache.TryGetValue(facilityId, out var cached) && now - cached.ReadAt < Freshness)
        {
            return cached.Connection;
        }
        await using var scope = scopes.CreateAsyncScope();
        var connection = await scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>().Connections.AsNoTracking()
            .FirstOrDefaultAsync(c => c.FacilityId == facilityId, cancellationToken);
        _cache[facilityId] = (connection, now);
        return connection;
    }

    public async Task<OpenStackAccount?> OpenStackAsync(Guid facilityId, CancellationToken cancellationToken) =>
        await ConnectionAsync(facilityId, cancellationToken) is { Driver: FacilityDrivers.OpenStack } c
            ? new OpenStackAccount(c.AuthUrl, c.Region, c.Project, c.ProjectDomain, c.CredentialReference, c.Network)
            : null;

    public void Forget(Guid facilityId) => _cache.TryRemove(facilityId, out _);
}

/// <summary>
/// Chooses each facility's driver: its registered connection (OpenStack), else <c>Provisioning:Drivers:&lt;facility
/// code&gt;</c>, else the simulated facility, which the embedded run and every facility without a cloud of its own use.
/// Every call through it ends within <see cref="Application.ProvisioningSettings.FacilityCallTimeout"/>.
/// </summary>
public sealed class FacilityDrivers(IServiceProvider services, FacilityAccounts accounts, Application.ProvisioningSettings settings, IConfiguration configuration)
{
    public const string Simulated = "simulated";
    public const string OpenStack = "openstack";
    public static readonly IReadOnlyList<string> Kinds = [Simulated, OpenStack];

    public async Task<string> KindOfAsync(FacilityTarget facility, CancellationToken cancellationToken) =>
        (await accounts.ConnectionAsync(facility.FacilityId, cancellationToken))?.Driver
        ?? configuration[$"Provisioning:Drivers:{facility.FacilityCode}"] ?? Simulated;

    public async Task<IFacilityDriver> ForAsync(FacilityTarget facility, CancellationToken cancellationToken) =>
        new DeadlinedFacilityDriver(await KindOfAsync(facility, cancellationToken) switch
        {
            Simulated => services.GetRequiredService<SimulatedFacilityDriver>(),
            OpenStack => services.GetRequiredService<OpenStackFacilityDriver>(),
            var kind => throw new FacilityDriverException($"No driver '{kind}' for facility {facility.FacilityCode}."),
        }, settings.FacilityCallTimeout);
}
