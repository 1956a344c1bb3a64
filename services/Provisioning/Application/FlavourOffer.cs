using Aes.Provisioning.Domain;
using Grpc.Core;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.Provisioning.Application;

/// <summary>
/// Where each flavour of the catalogue can be asked for: a flavour with accelerators only in the facilities a pool of which
/// holds them (quota's inventories), the others anywhere. A flavour whose accelerators no pool holds is not offered; while
/// quota does not answer, the GPU flavours are left out and the others still offered.
/// </summary>
public sealed partial class FlavourOffer(Q.QuotaService.QuotaServiceClient quota, ILogger<FlavourOffer> logger)
{
    public sealed record Offered(Flavour Flavour, IReadOnlyList<string> FacilityCodes);

    public async Task<IReadOnlyList<Offered>> ListAsync(CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        try
        {
            var page = new Q.ListPoolsRequest { PageSize = 1000 };
            do
            {
                var pools = await quota.ListPoolsAsync(page, cancellationToken: cancellationToken);
                foreach (var pool in pools.Pools)
                {
                    foreach (var inventory in pool.Inventories.Where(i => i.Capacity > 0))
                    {
                        (held.TryGetValue(inventory.ResourceClass, out var facilities) ? facilities : held[inventory.ResourceClass] = new(StringComparer.Ordinal)).Add(pool.FacilityCode);
                    }
                }
                page.PageToken = pools.NextPageToken;
            }
            while (page.PageToken.Length > 0);
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            LogQuotaUnavailable(exception.Status.Detail);
            held.Clear();
        }

        var offered = new List<Offered>();
        foreach (var flavour in Catalogue.Flavours)
        {
            if (flavour.Accelerators.IsZero)
            {
                offered.Add(new(flavour, []));
                continue;
            }
            var where = flavour.Accelerators.Classes
                .Select(c => held.TryGetValue(c, out var facilities) ? facilities : [])
                .Aggregate((a, b) => new SortedSet<string>(a.Intersect(b), StringComparer.Ordinal));
            if (where.Count > 0)
            {
                offered.Add(new(flavour, [.. where]));
            }
        }
        return offered;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota did not answer; the GPU flavours are left out of the catalogue until it does: {Detail}")]
    private partial void LogQuotaUnavailable(string detail);
}
