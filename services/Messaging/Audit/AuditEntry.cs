using System.Security.Cryptography;
using System.Text;

namespace Aes.Messaging.Audit;

/// <summary>
/// One change made through a service's API: who, what, when and from where. Entries form a chain: each
/// carries the hash of the one before, and positions run 1, 2, 3… without a gap, so an edited, removed
/// or inserted entry breaks the chain where it happened.
/// </summary>
public sealed class AuditEntry
{
    public long Position { get; init; }
    public DateTime OccurredAt { get; init; }
    public required string Actor { get; init; }
    public required string ActorName { get; init; }
    public required string OnBehalfOf { get; init; }
    public required string Action { get; init; }
    public required string Details { get; init; }
    public required string Origin { get; init; }
    public required string PreviousHash { get; init; }
    public required string Hash { get; init; }

    public static string HashOf(long position, DateTime occurredAt, string actor, string actorName, string onBehalfOf,
        string action, string details, string origin, string previousHash)
    {
        var canonical = string.Join('\n', position, occurredAt.ToUniversalTime().ToString("O"), actor, actorName, onBehalfOf, action, details, origin, previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public string ExpectedHash() => HashOf(Position, OccurredAt, Actor, ActorName, OnBehalfOf, Action, Details, Origin, PreviousHash);
}

/// <summary>The chain's last position and hash, one row, locked by every append so that appends line up.</summary>
public sealed class AuditHead
{
    public const int SingleId = 1;
    /// <summary>The hash before the first entry.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public int Id { get; init; }
    public long Position { get; set; }
    public required string Hash { get; set; }
}
