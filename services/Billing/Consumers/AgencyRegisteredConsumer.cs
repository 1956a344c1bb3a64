using Aes.Contracts.Tenancy;

namespace Aes.Billing.Consumers;

public sealed class AgencyRegisteredConsumer(BillingDbContext db, ILogger<AgencyRegisteredConsumer> logger)
    : InboxConsumer<AgencyRegistered, BillingDbContext>(db, logger)
{
    protected override async Task HandleAsync(AgencyRegistered message, ConsumeContext<AgencyRegistered> context)
    {
        if (await Db.Accounts.AnyAsync(a => a.AgencyId == message.AgencyId, context.CancellationToken))
        {
            return;
        }
        Db.Accounts.Add(new BillingAccount
        {
            AgencyId = message.AgencyId, StateCode = message.StateCode, AgencyName = message.Name, OpenedAt = message.RegisteredAt,
        });
    }
}
