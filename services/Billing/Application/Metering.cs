using Aes.Billing.Domain;
using Aes.Contracts;
using Aes.Contracts.Provisioning;

namespace Aes.Billing.Application;

/// <summary>One lifecycle event, with the facts of its VM that never change.</summary>
public sealed record UsageFacts(
    Guid VmId, Guid AgencyId, string AgencyStateCode, Guid FacilityId, string FacilityStateCode,
    UsageEventKind Kind, DateTime OccurredAt, ResourceVector Size, ResourceVector OldSize, DateTime? ActivatedAt)
{
    public static UsageFacts From(VmActivated e) => new(
        e.VmId, e.AgencyId, e.AgencyStateCode, e.FacilityId, e.FacilityStateCode, UsageEventKind.Activated, e.ActivatedAt, ResourceVector.FromList(e.Resources), ResourceVector.Zero, null);

    public static UsageFacts From(VmResized e) => new(
        e.VmId, e.AgencyId, e.AgencyStateCode, e.FacilityId, e.FacilityStateCode, UsageEventKind.Resized, e.ResizedAt,
        ResourceVector.FromList(e.NewResources), ResourceVector.FromList(e.OldResources), null);

    public static UsageFacts From(VmDecommissioned e) => new(
        e.VmId, e.AgencyId, e.AgencyStateCode, e.FacilityId, e.FacilityStateCode, UsageEventKind.Decommissioned, e.DecommissionedAt,
        ResourceVector.FromList(e.Resources), ResourceVector.Zero, e.ActivatedAt);

    /// <summary>A snapshot is metered as storage only, under its own id, from when it was taken to when it is gone.</summary>
    public static UsageFacts From(VmSnapshotTaken e) => new(
        e.SnapshotId, e.AgencyId, e.AgencyStateCode, e.FacilityId, e.FacilityStateCode, UsageEventKind.Activated, e.TakenAt, Storage(e.SizeGib), ResourceVector.Zero, null);

    public static UsageFacts From(VmSnapshotRemoved e) => new(
        e.SnapshotId, e.AgencyId, e.AgencyStateCode, e.FacilityId, e.FacilityStateCode, UsageEventKind.Decommissioned, e.RemovedAt,
        Storage(e.SizeGib), ResourceVector.Zero, e.TakenAt);

    private static ResourceVector Storage(long gib) => ResourceVector.Of((ResourceClasses.StorageGib, gib));
}

/// <summary>
/// Records lifecycle events and keeps each VM's usage periods equal to what its events say. The
/// VM's meter row is locked first, so two events of one VM (or two copies of one event) handled at
/// once queue; an event already recorded, whatever its message id, changes nothing.
/// </summary>
public sealed partial class Metering(BillingDbContext db, ILogger<Metering> logger)
{
    public async Task<bool> RecordAsync(UsageFacts facts, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        await LockMeterAsync(facts, cancellationToken);
        if (await db.UsageEvents.AnyAsync(e => e.VmId == facts.VmId && e.Kind == facts.Kind && e.OccurredAt == facts.OccurredAt, cancellationToken))
        {
            LogDuplicateEvent(logger, facts.Kind, facts.VmId);
            return false;
        }
        db.UsageEvents.Add(new UsageEvent
        {
            VmId = facts.VmId, Kind = facts.Kind, OccurredAt = facts.OccurredAt, Size = facts.Size, OldSize = facts.OldSize,
            ActivatedAt = facts.ActivatedAt, ReceivedAt = DateTime.UtcNow,
        });
        await db.SaveChangesAsync(cancellationToken);
        await RebuildSegmentsAsync(facts, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task LockMeterAsync(UsageFacts facts, CancellationToken cancellationToken)
    {
        var meter = new VmMeter
        {
            VmId = facts.VmId, AgencyId = facts.AgencyId, AgencyStateCode = facts.AgencyStateCode,
            FacilityId = facts.FacilityId, FacilityStateCode = facts.FacilityStateCode,
        };
        await db.InsertIfAbsentAsync(meter, cancellationToken);
        await db.Meters.Where(m => m.VmId == facts.VmId)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.Version, m => m.Version + 1), cancellationToken);
    }

    private async Task RebuildSegmentsAsync(UsageFacts facts, CancellationToken cancellationToken)
    {
        var events = await db.UsageEvents.AsNoTracking().Where(e => e.VmId == facts.VmId).ToListAsync(cancellationToken);
        var pieces = UsageTimeline.Build(facts.VmId, events);
        var existing = await db.Segments.Where(s => s.VmId == facts.VmId).ToDictionaryAsync(s => s.Id, cancellationToken);
        foreach (var piece in pieces)
        {
            if (existing.Remove(piece.Id, out var segment))
            {
                segment.Until = piece.Until;
                segment.Size = piece.Size;
                continue;
            }
            db.Segments.Add(new UsageSegment
            {
                Id = piece.Id, VmId = facts.VmId, AgencyId = facts.AgencyId, AgencyStateCode = facts.AgencyStateCode,
                FacilityId = facts.FacilityId, FacilityStateCode = facts.FacilityStateCode, From = piece.From, Until = piece.Until, Size = piece.Size,
            });
        }
        db.Segments.RemoveRange(existing.Values);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} of VM {VmId} was already metered; the copy counts nothing")]
    private static partial void LogDuplicateEvent(ILogger logger, UsageEventKind kind, Guid vmId);
}
