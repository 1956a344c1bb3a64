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
        // A row lock on update: a concurrent newer revision waits, then finds this one's and changes nothing.
        if (await db.ProjectionRevisions.Where(r => r.Key == key && r.Revision < revision)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.Revision, revision), cancellationToken) == 1)
        {
            return true;
        }
        return await db.InsertIfAbsentAsync(new ProjectionRevision { Key = key, Revision = revision }, cancellationToken);
    }

    public static string RoleKey(Guid userId, string role, string? stateCode, Guid? agencyId) => $"role:{userId:N}:{role}:{stateCode}:{agencyId:N}";

    public static string FacilityStatusKey(Guid facilityId) => $"facility-status:{facilityId:N}";
}
