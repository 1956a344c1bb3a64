using B = Aes.Contracts.Billing.V1;

namespace Aes.EndToEnd.Tests;

/// <summary>Billing's prices as the wire carries them, a list by class, written by tests.</summary>
public static class BillingWire
{
    /// <summary>The standard classes' list prices (vCPU and memory per hour, storage and IPv4 per month), in whole XOF.</summary>
    public static B.ResourcePrice[] Prices(long vcpuHourXof, long memoryGibHourXof, long storageGibMonthXof, long publicIpv4MonthXof) =>
    [
        new() { ResourceClass = "vcpu", UnitPriceXof = vcpuHourXof }, new() { ResourceClass = "memory_gib", UnitPriceXof = memoryGibHourXof },
        new() { ResourceClass = "storage_gib", UnitPriceXof = storageGibMonthXof }, new() { ResourceClass = "public_ipv4", UnitPriceXof = publicIpv4MonthXof },
    ];
}
