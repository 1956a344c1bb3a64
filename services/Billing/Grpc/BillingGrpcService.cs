using V1 = Aes.Contracts.Billing.V1;
using Grpc.Core;

namespace Aes.Billing.Grpc;

public sealed class BillingGrpcService(BillingDbContext db) : V1.BillingService.BillingServiceBase
{
    public override async Task<V1.ListAccountsResponse> ListAccounts(V1.ListAccountsRequest request, ServerCallContext context)
    {
        var query = db.Accounts.AsNoTracking();
        if (Validate.OptionalStateCode(request.StateCode, "state_code") is { } state)
        {
            query = query.Where(a => a.StateCode == state);
        }
        var accounts = await query.OrderBy(a => a.StateCode).ThenBy(a => a.AgencyName).ToListAsync(context.CancellationToken);
        return new V1.ListAccountsResponse
        {
            Accounts =
            {
                accounts.Select(a => new V1.BillingAccount
                {
                    AgencyId = a.AgencyId.ToString(), StateCode = a.StateCode, AgencyName = a.AgencyName, Currency = a.Currency,
                }),
            },
        };
    }
}
