using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Aes.Contracts;

/// <summary>An amount of one class of the catalogue.</summary>
public sealed record ResourceAmount(string Class, long Amount);

/// <summary>A price in whole XOF per unit of one class, per hour or per month as the class is metered.</summary>
public sealed record ResourcePrice(string Class, long UnitPriceXof);

/// <summary>
/// Amounts keyed by class code, whatever classes the catalogue holds: zeros are dropped and the classes are kept
/// in ordinal code order, so two vectors with the same amounts are equal, print alike and are taken in one order
/// (the order in which claims lock their rows, so that they never deadlock).
/// </summary>
public sealed class ResourceVector : IEquatable<ResourceVector>
{
    private readonly ImmutableSortedDictionary<string, long> amounts;

    private ResourceVector(ImmutableSortedDictionary<string, long> amounts) => this.amounts = amounts;

    public static ResourceVector Zero { get; } = new(ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal));

    /// <summary>The four standard classes, as the fixed fields of the contracts carry them.</summary>
    public static ResourceVector Standard(long vcpu, long memoryGib, long storageGib, long publicIpv4) => Of(
        (ResourceClasses.Vcpu, vcpu), (ResourceClasses.MemoryGib, memoryGib), (ResourceClasses.StorageGib, storageGib), (ResourceClasses.PublicIpv4, publicIpv4));

    public static ResourceVector Of(params IEnumerable<(string Class, long Amount)> amounts)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var (resourceClass, amount) in amounts)
        {
            ArgumentException.ThrowIfNullOrEmpty(resourceClass);
            if (builder.ContainsKey(resourceClass))
            {
                throw new ArgumentException($"{resourceClass} appears twice.", nameof(amounts));
            }
            if (amount != 0)
            {
                builder.Add(resourceClass, amount);
            }
        }
        return new(builder.ToImmutable());
    }

    public static ResourceVector FromList(IEnumerable<ResourceAmount> amounts) => Of(amounts.Select(a => (a.Class, a.Amount)));

    /// <summary>Unit prices by class, as events carry them (a vector of prices: a class without one has none).</summary>
    public static ResourceVector FromPrices(IEnumerable<ResourcePrice> prices) => Of(prices.Select(p => (p.Class, p.UnitPriceXof)));

    public IReadOnlyList<ResourcePrice> ToPrices() => [.. amounts.Select(pair => new ResourcePrice(pair.Key, pair.Value))];

    /// <summary>The amount of <paramref name="resourceClass"/>; a class the vector does not hold has none.</summary>
    public long this[string resourceClass] => amounts.GetValueOrDefault(resourceClass);

    /// <summary>The classes with an amount, in ordinal code order.</summary>
    public IEnumerable<(string Class, long Amount)> NonZero() => amounts.Select(pair => (pair.Key, pair.Value));

    public IEnumerable<string> Classes => amounts.Keys;

    public bool IsZero => amounts.IsEmpty;

    public IReadOnlyList<ResourceAmount> ToList() => [.. amounts.Select(pair => new ResourceAmount(pair.Key, pair.Value))];

    /// <summary>For each class of either vector, <paramref name="combine"/> of the two amounts (a missing one is 0).</summary>
    public ResourceVector Combine(ResourceVector other, Func<long, long, long> combine) =>
        Of(amounts.Keys.Union(other.amounts.Keys, StringComparer.Ordinal).Select(c => (c, combine(this[c], other[c]))));

    public ResourceVector Add(ResourceVector other) => Combine(other, (a, b) => a + b);

    /// <summary>The classes in which this holds more than <paramref name="limit"/> (a class the limit lacks has none), in display order.</summary>
    public IEnumerable<(string Class, long Amount, long Limit)> Exceeding(ResourceVector limit) =>
        NonZero().Where(a => a.Amount > limit[a.Class]).Select(a => (a.Class, a.Amount, limit[a.Class])).InDisplayOrder(a => a.Class);

    public ResourceVector Map(Func<long, long> map) => Of(amounts.Select(pair => (pair.Key, map(pair.Value))));

    /// <summary>Compact JSON with the classes in ordinal order: <c>{"memory_gib":4,"vcpu":2}</c>.</summary>
    public string ToJson()
    {
        var text = new StringBuilder("{");
        foreach (var (resourceClass, amount) in amounts)
        {
            text.Append(text.Length > 1 ? "," : "").Append('"').Append(resourceClass).Append("\":").Append(amount);
        }
        return text.Append('}').ToString();
    }

    public static ResourceVector FromJson(string json) =>
        Of(JsonSerializer.Deserialize<Dictionary<string, long>>(json)!.Select(pair => (pair.Key, pair.Value)));

    public bool Equals(ResourceVector? other) =>
        other is not null && amounts.Count == other.amounts.Count && amounts.All(pair => other[pair.Key] == pair.Value);

    public override bool Equals(object? obj) => Equals(obj as ResourceVector);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (resourceClass, amount) in amounts)
        {
            hash.Add(resourceClass, StringComparer.Ordinal);
            hash.Add(amount);
        }
        return hash.ToHashCode();
    }

    public static bool operator ==(ResourceVector? left, ResourceVector? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(ResourceVector? left, ResourceVector? right) => !(left == right);

    public override string ToString() => ToJson();
}
