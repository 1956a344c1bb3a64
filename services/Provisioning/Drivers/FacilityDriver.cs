namespace Aes.Provisioning.Drivers;

/// <summary>What a facility is asked to build: the VM's id is the idempotency key across retries and crashes.</summary>
public sealed record FacilityVmSpec(Guid VmId, Guid FacilityId, string Name, long Vcpu, long MemoryGib, long DiskGib, bool PublicIpv4, string Image, Guid AgencyId);

public sealed record FacilityVm(Guid VmId, Guid FacilityId, string Name, long Vcpu, long MemoryGib, long DiskGib, string Image, string PowerState, DateTime CreatedAt);

/// <summary>A facility refused or failed an operation; the workflow compensates.</summary>
public sealed class FacilityDriverException(string message) : Exception(message);

/// <summary>
/// One facility's compute API. Every call is idempotent by VM id: creating a VM that exists returns it,
/// deleting one that is gone succeeds. That is what lets the workflow retry any step after a crash.
/// An OpenStack driver maps this onto Nova (server name or metadata carries the VM id) and Keystone v3
/// (one project per agency); a libvirt driver onto domain UUIDs (ADR 005).
/// </summary>
public interface IFacilityDriver
{
    Task<FacilityVm> EnsureCreatedAsync(FacilityVmSpec spec, CancellationToken cancellationToken);

    Task EnsureDeletedAsync(Guid facilityId, Guid vmId, CancellationToken cancellationToken);

    /// <summary>Gives the VM this size; a VM that already has it is left alone.</summary>
    Task EnsureResizedAsync(Guid facilityId, Guid vmId, long vcpu, long memoryGib, long diskGib, CancellationToken cancellationToken);

    Task<IReadOnlyList<FacilityVm>> ListAsync(Guid facilityId, CancellationToken cancellationToken);
}

/// <summary>Chooses each facility's driver: <c>Provisioning:Drivers:&lt;facility code&gt;</c>, "simulated" by default.</summary>
public sealed class FacilityDrivers(IServiceProvider services, IConfiguration configuration)
{
    public IFacilityDriver For(string facilityCode)
    {
        var kind = configuration[$"Provisioning:Drivers:{facilityCode}"] ?? "simulated";
        return kind switch
        {
            "simulated" => services.GetRequiredService<SimulatedFacilityDriver>(),
            _ => throw new FacilityDriverException($"No driver '{kind}' for facility {facilityCode}."),
        };
    }
}
