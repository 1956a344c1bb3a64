using Aes.Contracts.Tenancy;
using Aes.Quota.Application;

namespace Aes.Quota.Consumers;

/// <summary>Records the facility and, in a demo run, its demo pool (Seed/demo-capacity.json).</summary>
public sealed class FacilityRegisteredConsumer(QuotaDbContext db, DemoCapacity demo, TimeProvider clock, ILogger<FacilityRegisteredConsumer> logger)
    : InboxConsumer<FacilityRegistered, QuotaDbContext>(db, logger)
{
    protected override async Task HandleAsync(FacilityRegistered message, ConsumeContext<FacilityRegistered> context)
    {
        if (await Db.Facilities.AnyAsync(f => f.FacilityId == message.FacilityId, context.CancellationToken))
        {
            return;
        }
        var facility = new KnownFacility
        {
            FacilityId = message.FacilityId, Code = message.Code, StateCode = message.StateCode, Status = message.Status,
        };
        Db.Facilities.Add(facility);
        await demo.AddPoolAsync(Db, facility, clock.GetUtcNow().UtcDateTime, context.CancellationToken);
    }
}

/// <summary>
/// Status changes can overtake the registration (each event type has its own queue): an unknown
/// facility throws, so the retry policy waits for the registration to land first.
/// </summary>
public sealed class FacilityOpenedConsumer(QuotaDbContext db, ILogger<FacilityOpenedConsumer> logger)
    : InboxConsumer<FacilityOpened, QuotaDbContext>(db, logger)
{
    protected override Task HandleAsync(FacilityOpened message, ConsumeContext<FacilityOpened> context) =>
        Db.SetFacilityStatusAsync(message.FacilityId, "open", context.CancellationToken);
}

public sealed class FacilityClosedConsumer(QuotaDbContext db, ILogger<FacilityClosedConsumer> logger)
    : InboxConsumer<FacilityClosed, QuotaDbContext>(db, logger)
{
    protected override Task HandleAsync(FacilityClosed message, ConsumeContext<FacilityClosed> context) =>
        Db.SetFacilityStatusAsync(message.FacilityId, "closed", context.CancellationToken);
}

internal static class FacilityStatusUpdate
{
    public static async Task SetFacilityStatusAsync(this QuotaDbContext db, Guid facilityId, string status, CancellationToken cancellationToken)
    {
        var facility = await db.Facilities.FindAsync([facilityId], cancellationToken)
            ?? throw new InvalidOperationException($"Facility {facilityId} is not known yet; retrying after its registration.");
        facility.Status = status;
    }
}
