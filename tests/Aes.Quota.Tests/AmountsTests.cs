using Aes.Quota.Domain;

namespace Aes.Quota.Tests;

/// <summary>Amounts read by class: every class reads its own figure, and a value that is no class is refused rather than read as another.</summary>
public sealed class AmountsTests
{
    [Fact]
    public void Each_class_reads_its_own_amount_and_an_unknown_class_is_refused()
    {
        var amounts = new Amounts(Vcpu: 1, MemoryGib: 2, StorageGib: 3, PublicIpv4: 4);

        Assert.Equal([1L, 2L, 3L, 4L], Aes.Quota.Domain.ResourceClasses.All.Select(c => amounts[c]));
        Assert.Equal(["vcpu", "memory_gib", "storage_gib", "public_ipv4"], Aes.Quota.Domain.ResourceClasses.All.Select(c => c.Code()));
        Assert.Equal(Aes.Contracts.ResourceClasses.Standard.Select(c => c.Code), Aes.Quota.Domain.ResourceClasses.All.Select(c => c.Code()));
        Assert.Throws<ArgumentOutOfRangeException>(() => amounts[(ResourceClass)5]);
    }
}
