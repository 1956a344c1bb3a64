using System.Globalization;
using System.Net;
using System.Text;
using Aes.Contracts.Tenancy.V1;

namespace Aes.Portal.Pages;

/// <summary>
/// The portal's first page: the confederation's states and facilities, read from tenancy over gRPC.
/// French by default, English with ?lang=en. The full portal arrives with its own issue.
/// </summary>
public static class HomePage
{
    /// <summary>The gRPC client the page reads tenancy with: the portal's own identity, since the page needs no sign-in.</summary>
    public const string TenancyClient = "portal-identity:tenancy";

    public static async Task<IResult> RenderAsync(HttpContext context, Grpc.Net.ClientFactory.GrpcClientFactory clients, string? lang)
    {
        var tenancy = clients.CreateClient<TenancyService.TenancyServiceClient>(TenancyClient);
        var english = string.Equals(lang, "en", StringComparison.OrdinalIgnoreCase);
        var culture = CultureInfo.GetCultureInfo(english ? "en-GB" : "fr-FR");
        var states = await tenancy.ListMemberStatesAsync(new ListMemberStatesRequest(), cancellationToken: context.RequestAborted);
        var facilities = await tenancy.ListFacilitiesAsync(new ListFacilitiesRequest(), cancellationToken: context.RequestAborted);

        var html = new StringBuilder();
        html.Append($"<!doctype html><html lang=\"{(english ? "en" : "fr")}\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append($"<title>{T(english, "Place de marché d'hébergement AES", "AES Hosting Marketplace")}</title></head><body>")
            .Append($"<h1>{T(english, "Place de marché d'hébergement de la Confédération des États du Sahel", "Hosting marketplace of the Confederation of Sahel States")}</h1>")
            .Append($"<p><a href=\"?lang={(english ? "fr" : "en")}\">{T(english, "English", "Français")}</a></p>")
            .Append($"<h2>{T(english, "États membres", "Member states")}</h2><ul>");
        foreach (var state in states.States)
        {
            html.Append($"<li>{Encode(english ? state.NameEn : state.NameFr)} ({Encode(state.Code)})</li>");
        }
        html.Append($"</ul><h2>{T(english, "Centres de données", "Datacenters")}</h2><table><thead><tr>")
            .Append($"<th>{T(english, "Code", "Code")}</th><th>{T(english, "Nom", "Name")}</th><th>{T(english, "Ville", "City")}</th>")
            .Append($"<th>{T(english, "Statut", "Status")}</th><th>{T(english, "Disponibilité cible", "Target availability")}</th><th>vCPU</th></tr></thead><tbody>");
        foreach (var facility in facilities.Facilities)
        {
            var availability = decimal.Parse(facility.TargetAvailabilityPercent, CultureInfo.InvariantCulture).ToString("0.###", culture);
            html.Append($"<tr><td>{Encode(facility.Code)}</td><td>{Encode(facility.Name)}</td><td>{Encode(facility.City)}</td>")
                .Append($"<td>{StatusLabel(facility.Status, english)}</td><td>{availability} %</td>")
                .Append($"<td>{facility.InstalledCapacity.Vcpu.ToString("N0", culture)}</td></tr>");
        }
        html.Append("</tbody></table></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static string StatusLabel(FacilityStatus status, bool english) => status switch
    {
        FacilityStatus.Planned => T(english, "prévu", "planned"),
        FacilityStatus.Open => T(english, "ouvert", "open"),
        FacilityStatus.Closed => T(english, "fermé", "closed"),
        _ => "?",
    };

    private static string T(bool english, string french, string englishText) => english ? englishText : french;

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
