using System.Text.RegularExpressions;

namespace Aes.Contracts;

/// <summary>How a class is billed: for each hour it is allocated to a VM, or for each month it is.</summary>
public enum ResourceMetering
{
    Hourly = 1,
    Monthly = 2,
}

/// <summary>Whether a VM holds whole units of a class (vCPU, GPUs, addresses) or an amount of it (GiB).</summary>
public enum ResourceConsumption
{
    Count = 1,
    Amount = 2,
}

/// <summary>
/// One resource class of the confederation's catalogue. Tenancy keeps the catalogue: the four standard classes
/// are there from the start, and operators add others (accelerators such as <c>gpu_a100_80g</c>) as data.
/// </summary>
public sealed record ResourceClassDefinition(
    string Code, string Unit, string NameFr, string NameEn, ResourceMetering Metering, ResourceConsumption Consumption);

public static partial class ResourceClasses
{
    public const string Vcpu = "vcpu";
    public const string MemoryGib = "memory_gib";
    public const string StorageGib = "storage_gib";
    public const string PublicIpv4 = "public_ipv4";

    /// <summary>The classes every installation has, in the order the marketplace shows them.</summary>
    public static IReadOnlyList<ResourceClassDefinition> Standard { get; } =
    [
        new(Vcpu, "vcpu", "vCPU", "vCPU", ResourceMetering.Hourly, ResourceConsumption.Count),
        new(MemoryGib, "gib", "Mémoire", "Memory", ResourceMetering.Hourly, ResourceConsumption.Amount),
        new(StorageGib, "gib", "Stockage", "Storage", ResourceMetering.Monthly, ResourceConsumption.Amount),
        new(PublicIpv4, "ipv4", "Adresse IPv4 publique", "Public IPv4 address", ResourceMetering.Monthly, ResourceConsumption.Count),
    ];

    public static bool IsStandard(string code) => code is Vcpu or MemoryGib or StorageGib or PublicIpv4;

    /// <summary>
    /// Where a class is shown: the standard four in their order (0 to 3), then the others (4, and by code). Amounts are stored and
    /// locked in ordinal code order; this is only for people reading them.
    /// </summary>
    public static int DisplayRank(string code)
    {
        for (var rank = 0; rank < Standard.Count; rank++)
        {
            if (Standard[rank].Code == code)
            {
                return rank;
            }
        }
        return Standard.Count;
    }

    /// <summary><paramref name="items"/> in display order of their class: the standard four first, then by code.</summary>
    public static IOrderedEnumerable<T> InDisplayOrder<T>(this IEnumerable<T> items, Func<T, string> classOf) =>
        items.OrderBy(item => DisplayRank(classOf(item))).ThenBy(classOf, StringComparer.Ordinal);

    /// <summary>A class code: lower-case letters, digits and underscores, starting with a letter (<c>gpu_a100_80g</c>).</summary>
    [GeneratedRegex("^[a-z][a-z0-9_]{1,39}$")]
    public static partial Regex CodePattern();

    /// <summary>A unit: what one is counted in (<c>gpu</c>, <c>gib</c>).</summary>
    [GeneratedRegex("^[a-z][a-z0-9_]{0,15}$")]
    public static partial Regex UnitPattern();

    /// <summary>The unit a price or an invoice line is quoted in: <c>vcpu-hour</c>, <c>gib-month</c>, <c>gpu-hour</c>.</summary>
    public static string BillingUnit(string unit, ResourceMetering metering) => metering switch
    {
        ResourceMetering.Hourly => unit + "-hour",
        ResourceMetering.Monthly => unit + "-month",
        _ => throw new ArgumentOutOfRangeException(nameof(metering), metering, "unknown metering"),
    };

    public static string Code(this ResourceMetering metering) => metering switch
    {
        ResourceMetering.Hourly => "hourly",
        ResourceMetering.Monthly => "monthly",
        _ => throw new ArgumentOutOfRangeException(nameof(metering), metering, "unknown metering"),
    };

    public static string Code(this ResourceConsumption consumption) => consumption switch
    {
        ResourceConsumption.Count => "count",
        ResourceConsumption.Amount => "amount",
        _ => throw new ArgumentOutOfRangeException(nameof(consumption), consumption, "unknown consumption"),
    };
}
