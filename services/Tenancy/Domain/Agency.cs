namespace Aes.Tenancy.Domain;

/// <summary>A ministry, directorate or public body; it belongs to exactly one member state.</summary>
public sealed class Agency
{
    public Guid Id { get; init; }
    public required string StateCode { get; init; }
    public required string Code { get; init; }
    public required string Name { get; set; }
    public DateTime RegisteredAt { get; init; }
}

public sealed class Project
{
    public Guid Id { get; init; }
    public Guid AgencyId { get; init; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
}
