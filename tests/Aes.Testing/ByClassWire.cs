using Google.Protobuf;

namespace Aes.Testing;

/// <summary>
/// Amounts by class as every service's wire carries them: a list of <c>{resource_class, amount}</c> messages. Each proto
/// package has its own message of that shape, so tests write and read them through its descriptor, once for all.
/// </summary>
public static class ByClassWire
{
    /// <summary>The standard classes' amounts as a list of <typeparamref name="TAmount"/>; zeros are left out, as answers do.</summary>
    public static TAmount[] Size<TAmount>(long vcpu, long memoryGib = 0, long storageGib = 0, long publicIpv4 = 0) where TAmount : IMessage<TAmount>, new() =>
        new (string Class, long Amount)[] { ("vcpu", vcpu), ("memory_gib", memoryGib), ("storage_gib", storageGib), ("public_ipv4", publicIpv4) }
            .Where(a => a.Amount != 0).Select(a => Amount<TAmount>(a.Class, a.Amount)).ToArray();

    public static TAmount Amount<TAmount>(string resourceClass, long amount) where TAmount : IMessage<TAmount>, new()
    {
        var message = new TAmount();
        message.Descriptor.FindFieldByName("resource_class").Accessor.SetValue(message, resourceClass);
        message.Descriptor.FindFieldByName("amount").Accessor.SetValue(message, amount);
        return message;
    }

    /// <summary>The amount of <paramref name="resourceClass"/> in the list, 0 when it is not there.</summary>
    public static long Of<TAmount>(this IEnumerable<TAmount> amounts, string resourceClass) where TAmount : IMessage =>
        amounts.Where(a => (string)a.Descriptor.FindFieldByName("resource_class").Accessor.GetValue(a) == resourceClass)
            .Sum(a => (long)a.Descriptor.FindFieldByName("amount").Accessor.GetValue(a));
}
