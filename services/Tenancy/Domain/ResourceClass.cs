using Aes.Contracts;

namespace Aes.Tenancy.Domain;

/// <summary>
/// A class of the confederation's resource catalogue. Once defined it never changes: quotas, prices, usage and
/// agreements refer to it by its code for as long as they are kept.
/// </summary>
public sealed class ResourceClass
{
    public required string Code { get; init; }
    public required string Unit { get; init; }
    public required string NameFr { get; init; }
    public required string NameEn { get; init; }
    public required ResourceMetering Metering { get; init; }
    public required ResourceConsumption Consumption { get; init; }
    /// <summary>Where it is listed: the standard classes in their own order (1–4), every other after them by code.</summary>
    public required int Rank { get; init; }
    public string? DefinedByStateCode { get; init; }
    public required DateTime DefinedAt { get; init; }

    public const int AddedRank = 100;

    public bool IsStandard => Rank < AddedRank;

    public bool HasTerms(ResourceClassDefinition terms) =>
        Unit == terms.Unit && NameFr == terms.NameFr && NameEn == terms.NameEn && Metering == terms.Metering && Consumption == terms.Consumption;

    public ResourceClassDefinition Terms => new(Code, Unit, NameFr, NameEn, Metering, Consumption);

    /// <summary>The standard classes as they are when an installation starts.</summary>
    public static IEnumerable<ResourceClass> Standard(DateTime definedAt) => ResourceClasses.Standard.Select((terms, index) => new ResourceClass
    {
        Code = terms.Code, Unit = terms.Unit, NameFr = terms.NameFr, NameEn = terms.NameEn, Metering = terms.Metering,
        Consumption = terms.Consumption, Rank = index + 1, DefinedAt = definedAt,
    });
}
