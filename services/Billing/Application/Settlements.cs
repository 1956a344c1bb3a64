using Aes.Billing.Domain;
using Aes.Contracts.Billing;
using Aes.Messaging.Persistence;

namespace Aes.Billing.Application;

/// <summary>A closed month between states, with each state's net position (positive: it receives).</summary>
public sealed record SettlementView(SettlementRun Run, IReadOnlyDictionary<string, long> NetPositions);

/// <summary>
/// Closes a month between states: what each guest state's agencies were invoiced for their use of
/// each host state's facilities (net of credit notes) becomes a statement per pair of states, each
/// traced to its invoice lines; the multilateral netting leaves each state one amount to pay or
/// receive, and the amounts sum to zero.
/// </summary>
public sealed class Settlements(BillingDbContext db, BillingAccess access, TimeProvider clock)
{
    public async Task<SettlementView> CloseAsync(Guid actor, string month, CancellationToken cancellationToken)
    {
        BillingMonth.Require(month);
        await access.RequireConfederalAdministratorAsync(actor, cancellationToken);
        if (await db.Settlements.AnyAsync(s => s.Month == month, cancellationToken))
        {
            throw new RuleViolationException(new($"Le règlement de {month} est déjà clos.", $"The settlement of {month} is already closed."));
        }
        var drafts = await db.Invoices.CountAsync(i => i.Month == month && i.Status == InvoiceStatus.Draft, cancellationToken);
        if (drafts > 0)
        {
            throw new RuleViolationException(new(
                $"{drafts} facture(s) de {month} sont encore des brouillons : émettez-les ou annulez-les avant de clore le règlement.",
                $"{drafts} invoice(s) for {month} are still drafts: issue or cancel them before closing the settlement."));
        }

        var guestLines = await (
            from line in db.InvoiceLines.AsNoTracking()
            join invoice in db.Invoices.AsNoTracking() on line.InvoiceId equals invoice.Id
            where invoice.Month == month && invoice.IssuedAt != null && line.FacilityStateCode != invoice.StateCode
            select new { line.Id, Debtor = invoice.StateCode, Creditor = line.FacilityStateCode, line.AmountXof })
            .ToListAsync(cancellationToken);
        var lineIds = guestLines.Select(l => l.Id).ToList();
        var credits = await db.CreditAllocations.AsNoTracking().Where(a => lineIds.Contains(a.InvoiceLineId))
            .GroupBy(a => a.InvoiceLineId).Select(g => new { g.Key, Amount = g.Sum(a => a.AmountXof) })
            .ToDictionaryAsync(g => g.Key, g => g.Amount, cancellationToken);
        var states = await db.States.AsNoTracking().Select(s => s.Code).OrderBy(c => c).ToListAsync(cancellationToken);

        var settlement = new SettlementRun { Id = Guid.CreateVersion7(), Month = month, ClosedAt = clock.GetUtcNow().UtcDateTime, ClosedBy = actor };
        foreach (var debtor in states)
        {
            foreach (var creditor in states.Where(c => c != debtor))
            {
                var lines = guestLines.Where(l => l.Debtor == debtor && l.Creditor == creditor)
                    .Select(l => new StatementLine { InvoiceLineId = l.Id, AmountXof = l.AmountXof - credits.GetValueOrDefault(l.Id) }).ToList();
                var statement = new SettlementStatement
                {
                    Id = Guid.CreateVersion7(), DebtorStateCode = debtor, CreditorStateCode = creditor, AmountXof = lines.Sum(l => l.AmountXof),
                };
                statement.Lines.AddRange(lines);
                settlement.Statements.Add(statement);
            }
        }
        db.Settlements.Add(settlement);
        db.JournalEntries.Add(Ledger.Settlement(settlement));
        var positions = NetPositions(settlement.Statements, states);
        db.AddToOutbox(new SettlementClosed(settlement.Id, month,
            settlement.Statements.Select(s => new SettlementStatementClosed(s.DebtorStateCode, s.CreditorStateCode, s.AmountXof)).ToList(),
            positions, settlement.ClosedAt), settlement.ClosedAt);
        await db.SaveOrExplainAsync("Règlement / settlement", cancellationToken);
        return new SettlementView(settlement, positions);
    }

    public async Task<SettlementView> GetAsync(Guid actor, string month, CancellationToken cancellationToken)
    {
        BillingMonth.Require(month);
        await access.RequireStateLevelAsync(actor, cancellationToken);
        var settlement = await db.Settlements.AsNoTracking().Include(s => s.Statements)
            .FirstOrDefaultAsync(s => s.Month == month, cancellationToken)
            ?? throw new NotFoundException("Règlement / settlement", month);
        var states = await db.States.AsNoTracking().Select(s => s.Code).ToListAsync(cancellationToken);
        return new SettlementView(settlement, NetPositions(settlement.Statements, states));
    }

    /// <summary>Multilateral netting: each state receives what others owe it and pays what it owes; the positions sum to zero.</summary>
    public static IReadOnlyDictionary<string, long> NetPositions(IEnumerable<SettlementStatement> statements, IEnumerable<string> states)
    {
        var positions = states.ToDictionary(s => s, _ => 0L);
        foreach (var statement in statements)
        {
            positions[statement.CreditorStateCode] = positions.GetValueOrDefault(statement.CreditorStateCode) + statement.AmountXof;
            positions[statement.DebtorStateCode] = positions.GetValueOrDefault(statement.DebtorStateCode) - statement.AmountXof;
        }
        return positions;
    }
}
