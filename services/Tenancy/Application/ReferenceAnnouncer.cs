using Aes.Contracts.Tenancy;

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
        foreach (var state in await db.MemberStates.AsNoTracking().OrderBy(s => s.Code).ToListAsync(cancellationToken))
        {
            events.Add(new MemberStateRegistered(state.Code, state.NameFr, state.NameEn, state.TimeZone, state.Currency));
        }
        foreach (var facility in await db.Facilities.AsNoTracking().OrderBy(f => f.Code).ToListAsync(cancellationToken))
        {
            events.Add(new FacilityRegistered(facility.Id, facility.Code, facility.StateCode, facility.Name, facility.City,
                facility.Tier, facility.TargetAvailabilityPercent, facility.Status.Code(), facility.TimeZone, facility.InstalledCapacity.ToContract()));
        }
        foreach (var agency in await db.Agencies.AsNoTracking().ToListAsync(cancellationToken))
        {
            events.Add(new AgencyRegistered(agency.Id, agency.StateCode, agency.Code, agency.Name, agency.RegisteredAt));
        }
        foreach (var project in await db.Projects.AsNoTracking().ToListAsync(cancellationToken))
        {
            events.Add(new ProjectCreated(project.Id, project.AgencyId, project.Name));
        }
        foreach (var user in await db.Users.AsNoTracking().Include(u => u.Roles).ToListAsync(cancellationToken))
        {
            events.Add(new UserCreated(user.Id, user.UserName, user.DisplayName));
            events.AddRange(user.Roles.Select(role => new RoleAssigned(user.Id, role.Role.Code(), role.StateCode, role.AgencyId)));
        }
        foreach (var agreement in await db.Agreements.AsNoTracking().Where(a => a.Status == AgreementStatus.Active).ToListAsync(cancellationToken))
        {
            events.Add(new AgreementActivated(agreement.Id, agreement.Reference, agreement.HostStateCode, agreement.FacilityId,
                agreement.GuestStateCode, agreement.Slice.ToContract(), agreement.AllowedClassifications.Select(c => c.Code()).ToList(),
                new AgreementPriceTerms(agreement.PriceTerms.FacilityListPrice, agreement.PriceTerms.VcpuHourXof,
                    agreement.PriceTerms.MemoryGibHourXof, agreement.PriceTerms.StorageGibMonthXof, agreement.PriceTerms.PublicIpv4MonthXof),
                agreement.StartsAt, agreement.EndsAt));
        }
        return events;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced tenancy's reference data again (generation {Generation}): {Count} events")]
    private static partial void LogAnnounced(ILogger logger, int generation, int count);
}
