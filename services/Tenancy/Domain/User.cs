namespace Aes.Tenancy.Domain;

public sealed class User
{
    public Guid Id { get; init; }
    public required string UserName { get; init; }
    public required string DisplayName { get; set; }
    public string Email { get; set; } = "";
    /// <summary>ASP.NET Core Identity's PBKDF2 hash; empty for a user who signs in elsewhere (a state's provider) or not yet.</summary>
    public string PasswordHash { get; set; } = "";
    public List<RoleAssignment> Roles { get; init; } = [];
    /// <summary>
    /// Bumped by every role change, so two concurrent changes of one user cannot both apply; announced with each role change,
    /// so copies apply them in order. From 1: a revision of 0 means "not numbered".
    /// </summary>
    public int Version { get; set; } = 1;

    public bool IsOperatorOf(string stateCode) =>
        Roles.Any(r => r.Role == Role.StateOperator && r.StateCode == stateCode);

    public bool IsConfederalAdministrator => Roles.Any(r => r.Role == Role.ConfederalAdministrator);
}

/// <summary>
/// A role with its scope: requesters and agency administrators act for one agency (and so its state),
/// operators for one state, auditors for one state or (no state) the whole confederation.
/// </summary>
public sealed record RoleAssignment(Role Role, string? StateCode, Guid? AgencyId);
