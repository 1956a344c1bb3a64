using Aes.Contracts.Provisioning;
using Aes.Messaging.Audit;
using Aes.Provisioning.Application;

namespace Aes.Provisioning.Consumers;

/// <summary>Follows provisioning's own request events to the campaign workloads they were launched for (ADR 051).</summary>
public sealed class CampaignRequestFollower(ProvisioningDbContext db, AuditTrail<ProvisioningDbContext> audit, ILogger<CampaignRequestFollower> logger)
    : InboxConsumer<HostingRequestStatusChanged, ProvisioningDbContext>(db, logger)
{
    protected override Task HandleAsync(HostingRequestStatusChanged message, ConsumeContext<HostingRequestStatusChanged> context) =>
        CampaignExecution.FollowAsync(Db, audit, message, context.CancellationToken);
}
