using Aes.Contracts;

namespace Aes.Provisioning.Domain;

/// <summary>
/// A VM's size is one value by class (ADR 052): its vCPU, memory, disk (storage), public address (0 or 1) and devices.
/// What a facility's flavour fixes of it, vCPU, memory and disk, is its server shape: a server is built and resized in
/// those, while its address (a floating IP) and its devices (a flavour's PCI alias) are given beside.
/// </summary>
public static class VmSizes
{
    /// <summary>The classes a facility's flavour fixes.</summary>
    public static readonly IReadOnlyList<string> ServerClasses = [ResourceClasses.Vcpu, ResourceClasses.MemoryGib, ResourceClasses.StorageGib];

    /// <summary>The size's classes that a flavour fixes, and only those.</summary>
    public static ResourceVector ServerShape(this ResourceVector size) => ResourceVector.Of(ServerClasses.Select(c => (c, size[c])));

    /// <summary>The classes of the size beyond the standard four: its GPUs.</summary>
    public static ResourceVector Accelerators(this ResourceVector size) => ResourceVector.Of(size.NonZero().Where(a => !ResourceClasses.IsStandard(a.Class)));

    public static bool HasPublicAddress(this ResourceVector size) => size[ResourceClasses.PublicIpv4] > 0;

    /// <summary>The same size with its server shape replaced by <paramref name="shape"/>'s (a resize: the address and devices stay).</summary>
    public static ResourceVector Reshaped(this ResourceVector size, ResourceVector shape) =>
        ResourceVector.Of(size.NonZero().Where(a => !ServerClasses.Contains(a.Class)).Concat(shape.ServerShape().NonZero()));

    /// <summary>A server shape in words, French then English: "4 vCPU, 16 Gio, 200 Gio".</summary>
    public static (string Fr, string En) Describe(this ResourceVector size) => (
        $"{size[ResourceClasses.Vcpu]} vCPU, {size[ResourceClasses.MemoryGib]} Gio, {size[ResourceClasses.StorageGib]} Gio",
        $"{size[ResourceClasses.Vcpu]} vCPU, {size[ResourceClasses.MemoryGib]} GiB, {size[ResourceClasses.StorageGib]} GiB");
}
