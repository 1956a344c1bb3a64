using System.Globalization;
using System.Net;
using System.Text;
using Aes.Billing.Domain;

namespace Aes.Billing.Application;

/// <summary>Invoices as CSV (one row per line, for spreadsheets and accounting) and as printable HTML in French or English.</summary>
public static class InvoiceDocuments
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Quantity(InvoiceLine line) =>
        (line.ResourceSeconds / (decimal)line.Divisor).ToString("0.000000", Invariant);

    public static string Csv(IEnumerable<Invoice> invoices, MeteredClasses classes)
    {
        var csv = new StringBuilder();
        csv.Append("invoice_id,number,agency_id,agency,state,month,status,facility,facility_state,resource,unit,period_from,period_until,quantity,unit_price_xof,amount_xof,price_source\r\n");
        foreach (var invoice in invoices)
        {
            foreach (var line in invoice.Lines.InReadingOrder())
            {
                csv.AppendJoin(',', [
                    invoice.Id.ToString(), invoice.Number ?? "", invoice.AgencyId.ToString(), Field(invoice.AgencyName), invoice.StateCode, invoice.Month,
                    Status(invoice.Status), line.FacilityCode, line.FacilityStateCode, MeteredClasses.LineName(line.ResourceClass), classes.Unit(line.ResourceClass),
                    line.PeriodFrom.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant), line.PeriodUntil.ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant),
                    Quantity(line), line.UnitPriceXof.ToString(Invariant), line.AmountXof.ToString(Invariant), line.PriceSource.ToString().ToLowerInvariant(),
                ]);
                csv.Append("\r\n");
            }
        }
        return csv.ToString();
    }

    public static string Html(Invoice invoice, bool french, MeteredClasses classes)
    {
        string T(string fr, string en) => french ? fr : en;
        var culture = CultureInfo.GetCultureInfo(french ? "fr-FR" : "en-GB");
        var zone = TimeZoneInfo.FindSystemTimeZoneById(invoice.TimeZone);
        string Local(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, zone).ToString("yyyy-MM-dd HH:mm", Invariant);
        string Money(long xof) => xof.ToString("N0", culture) + " XOF";

        var html = new StringBuilder();
        html.Append($"<!DOCTYPE html><html lang=\"{(french ? "fr" : "en")}\"><head><meta charset=\"utf-8\">");
        html.Append($"<title>{T("Facture", "Invoice")} {E(invoice.Number ?? T("brouillon", "draft"))}</title>");
        html.Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:4px 6px}")
            .Append("td.n{text-align:right}tfoot td{font-weight:bold}@media print{body{margin:0}.noprint{display:none}}</style></head><body>");
        html.Append($"<h1>{T("Facture", "Invoice")} {E(invoice.Number ?? T("(brouillon)", "(draft)"))}</h1>");
        html.Append("<dl>")
            .Append($"<dt>{T("Organisme", "Agency")}</dt><dd>{E(invoice.AgencyName)} ({E(invoice.StateCode)})</dd>")
            .Append($"<dt>{T("Mois", "Month")}</dt><dd>{E(invoice.Month)} — {T("du", "from")} {Local(invoice.PeriodFrom)} {T("au", "to")} {Local(invoice.PeriodUntil)} ({E(invoice.TimeZone)})</dd>")
            .Append($"<dt>{T("Statut", "Status")}</dt><dd>{StatusLabel(invoice.Status, french)}</dd>")
            .Append("</dl>");
        html.Append("<table><thead><tr>")
            .Append($"<th>{T("Site", "Facility")}</th><th>{T("Ressource", "Resource")}</th><th>{T("Période", "Period")}</th>")
            .Append($"<th>{T("Quantité", "Quantity")}</th><th>{T("Prix unitaire", "Unit price")}</th><th>{T("Montant", "Amount")}</th>")
            .Append("</tr></thead><tbody>");
        foreach (var line in invoice.Lines.InReadingOrder())
        {
            var (labelFr, labelEn) = classes.Label(line.ResourceClass);
            var quantity = (line.ResourceSeconds / (decimal)line.Divisor).ToString("N6", culture);
            html.Append("<tr>")
                .Append($"<td>{E(line.FacilityCode)}</td><td>{E(french ? labelFr : labelEn)}</td>")
                .Append($"<td>{Local(line.PeriodFrom)} → {Local(line.PeriodUntil)}</td>")
                .Append($"<td class=\"n\">{quantity}</td><td class=\"n\">{Money(line.UnitPriceXof)}</td><td class=\"n\">{Money(line.AmountXof)}</td>")
                .Append("</tr>");
        }
        html.Append($"</tbody><tfoot><tr><td colspan=\"5\">{T("Total", "Total")}</td><td class=\"n\">{Money(invoice.TotalXof)}</td></tr>");
        if (invoice.CreditedXof > 0)
        {
            html.Append($"<tr><td colspan=\"5\">{T("Avoirs", "Credit notes")}</td><td class=\"n\">−{Money(invoice.CreditedXof)}</td></tr>")
                .Append($"<tr><td colspan=\"5\">{T("Net à payer", "Net due")}</td><td class=\"n\">{Money(invoice.TotalXof - invoice.CreditedXof)}</td></tr>");
        }
        html.Append("</tfoot></table>");
        html.Append($"<p>{T(
            "Montants en francs CFA (XOF) entiers : chaque ligne est arrondie une fois au franc le plus proche (moitié vers le haut) ; le total est la somme des lignes.",
            "Amounts in whole CFA francs (XOF): each line is rounded once to the nearest franc (halves up); the total is the sum of the lines.")}</p>");
        html.Append("</body></html>");
        return html.ToString();
    }

    public static string Status(InvoiceStatus status) => status.ToString().ToLowerInvariant();

    private static string StatusLabel(InvoiceStatus status, bool french) => (status, french) switch
    {
        (InvoiceStatus.Draft, true) => "brouillon",
        (InvoiceStatus.Issued, true) => "émise",
        (InvoiceStatus.Paid, true) => "payée",
        (InvoiceStatus.Cancelled, true) => "annulée",
        _ => Status(status),
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>RFC 4180 quoting, and a leading quote on anything a spreadsheet would run as a formula.</summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
