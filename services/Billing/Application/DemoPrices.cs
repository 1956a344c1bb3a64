using System.Text.Json;
using Aes.Contracts;

namespace Aes.Billing.Application;

/// <summary>The demo facilities' list prices by class (Seed/demo-prices.json), published as each facility registers when Seed:Demo is true.</summary>
public sealed class DemoPrices
{
    private readonly DateTime _effectiveFrom;
    private readonly IReadOnlyDictionary<string, ResourceVector> _prices = new Dictionary<string, ResourceVector>();

    public DemoPrices(IConfiguration configuration)
    {
        if (!configuration.GetValue("Seed:Demo", false))
        {
            return;
        }
        using var stream = typeof(DemoPrices).Assembly.GetManifestResourceStream("Aes.Billing.Seed.demo-prices.json")
            ?? throw new InvalidOperationException("The demo prices are not embedded.");
        var file = JsonSerializer.Deserialize<DemoPriceFile>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidOperationException("The demo prices are empty.");
        _effectiveFrom = file.EffectiveFrom.ToUniversalTime();
        _prices = file.Facilities.ToDictionary(f => f.Key, f => ResourceVector.Of(f.Value.Select(p => (p.Key, p.Value))));
    }

    public (DateTime EffectiveFrom, ResourceVector Prices)? For(string facilityCode) =>
        _prices.TryGetValue(facilityCode, out var prices) ? (_effectiveFrom, prices) : null;

    /// <summary>Each facility's unit price in XOF by class code (per hour or per month, as the class is metered).</summary>
    private sealed record DemoPriceFile(DateTime EffectiveFrom, Dictionary<string, Dictionary<string, long>> Facilities);
}
