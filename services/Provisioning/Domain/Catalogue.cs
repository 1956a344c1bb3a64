using Aes.Contracts;

namespace Aes.Provisioning.Domain;

/// <summary>A flavour of the confederal catalogue: one VM's size by class (vCPU, memory, disk, and its GPUs), its address apart.</summary>
public sealed record Flavour(string Code, ResourceVector PerVm)
{
    /// <summary>One VM's devices beyond the standard four (its GPUs), by class: offered only where a pool holds them.</summary>
    public ResourceVector Accelerators => PerVm.Accelerators();

    /// <summary>One VM of this flavour, every class, with a public address or not.</summary>
    public ResourceVector Size(bool publicIpv4) => PerVm.Add(ResourceVector.Of((ResourceClasses.PublicIpv4, publicIpv4 ? 1 : 0)));
}

public sealed record Image(string Code, string Name);

/// <summary>The confederal catalogue of VM flavours and OS images that every facility driver can build.</summary>
public static class Catalogue
{
    public static readonly IReadOnlyList<Flavour> Flavours =
    [
        Of("s1.small", 1, 2, 40), Of("s1.medium", 2, 4, 80), Of("s1.large", 4, 16, 200),
        Of("s1.xlarge", 8, 32, 400), Of("m1.large", 8, 64, 400), Of("m1.xlarge", 16, 128, 800),
        Of("g1.a100", 12, 96, 400, ("gpu_a100_80g", 1)), Of("g2.a100", 24, 192, 800, ("gpu_a100_80g", 2)),
    ];

    private static Flavour Of(string code, long vcpu, long memoryGib, long diskGib, params (string Class, long Amount)[] devices) =>
        new(code, ResourceVector.Standard(vcpu, memoryGib, diskGib, 0).Add(ResourceVector.Of(devices)));

    /// <summary>The most devices of one class a VM may hold: what a host carries (8 GPUs).</summary>
    public const long MaxAcceleratorsPerVm = 8;

    public static readonly IReadOnlyList<Image> Images =
    [
        new("debian-12", "Debian 12"), new("ubuntu-24.04", "Ubuntu 24.04 LTS"),
        new("rocky-9", "Rocky Linux 9"), new("windows-server-2022", "Windows Server 2022"),
    ];

    /// <summary>The largest server shape a request may ask for: what the biggest hosts of the facilities carry.</summary>
    public static readonly ResourceVector LargestServer = ResourceVector.Standard(128, 2048, 65_536, publicIpv4: 0);

    /// <summary>The most of any class a request's list may name for one VM (the largest disk).</summary>
    public static readonly long LargestAmount = LargestServer.NonZero().Max(a => a.Amount);

    public const long MaxVmsPerLine = 100, MaxVmsPerRequest = 500;
}
