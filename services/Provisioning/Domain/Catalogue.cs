using Aes.Contracts;

namespace Aes.Provisioning.Domain;

public sealed record Flavour(string Code, long Vcpu, long MemoryGib, long DiskGib)
{
    /// <summary>One VM's devices beyond the standard four (its GPUs), by class: offered only where a pool holds them.</summary>
    public ResourceVector Accelerators { get; init; } = ResourceVector.Zero;

    /// <summary>One VM of this flavour, every class, with a public address or not.</summary>
    public ResourceVector Size(bool publicIpv4) => ResourceVector.Standard(Vcpu, MemoryGib, DiskGib, publicIpv4 ? 1 : 0).Add(Accelerators);
}

public sealed record Image(string Code, string Name);

/// <summary>The confederal catalogue of VM flavours and OS images that every facility driver can build.</summary>
public static class Catalogue
{
    public static readonly IReadOnlyList<Flavour> Flavours =
    [
        new("s1.small", 1, 2, 40), new("s1.medium", 2, 4, 80), new("s1.large", 4, 16, 200),
        new("s1.xlarge", 8, 32, 400), new("m1.large", 8, 64, 400), new("m1.xlarge", 16, 128, 800),
        new("g1.a100", 12, 96, 400) { Accelerators = ResourceVector.Of(("gpu_a100_80g", 1)) },
        new("g2.a100", 24, 192, 800) { Accelerators = ResourceVector.Of(("gpu_a100_80g", 2)) },
    ];

    /// <summary>The most devices of one class a VM may hold: what a host carries (8 GPUs).</summary>
    public const long MaxAcceleratorsPerVm = 8;

    public static readonly IReadOnlyList<Image> Images =
    [
        new("debian-12", "Debian 12"), new("ubuntu-24.04", "Ubuntu 24.04 LTS"),
        new("rocky-9", "Rocky Linux 9"), new("windows-server-2022", "Windows Server 2022"),
    ];

    /// <summary>The largest VM a request may ask for: what the biggest hosts of the facilities carry.</summary>
    public const long MaxVcpu = 128, MaxMemoryGib = 2048, MaxDiskGib = 65_536, MaxVmsPerLine = 100, MaxVmsPerRequest = 500;
}
