using Microsoft.Data.Sqlite;

namespace Aes.Provisioning.Drivers;

public sealed class SimulatedVm
{
    public Guid VmId { get; init; }
    public Guid FacilityId { get; init; }
    public required string Name { get; init; }
    public long Vcpu { get; set; }
    public long MemoryGib { get; set; }
    public long DiskGib { get; set; }
    public required string Image { get; init; }
    public Guid AgencyId { get; init; }
    public required string PowerState { get; set; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// The simulated facilities' own store, apart from the provisioning database as a real facility's
/// would be: VMs built there survive a crash of the provisioning service and can be listed.
/// </summary>
public sealed class SimulatedFacilityDbContext(DbContextOptions<SimulatedFacilityDbContext> options) : DbContext(options)
{
    public DbSet<SimulatedVm> Vms => Set<SimulatedVm>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<SimulatedVm>(vm =>
        {
            vm.ToTable("simulated_vms");
            vm.HasKey(v => v.VmId);
            vm.HasIndex(v => v.FacilityId);
        });
}

public sealed class SimulatorSettings
{
    public const string Section = "Simulator";

    /// <summary>How long building a VM takes, drawn between the two (a real boot takes tens of seconds).</summary>
    public TimeSpan MinCreateLatency { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxCreateLatency { get; set; } = TimeSpan.FromSeconds(3);
    public TimeSpan DeleteLatency { get; set; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Share of create calls that fail, 0 to 1.</summary>
    public double FailureRate { get; set; }
}

/// <summary>A facility that exists only in its own database, with realistic latency and a configurable failure rate.</summary>
public sealed class SimulatedFacilityDriver(IServiceScopeFactory scopes, SimulatorSettings settings, TimeProvider clock) : IFacilityDriver
{
    public async Task<FacilityVm> EnsureCreatedAsync(FacilityVmSpec spec, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        if (await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.VmId == spec.VmId, cancellationToken) is { } existing)
        {
            return ToFacilityVm(existing);
        }
        var latency = settings.MinCreateLatency + (settings.MaxCreateLatency - settings.MinCreateLatency) * Random.Shared.NextDouble();
        await Task.Delay(latency, cancellationToken);
        if (Random.Shared.NextDouble() < settings.FailureRate)
        {
            throw new FacilityDriverException($"simulated failure while building {spec.Name}");
        }
        var vm = new SimulatedVm
        {
            VmId = spec.VmId, FacilityId = spec.FacilityId, Name = spec.Name, Vcpu = spec.Vcpu, MemoryGib = spec.MemoryGib,
            DiskGib = spec.DiskGib, Image = spec.Image, AgencyId = spec.AgencyId, PowerState = "running", CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Vms.Add(vm);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent retry built it first: the VM exists once.
            db.ChangeTracker.Clear();
            return ToFacilityVm(await db.Vms.AsNoTracking().SingleAsync(v => v.VmId == spec.VmId, cancellationToken));
        }
        return ToFacilityVm(vm);
    }

    public async Task EnsureDeletedAsync(Guid facilityId, Guid vmId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        if (await db.Vms.AnyAsync(v => v.VmId == vmId, cancellationToken))
        {
            await Task.Delay(settings.DeleteLatency, cancellationToken);
            await db.Vms.Where(v => v.VmId == vmId).ExecuteDeleteAsync(cancellationToken);
        }
    }

    public async Task EnsureResizedAsync(Guid facilityId, Guid vmId, long vcpu, long memoryGib, long diskGib, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.VmId == vmId, cancellationToken)
            ?? throw new FacilityDriverException($"VM {vmId} does not exist in this facility");
        if ((vm.Vcpu, vm.MemoryGib, vm.DiskGib) == (vcpu, memoryGib, diskGib))
        {
            return;
        }
        await Task.Delay(settings.DeleteLatency, cancellationToken);
        (vm.Vcpu, vm.MemoryGib, vm.DiskGib) = (vcpu, memoryGib, diskGib);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<FacilityVm>> ListAsync(Guid facilityId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        var vms = await db.Vms.AsNoTracking().Where(v => v.FacilityId == facilityId).OrderBy(v => v.CreatedAt).ToListAsync(cancellationToken);
        return vms.Select(ToFacilityVm).ToList();
    }

    private static FacilityVm ToFacilityVm(SimulatedVm vm) =>
        new(vm.VmId, vm.FacilityId, vm.Name, vm.Vcpu, vm.MemoryGib, vm.DiskGib, vm.Image, vm.PowerState, DateTime.SpecifyKind(vm.CreatedAt, DateTimeKind.Utc));

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

    /// <summary>Creates the simulator's table if it is missing: it stands for a facility's own system, not for our schema.</summary>
    public static async Task EnsureStoreAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SimulatedFacilityDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);
    }
}
