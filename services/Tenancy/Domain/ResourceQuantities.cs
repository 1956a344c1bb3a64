namespace Aes.Tenancy.Domain;

/// <summary>Amounts per resource class: vCPU, memory GiB, storage GiB, public IPv4 addresses.</summary>
public sealed record ResourceQuantities(long Vcpu, long MemoryGib, long StorageGib, long PublicIpv4)
{
    public static readonly ResourceQuantities Zero = new(0, 0, 0, 0);

    public ResourceQuantities Add(ResourceQuantities other) =>
        new(Vcpu + other.Vcpu, MemoryGib + other.MemoryGib, StorageGib + other.StorageGib, PublicIpv4 + other.PublicIpv4);

    public IEnumerable<(string Field, long Value)> ByClass()
    {
        yield return ("vcpu", Vcpu);
        yield return ("memory_gib", MemoryGib);
        yield return ("storage_gib", StorageGib);
        yield return ("public_ipv4", PublicIpv4);
    }

    /// <summary>The classes in which this exceeds <paramref name="limit"/>.</summary>
    public IEnumerable<(string Field, long Value, long Limit)> Exceeding(ResourceQuantities limit) =>
        ByClass().Zip(limit.ByClass(), (mine, theirs) => (mine.Field, mine.Value, Limit: theirs.Value))
            .Where(pair => pair.Value > pair.Limit);

    public Aes.Contracts.ResourceAmounts ToContract() => new(Vcpu, MemoryGib, StorageGib, PublicIpv4);
}
