using Aes.Billing.Application;
using Aes.Contracts.Provisioning;

namespace Aes.Billing.Consumers;

public sealed class VmActivatedConsumer(BillingDbContext db, Metering metering, ILogger<VmActivatedConsumer> logger)
    : InboxConsumer<VmActivated, BillingDbContext>(db, logger)
{
    protected override Task HandleAsync(VmActivated message, ConsumeContext<VmActivated> context) =>
        metering.RecordAsync(UsageFacts.From(message), context.CancellationToken);
}

public sealed class VmResizedConsumer(BillingDbContext db, Metering metering, ILogger<VmResizedConsumer> logger)
    : InboxConsumer<VmResized, BillingDbContext>(db, logger)
{
    protected override Task HandleAsync(VmResized message, ConsumeContext<VmResized> context) =>
        metering.RecordAsync(UsageFacts.From(message), context.CancellationToken);
}

public sealed class VmDecommissionedConsumer(BillingDbContext db, Metering metering, ILogger<VmDecommissionedConsumer> logger)
    : InboxConsumer<VmDecommissioned, BillingDbContext>(db, logger)
{
    protected override Task HandleAsync(VmDecommissioned message, ConsumeContext<VmDecommissioned> context) =>
        metering.RecordAsync(UsageFacts.From(message), context.CancellationToken);
}

public sealed class VmSnapshotTakenConsumer(BillingDbContext db, Metering metering, ILogger<VmSnapshotTakenConsumer> logger)
    : InboxConsumer<VmSnapshotTaken, BillingDbContext>(db, logger)
{
    protected override Task HandleAsync(VmSnapshotTaken message, ConsumeContext<VmSnapshotTaken> context) =>
        metering.RecordAsync(UsageFacts.From(message), context.CancellationToken);
}

public sealed class VmSnapshotRemovedConsumer(BillingDbContext db, Metering metering, ILogger<VmSnapshotRemovedConsumer> logger)
    : InboxConsumer<VmSnapshotRemoved, BillingDbContext>(db, logger)
{
    protected override Task HandleAsync(VmSnapshotRemoved message, ConsumeContext<VmSnapshotRemoved> context) =>
        metering.RecordAsync(UsageFacts.From(message), context.CancellationToken);
}
