using Aes.Billing.Domain;
using Aes.Contracts.Billing;
using Aes.Messaging.Persistence;

namespace Aes.Billing.Application;

/// <summary>
/// Monthly invoices: draft (rated again at will), issued (frozen, numbered and posted to the
/// ledger), then paid or cancelled. Corrections of an issued invoice are credit notes.
/// </summary>
public sealed partial class Invoicing(BillingDbContext db, BillingAccess access, BillingClasses classes, TimeProvider clock, ILogger<Invoicing> logger)
{
    private const string InvoiceEntity = "Facture / invoice";

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Invoice> DraftAsync(Guid actor, Guid agencyId, string month, CancellationToken cancellationToken)
    {
        var account = await AccountAsync(agencyId, cancellationToken);
        await access.RequireOperatorAsync(actor, account.StateCode, cancellationToken);
        var period = await PeriodAsync(account.StateCode, month, cancellationToken);
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var invoice = await DraftCoreAsync(account, period, cancellationToken);
        await db.SaveOrExplainAsync(InvoiceEntity, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await LoadAsync(invoice.Id, cancellationToken);
    }

    /// <summary>Drafts the month for every agency (of one state, or all) that used something; issued months are left as they are.</summary>
    public async Task<(int Drafted, int Lines, long TotalXof)> DraftAllAsync(Guid actor, string month, string? stateCode, CancellationToken cancellationToken)
    {
        if (stateCode is null)
        {
            await access.RequireConfederalAdministratorAsync(actor, cancellationToken);
        }
        else
        {
            await access.RequireOperatorAsync(actor, stateCode, cancellationToken);
        }
        var states = await db.States.AsNoTracking().Where(s => stateCode == null || s.Code == stateCode).ToListAsync(cancellationToken);
        var (drafted, lines, total) = (0, 0, 0L);
        foreach (var state in states)
        {
            var period = await PeriodAsync(state.Code, month, cancellationToken);
            var asOf = Min(period.Until, Now);
            var segments = await db.Segments.AsNoTracking()
                .Where(s => s.AgencyStateCode == state.Code && s.From < asOf && (s.Until == null || s.Until > period.From))
                .ToListAsync(cancellationToken);
            var agencies = segments.Select(s => s.AgencyId).Distinct().ToList();
            var accounts = await db.Accounts.AsNoTracking().Where(a => a.StateCode == state.Code).ToDictionaryAsync(a => a.AgencyId, cancellationToken);
            var existing = await db.Invoices.Where(i => i.Month == period.Label && i.StateCode == state.Code && i.Status != InvoiceStatus.Cancelled)
                .ToDictionaryAsync(i => i.AgencyId, cancellationToken);
            var pricing = await PricingAsync(segments.Select(s => s.FacilityId), cancellationToken);

            await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
            var redrafted = existing.Values.Where(i => i.Status == InvoiceStatus.Draft).Select(i => i.Id).ToList();
            await db.InvoiceLines.Where(l => redrafted.Contains(l.InvoiceId)).ExecuteDeleteAsync(cancellationToken);
            await db.RatedPieces.Where(p => redrafted.Contains(p.InvoiceId)).ExecuteDeleteAsync(cancellationToken);
            foreach (var agencySegments in segments.GroupBy(s => s.AgencyId))
            {
                if (existing.TryGetValue(agencySegments.Key, out var current) && current.Status != InvoiceStatus.Draft)
                {
                    continue;
                }
                var account = accounts.GetValueOrDefault(agencySegments.Key)
                    ?? throw new RuleViolationException(new(
                        $"L'organisme {agencySegments.Key} n'a pas encore de compte de facturation.",
                        $"Agency {agencySegments.Key} has no billing account yet."));
                var invoice = current ?? NewInvoice(account, period, state.TimeZone);
                var rated = RateInto(invoice, period, asOf, agencySegments, pricing);
                (drafted, lines, total) = (drafted + 1, lines + rated.Count, total + invoice.TotalXof);
            }
            // A draft whose usage is gone (its events were corrected) is rated to nothing, not left with its old total.
            foreach (var emptied in existing.Values.Where(i => i.Status == InvoiceStatus.Draft && !agencies.Contains(i.AgencyId)))
            {
                RateInto(emptied, period, asOf, [], pricing);
            }
            await db.SaveOrExplainAsync(InvoiceEntity, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            LogDraftedMonth(logger, period.Label, state.Code, agencies.Count);
        }
        return (drafted, lines, total);
    }

    public async Task<Invoice> IssueAsync(Guid actor, Guid invoiceId, CancellationToken cancellationToken)
    {
        var invoice = await FindAsync(invoiceId, cancellationToken);
        await access.RequireOperatorAsync(actor, invoice.StateCode, cancellationToken);
        RequireStatus(invoice, InvoiceStatus.Draft, "émise", "issued");
        var now = Now;
        if (now < invoice.PeriodUntil)
        {
            throw new RuleViolationException(new(
                $"Le mois {invoice.Month} n'est pas terminé ({invoice.TimeZone}) : la facture reste un brouillon jusqu'au {invoice.PeriodUntil:yyyy-MM-dd HH:mm} UTC.",
                $"Month {invoice.Month} is not over ({invoice.TimeZone}): the invoice stays a draft until {invoice.PeriodUntil:yyyy-MM-dd HH:mm} UTC."));
        }
        var account = await AccountAsync(invoice.AgencyId, cancellationToken);
        var period = await PeriodAsync(invoice.StateCode, invoice.Month, cancellationToken);

        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var number = await NextNumberAsync("F", invoice.StateCode, invoice.Month, cancellationToken);
        // Rated once more on issue, so usage that arrived after the last draft is not left out.
        invoice = await DraftCoreAsync(account, period, cancellationToken, invoice);
        var lines = db.ChangeTracker.Entries<InvoiceLine>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        if (lines.Any(l => l.FacilityStateCode != invoice.StateCode) && await db.Settlements.AnyAsync(s => s.Month == invoice.Month, cancellationToken))
        {
            throw new RuleViolationException(new(
                $"Le règlement entre États de {invoice.Month} est clos : une facture avec un usage hors de {invoice.StateCode} ne peut plus être émise pour ce mois.",
                $"The inter-state settlement of {invoice.Month} is closed: an invoice with usage outside {invoice.StateCode} can no longer be issued for that month."));
        }
        invoice.Status = InvoiceStatus.Issued;
        invoice.IssuedAt = now;
        invoice.Number = number;
        db.JournalEntries.Add(Ledger.InvoiceIssued(invoice, lines, now));
        db.AddToOutbox(new InvoiceIssued(invoice.Id, invoice.Number, invoice.AgencyId, invoice.StateCode, invoice.Month, invoice.TotalXof, now), now);
        await db.SaveOrExplainAsync(InvoiceEntity, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogIssued(logger, invoice.Number, invoice.TotalXof);
        return await LoadAsync(invoice.Id, cancellationToken);
    }

    public async Task<Invoice> PayAsync(Guid actor, Guid invoiceId, CancellationToken cancellationToken)
    {
        var invoice = await FindAsync(invoiceId, cancellationToken);
        await access.RequireOperatorAsync(actor, invoice.StateCode, cancellationToken);
        RequireStatus(invoice, InvoiceStatus.Issued, "payée", "paid");
        var now = Now;
        var due = invoice.TotalXof - invoice.CreditedXof;
        invoice.Status = InvoiceStatus.Paid;
        invoice.PaidAt = now;
        invoice.Version++;
        db.JournalEntries.Add(Ledger.Payment(invoice, due, now));
        db.AddToOutbox(new InvoicePaid(invoice.Id, invoice.Number!, invoice.AgencyId, due, now), now);
        await db.SaveOrExplainAsync(InvoiceEntity, cancellationToken);
        return await LoadAsync(invoice.Id, cancellationToken);
    }

    /// <summary>A draft is simply dropped; an issued invoice is cancelled by a credit note for what is left of it.</summary>
    public async Task<Invoice> CancelAsync(Guid actor, Guid invoiceId, string reason, CancellationToken cancellationToken)
    {
        var invoice = await FindAsync(invoiceId, cancellationToken);
        await access.RequireOperatorAsync(actor, invoice.StateCode, cancellationToken);
        if (invoice.Status is InvoiceStatus.Paid or InvoiceStatus.Cancelled)
        {
            RequireStatus(invoice, InvoiceStatus.Issued, "annulée", "cancelled");
        }
        var now = Now;
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        var credited = 0L;
        if (invoice.Status == InvoiceStatus.Issued && invoice.TotalXof > invoice.CreditedXof)
        {
            credited = invoice.TotalXof - invoice.CreditedXof;
            await CreditCoreAsync(invoice, credited, reason, now, cancellationToken);
        }
        invoice.Status = InvoiceStatus.Cancelled;
        invoice.CancelledAt = now;
        invoice.CancelReason = reason;
        invoice.Version++;
        if (invoice.Number is not null)
        {
            db.AddToOutbox(new InvoiceCancelled(invoice.Id, invoice.Number, invoice.AgencyId, credited, reason, now), now);
        }
        await db.SaveOrExplainAsync(InvoiceEntity, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await LoadAsync(invoice.Id, cancellationToken);
    }

    public async Task<Invoice> CreditAsync(Guid actor, Guid invoiceId, long amount, string reason, CancellationToken cancellationToken)
    {
        var invoice = await FindAsync(invoiceId, cancellationToken);
        await access.RequireOperatorAsync(actor, invoice.StateCode, cancellationToken);
        if (invoice.Status is not (InvoiceStatus.Issued or InvoiceStatus.Paid))
        {
            throw new RuleViolationException(new(
                $"Un avoir ne corrige qu'une facture émise ou payée ; celle-ci est {StatusFr(invoice.Status)}.",
                $"A credit note only corrects an issued or paid invoice; this one is {invoice.Status.ToString().ToLowerInvariant()}."));
        }
        var left = invoice.TotalXof - invoice.CreditedXof;
        if (amount <= 0 || amount > left)
        {
            throw new InvalidFieldException("amount_xof", new(
                $"doit être compris entre 1 et {left} francs, le montant non encore crédité.",
                $"must be between 1 and {left} francs, the amount not yet credited."));
        }
        await using var transaction = await db.Database.BeginOrJoinTransactionAsync(cancellationToken);
        await CreditCoreAsync(invoice, amount, reason, Now, cancellationToken);
        invoice.Version++;
        await db.SaveOrExplainAsync(InvoiceEntity, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await LoadAsync(invoice.Id, cancellationToken);
    }

    /// <summary>The invoice with its lines in reading order (<see cref="InvoiceLines.InReadingOrder"/>) and its credit notes.</summary>
    public async Task<Invoice> LoadAsync(Guid invoiceId, CancellationToken cancellationToken)
    {
        var invoice = await db.Invoices.AsNoTracking().AsSplitQuery()
                .Include(i => i.Lines).Include(i => i.CreditNotes.OrderBy(c => c.IssuedAt))
                .FirstOrDefaultAsync(i => i.Id == invoiceId, cancellationToken)
            ?? throw new NotFoundException("Facture / invoice", invoiceId.ToString());
        var ordered = invoice.Lines.InReadingOrder().ToList();
        invoice.Lines.Clear();
        invoice.Lines.AddRange(ordered);
        return invoice;
    }

    public async Task<BillingMonth> PeriodAsync(string stateCode, string month, CancellationToken cancellationToken)
    {
        var (year, number) = BillingMonth.Require(month);
        var state = await db.States.AsNoTracking().FirstOrDefaultAsync(s => s.Code == stateCode, cancellationToken)
            ?? throw new RuleViolationException(new(
                $"Le fuseau horaire de l'État {stateCode} n'est pas encore connu de la facturation.",
                $"The time zone of state {stateCode} is not known to billing yet."));
        return BillingMonth.In(year, number, TimeZoneInfo.FindSystemTimeZoneById(state.TimeZone));
    }

    private async Task<Invoice> DraftCoreAsync(BillingAccount account, BillingMonth period, CancellationToken cancellationToken, Invoice? current = null)
    {
        current ??= await db.Invoices.FirstOrDefaultAsync(
            i => i.AgencyId == account.AgencyId && i.Month == period.Label && i.Status != InvoiceStatus.Cancelled, cancellationToken);
        if (current is { Status: not InvoiceStatus.Draft })
        {
            throw new RuleViolationException(new(
                $"La facture {current.Number} de {period.Label} est déjà {StatusFr(current.Status)} : elle ne change plus, corrigez-la par un avoir.",
                $"Invoice {current.Number} for {period.Label} is already {current.Status.ToString().ToLowerInvariant()}: it never changes; correct it with a credit note."));
        }
        var asOf = Min(period.Until, Now);
        var segments = await db.Segments.AsNoTracking()
            .Where(s => s.AgencyId == account.AgencyId && s.From < asOf && (s.Until == null || s.Until > period.From))
            .ToListAsync(cancellationToken);
        var pricing = await PricingAsync(segments.Select(s => s.FacilityId), cancellationToken);
        if (current is not null)
        {
            await db.InvoiceLines.Where(l => l.InvoiceId == current.Id).ExecuteDeleteAsync(cancellationToken);
            await db.RatedPieces.Where(p => p.InvoiceId == current.Id).ExecuteDeleteAsync(cancellationToken);
        }
        var zone = await db.States.AsNoTracking().Where(s => s.Code == account.StateCode).Select(s => s.TimeZone).FirstAsync(cancellationToken);
        var invoice = current ?? NewInvoice(account, period, zone);
        RateInto(invoice, period, asOf, segments, pricing);
        return invoice;
    }

    private Invoice NewInvoice(BillingAccount account, BillingMonth period, string timeZone)
    {
        var invoice = new Invoice
        {
            Id = Guid.CreateVersion7(), AgencyId = account.AgencyId, AgencyName = account.AgencyName, StateCode = account.StateCode,
            Month = period.Label, TimeZone = timeZone, PeriodFrom = period.From, PeriodUntil = period.Until,
        };
        db.Invoices.Add(invoice);
        return invoice;
    }

    private List<InvoiceLine> RateInto(Invoice invoice, BillingMonth period, DateTime asOf, IEnumerable<UsageSegment> segments, Pricing pricing)
    {
        var metered = segments.ToList();
        var facilityStates = metered.GroupBy(s => s.FacilityId).ToDictionary(g => g.Key, g => g.First().FacilityStateCode);
        RatedMonth rated;
        try
        {
            rated = Rating.Rate(period, asOf, metered, segment => pricing.For(segment.FacilityId, invoice.StateCode, segment.FacilityStateCode),
                pricing.Classes);
        }
        catch (UnpricedUsageException unpriced)
        {
            var code = pricing.Code(unpriced.FacilityId);
            var (ofFr, ofEn) = unpriced.ResourceClass is { } resourceClass ? ($" ({resourceClass})", $" ({resourceClass})") : ("", "");
            throw new RuleViolationException(new(
                $"Aucun prix ne couvre l'usage{ofFr} de {code} à partir du {unpriced.From:yyyy-MM-dd HH:mm} UTC : l'opérateur du site doit publier un catalogue qui le tarifie.",
                $"No price covers the usage{ofEn} of {code} from {unpriced.From:yyyy-MM-dd HH:mm} UTC: the facility's operator must publish a catalogue that prices it."));
        }
        var lines = rated.Lines.Select(r => new InvoiceLine
        {
            Id = Guid.CreateVersion7(), InvoiceId = invoice.Id, FacilityId = r.FacilityId, FacilityCode = pricing.Code(r.FacilityId),
            FacilityStateCode = facilityStates[r.FacilityId], ResourceClass = r.ResourceClass, PeriodFrom = r.From, PeriodUntil = r.Until,
            ResourceSeconds = r.ResourceSeconds, Divisor = r.Divisor, UnitPriceXof = r.UnitPriceXof, AmountXof = r.AmountXof,
            PriceSource = r.Source, PriceSourceId = r.SourceId,
        }).ToList();
        db.RatedPieces.AddRange(rated.Usages.Select(u => new RatedPiece
        {
            Id = Guid.CreateVersion7(), InvoiceId = invoice.Id, SegmentId = u.SegmentId, VmId = u.VmId, FacilityId = u.FacilityId,
            PriceSourceId = u.SourceId, From = u.From, Until = u.Until,
        }));
        db.InvoiceLines.AddRange(lines);
        invoice.TotalXof = lines.Sum(l => l.AmountXof);
        invoice.DraftedAt = Now;
        invoice.Version++;
        return lines;
    }

    private async Task<Pricing> PricingAsync(IEnumerable<Guid> facilityIds, CancellationToken cancellationToken)
    {
        var ids = facilityIds.Distinct().ToList();
        var facilities = await db.Facilities.AsNoTracking().Where(f => ids.Contains(f.Id)).ToDictionaryAsync(f => f.Id, cancellationToken);
        var catalogues = await db.Catalogues.AsNoTracking().Where(c => ids.Contains(c.FacilityId)).ToListAsync(cancellationToken);
        var agreements = await db.Agreements.AsNoTracking().Where(a => ids.Contains(a.FacilityId)).ToListAsync(cancellationToken);
        return new Pricing(facilities, catalogues, agreements, await classes.AllAsync(cancellationToken));
    }

    private async Task CreditCoreAsync(Invoice invoice, long amount, string reason, DateTime now, CancellationToken cancellationToken)
    {
        var lines = await db.InvoiceLines.AsNoTracking().Where(l => l.InvoiceId == invoice.Id).ToDictionaryAsync(l => l.Id, cancellationToken);
        var credited = await db.CreditAllocations.Where(a => lines.Keys.Contains(a.InvoiceLineId))
            .GroupBy(a => a.InvoiceLineId).Select(g => new { g.Key, Amount = g.Sum(a => a.AmountXof) })
            .ToDictionaryAsync(g => g.Key, g => g.Amount, cancellationToken);
        var settled = await db.StatementLines.Where(s => lines.Keys.Contains(s.InvoiceLineId)).Select(s => s.InvoiceLineId).ToListAsync(cancellationToken);
        var open = lines.Values.Where(l => !settled.Contains(l.Id))
            .Select(l => (Line: l, Left: l.AmountXof - credited.GetValueOrDefault(l.Id))).Where(l => l.Left > 0).ToList();
        if (open.Sum(l => l.Left) < amount)
        {
            throw new RuleViolationException(new(
                "Une partie de cette facture est déjà réglée entre États : l'avoir dépasse ce qui peut encore être corrigé ; corrigez sur le mois suivant.",
                "Part of this invoice is already settled between states: the credit note exceeds what can still be corrected; correct it on next month's invoice."));
        }
        var note = new CreditNote
        {
            Id = Guid.CreateVersion7(), InvoiceId = invoice.Id, Number = await NextNumberAsync("AV", invoice.StateCode, invoice.Month, cancellationToken),
            AmountXof = amount, Reason = reason, IssuedAt = now,
        };
        note.Allocations.AddRange(Allocate(amount, open).Select(a => new CreditAllocation { InvoiceLineId = a.LineId, AmountXof = a.Amount }));
        db.CreditNotes.Add(note);
        invoice.CreditedXof += amount;
        db.JournalEntries.Add(Ledger.CreditNote(invoice, note, lines));
    }

    /// <summary>Spreads a credit over the lines in proportion to what is left of each, largest remainders first; it sums exactly.</summary>
    public static IReadOnlyList<(Guid LineId, long Amount)> Allocate(long amount, IReadOnlyList<(InvoiceLine Line, long Left)> open)
    {
        var total = open.Sum(l => l.Left);
        var shares = open.Select(l =>
        {
            var exact = (Int128)amount * l.Left;
            return (l.Line.Id, Floor: (long)(exact / total), Remainder: (long)(exact % total), l.Left);
        }).ToList();
        var leftover = amount - shares.Sum(s => s.Floor);
        return shares
            .OrderByDescending(s => s.Remainder).ThenBy(s => s.Id)
            .Select((s, rank) => (s.Id, Amount: s.Floor + (rank < leftover ? 1 : 0)))
            .Where(s => s.Amount > 0).ToList();
    }

    /// <summary>
    /// The next number of a gap-free series (per kind, state and year). Its row stays locked until the
    /// caller's transaction ends, so numbers are handed out in commit order and a rollback returns its
    /// number. Call it before making other changes: creating the series saves.
    /// </summary>
    private async Task<string> NextNumberAsync(string prefix, string state, string month, CancellationToken cancellationToken)
    {
        var key = $"{prefix}-{state}-{month[..4]}";
        await db.InsertIfAbsentAsync(new NumberSequence { Key = key, Next = 1 }, cancellationToken);
        await db.NumberSequences.Where(s => s.Key == key).ExecuteUpdateAsync(set => set.SetProperty(s => s.Next, s => s.Next + 1), cancellationToken);
        var next = await db.NumberSequences.AsNoTracking().Where(s => s.Key == key).Select(s => s.Next).FirstAsync(cancellationToken);
        return $"{key}-{next - 1:D6}";
    }

    private async Task<BillingAccount> AccountAsync(Guid agencyId, CancellationToken cancellationToken) =>
        await db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == agencyId, cancellationToken)
        ?? throw new NotFoundException("Organisme / agency", agencyId.ToString());

    private async Task<Invoice> FindAsync(Guid invoiceId, CancellationToken cancellationToken) =>
        await db.Invoices.FirstOrDefaultAsync(i => i.Id == invoiceId, cancellationToken)
        ?? throw new NotFoundException("Facture / invoice", invoiceId.ToString());

    private static void RequireStatus(Invoice invoice, InvoiceStatus expected, string actionFr, string actionEn)
    {
        if (invoice.Status != expected)
        {
            throw new RuleViolationException(new(
                $"La facture {invoice.Number ?? invoice.Id.ToString()} est {StatusFr(invoice.Status)} : elle ne peut être {actionFr}.",
                $"Invoice {invoice.Number ?? invoice.Id.ToString()} is {invoice.Status.ToString().ToLowerInvariant()}: it cannot be {actionEn}."));
        }
    }

    private static string StatusFr(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Draft => "un brouillon",
        InvoiceStatus.Issued => "émise",
        InvoiceStatus.Paid => "payée",
        _ => "annulée",
    };

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Drafted {Month} for {State}: {Agencies} agencies")]
    private static partial void LogDraftedMonth(ILogger logger, string month, string state, int agencies);

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued invoice {Number} for {TotalXof} XOF")]
    private static partial void LogIssued(ILogger logger, string number, long totalXof);
}

/// <summary>
/// The prices of the facilities a rating touches, each timeline built once per facility and guest state, and the classes
/// they are rated in.
/// </summary>
public sealed class Pricing(
    IReadOnlyDictionary<Guid, KnownFacility> facilities, IReadOnlyList<PriceCatalogue> catalogues, IReadOnlyList<KnownAgreement> agreements, MeteredClasses classes)
{
    public MeteredClasses Classes { get; } = classes;

    private readonly Dictionary<(Guid, string?), IReadOnlyList<PricePeriod>> _timelines = [];

    public IReadOnlyList<PricePeriod> For(Guid facilityId, string agencyState, string facilityState)
    {
        var guest = facilityState == agencyState ? null : agencyState;
        if (!_timelines.TryGetValue((facilityId, guest), out var timeline))
        {
            var terms = agreements.Where(a => a.FacilityId == facilityId && a.GuestStateCode == guest)
                .Select(a => new AgreementTerms(a.Id, a.StartsAt, a.EndsAt, a.FacilityListPrice, a.UnitPrices)).ToList();
            _timelines[(facilityId, guest)] = timeline = Rating.Timeline(catalogues.Where(c => c.FacilityId == facilityId).ToList(), terms, guest is not null);
        }
        return timeline;
    }

    public string Code(Guid facilityId) => facilities.TryGetValue(facilityId, out var facility) ? facility.Code : facilityId.ToString();
}
