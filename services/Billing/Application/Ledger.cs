using Aes.Billing.Domain;

namespace Aes.Billing.Application;

/// <summary>
/// The confederation's double-entry ledger, one set of books per state, in whole XOF. Account names
/// read "{state}:{account}". A guest state collects from its agency what it owes the host state;
/// the host books the revenue and a receivable on the guest state, which the monthly settlement clears.
/// </summary>
public static class Ledger
{
    public const string InvoiceIssuedKind = "invoice-issued", InvoicePaidKind = "invoice-paid", CreditNoteKind = "credit-note", SettlementKind = "settlement";

    public static string AgencyReceivable(string state, Guid agency) => $"{state}:agency:{agency:N}:receivable";
    public static string Revenue(string state) => $"{state}:revenue:hosting";
    public static string PayableTo(string guest, string host) => $"{guest}:payable:{host}";
    public static string ReceivableFrom(string host, string guest) => $"{host}:receivable:{guest}";
    public static string Cash(string state) => $"{state}:cash";
    public static string Clearing(string state) => $"{state}:settlement-clearing";

    public static JournalEntry InvoiceIssued(Invoice invoice, IEnumerable<InvoiceLine> lines, DateTime at) =>
        Entry(InvoiceIssuedKind, invoice.Id, at, $"Facture {invoice.Number} / invoice {invoice.Number}",
            lines.SelectMany(line => Charge(invoice, line.FacilityStateCode, line.Id, line.AmountXof)));

    public static JournalEntry CreditNote(Invoice invoice, CreditNote note, IReadOnlyDictionary<Guid, InvoiceLine> lines) =>
        Entry(CreditNoteKind, note.Id, note.IssuedAt, $"Avoir {note.Number} sur {invoice.Number} / credit note {note.Number} on {invoice.Number}",
            note.Allocations.SelectMany(a => Reverse(Charge(invoice, lines[a.InvoiceLineId].FacilityStateCode, a.InvoiceLineId, a.AmountXof))));

    public static JournalEntry Payment(Invoice invoice, long amount, DateTime at) =>
        Entry(InvoicePaidKind, invoice.Id, at, $"Paiement de {invoice.Number} / payment of {invoice.Number}",
            amount == 0 ? [] :
            [
                Debit(Cash(invoice.StateCode), amount),
                Credit(AgencyReceivable(invoice.StateCode, invoice.AgencyId), amount),
            ]);

    public static JournalEntry Settlement(SettlementRun settlement) =>
        Entry(SettlementKind, settlement.Id, settlement.ClosedAt, $"Règlement entre États {settlement.Month} / inter-state settlement {settlement.Month}",
            settlement.Statements.Where(s => s.AmountXof != 0).SelectMany(s => new[]
            {
                Debit(PayableTo(s.DebtorStateCode, s.CreditorStateCode), s.AmountXof),
                Credit(Clearing(s.DebtorStateCode), s.AmountXof),
                Debit(Clearing(s.CreditorStateCode), s.AmountXof),
                Credit(ReceivableFrom(s.CreditorStateCode, s.DebtorStateCode), s.AmountXof),
            }));

    private static IEnumerable<JournalLine> Charge(Invoice invoice, string hostState, Guid lineId, long amount)
    {
        if (amount == 0)
        {
            yield break;
        }
        yield return Debit(AgencyReceivable(invoice.StateCode, invoice.AgencyId), amount, lineId);
        if (hostState == invoice.StateCode)
        {
            yield return Credit(Revenue(invoice.StateCode), amount, lineId);
            yield break;
        }
        yield return Credit(PayableTo(invoice.StateCode, hostState), amount, lineId);
        yield return Debit(ReceivableFrom(hostState, invoice.StateCode), amount, lineId);
        yield return Credit(Revenue(hostState), amount, lineId);
    }

    private static IEnumerable<JournalLine> Reverse(IEnumerable<JournalLine> lines) =>
        lines.Select(l => new JournalLine { Account = l.Account, DebitXof = l.CreditXof, CreditXof = l.DebitXof, InvoiceLineId = l.InvoiceLineId });

    private static JournalLine Debit(string account, long amount, Guid? lineId = null) =>
        new() { Account = account, DebitXof = amount, InvoiceLineId = lineId };

    private static JournalLine Credit(string account, long amount, Guid? lineId = null) =>
        new() { Account = account, CreditXof = amount, InvoiceLineId = lineId };

    private static JournalEntry Entry(string kind, Guid reference, DateTime at, string description, IEnumerable<JournalLine> lines)
    {
        var entry = new JournalEntry { Id = Guid.CreateVersion7(), Kind = kind, Reference = reference, PostedAt = at, Description = description };
        entry.Lines.AddRange(lines);
        return entry;
    }
}
