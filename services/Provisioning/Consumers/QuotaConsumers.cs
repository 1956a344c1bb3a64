using Aes.Contracts.Quota;
using Aes.Provisioning.Application;

namespace Aes.Provisioning.Consumers;

/// <summary>Capacity freed or added in quota wakes the requests waiting for it (journeys 6 and 8).</summary>
public abstract class WakeWaitingRequests<TMessage>(ProvisioningDbContext db, WorkflowSignal signal, ILogger logger)
    : InboxConsumer<TMessage, ProvisioningDbContext>(db, logger) where TMessage : class
{
    protected override async Task HandleAsync(TMessage message, ConsumeContext<TMessage> context)
    {
        await Db.WakeWaitingRequestsAsync(context.CancellationToken);
        signal.Notify();
    }
}

public sealed class HoldReleasedConsumer(ProvisioningDbContext db, WorkflowSignal signal, ILogger<HoldReleasedConsumer> logger)
    : WakeWaitingRequests<HoldReleased>(db, signal, logger);

public sealed class HoldExpiredConsumer(ProvisioningDbContext db, WorkflowSignal signal, ILogger<HoldExpiredConsumer> logger)
    : WakeWaitingRequests<HoldExpired>(db, signal, logger);

public sealed class CapacityChangedConsumer(ProvisioningDbContext db, WorkflowSignal signal, ILogger<CapacityChangedConsumer> logger)
    : WakeWaitingRequests<CapacityChanged>(db, signal, logger);

public sealed class QuotaChangedConsumer(ProvisioningDbContext db, WorkflowSignal signal, ILogger<QuotaChangedConsumer> logger)
    : WakeWaitingRequests<QuotaChanged>(db, signal, logger);
