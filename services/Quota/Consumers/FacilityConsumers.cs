using Aes.Messaging.Persistence;
using Aes.Contracts.Tenancy;
using Aes.Quota.Application;

namespace Aes.Quota.Consumers;

/// <summary>Records the facility and, in a demo run, its demo pool (Seed/demo-capacity.json).</summary>
public sealed class FacilityRegisteredConsumer(QuotaDbContext db, DemoCapacity demo, TimeProvider clock, ILogger<FacilityRegisteredConsumer> logger)
    : InboxConsumer<FacilityRegistered, QuotaDbContext>(db, logger)
{
    protected override Task HandleAsync(FacilityRegistered message, ConsumeContext<FacilityRegistered> context) =>
        Db.RecordFacilityAsync(demo, new KnownFacility { FacilityId = message.FacilityId, Code = message.Code, StateCode = message.StateCode, Status = message.Status },
            clock.GetUtcNow().UtcDateTime, context.CancellationToken);
}

/// <summary>Each event type has its queue, so a status change may overtake the registration: it then records the facility itself.</summary>
public sealed class FacilityOpenedConsumer(QuotaDbContext db, DemoCapacity demo, TimeProvider clock, ILogger<FacilityOpenedConsumer> logger)
    : InboxConsumer<FacilityOpened, QuotaDbContext>(db, logger)
{
    protected override Task HandleAsync(FacilityOpened message, ConsumeContext<FacilityOpened> context) =>
        Db.SetFacilityStatusAsync(demo, new KnownFacility { FacilityId = message.FacilityId, Code = message.Code, StateCode = message.StateCode, Status = "open" },
            message.Version, clock.GetUtcNow().UtcDateTime, context.CancellationToken);
}

public sealed class FacilityClosedConsumer(QuotaDbContext db, DemoCapacity demo, TimeProvider clock, ILogger<FacilityClosedConsumer> logger)
    : InboxConsumer<FacilityClosed, QuotaDbContext>(db, logger)
{
    protected override Task HandleAsync(FacilityClosed message, ConsumeContext<FacilityClosed> context) =>
        Db.SetFacilityStatusAsync(demo, new KnownFacility { FacilityId = message.FacilityId, Code = message.Code, StateCode = message.StateCode, Status = "closed" },
            message.Version, clock.GetUtcNow().UtcDateTime, context.CancellationToken);
}

internal static class FacilityRecords
{
    /// <summary>Whichever event records the facility first also gives it its demo pool: a facility is recorded once, so it gets one.</summary>
    public static async Task<bool> RecordFacilityAsync(this QuotaDbContext db, DemoCapacity demo, KnownFacility facility, DateTime now, CancellationToken cancellationToken)
    {
        if (!await db.InsertIfAbsentAsync(facility, cancellationToken))
        {
            return false;
        }
        await demo.AddPoolAsync(db, facility, now, cancellationToken);
        return true;
    }

    public static async Task SetFacilityStatusAsync(this QuotaDbContext db, DemoCapacity demo, KnownFacility facility, long version, DateTime now,
        CancellationToken cancellationToken)
    {
        if (!await db.IsNewerAsync(ProjectionRevisions.FacilityStatusKey(facility.FacilityId), version, cancellationToken))
        {
            return; // a later opening or closing came first
        }
        if (!await db.RecordFacilityAsync(demo, facility, now, cancellationToken))
        {
            await db.Facilities.Where(f => f.FacilityId == facility.FacilityId)
                .ExecuteUpdateAsync(set => set.SetProperty(f => f.Status, facility.Status), cancellationToken);
        }
    }
}
