using System.Text.RegularExpressions;
using Grpc.Core;
using V1 = Aes.Contracts.Provisioning.V1;

namespace Aes.Provisioning.Grpc;

public sealed partial class ProvisioningGrpcService(ProvisioningDbContext db) : V1.ProvisioningService.ProvisioningServiceBase
{
    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex StateCodePattern();

    public override async Task<V1.ListAgreementsInForceResponse> ListAgreementsInForce(V1.ListAgreementsInForceRequest request, ServerCallContext context)
    {
        var query = db.AgreementsInForce.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.GuestStateCode))
        {
            var guest = Validate.Code(request.GuestStateCode, "guest_state_code", StateCodePattern(), "NE");
            query = query.Where(a => a.GuestStateCode == guest);
        }
        var agreements = await query.OrderBy(a => a.StartsAt).ToListAsync(context.CancellationToken);
        return new V1.ListAgreementsInForceResponse
        {
            Agreements =
            {
                agreements.Select(a => new V1.AgreementInForce
                {
                    AgreementId = a.AgreementId.ToString(),
                    HostStateCode = a.HostStateCode,
                    FacilityId = a.FacilityId.ToString(),
                    GuestStateCode = a.GuestStateCode,
                    AllowedClassifications = { a.AllowedClassifications.Split(',', StringSplitOptions.RemoveEmptyEntries) },
                }),
            },
        };
    }
}
