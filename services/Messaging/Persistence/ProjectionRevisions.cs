namespace Aes.Messaging.Persistence;

/// <summary>The newest revision a projection has applied for one entity (or one fact about it, such as a role held).</summary>
public sealed class ProjectionRevision
{
    public required string Key { get; init; }
    public long Revision { get; set; }
}

/// <summary>
/// Events of one entity travel on queues of their own and consumers run side by side, so a later change can arrive before an
/// earlier one (ADR 037). An event carries its entity's revision; a projection applies it only if it is newer than the
/// newest it applied, and remembers it even when the change removes the row (the revision is then the tombstone).
/// </summary>
public static class ProjectionRevisions
{
    /// <summary>
    /// True when <paramref name="revision"/> is newer than what the projection holds for <paramref name="key"/> (and records it,
    /// in the context's transaction); false for an older or equal one, which the consumer then ignores. Revision 0 (an event
    /// from a publisher that did not number its changes) is applied as it comes.
    /// </summary>
    public static async Task<bool> IsNewerAsync(this ServiceDbContext db, string key, long revision, CancellationToken cancellationToken)
    {
        if (revision <= 0)
        {
            return true;
        }
        // One statement, so two revisions of a key seen for the first time at once cannot both miss the row: the second waits on
        // the first's insert, then updates only if it is newer (PostgreSQL and SQLite both speak this upsert).
        return await db.Database.ExecuteSqlAsync($"""
            INSERT INTO projection_revisions (key, revision) VALUES ({key}, {revision})
            ON CONFLICT (key) DO UPDATE SET revision = excluded.revision WHERE projection_revisions.revision < excluded.revision
            """, cancellationToken) == 1;
    }

    public static string RoleKey(Guid userId, string role, string? stateCode, Guid? agencyId) => $"role:{userId:N}:{role}:{stateCode}:{agencyId:N}";

    public static string FacilityStatusKey(Guid facilityId) => $"facility-status:{facilityId:N}";
}
