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

/// <summary>
/// Whether a user works on a project. A row stays when its user leaves (<see cref="IsMember"/> false) so that its
/// <see cref="Revision"/> keeps growing: the services that copy memberships apply only a newer revision.
/// </summary>
public sealed class ProjectMembership
{
    public Guid ProjectId { get; init; }
    public Guid UserId { get; init; }
    public bool IsMember { get; set; }
    public long Revision { get; set; }
    public DateTime ChangedAt { get; set; }
    public Guid? ChangedByUserId { get; set; }
}
