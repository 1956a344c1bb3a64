using Aes.Billing.Domain;
using Aes.Contracts.Billing;
using Aes.Messaging.Persistence;

namespace Aes.Billing.Application;

public sealed record CatalogueChange(Guid ActorUserId, Guid FacilityId, DateTime EffectiveFrom, DateTime? EffectiveUntil, Prices Prices, string Currency);

/// <summary>
/// A facility's prices over time. A catalogue never changes once published, except that an
/// open-ended one ends where the next one starts; periods never overlap, and none may start
/// inside a period already invoiced, so a new price never rewrites the past.
/// </summary>
public sealed class Catalogues(BillingDbContext db, BillingAccess access, TimeProvider clock)
{
    public async Task<PriceCatalogue> SetAsync(CatalogueChange change, CancellationToken cancellationToken)
    {
        if (change.Currency != "XOF")
        {
            throw new InvalidFieldException("currency", new(
                $"seule la devise XOF (franc CFA) est acceptée (reçu : {change.Currency}).",
                $"only XOF (CFA franc) is accepted (got {change.Currency})."));
        }
        foreach (var resource in Resources.All)
        {
            if (change.Prices.Of(resource) <= 0)
            {
                throw new InvalidFieldException($"prices.{PriceField(resource)}", new(
                    "doit être un nombre entier de francs strictement positif.", "must be a whole, strictly positive number of francs."));
            }
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
            Prices = change.Prices, Currency = change.Currency, CreatedBy = change.ActorUserId, CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Catalogues.Add(catalogue);
        db.AddToOutbox(Published(catalogue, previous is { EffectiveUntil: { } ended } && ended == from ? previous.Id : null), catalogue.CreatedAt);
        await db.SaveOrExplainAsync("Catalogue de prix / price catalogue", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return catalogue;
    }

    public static FacilityPricesPublished Published(PriceCatalogue catalogue, Guid? superseded) => new(
        catalogue.Id, catalogue.FacilityId, catalogue.EffectiveFrom, catalogue.EffectiveUntil, catalogue.Prices.VcpuHourXof, catalogue.Prices.MemoryGibHourXof,
        catalogue.Prices.StorageGibMonthXof, catalogue.Prices.PublicIpv4MonthXof, superseded, catalogue.CreatedAt);

    public static string PriceField(Resource resource) => resource switch
    {
        Resource.Vcpu => "vcpu_hour_xof",
        Resource.Memory => "memory_gib_hour_xof",
        Resource.Storage => "storage_gib_month_xof",
        Resource.PublicIpv4 => "public_ipv4_month_xof",
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, "not a metered resource"),
    };

    private static InvalidFieldException Overlap(PriceCatalogue other) => new("effective_from", new(
        $"cette période chevauche le catalogue en vigueur du {other.EffectiveFrom:yyyy-MM-dd HH:mm} UTC{Until(other, "au")}.",
        $"this period overlaps the catalogue in force from {other.EffectiveFrom:yyyy-MM-dd HH:mm} UTC{Until(other, "to")}."));

    private static string Until(PriceCatalogue catalogue, string word) =>
        catalogue.EffectiveUntil is { } until ? $" {word} {until:yyyy-MM-dd HH:mm} UTC" : "";
}
