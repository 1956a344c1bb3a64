using Aes.Provisioning.Domain;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.Provisioning.Application;

/// <summary>
/// Where each flavour of the catalogue can be asked for: a flavour with accelerators only in the facilities a pool of which
/// holds them (quota's inventories), the others anywhere. A flavour whose accelerators no pool holds is not offered.
/// </summary>
public sealed class FlavourOffer(Q.QuotaService.QuotaServiceClient quota)
{
    public sealed record Offered(Flavour Flavour, IReadOnlyList<string> FacilityCodes);

    public async Task<IReadOnlyList<Offered>> ListAsync(CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var page = new Q.ListPoolsRequest { PageSize = 1000 };
        do
        {
            var pools = await quota.ListPoolsAsync(page, cancellationToken: cancellationToken);
            foreach (var pool in pools.Pools)
            {
                foreach (var inventory in pool.Inventories.Where(i => i.Capacity > 0))
                {
                    (held.TryGetValue(inventory.ClassCode, out var facilities) ? facilities : held[inventory.ClassCode] = new(StringComparer.Ordinal)).Add(pool.FacilityCode);
                }
            }
            page.PageToken = pools.NextPageToken;
        }
        while (page.PageToken.Length > 0);

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
}
