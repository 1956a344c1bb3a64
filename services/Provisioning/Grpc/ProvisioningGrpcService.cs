using Grpc.Core;
using V1 = Aes.Contracts.Provisioning.V1;

namespace Aes.Provisioning.Grpc;

public sealed class ProvisioningGrpcService(ProvisioningDbContext db) : V1.ProvisioningService.ProvisioningServiceBase
{
    public override async Task<V1.ListAgreementsInForceResponse> ListAgreementsInForce(V1.ListAgreementsInForceRequest request, ServerCallContext context)
    {
        var query = db.AgreementsInForce.AsNoTracking();
        if (Validate.OptionalStateCode(request.GuestStateCode, "guest_state_code") is { } guest)
        {
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
