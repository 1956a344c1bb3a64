using Aes.Billing.Domain;
using Aes.Contracts;
using Aes.Contracts.Billing;
using Aes.Messaging.Persistence;

namespace Aes.Billing.Application;

/// <summary>A catalogue to publish: <paramref name="Prices"/> is the unit price of each class it prices, in whole XOF.</summary>
public sealed record CatalogueChange(Guid ActorUserId, Guid FacilityId, DateTime EffectiveFrom, DateTime? EffectiveUntil, ResourceVector Prices, string Currency);

/// <summary>
/// A facility's prices over time. A catalogue never changes once published, except that an
/// open-ended one ends where the next one starts; periods never overlap, and none may start
/// inside a period already invoiced, so a new price never rewrites the past. A catalogue prices the four standard classes,
/// and any other class of the catalogue its facility offers (GPUs, per GPU-hour); usage of a class it leaves out is unpriced.
/// </summary>
public sealed class Catalogues(BillingDbContext db, BillingAccess access, BillingClasses classes, TimeProvider clock)
{
    public async Task<PriceCatalogue> SetAsync(CatalogueChange change, CancellationToken cancellationToken)
    {
        if (change.Currency != "XOF")
        {
            throw new InvalidFieldException("currency", new(
                $"seule la devise XOF (franc CFA) est acceptée (reçu : {change.Currency}).",
                $"only XOF (CFA franc) is accepted (got {change.Currency})."));
        }
        var known = await classes.AllAsync(cancellationToken);
        foreach (var (resourceClass, price) in change.Prices.NonZero())
        {
            if (!known.Knows(resourceClass))
            {
                throw new InvalidFieldException("unit_prices", new(
                    $"{resourceClass} n'est pas une classe de ressource connue de la facturation (si elle vient d'être ajoutée au catalogue, réessayez dans un instant).",
                    $"{resourceClass} is not a resource class billing knows (if it was just added to the catalogue, try again in a moment)."));
            }
            if (price < 0)
            {
                throw new InvalidFieldException("unit_prices", new(
                    $"{resourceClass} : doit être un nombre entier de francs strictement positif.", $"{resourceClass}: must be a whole, strictly positive number of francs."));
            }
        }
        if (ResourceClasses.Standard.FirstOrDefault(c => change.Prices[c.Code] <= 0) is { } unpriced)
        {
            throw new InvalidFieldException("unit_prices", new(
                $"{unpriced.Code} doit avoir un prix : un catalogue tarifie au moins le vCPU, la mémoire, le stockage et l'adresse IPv4 publique.",
                $"{unpriced.Code} must be priced: a catalogue prices at least vCPU, memory, storage and the public IPv4 address."));
        }
        if (change.EffectiveUntil is { } until && until <= change.EffectiveFrom)
        {
            throw new InvalidFieldException("effective_until", new("doit suivre effective_from.", "must come after effective_from."));
        }

        var facility = await db.Facilities.AsNoTracking().FirstOrDefaultAsync(f => f.Id == change.FacilityId, cancellationToken)
            ?? throw new NotFoundException("Site", change.FacilityId.ToString());
        await access.RequireOperatorAsync(change.ActorUserId, facility.StateCode, cancellationToken);

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        // Serialises catalogue changes of one facility, so two overlapping publications cannot both pass the checks.
        await db.Facilities.Where(f => f.Id == facility.Id).ExecuteUpdateAsync(set => set.SetProperty(f => f.Code, f => f.Code), cancellationToken);

        var from = change.EffectiveFrom;
        var catalogues = await db.Catalogues.Where(c => c.FacilityId == facility.Id).OrderBy(c => c.EffectiveFrom).ToListAsync(cancellationToken);
        var previous = catalogues.LastOrDefault(c => c.EffectiveFrom < from);
        var next = catalogues.FirstOrDefault(c => c.EffectiveFrom >= from);
        // An open-ended catalogue gives way to a later open-ended one; a bounded period inside it would leave a gap after it.
        if (previous is not null && (previous.EffectiveUntil is { } previousUntil ? previousUntil > from : change.EffectiveUntil is not null))
        {
            throw Overlap(previous);
        }
        if (next is not null && (change.EffectiveUntil is null || change.EffectiveUntil > next.EffectiveFrom))
        {
            throw Overlap(next);
        }
        var invoicedUntil = await db.InvoiceLines
            .Where(l => l.FacilityId == facility.Id && db.Invoices.Any(i => i.Id == l.InvoiceId && i.IssuedAt != null))
            .MaxAsync(l => (DateTime?)l.PeriodUntil, cancellationToken);
        if (invoicedUntil is { } invoiced && invoiced > from)
        {
            throw new RuleViolationException(new(
                $"Des factures émises couvrent l'usage de {facility.Code} jusqu'au {invoiced:yyyy-MM-dd HH:mm} UTC : un nouveau prix ne peut commencer avant.",
                $"Issued invoices cover the usage of {facility.Code} until {invoiced:yyyy-MM-dd HH:mm} UTC: a new price cannot start before that."));
        }

        if (previous is { EffectiveUntil: null })
        {
            previous.EffectiveUntil = from;
        }
        var catalogue = new PriceCatalogue
        {
            Id = Guid.CreateVersion7(), FacilityId = facility.Id, EffectiveFrom = from, EffectiveUntil = change.EffectiveUntil,
            UnitPrices = change.Prices, Currency = change.Currency, CreatedBy = change.ActorUserId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Catalogues.Add(catalogue);
        db.AddToOutbox(Published(catalogue, previous is { EffectiveUntil: { } ended } && ended == from ? previous.Id : null), catalogue.CreatedAt);
        await db.SaveOrExplainAsync("Catalogue de prix / price catalogue", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return catalogue;
    }

    public static FacilityPricesPublished Published(PriceCatalogue catalogue, Guid? superseded) =>
        new(catalogue.Id, catalogue.FacilityId, catalogue.EffectiveFrom, catalogue.EffectiveUntil, catalogue.UnitPrices.ToPrices(), superseded, catalogue.CreatedAt);

    private static InvalidFieldException Overlap(PriceCatalogue other) => new("effective_from", new(
        $"cette période chevauche le catalogue en vigueur du {other.EffectiveFrom:yyyy-MM-dd HH:mm} UTC{Until(other, "au")}.",
        $"this period overlaps the catalogue in force from {other.EffectiveFrom:yyyy-MM-dd HH:mm} UTC{Until(other, "to")}."));

    private static string Until(PriceCatalogue catalogue, string word) =>
        catalogue.EffectiveUntil is { } until ? $" {word} {until:yyyy-MM-dd HH:mm} UTC" : "";
}
