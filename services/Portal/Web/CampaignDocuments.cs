using System.Globalization;
using System.Net;
using System.Text;
using Aes.ServiceDefaults.Paging;
using P = Aes.Contracts.Provisioning.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.Portal.Web;

/// <summary>
/// A repatriation campaign's status as documents the browser opens on their own (ADR 051): every workload as CSV (for a
/// ministry's spreadsheet), and a printable report, French first, of the last plan and the workloads still abroad.
/// </summary>
public static class CampaignDocuments
{
    private static readonly string[] Columns =
    [
        "workload", "agency", "classification", "source_provider", "source_region", "data_gb", "target_date", "wave", "step",
        "planned_facility", "planned_state", "monthly_xof", "plan_reason_fr", "plan_reason_en", "imported_at", "request_id", "request_status",
        "hosted_facility", "hosting_active_at", "transferred_gb", "transfer_sha256", "transferred_at", "cut_over_at", "foreign_copy_deleted_at",
        "deletion_attested_by", "deletion_reference", "deletion_document_sha256",
    ];

    private static string Instant(Google.Protobuf.WellKnownTypes.Timestamp? at) => at is null ? "" : at.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public sealed record Campaign(P.Campaign Summary, IReadOnlyList<P.CampaignWorkload> Workloads, IReadOnlyDictionary<string, string> AgencyCodes);

    public static async Task<Campaign> LoadAsync(UserClients services, string campaignId)
    {
        var provisioning = await services.ProvisioningAsync();
        var summary = await provisioning.GetCampaignAsync(new P.CampaignIdRequest { CampaignId = campaignId });
        var workloads = await PagedLists.AllAsync(async token =>
        {
            var page = await provisioning.ListCampaignWorkloadsAsync(new P.ListCampaignWorkloadsRequest { CampaignId = campaignId, PageSize = 1000, PageToken = token });
            return (page.Workloads.AsEnumerable(), page.NextPageToken);
        });
        var tenancy = await services.TenancyAsync();
        var agencies = await PagedLists.AllAsync(async token =>
        {
            var page = await tenancy.ListAgenciesAsync(new T.ListAgenciesRequest { PageToken = token });
            return (page.Agencies.AsEnumerable(), page.NextPageToken);
        });
        var codes = agencies.ToDictionary(a => a.Id, a => $"{a.StateCode}/{a.Code}");
        return new Campaign(summary, workloads, codes);
    }

    /// <summary>RFC 4180, a header then one line per workload, UTF-8 with its byte-order mark so that spreadsheets read the accents.</summary>
    public static byte[] Csv(Campaign campaign)
    {
        var csv = new StringBuilder(string.Join(',', Columns)).Append("\r\n");
        foreach (var w in campaign.Workloads)
        {
            string[] fields =
            [
                w.Key, campaign.AgencyCodes.GetValueOrDefault(w.AgencyId, w.AgencyId), w.Classification, w.SourceProvider, w.SourceRegion,
                w.DataGb.ToString(CultureInfo.InvariantCulture), w.TargetDate, w.Wave.ToString(CultureInfo.InvariantCulture), w.Step,
                w.PlannedFacilityCode, w.PlannedStateCode, w.PlannedMonthlyXof < 0 ? "" : w.PlannedMonthlyXof.ToString(CultureInfo.InvariantCulture),
                w.PlanReasonFr, w.PlanReasonEn, Instant(w.ImportedAt), w.RequestId, w.RequestStatus, w.HostedFacilityCode, Instant(w.HostingActiveAt),
                w.TransferredGb < 0 ? "" : w.TransferredGb.ToString(CultureInfo.InvariantCulture), w.TransferSha256, Instant(w.TransferredAt), Instant(w.CutOverAt),
                Instant(w.ForeignCopyDeletedAt), w.DeletionAttestedBy, w.DeletionReference, w.DeletionDocumentSha256,
            ];
            csv.AppendJoin(',', fields.Select(Quoted)).Append("\r\n");
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.ToString())];
    }

    // A field a spreadsheet would run as a formula is written as text.
    private static string Quoted(string field)
    {
        var text = field.Length > 0 && "=+-@\t\r".Contains(field[0]) ? "'" + field : field;
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }

    /// <summary>The printable report: the campaign, its last plan (counts, gaps, costs, blocked work) and the workloads still abroad.</summary>
    public static string Report(Campaign campaign, bool english)
    {
        string T(string fr, string en) => WebUtility.HtmlEncode(english ? en : fr);
        static string E(string text) => WebUtility.HtmlEncode(text);
        var culture = CultureInfo.GetCultureInfo(english ? "en-GB" : "fr-FR");
        string N(long value) => value.ToString("N0", culture);
        var c = campaign.Summary;
        var html = new StringBuilder();
        html.Append($"<!DOCTYPE html><html lang=\"{(english ? "en" : "fr")}\"><head><meta charset=\"utf-8\"><title>{E(c.Name)}</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1d1d1b}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}")
            .Append("th,td{border-bottom:1px solid #ccc;padding:.25rem .4rem;text-align:left}td.n{text-align:right}h1{margin-bottom:.2rem}@media print{a{display:none}}</style></head><body>")
            .Append($"<h1>{T("Campagne de rapatriement", "Repatriation campaign")} — {E(c.Name)}</h1>")
            .Append($"<p>{T("État", "State")} : {E(c.OwnerStateCode)} · {T("charges", "workloads")} : {N(c.Workloads)} · {T("édité le", "printed on")} {DateTime.UtcNow.ToString("d MMMM yyyy HH:mm 'UTC'", culture)}</p>")
            .Append($"<p>{T("Vagues", "Waves")} : {E(string.Join(" · ", c.Waves.Select(w => $"{w.Name} ({w.TargetDate})")))}</p>");
        if (c.LastPlan is { } plan)
        {
            html.Append($"<h2>{T("Plan", "Plan")} ({E(plan.PlannedAt.ToDateTime().ToString("d MMMM yyyy HH:mm 'UTC'", culture))})</h2>")
                .Append($"<p>{T($"{plan.Placed} charges placées, {plan.Unplaced} sans place, sur {plan.Workloads}.", $"{plan.Placed} workloads placed, {plan.Unplaced} without a place, of {plan.Workloads}.")}</p>")
                .Append($"<h3>{T("Capacité manquante", "Capacity missing")}</h3><table><thead><tr><th>{T("État", "State")}</th><th>{T("Centre", "Facility")}</th><th>{T("Classe", "Class")}</th>")
                .Append($"<th>{T("Manque", "Missing")}</th><th>{T("Demandé sans place", "Asked without a place")}</th></tr></thead><tbody>");
            if (plan.Gaps.Count == 0)
            {
                html.Append($"<tr><td colspan=\"5\">{T("Rien ne manque.", "Nothing is missing.")}</td></tr>");
            }
            foreach (var gap in plan.Gaps)
            {
                html.Append($"<tr class=\"gap\"><td>{E(gap.StateCode)}</td><td>{(gap.FacilityCode.Length > 0 ? E(gap.FacilityCode) : T("aucun centre", "no facility"))}</td>")
                    .Append($"<td>{E(gap.ResourceClass)}</td><td class=\"n\">{N(gap.Amount)}</td><td class=\"n\">{N(gap.Unplaced)}</td></tr>");
            }
            html.Append("</tbody></table>");
            foreach (var blocked in plan.Blocked)
            {
                html.Append($"<p class=\"blocked\">{E($"{blocked.StateCode}, {blocked.Classification} : {blocked.Workloads}")} — {E(english ? blocked.ReasonEn : blocked.ReasonFr)}</p>");
            }
            html.Append($"<h3>{T("Coût mensuel par organisme", "Monthly cost per agency")}</h3><table><thead><tr><th>{T("Organisme", "Agency")}</th>")
                .Append($"<th>{T("Charges placées", "Workloads placed")}</th><th>XOF / {T("mois", "month")}</th></tr></thead><tbody>");
            foreach (var cost in plan.Costs)
            {
                html.Append($"<tr><td>{E(cost.AgencyCode)}</td><td class=\"n\">{N(cost.Placed)}</td><td class=\"n\">{N(cost.MonthlyXof)}</td></tr>");
            }
            html.Append("</tbody></table>");
        }
        else
        {
            html.Append($"<p>{T("Pas encore planifiée.", "Not planned yet.")}</p>");
        }
        string Day(Google.Protobuf.WellKnownTypes.Timestamp? at) => at is null ? "—" : E(at.ToDateTime().ToString("d MMM yyyy", culture));
        string Step(string step) => Labels.CampaignStep(step) is var (fr, en) ? T(fr, en) : E(step);
        html.Append($"<h2>{T("Charges encore à l'étranger", "Workloads still abroad")}</h2><table><thead><tr><th>{T("Charge", "Workload")}</th><th>{T("Organisme", "Agency")}</th>")
            .Append($"<th>{T("Classification", "Classification")}</th><th>{T("Où elle est", "Where it is")}</th><th>{T("Depuis", "Since")}</th><th>{T("Données (Go)", "Data (GB)")}</th>")
            .Append($"<th>{T("Étape", "Step")}</th><th>{T("Date cible", "Target date")}</th><th>{T("Centre", "Facility")}</th></tr></thead><tbody>");
        foreach (var w in campaign.Workloads.Where(w => w.Step != "foreign_copy_deleted"))
        {
            var facility = w.HostedFacilityCode.Length > 0 ? E(w.HostedFacilityCode) : w.PlannedFacilityCode.Length > 0 ? E(w.PlannedFacilityCode) + T(" (au plan)", " (planned)") : "—";
            html.Append($"<tr class=\"workload\"><td>{E(w.Key)}</td><td>{E(campaign.AgencyCodes.GetValueOrDefault(w.AgencyId, w.AgencyId))}</td><td>{E(w.Classification)}</td>")
                .Append($"<td>{E($"{w.SourceProvider} · {w.SourceRegion}")}</td><td>{Day(w.ImportedAt)}</td><td class=\"n\">{N(w.DataGb)}</td><td>{Step(w.Step)}</td>")
                .Append($"<td>{E(w.TargetDate)}</td><td>{facility}</td></tr>");
        }
        html.Append("</tbody></table>");
        var home = campaign.Workloads.Where(w => w.Step == "foreign_copy_deleted").ToList();
        html.Append($"<h2>{T("Rapatriées : copie étrangère supprimée", "Home: foreign copy deleted")} ({N(home.Count)})</h2><table><thead><tr><th>{T("Charge", "Workload")}</th>")
            .Append($"<th>{T("Organisme", "Agency")}</th><th>{T("Centre", "Facility")}</th><th>{T("Supprimée le", "Deleted on")}</th><th>{T("Attestée par", "Attested by")}</th>")
            .Append($"<th>{T("Preuve", "Evidence")}</th></tr></thead><tbody>");
        foreach (var w in home)
        {
            var evidence = string.Join(" · ", new[] { w.DeletionReference, w.DeletionDocumentSha256.Length > 0 ? "SHA-256 " + w.DeletionDocumentSha256 : "" }.Where(e => e.Length > 0));
            html.Append($"<tr class=\"home\"><td>{E(w.Key)}</td><td>{E(campaign.AgencyCodes.GetValueOrDefault(w.AgencyId, w.AgencyId))}</td><td>{E(w.HostedFacilityCode)}</td>")
                .Append($"<td>{Day(w.ForeignCopyDeletedAt)}</td><td>{E(w.DeletionAttestedBy)}</td><td><code>{E(evidence)}</code></td></tr>");
        }
        return html.Append("</tbody></table></body></html>").ToString();
    }
}
