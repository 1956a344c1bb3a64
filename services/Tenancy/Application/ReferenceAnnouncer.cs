namespace Aes.Tenancy.Application;

/// <summary>Which generation of reference-data announcements a tenancy database has made.</summary>
public sealed class ReferenceAnnouncement
{
    public int Generation { get; init; }
    public DateTime AnnouncedAt { get; init; }
}

/// <summary>
/// Announces tenancy's reference data once more when a newer version of the system keeps projections
/// of it that an existing installation never received (billing's time zones and facilities,
/// provisioning's agencies and roles…). Every consumer of these events is idempotent by natural key,
/// so what a service already knew stays as it was. A fresh database announces nothing here: its
/// creation publishes every event as it goes.
/// </summary>
public sealed partial class ReferenceAnnouncer(TenancyDbContext db, TimeProvider clock, ILogger<ReferenceAnnouncer> logger)
{
    /// <summary>Raise it in the version whose services start keeping tenancy's events they did not keep before.</summary>
    public const int Generation = 2;

    public async Task AnnounceIfBehindAsync(CancellationToken cancellationToken)
    {
        var announced = await db.ReferenceAnnouncements.MaxAsync(a => (int?)a.Generation, cancellationToken) ?? 0;
        if (announced >= Generation)
        {
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var events = await ReferenceEventsAsync(cancellationToken);
        foreach (var message in events)
        {
            db.AddToOutbox(message, now);
        }
        db.ReferenceAnnouncements.Add(new ReferenceAnnouncement { Generation = Generation, AnnouncedAt = now });
        await db.SaveChangesAsync(cancellationToken);
        if (events.Count > 0)
        {
            LogAnnounced(logger, Generation, events.Count);
        }
    }

    private async Task<List<object>> ReferenceEventsAsync(CancellationToken cancellationToken)
    {
        var events = new List<object>();
        events.AddRange((await db.MemberStates.AsNoTracking().OrderBy(s => s.Code).ToListAsync(cancellationToken)).Select(TenancyEventFactory.Registered));
        events.AddRange((await db.Facilities.AsNoTracking().OrderBy(f => f.Code).ToListAsync(cancellationToken)).Select(TenancyEventFactory.Registered));
        events.AddRange((await db.Agencies.AsNoTracking().ToListAsync(cancellationToken)).Select(TenancyEventFactory.Registered));
        events.AddRange((await db.Projects.AsNoTracking().ToListAsync(cancellationToken)).Select(TenancyEventFactory.Created));
        foreach (var user in await db.Users.AsNoTracking().Include(u => u.Roles).ToListAsync(cancellationToken))
        {
            events.Add(TenancyEventFactory.Created(user));
            events.AddRange(user.Roles.Select(role => TenancyEventFactory.Assigned(user, role)));
        }
        events.AddRange((await db.Agreements.AsNoTracking().Where(a => a.Status == AgreementStatus.Active).ToListAsync(cancellationToken))
            .Select(TenancyEventFactory.Activated));
        return events;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced tenancy's reference data again (generation {Generation}): {Count} events")]
    private static partial void LogAnnounced(ILogger logger, int generation, int count);
}
