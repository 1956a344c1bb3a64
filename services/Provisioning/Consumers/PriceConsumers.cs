using Aes.Contracts;
using Aes.Contracts.Billing;

namespace Aes.Provisioning.Consumers;

/// <summary>Keeps billing's list prices, so that placement can rank facilities by what a request would cost.</summary>
public sealed class FacilityPricesPublishedConsumer(ProvisioningDbContext db, ILogger<FacilityPricesPublishedConsumer> logger)
    : InboxConsumer<FacilityPricesPublished, ProvisioningDbContext>(db, logger)
{
    protected override async Task HandleAsync(FacilityPricesPublished message, ConsumeContext<FacilityPricesPublished> context)
    {
        if (message.SupersededCatalogueId is { } superseded)
        {
            await Db.Prices.Where(p => p.CatalogueId == superseded)
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.Until, message.EffectiveFrom), context.CancellationToken);
        }
        if (await Db.Prices.AnyAsync(p => p.CatalogueId == message.CatalogueId, context.CancellationToken))
        {
            return;
        }
        // Arriving after the catalogue that superseded it, an open-ended catalogue ends where the next one starts.
        var next = await Db.Prices.Where(p => p.FacilityId == message.FacilityId && p.From > message.EffectiveFrom)
            .MinAsync(p => (DateTime?)p.From, context.CancellationToken);
        await Db.InsertIfAbsentAsync(new KnownPrice
        {
            CatalogueId = message.CatalogueId, FacilityId = message.FacilityId, From = message.EffectiveFrom, Until = message.EffectiveUntil ?? next,
            UnitPrices = ResourceVector.FromPrices(message.UnitPrices),
        }, context.CancellationToken);
    }
}
