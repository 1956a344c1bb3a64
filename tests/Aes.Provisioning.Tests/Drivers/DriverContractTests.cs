using Aes.Contracts;
using Aes.Provisioning.Data;
using Aes.Provisioning.Domain;
using Aes.Provisioning.Drivers;
using Aes.Provisioning.Drivers.OpenStack;
using Aes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Provisioning.Tests.Drivers;

/// <summary>The simulated facility, in a database of its own, with a largest host of 64 GiB.</summary>
public sealed class SimulatedFacilityUnderTest : IDriverUnderTest, IAsyncLifetime
{
    private readonly string _folder = Infra.NewTempFolder("aes-simulator");
    private ServiceProvider _services = null!;

    public IFacilityDriver Driver => _services.GetRequiredService<SimulatedFacilityDriver>();
    public FacilityTarget Facility { get; } = new(Guid.NewGuid(), "ML-BKO-1");
    public (string Native, ResourceVector Size) Small => ("s1.small", ResourceVector.Standard(1, 2, 40, 0));
    public (string Native, ResourceVector Size) Larger => ("s1.medium", ResourceVector.Standard(2, 4, 80, 0));
    public (string Native, ResourceVector Size) TooLarge => ("custom-4-128-40", ResourceVector.Standard(4, 128, 40, 0));
    public string Image => "debian-12";

    public async ValueTask InitializeAsync()
    {
        _services = new ServiceCollection()
            .AddSingleton(new SimulatorSettings
            {
                MinCreateLatency = TimeSpan.FromMilliseconds(200), MaxCreateLatency = TimeSpan.FromMilliseconds(600),
                DeleteLatency = TimeSpan.FromMilliseconds(300), LargestHostMemoryGib = 64,
            })
            .AddSingleton(TimeProvider.System).AddSingleton<SimulatedFacilityDriver>()
            .AddDbContext<SimulatedFacilityDbContext>(options => options.UseSqlite($"Data Source={Path.Combine(_folder, "facility.db")}"))
            .BuildServiceProvider();
        await SimulatedFacilityDriver.EnsureStoreAsync(_services, CancellationToken.None);
        await SimulatedFacilityDriver.EnsureStoreAsync(_services, CancellationToken.None); // as every later start does, on the store it finds
    }

    public async Task DeleteBehindTheBackAsync(FacilityServer server)
    {
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>().Servers.Where(s => s.VmId == server.VmId).ExecuteDeleteAsync();
    }

    public async Task<InstalledAccess> ReadBackAsync(Guid vmId, string serverId)
    {
        await using var scope = _services.CreateAsyncScope();
        var access = await scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>().Set<SimulatedServerAccess>().AsNoTracking()
            .FirstOrDefaultAsync(a => a.VmId == vmId);
        return new InstalledAccess(access?.SshPublicKeys?.Split('\n') ?? [], access?.UserData, access?.PublicAddress is { } address ? [address] : []);
    }

    public async Task<IReadOnlyList<string>?> ProjectFirewallAsync(Guid projectId)
    {
        await using var scope = _services.CreateAsyncScope();
        var network = await scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>().Set<SimulatedProjectNetwork>().AsNoTracking()
            .FirstOrDefaultAsync(n => n.FacilityId == Facility.FacilityId && n.ProjectId == projectId);
        return network is null
            ? null
            : System.Text.Json.JsonSerializer.Deserialize<List<FirewallRule>>(network.InboundRulesJson)!
                .Select(r => $"{r.Protocol} {r.PortMin}-{r.PortMax} {r.SourceCidr}").Order(StringComparer.Ordinal).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>
/// A real OpenStack (deploy/scripts/openstack.sh), reached as a facility's operators connect it: a connection in
/// provisioning's database naming the credentials, the application credential in configuration as the secret store
/// would give it.
/// </summary>
public sealed class OpenStackFacilityUnderTest : IDriverUnderTest, IAsyncLifetime
{
    private readonly string _folder = Infra.NewTempFolder("aes-openstack-driver");
    private ServiceProvider _services = null!;
    private OpenStackCloud _cloud = null!;
    private IDisposable? _servicesUp;

    public IFacilityDriver Driver => _services.GetRequiredService<OpenStackFacilityDriver>();
    public FacilityTarget Facility { get; } = new(Guid.NewGuid(), "ML-BKO-1");
    public (string Native, ResourceVector Size) Small { get; private set; }
    public (string Native, ResourceVector Size) Larger { get; private set; }
    public (string Native, ResourceVector Size) TooLarge { get; private set; }
    public string Image { get; private set; } = "";
    public OpenStackCloud Cloud => _cloud;

    public async ValueTask InitializeAsync()
    {
        _cloud = await OpenStackCloud.SharedAsync();
        _servicesUp = await _cloud.EveryServiceUpAsync(); // no fault test stops a service of the cloud meanwhile
        _services = Services(_cloud, _folder, retryBaseDelay: TimeSpan.FromMilliseconds(500));
        await Connect(_services, Facility, _cloud);
        var offer = await Driver.ListOfferAsync(Facility, CancellationToken.None);
        (string, ResourceVector) Named(string name) => offer.Flavours.Single(f => f.Name == name) is var f ? (f.Id, f.Shape) : default;
        (Small, Larger, TooLarge) = (Named("s1.small"), Named("s1.medium"), Named(_cloud["OS_ERROR_FLAVOR"]));
        Image = _cloud["OS_IMAGE_ID"];
    }

    /// <summary>A provider of the driver and what it needs, on a provisioning database of its own in <paramref name="folder"/>.</summary>
    public static ServiceProvider Services(OpenStackCloud cloud, string folder, TimeSpan retryBaseDelay) => new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{FacilityCredentials.Section}:contract:ApplicationCredentialId"] = cloud["OS_APPLICATION_CREDENTIAL_ID"],
            [$"{FacilityCredentials.Section}:contract:ApplicationCredentialSecret"] = cloud["OS_APPLICATION_CREDENTIAL_SECRET"],
            ["Provisioning:OpenStack:RetryBaseDelay"] = retryBaseDelay.ToString(),
        }).Build())
        .AddSingleton(TimeProvider.System).AddSingleton<FacilityAccounts>().AddSingleton<OpenStackFacilityDriver>()
        .AddHttpClient().AddLogging()
        .AddDbContext<ProvisioningDbContext, ProvisioningSqliteDbContext>(options => options.UseSqlite($"Data Source={Path.Combine(folder, "provisioning.db")}"))
        .BuildServiceProvider();

    public static async Task Connect(ServiceProvider services, FacilityTarget facility, OpenStackCloud cloud)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>();
        await db.Database.MigrateAsync();
        db.Connections.Add(new FacilityConnection
        {
            FacilityId = facility.FacilityId, FacilityCode = facility.FacilityCode, Driver = FacilityDrivers.OpenStack, AuthUrl = cloud.AuthUrl,
            Region = cloud["OS_REGION_NAME"], Project = cloud["OS_PROJECT_NAME"], ProjectDomain = cloud["OS_PROJECT_DOMAIN_NAME"],
            CredentialReference = "contract", Network = "shared", UpdatedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    public Task DeleteBehindTheBackAsync(FacilityServer server) => _cloud.DeleteServerAsync(server.ServerId);

    /// <summary>Read as the cloud's administrator: Nova's key pair and user data, and Neutron's floating IPs (with the port each is on).</summary>
    /// <summary>Read as the cloud's administrator; a network exists with its subnet and its own router to the external network.</summary>
    public async Task<IReadOnlyList<string>?> ProjectFirewallAsync(Guid projectId)
    {
        var network = await _cloud.ProjectNetworkOfAsync(projectId);
        if (network is { Networks: 0, SecurityGroups: 0, Routers: 0 })
        {
            return null;
        }
        Assert.Equal((1, 1, 1, _cloud["OS_EXTERNAL_NETWORK_ID"], 1), (network.Networks, network.Subnets, network.Routers, network.RouterGateway, network.SecurityGroups));
        return network.InboundRules;
    }

    public async Task<InstalledAccess> ReadBackAsync(Guid vmId, string serverId)
    {
        var access = await _cloud.AccessOfAsync(vmId, serverId);
        Assert.All(access.FloatingIps, ip => Assert.Equal(_cloud["OS_EXTERNAL_NETWORK_ID"], ip.Network));
        Assert.All(access.FloatingIps, ip => Assert.True(ip.Device is null || ip.Device == serverId, "on the server's own port"));
        if (access.KeyPairKeys.Count > 0 && access.UserData is not null)
        {
            Assert.Equal(OpenStackFacilityDriver.KeyPairName(vmId), access.ServerKeyName); // the server boots with the VM's key pair
        }
        return new InstalledAccess(access.KeyPairKeys, access.UserData, access.FloatingIps.Select(ip => ip.Address).ToList());
    }

    public async ValueTask DisposeAsync()
    {
        _servicesUp?.Dispose();
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class SimulatedFacilityContractTests(SimulatedFacilityUnderTest facility)
    : FacilityDriverContract(facility), IClassFixture<SimulatedFacilityUnderTest>;

public sealed class OpenStackFacilityContractTests(OpenStackFacilityUnderTest facility)
    : FacilityDriverContract(facility), IClassFixture<OpenStackFacilityUnderTest>;
