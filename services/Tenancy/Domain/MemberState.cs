namespace Aes.Tenancy.Domain;

/// <summary>A member state of the confederation: ML, BF or NE.</summary>
public sealed class MemberState
{
    public required string Code { get; init; }
    public required string NameFr { get; init; }
    public required string NameEn { get; init; }
    /// <summary>IANA time zone: invoices follow the state's calendar month.</summary>
    public required string TimeZone { get; init; }
    public string Currency { get; init; } = "XOF";
}
