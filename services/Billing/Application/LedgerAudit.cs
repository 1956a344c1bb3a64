using Aes.Billing.Domain;

namespace Aes.Billing.Application;

public sealed record LedgerAuditReport(
    bool Balanced, long TotalDebitXof, long TotalCreditXof, int Entries, int InvoiceLinesChecked, int StatementsChecked,
    IReadOnlyList<string> Problems);

/// <summary>
/// The check any test (and any auditor) can run: every journal entry balances; every invoice line is
/// the exact rating of usage that metering still holds, and every issued line is in the ledger at
/// its amount; every settlement statement is the sum of guest invoice lines of its month, net of credits.
/// </summary>
public sealed class LedgerAudit(BillingDbContext db)
{
    public async Task<LedgerAuditReport> RunAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();

        var entries = await db.JournalEntries.AsNoTracking().Include(e => e.Lines).ToListAsync(cancellationToken);
        foreach (var entry in entries)
        {
            var (debit, credit) = (entry.Lines.Sum(l => l.DebitXof), entry.Lines.Sum(l => l.CreditXof));
            if (debit != credit)
            {
                problems.Add($"entry {entry.Kind} {entry.Reference}: debit {debit} ≠ credit {credit}");
            }
            if (entry.Lines.Any(l => l.DebitXof < 0 || l.CreditXof < 0))
            {
                problems.Add($"entry {entry.Kind} {entry.Reference}: negative amount");
            }
        }
        var totalDebit = entries.Sum(e => e.Lines.Sum(l => l.DebitXof));
        var totalCredit = entries.Sum(e => e.Lines.Sum(l => l.CreditXof));

        var invoices = await db.Invoices.AsNoTracking().ToDictionaryAsync(i => i.Id, cancellationToken);
        var lines = await db.InvoiceLines.AsNoTracking().ToListAsync(cancellationToken);
        var pieces = (await db.RatedPieces.AsNoTracking().ToListAsync(cancellationToken)).ToLookup(p => (p.InvoiceId, p.FacilityId, p.PriceSourceId));
        var segments = await db.Segments.AsNoTracking().ToDictionaryAsync(s => s.Id, cancellationToken);
        var charged = entries.Where(e => e.Kind == Ledger.InvoiceIssuedKind).SelectMany(e => e.Lines)
            .Where(l => l.InvoiceLineId is not null && l.Account.Contains(":agency:", StringComparison.Ordinal))
            .GroupBy(l => l.InvoiceLineId!.Value).ToDictionary(g => g.Key, g => g.Sum(l => l.DebitXof));
        foreach (var line in lines)
        {
            var invoice = invoices[line.InvoiceId];
            var rated = 0L;
            foreach (var piece in pieces[(line.InvoiceId, line.FacilityId, line.PriceSourceId)])
            {
                if (piece.From < line.PeriodFrom || piece.From >= line.PeriodUntil)
                {
                    continue;
                }
                if (!segments.TryGetValue(piece.SegmentId, out var segment) || segment.VmId != piece.VmId
                    || piece.From < segment.From || (segment.Until is { } until && piece.Until > until))
                {
                    problems.Add($"invoice {invoice.Number ?? invoice.Id.ToString()}: usage of VM {piece.VmId} from {piece.From:O} is not metered as billed");
                    continue;
                }
                rated += segment.Size[line.ResourceClass] * ((piece.Until - piece.From).Ticks / TimeSpan.TicksPerSecond);
            }
            if (rated != line.ResourceSeconds || Rating.Amount(line.ResourceSeconds, line.UnitPriceXof, line.Divisor) != line.AmountXof)
            {
                problems.Add($"invoice {invoice.Number ?? invoice.Id.ToString()} line {line.Id}: amount {line.AmountXof} is not the rating of its usage");
            }
            if (invoice.Status is InvoiceStatus.Issued or InvoiceStatus.Paid or InvoiceStatus.Cancelled && invoice.IssuedAt is not null
                && charged.GetValueOrDefault(line.Id) != line.AmountXof)
            {
                problems.Add($"invoice {invoice.Number} line {line.Id}: {line.AmountXof} XOF billed but {charged.GetValueOrDefault(line.Id)} XOF posted");
            }
        }
        foreach (var invoice in invoices.Values.Where(i => i.Status != InvoiceStatus.Draft || i.IssuedAt is not null))
        {
            var sum = lines.Where(l => l.InvoiceId == invoice.Id).Sum(l => l.AmountXof);
            if (sum != invoice.TotalXof)
            {
                problems.Add($"invoice {invoice.Number ?? invoice.Id.ToString()}: total {invoice.TotalXof} ≠ sum of lines {sum}");
            }
        }

        var linesById = lines.ToDictionary(l => l.Id);
        var credits = (await db.CreditAllocations.AsNoTracking().ToListAsync(cancellationToken))
            .GroupBy(a => a.InvoiceLineId).ToDictionary(g => g.Key, g => g.Sum(a => a.AmountXof));
        var settlements = await db.Settlements.AsNoTracking().Include(s => s.Statements).ThenInclude(s => s.Lines).ToListAsync(cancellationToken);
        var statements = 0;
        foreach (var settlement in settlements)
        {
            foreach (var statement in settlement.Statements)
            {
                statements++;
                if (statement.Lines.Sum(l => l.AmountXof) != statement.AmountXof)
                {
                    problems.Add($"settlement {settlement.Month} {statement.DebtorStateCode}→{statement.CreditorStateCode}: amount ≠ sum of its lines");
                }
                foreach (var statementLine in statement.Lines)
                {
                    if (!linesById.TryGetValue(statementLine.InvoiceLineId, out var line)
                        || invoices[line.InvoiceId] is not { } invoice
                        || invoice.Month != settlement.Month || invoice.StateCode != statement.DebtorStateCode
                        || line.FacilityStateCode != statement.CreditorStateCode
                        || statementLine.AmountXof != line.AmountXof - credits.GetValueOrDefault(line.Id))
                    {
                        problems.Add($"settlement {settlement.Month} {statement.DebtorStateCode}→{statement.CreditorStateCode}: line {statementLine.InvoiceLineId} does not trace to its invoice line");
                    }
                }
            }
            var settledLines = settlement.Statements.SelectMany(s => s.Lines).Select(l => l.InvoiceLineId).ToHashSet();
            foreach (var line in lines.Where(l => invoices[l.InvoiceId] is { } i && i.Month == settlement.Month && i.IssuedAt is not null
                         && l.FacilityStateCode != i.StateCode && !settledLines.Contains(l.Id)))
            {
                problems.Add($"settlement {settlement.Month}: guest line {line.Id} of an issued invoice was left out");
            }
        }
        var balanced = totalDebit == totalCredit && entries.All(e => e.Lines.Sum(l => l.DebitXof) == e.Lines.Sum(l => l.CreditXof));
        return new LedgerAuditReport(balanced, totalDebit, totalCredit, entries.Count, lines.Count, statements, problems);
    }
}
