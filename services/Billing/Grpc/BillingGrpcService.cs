using System.Text.RegularExpressions;
using V1 = Aes.Contracts.Billing.V1;
using Grpc.Core;

namespace Aes.Billing.Grpc;

public sealed partial class BillingGrpcService(BillingDbContext db) : V1.BillingService.BillingServiceBase
{
    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex StateCodePattern();

    public override async Task<V1.ListAccountsResponse> ListAccounts(V1.ListAccountsRequest request, ServerCallContext context)
    {
        var query = db.Accounts.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.StateCode))
        {
            var state = Validate.Code(request.StateCode, "state_code", StateCodePattern(), "ML");
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
