using Aes.Contracts;
using Microsoft.Data.Sqlite;

namespace Aes.Provisioning.Drivers;

public sealed class SimulatedServer
{
    public Guid VmId { get; init; }
    public Guid FacilityId { get; init; }
    public required string Name { get; init; }
    /// <summary>
    /// What its flavour fixes, kept as a cloud keeps a server (Nova's vcpus, ram and disk): the simulator's own table stands
    /// for a facility's system, not for the marketplace's schema, so its columns stay where an earlier version put them.
    /// </summary>
    public long Vcpu { get; set; }
    public long MemoryGib { get; set; }
    public long DiskGib { get; set; }

    public ResourceVector Shape
    {
        get => ResourceVector.Standard(Vcpu, MemoryGib, DiskGib, publicIpv4: 0);
        set => (Vcpu, MemoryGib, DiskGib) = (value[ResourceClasses.Vcpu], value[ResourceClasses.MemoryGib], value[ResourceClasses.StorageGib]);
    }

    public required string Flavour { get; set; }
    public required string Image { get; init; }
    public Guid AgencyId { get; init; }
    /// <summary>building, active, stopped, error, deleting.</summary>
    public required string State { get; set; }
    public string? Fault { get; set; }
    /// <summary>When the state under way (building, deleting) ends.</summary>
    public DateTime? Until { get; set; }
    public DateTime CreatedAt { get; init; }
    public SimulatedServerAccess? Access { get; set; }
}

/// <summary>How a simulated server is reached: its keys, its user data and its public IPv4 (kept apart so that older stores gain it as a new table).</summary>
public sealed class SimulatedServerAccess
{
    public Guid VmId { get; init; }
    public Guid ProjectId { get; init; }
    public string? SshPublicKeys { get; init; }
    public string? UserData { get; init; }
    public string? PublicAddress { get; init; }
}

/// <summary>A snapshot in a simulated facility: creating until <see cref="ReadyAt"/>, then available.</summary>
public sealed class SimulatedSnapshot
{
    public Guid SnapshotId { get; init; }
    public Guid VmId { get; init; }
    public required string Name { get; init; }
    public DateTime ReadyAt { get; init; }
}

/// <summary>A project's private network and security group in a simulated facility: its inbound rules, as JSON.</summary>
public sealed class SimulatedProjectNetwork
{
    public Guid FacilityId { get; init; }
    public Guid ProjectId { get; init; }
    public required string Cidr { get; init; }
    public required string InboundRulesJson { get; set; }
}

/// <summary>
/// The simulated facilities' own store, apart from the provisioning database as a real facility's
/// would be: VMs built there survive a crash of the provisioning service and can be listed.
/// </summary>
public sealed class SimulatedFacilityDbContext(DbContextOptions<SimulatedFacilityDbContext> options) : DbContext(options)
{
    public DbSet<SimulatedServer> Servers => Set<SimulatedServer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SimulatedServer>(vm =>
        {
            vm.ToTable("simulated_servers");
            vm.HasKey(v => v.VmId);
            vm.HasIndex(v => v.FacilityId);
            vm.Ignore(v => v.Shape);
            vm.HasOne(v => v.Access).WithOne().HasForeignKey<SimulatedServerAccess>(a => a.VmId).OnDelete(DeleteBehavior.Cascade);
            vm.Navigation(v => v.Access).AutoInclude();
        });
        modelBuilder.Entity<SimulatedSnapshot>(snapshot =>
        {
            snapshot.ToTable("simulated_snapshots");
            snapshot.HasKey(x => x.SnapshotId);
            snapshot.HasIndex(x => x.VmId);
        });
        modelBuilder.Entity<SimulatedProjectNetwork>(network =>
        {
            network.ToTable("simulated_project_networks");
            network.HasKey(n => new { n.FacilityId, n.ProjectId });
        });
        modelBuilder.Entity<SimulatedServerAccess>(access =>
        {
            access.ToTable("simulated_server_access");
            access.HasKey(a => a.VmId);
            access.HasIndex(a => a.PublicAddress).IsUnique();
        });
    }
}

public sealed class SimulatorSettings
{
    public const string Section = "Simulator";

    /// <summary>How long building a VM takes, drawn between the two (a real boot takes seconds to minutes).</summary>
    public TimeSpan MinCreateLatency { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxCreateLatency { get; set; } = TimeSpan.FromSeconds(3);
    public TimeSpan DeleteLatency { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>How long each call to the simulated API takes to answer (none by default): a slow or distant facility.</summary>
    public TimeSpan CallLatency { get; set; }
    /// <summary>Share of builds that end in error, 0 to 1.</summary>
    public double FailureRate { get; set; }
    /// <summary>A regular expression: the builds of VMs whose name it matches end in error (a rehearsal of a given failure).</summary>
    public string? FailBuildsNamed { get; set; }
    /// <summary>The largest host's memory: a VM larger than that is built into an error and resized to none, as a real scheduler finds no host.</summary>
    public long LargestHostMemoryGib { get; set; } = 2048;

    public bool Fits(ResourceVector size) => size[ResourceClasses.MemoryGib] <= LargestHostMemoryGib;
}

/// <summary>
/// A facility that exists only in its own database, with a facility's timing (a build and a removal take
/// a while, and the caller comes back to see), a configurable failure rate, and a catalogue of its own: the
/// confederal flavours and images, and any other size.
/// </summary>
public sealed class SimulatedFacilityDriver(IServiceScopeFactory scopes, SimulatorSettings settings, TimeProvider clock) : IFacilityDriver
{
    private const System.Text.RegularExpressions.RegexOptions RegexOptions = System.Text.RegularExpressions.RegexOptions.CultureInvariant;
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private const string Building = "building", Active = "active", Stopped = "stopped", Error = "error", Deleting = "deleting";

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private Task AnswerLatencyAsync(CancellationToken cancellationToken) =>
        settings.CallLatency > TimeSpan.Zero ? Task.Delay(settings.CallLatency, clock, cancellationToken) : Task.CompletedTask;

    public async Task<FacilityServer> EnsureCreatedAsync(FacilityVmSpec spec, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        if (await CurrentAsync(db, spec.VmId, cancellationToken) is { } existing)
        {
            return ToServer(existing);
        }
        await EnsureProjectNetworkAsync(db, spec.Facility.FacilityId, spec.ProjectId, spec.Firewall, cancellationToken);
        var publicAddress = spec.Size.HasPublicAddress() ? await FreePublicAddressAsync(db, spec.VmId, cancellationToken) : null;
        var latency = settings.MinCreateLatency + (settings.MaxCreateLatency - settings.MinCreateLatency) * Random.Shared.NextDouble();
        var fits = settings.Fits(spec.Size);
        var server = new SimulatedServer
        {
            VmId = spec.VmId, FacilityId = spec.Facility.FacilityId, Name = spec.Name, Shape = spec.Size.ServerShape(), Flavour = spec.NativeFlavour, Image = spec.NativeImage, AgencyId = spec.AgencyId,
            State = fits ? Building : Error, Fault = fits ? null : $"No valid host was found: no host has {spec.Size[ResourceClasses.MemoryGib]} GiB of memory.",
            Until = fits ? Now + latency : null, CreatedAt = Now,
            Access = new SimulatedServerAccess
            {
                VmId = spec.VmId, ProjectId = spec.ProjectId, SshPublicKeys = spec.SshPublicKeys.Count > 0 ? string.Join('\n', spec.SshPublicKeys) : null, UserData = spec.UserData,
                PublicAddress = publicAddress,
            },
        };
        db.Servers.Add(server);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent retry asked first: the VM exists once. Or another VM took the same public address meanwhile: ask again.
            db.ChangeTracker.Clear();
            return await CurrentAsync(db, spec.VmId, cancellationToken) is { } first ? ToServer(first) : await EnsureCreatedAsync(spec, cancellationToken);
        }
        return ToServer(server);
    }

    public async Task<FacilityServer?> FindAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        return await CurrentAsync(scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>(), vmId, cancellationToken) is { } server
            ? ToServer(server)
            : null;
    }

    public async Task<bool> EnsureDeletedAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        if (await CurrentAsync(db, vmId, cancellationToken) is not { } server)
        {
            return true;
        }
        if (server.State != Deleting)
        {
            (server.State, server.Until) = (Deleting, Now + settings.DeleteLatency);
            await db.SaveChangesAsync(cancellationToken);
        }
        return false;
    }

    public async Task<ResizeProgress> EnsureResizedAsync(FacilityTarget facility, Guid vmId, ResourceVector shape, string nativeFlavour, DateTime askedAt,
        CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        var server = await CurrentAsync(db, vmId, cancellationToken) ?? throw new FacilityDriverException($"VM {vmId} does not exist in this facility");
        if (server.State is Error or Deleting)
        {
            return ResizeProgress.Failed($"the server is {server.State}");
        }
        if (!settings.Fits(shape))
        {
            return ResizeProgress.Failed($"No valid host was found: no host has {shape[ResourceClasses.MemoryGib]} GiB of memory.");
        }
        (server.Shape, server.Flavour) = (shape, nativeFlavour);
        await db.SaveChangesAsync(cancellationToken);
        return ResizeProgress.Finished;
    }

    public Task<FacilityServer> StopAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        ChangePowerAsync(vmId, from: Active, to: Stopped, cancellationToken);

    public Task<FacilityServer> StartAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        ChangePowerAsync(vmId, from: Stopped, to: Active, cancellationToken);

    public Task<FacilityServer> RebootAsync(FacilityTarget facility, Guid vmId, bool hard, CancellationToken cancellationToken) =>
        ChangePowerAsync(vmId, from: Active, to: Active, cancellationToken);

    public async Task<FacilitySnapshot> TakeSnapshotAsync(FacilityTarget facility, Guid vmId, Guid snapshotId, string name, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        if (await db.Set<SimulatedSnapshot>().FirstOrDefaultAsync(x => x.SnapshotId == snapshotId, cancellationToken) is not { } snapshot)
        {
            if (await CurrentAsync(db, vmId, cancellationToken) is not { State: Active or Stopped })
            {
                throw new FacilityDriverException($"VM {vmId} has no server to snapshot in this facility");
            }
            snapshot = new SimulatedSnapshot { SnapshotId = snapshotId, VmId = vmId, Name = name, ReadyAt = Now + settings.MinCreateLatency };
            db.Add(snapshot);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear(); // the same snapshot asked at the same moment: one
                snapshot = await db.Set<SimulatedSnapshot>().SingleAsync(x => x.SnapshotId == snapshotId, cancellationToken);
            }
        }
        return ToSnapshot(snapshot);
    }

    public async Task<IReadOnlyList<FacilitySnapshot>> ListSnapshotsAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var snapshots = await scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>().Set<SimulatedSnapshot>().AsNoTracking()
            .Where(x => x.VmId == vmId).ToListAsync(cancellationToken);
        return snapshots.Select(ToSnapshot).ToList();
    }

    private FacilitySnapshot ToSnapshot(SimulatedSnapshot snapshot) =>
        new(snapshot.SnapshotId, snapshot.SnapshotId.ToString(), Now >= snapshot.ReadyAt ? "available" : "creating");

    public async Task EnsureFirewallAsync(FacilityTarget facility, Guid projectId, IReadOnlyList<FirewallRule> rules, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        await EnsureProjectNetworkAsync(scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>(), facility.FacilityId, projectId, rules, cancellationToken);
    }

    public async Task<bool> RemoveProjectNetworkAsync(FacilityTarget facility, Guid projectId, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        if (await db.Servers.AnyAsync(s => s.FacilityId == facility.FacilityId && s.Access != null && s.Access.ProjectId == projectId, cancellationToken))
        {
            return false;
        }
        await db.Set<SimulatedProjectNetwork>().Where(n => n.FacilityId == facility.FacilityId && n.ProjectId == projectId).ExecuteDeleteAsync(cancellationToken);
        return true;
    }

    /// <summary>The project's network (made on first use) with exactly these inbound rules; a concurrent first use makes it once.</summary>
    private static async Task EnsureProjectNetworkAsync(SimulatedFacilityDbContext db, Guid facilityId, Guid projectId, IReadOnlyList<FirewallRule> rules,
        CancellationToken cancellationToken)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(rules.Distinct().OrderBy(r => r.ToString(), StringComparer.Ordinal));
        var network = await db.Set<SimulatedProjectNetwork>().FirstOrDefaultAsync(n => n.FacilityId == facilityId && n.ProjectId == projectId, cancellationToken);
        if (network is null)
        {
            db.Add(new SimulatedProjectNetwork { FacilityId = facilityId, ProjectId = projectId, Cidr = "10.0.0.0/24", InboundRulesJson = json });
        }
        else
        {
            network.InboundRulesJson = json;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // made at the same moment by another build of the project: one network
            await EnsureProjectNetworkAsync(db, facilityId, projectId, rules, cancellationToken);
        }
    }

    /// <summary>The simulated console: the portal's page for it, which shows the server's boot log.</summary>
    public async Task<FacilityConsole> OpenConsoleAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var server = await CurrentAsync(scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>(), vmId, cancellationToken)
            ?? throw new FacilityDriverException($"VM {vmId} does not exist in this facility");
        return server.State == Active
            ? new FacilityConsole($"/console-simulee/{vmId}", "simulated")
            : throw new FacilityDriverException($"the server is {server.State}: no console"); // as Nova's 409 for a server not running
    }

    /// <summary>
    /// A public IPv4 from 198.18.0.0/15, the range kept for tests (RFC 2544), that no other simulated server holds: the one the
    /// VM's id points at, or the next free one. (The store's unique index settles two builds that pick the same at once.)
    /// </summary>
    private static async Task<string> FreePublicAddressAsync(SimulatedFacilityDbContext db, Guid vmId, CancellationToken cancellationToken)
    {
        var start = Spread(vmId, 4) % (1 << 17);
        for (var offset = 0u; ; offset++)
        {
            var n = (start + offset) % (1 << 17);
            var address = $"198.{18 + (n >> 16)}.{(n >> 8) & 0xFF}.{n & 0xFF}";
            if ((n & 0xFF) is not (0 or 255) && !await db.Set<SimulatedServerAccess>().AnyAsync(a => a.PublicAddress == address, cancellationToken))
            {
                return address;
            }
        }
    }

    /// <summary>Bits of the VM id's hash: version 7 ids share their first bytes (the time), so the id's own bytes would collide.</summary>
    private static uint Spread(Guid vmId, int from) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Security.Cryptography.SHA256.HashData(vmId.ToByteArray()).AsSpan(from, 4));

    public async Task<IReadOnlyList<FacilityServer>> ListAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        var servers = await db.Servers.Where(v => v.FacilityId == facility.FacilityId).OrderBy(v => v.CreatedAt).ToListAsync(cancellationToken);
        var now = Now;
        return servers.Select(s => Advance(s, now)).OfType<SimulatedServer>().Select(ToServer).ToList();
    }

    public Task<FacilityOffer> ListOfferAsync(FacilityTarget facility, CancellationToken cancellationToken) => Task.FromResult(new FacilityOffer(
        Catalogue.Flavours.Select(f => new NativeFlavour(f.Code, f.Code, f.PerVm.ServerShape())).ToList(),
        Catalogue.Images.Select(i => new NativeImage(i.Code, i.Name)).ToList(),
        AnySize: true));

    public async Task<FacilityHealth> ProbeAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        var started = clock.GetTimestamp();
        await using var scope = scopes.CreateAsyncScope();
        var reachable = await scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>().Database.CanConnectAsync(cancellationToken);
        return new FacilityHealth(reachable,
            reachable ? "le simulateur répond." : "la base du simulateur ne répond pas.",
            reachable ? "the simulator answers." : "the simulator's database does not answer.",
            new Dictionary<string, string> { ["simulator"] = "database" }, new Dictionary<string, long>(), clock.GetElapsedTime(started));
    }

    private async Task<FacilityServer> ChangePowerAsync(Guid vmId, string from, string to, CancellationToken cancellationToken)
    {
        await AnswerLatencyAsync(cancellationToken);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        var server = await CurrentAsync(db, vmId, cancellationToken) ?? throw new FacilityDriverException($"VM {vmId} does not exist in this facility");
        if (server.State != from)
        {
            // As a real cloud refuses to start a running server (Nova's 409).
            throw new FacilityDriverException($"the server is {server.State}, not {from}");
        }
        server.State = to;
        await db.SaveChangesAsync(cancellationToken);
        return ToServer(server);
    }

    /// <summary>The server as it stands now (a finished build is active, a finished removal gone), saved so, or null.</summary>
    private async Task<SimulatedServer?> CurrentAsync(SimulatedFacilityDbContext db, Guid vmId, CancellationToken cancellationToken)
    {
        var server = await db.Servers.FirstOrDefaultAsync(v => v.VmId == vmId, cancellationToken);
        if (server is null)
        {
            return null;
        }
        var state = server.State;
        var advanced = Advance(server, Now);
        if (advanced is null)
        {
            db.Servers.Remove(server);
            db.RemoveRange(await db.Set<SimulatedSnapshot>().Where(x => x.VmId == vmId).ToListAsync(cancellationToken)); // they go with it
        }
        if (advanced is null || state != server.State)
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        return advanced;
    }

    private SimulatedServer? Advance(SimulatedServer server, DateTime now)
    {
        if (server.Until is not { } until || now < until)
        {
            return server;
        }
        switch (server.State)
        {
            case Deleting:
                return null;
            case Building when Random.Shared.NextDouble() < settings.FailureRate
                || (settings.FailBuildsNamed is { } failing && System.Text.RegularExpressions.Regex.IsMatch(server.Name, failing, RegexOptions, RegexTimeout)):
                (server.State, server.Fault, server.Until) = (Error, $"simulated failure while building {server.Name}", null);
                return server;
            default:
                (server.State, server.Until) = (Active, null);
                return server;
        }
    }

    private static FacilityServer ToServer(SimulatedServer server) => new(
        server.VmId, server.VmId.ToString(), server.Name,
        server.State switch
        {
            Building => ServerState.Building,
            Stopped => ServerState.Stopped,
            Error => ServerState.Error,
            Deleting => ServerState.Deleting,
            _ => ServerState.Active,
        },
        server.Fault, server.Shape, server.Flavour, server.Image,
        [$"10.{(Spread(server.VmId, 0) >> 16) & 0xFF}.{(Spread(server.VmId, 0) >> 8) & 0xFF}.{Spread(server.VmId, 0) % 254 + 1}"],
        DateTime.SpecifyKind(server.CreatedAt, DateTimeKind.Utc),
        server.State is Active or Stopped ? server.Access?.PublicAddress : null);

    /// <summary>
    /// The simulator's database: <c>ConnectionStrings:facility-simulator</c> (PostgreSQL when
    /// Database:Provider is Postgres), else a SQLite file beside the service's own.
    /// </summary>
    public static void AddTo(IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(SimulatorSettings.Section).Get<SimulatorSettings>() ?? new SimulatorSettings();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<SimulatedFacilityDriver>();
        var connection = builder.Configuration.GetConnectionString(ResourceNames.FacilitySimulatorDatabase);
        var postgres = builder.Configuration.GetValue("Database:Provider", Aes.Messaging.DatabaseProvider.Sqlite) == Aes.Messaging.DatabaseProvider.Postgres;
        if (postgres && connection is not null)
        {
            builder.Services.AddDbContext<SimulatedFacilityDbContext>(options => options.UseNpgsql(connection));
        }
        else
        {
            connection ??= SimulatorFileBeside(builder.Configuration.GetConnectionString(ResourceNames.ProvisioningDatabase));
            builder.Services.AddDbContext<SimulatedFacilityDbContext>(options => options.UseSqlite(connection));
        }
    }

    private static string SimulatorFileBeside(string? provisioningConnection)
    {
        var folder = "";
        if (provisioningConnection is not null && provisioningConnection.Contains("Data Source", StringComparison.OrdinalIgnoreCase))
        {
            folder = Path.GetDirectoryName(new SqliteConnectionStringBuilder(provisioningConnection).DataSource) ?? "";
        }
        return $"Data Source={Path.Combine(folder, "facility-simulator.db")}";
    }

    /// <summary>
    /// Creates the simulator's table if it is missing (it stands for a facility's own system, not for our schema), and
    /// carries over the VMs an earlier version kept in its former table, built and running, so no VM is seen lost.
    /// </summary>
    public static async Task EnsureStoreAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }
        else
        {
            await db.Database.EnsureCreatedAsync(cancellationToken); // makes the database itself when it is missing
        }
        var script = db.Database.GenerateCreateScript()
            .Replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", StringComparison.Ordinal)
            .Replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", StringComparison.Ordinal)
            .Replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", StringComparison.Ordinal);
        foreach (var statement in script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(s => s.Length > 0))
        {
            await db.Database.ExecuteSqlRawAsync(statement, cancellationToken);
        }
        var former = db.Database.IsSqlite()
            ? "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'simulated_vms'"
            : "SELECT count(*)::int AS \"Value\" FROM information_schema.tables WHERE table_name = 'simulated_vms'";
        if (await db.Database.SqlQueryRaw<int>(former).SingleAsync(cancellationToken) > 0)
        {
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO simulated_servers ("VmId", "FacilityId", "Name", "Vcpu", "MemoryGib", "DiskGib", "Flavour", "Image", "AgencyId", "State", "CreatedAt")
                SELECT "VmId", "FacilityId", "Name", "Vcpu", "MemoryGib", "DiskGib", '', "Image", "AgencyId", 'active', "CreatedAt" FROM simulated_vms
                WHERE "VmId" NOT IN (SELECT "VmId" FROM simulated_servers)
                """, cancellationToken);
            await db.Database.ExecuteSqlRawAsync("DROP TABLE simulated_vms", cancellationToken);
        }
    }
}
