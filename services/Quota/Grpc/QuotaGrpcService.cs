using V1 = Aes.Contracts.Quota.V1;
using Grpc.Core;

namespace Aes.Quota.Grpc;

public sealed class QuotaGrpcService(QuotaDbContext db) : V1.QuotaService.QuotaServiceBase
{
    public override async Task<V1.ListKnownFacilitiesResponse> ListKnownFacilities(V1.ListKnownFacilitiesRequest request, ServerCallContext context)
    {
        var query = db.Facilities.AsNoTracking();
        if (Validate.OptionalStateCode(request.StateCode, "state_code") is { } state)
        {
            query = query.Where(f => f.StateCode == state);
        }
        var facilities = await query.OrderBy(f => f.Code).ToListAsync(context.CancellationToken);
        return new V1.ListKnownFacilitiesResponse
        {
            Facilities =
            {
                facilities.Select(f => new V1.KnownFacility
                {
                    FacilityId = f.FacilityId.ToString(), Code = f.Code, StateCode = f.StateCode, Status = f.Status,
                }),
            },
        };
    }
}
