using System.Text.Json;
using Aes.Billing.Domain;

namespace Aes.Billing.Application;

/// <summary>The demo facilities' list prices (Seed/demo-prices.json), published as each facility registers when Seed:Demo is true.</summary>
public sealed class DemoPrices
{
    private readonly DateTime _effectiveFrom;
    private readonly IReadOnlyDictionary<string, Prices> _prices = new Dictionary<string, Prices>();

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
        _prices = file.Facilities;
    }

    public (DateTime EffectiveFrom, Prices Prices)? For(string facilityCode) =>
        _prices.TryGetValue(facilityCode, out var prices) ? (_effectiveFrom, prices) : null;

    private sealed record DemoPriceFile(DateTime EffectiveFrom, Dictionary<string, Prices> Facilities);
}
