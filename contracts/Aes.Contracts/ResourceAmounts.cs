namespace Aes.Contracts;

/// <summary>Amounts per resource class; memory and storage in GiB.</summary>
public sealed record ResourceAmounts(long Vcpu, long MemoryGib, long StorageGib, long PublicIpv4);
