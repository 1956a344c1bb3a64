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
public sealed partial class ReferenceAnnouncer(TenancyDbContext db, ProjectMemberships memberships, ExternalIdentities externalIdentities, TimeProvider clock, ILogger<ReferenceAnnouncer> logger)
{
    /// <summary>Raise it in the version whose services start keeping tenancy's events they did not keep before.</summary>
    public const int Generation = 8; // 8: users' e-mail addresses, for notifications

    /// <summary>The generation from which projects have members; before it every requester saw all their agency's projects.</summary>
    private const int ProjectMembersGeneration = 3;

    public async Task AnnounceIfBehindAsync(CancellationToken cancellationToken)
    {
        var announced = await db.ReferenceAnnouncements.MaxAsync(a => (int?)a.Generation, cancellationToken) ?? 0;
        if (announced >= Generation)
        {
            return;
        }
        if (announced < ProjectMembersGeneration)
        {
            await KeepRequestersOnTheirProjectsAsync(cancellationToken);
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
        events.AddRange((await db.ResourceClasses.AsNoTracking().Where(c => c.Rank >= ResourceClass.AddedRank).OrderBy(c => c.Code).ToListAsync(cancellationToken))
            .Select(TenancyEventFactory.Defined));
        events.AddRange((await db.Facilities.AsNoTracking().OrderBy(f => f.Code).ToListAsync(cancellationToken)).Select(TenancyEventFactory.Registered));
        events.AddRange((await db.Agencies.AsNoTracking().ToListAsync(cancellationToken)).Select(TenancyEventFactory.Registered));
        events.AddRange((await db.Projects.AsNoTracking().ToListAsync(cancellationToken)).Select(TenancyEventFactory.Created));
        foreach (var user in await db.Users.AsNoTracking().Include(u => u.Roles).ToListAsync(cancellationToken))
        {
            events.Add(TenancyEventFactory.Created(user));
            events.AddRange(user.Roles.Select(role => TenancyEventFactory.Assigned(user, role)));
        }
        events.AddRange((await db.ProjectMemberships.AsNoTracking()
                .Join(db.Projects, m => m.ProjectId, p => p.Id, (m, p) => new { Membership = m, p.AgencyId }).ToListAsync(cancellationToken))
            .Select(m => new Aes.Contracts.Tenancy.ProjectMembershipChanged(
                m.Membership.ProjectId, m.AgencyId, m.Membership.UserId, m.Membership.IsMember, m.Membership.Revision, m.Membership.ChangedAt)));
        events.AddRange(await externalIdentities.AnnouncementsAsync(cancellationToken));
        events.AddRange((await db.Agreements.AsNoTracking().Where(a => a.Status == AgreementStatus.Active).ToListAsync(cancellationToken))
            .Select(TenancyEventFactory.Activated));
        return events;
    }

    /// <summary>
    /// An installation from before project members: each requester joins every project of their agency, so nobody
    /// loses what they saw; the agency's administrator narrows it from there.
    /// </summary>
    private async Task KeepRequestersOnTheirProjectsAsync(CancellationToken cancellationToken)
    {
        var requesters = await db.Users.Include(u => u.Roles).Where(u => u.Roles.Any(r => r.Role == Role.Requester)).ToListAsync(cancellationToken);
        foreach (var user in requesters)
        {
            foreach (var agencyId in user.Roles.Where(r => r.Role == Role.Requester && r.AgencyId is not null).Select(r => r.AgencyId!.Value).Distinct())
            {
                foreach (var project in await db.Projects.Where(p => p.AgencyId == agencyId).ToListAsync(cancellationToken))
                {
                    await memberships.ChangeAsync(project, user.Id, isMember: true, changedBy: null, cancellationToken);
                }
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced tenancy's reference data again (generation {Generation}): {Count} events")]
    private static partial void LogAnnounced(ILogger logger, int generation, int count);
}
