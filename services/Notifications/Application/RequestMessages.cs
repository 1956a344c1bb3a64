using System.Globalization;
using System.Net;

namespace Aes.Notifications.Application;

/// <summary>A message in one language: its subject, its text and the same as HTML, with the link to the object's page.</summary>
public sealed record Message(string Subject, string Text, string Html);

public static class MessageText
{
    /// <summary>A message of one or two paragraphs and a link to the object's page, as text and as HTML (every part encoded).</summary>
    public static Message Build(string subject, string first, string second, string linkText, string link)
    {
        var text = string.Join("\n\n", new[] { first, second, $"{linkText}\n{link}" }.Where(p => p.Length > 0)) + "\n";
        var html = "<!DOCTYPE html><html><body>"
            + string.Concat(new[] { first, second }.Where(p => p.Length > 0).Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>"))
            + $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">{WebUtility.HtmlEncode(linkText)}</a></p></body></html>";
        return new Message(subject, text, html);
    }

    public static string Link(string portalUrl, string path) => $"{portalUrl.TrimEnd('/')}{path}";

    public static string Utc(DateTime at) => at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}

/// <summary>What a message about a hosting request says, in French or English. Each names the request and links to its page.</summary>
public static class RequestMessages
{
    /// <summary>
    /// The short reference people read, as the request's page shows it: the end of the id, the part that is random in a v7
    /// UUID (its start is the time, shared by requests of the same minutes).
    /// </summary>
    public static string Reference(Guid requestId) => requestId.ToString("N")[^8..].ToUpperInvariant();

    /// <summary>To the operators whose turn it is: <paramref name="role"/> "home" (the agency's state) or "host" (the facility's).</summary>
    public static Message ApprovalAwaited(string language, Guid requestId, string role, string stateName, string agencyStateName, DateTime holdsExpireAt,
        string portalUrl)
    {
        var reference = Reference(requestId);
        var link = $"{portalUrl.TrimEnd('/')}/operateur/approbations";
        var expires = holdsExpireAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        return language == Languages.English
            ? MessageText.Build($"Request {reference} awaits your approval",
                role == "host"
                    ? $"Request {reference} from an agency of {agencyStateName}, approved by its state, awaits your approval as an operator of the host state ({stateName})."
                    : $"Request {reference} awaits your approval as an operator of its home state ({stateName}).",
                $"Without a decision, its reserved capacity is released on {expires}.", "Open the approval queue", link)
            : MessageText.Build($"Demande {reference} en attente de votre approbation",
                role == "host"
                    ? $"La demande {reference} d'une agence de l'État d'origine ({agencyStateName}), approuvée par celui-ci, attend votre approbation en tant qu'opérateur de l'État hôte ({stateName})."
                    : $"La demande {reference} attend votre approbation en tant qu'opérateur de son État d'origine ({stateName}).",
                $"Sans décision, la capacité réservée est libérée le {expires}.", "Ouvrir la file d'approbation", link);
    }

    /// <summary>
    /// To the requester, when the request reaches a status they must know of; null for the steps between (provisioning…).
    /// "Placed after waiting" is any move out of waiting for capacity other than expiry.
    /// </summary>
    public static Message? StatusChanged(string language, Guid requestId, string status, string? previousStatus, string reasonFr, string reasonEn, string portalUrl)
    {
        var english = language == Languages.English;
        var reference = Reference(requestId);
        var reason = english ? reasonEn : reasonFr;
        var link = $"{portalUrl.TrimEnd('/')}/demandes/{requestId}";
        var open = english ? "Open the request" : "Ouvrir la demande";
        (string En, string Fr)? said = status switch
        {
            "approved" => ($"Request {reference} is approved", $"La demande {reference} est approuvée"),
            "rejected" => ($"Request {reference} is rejected", $"La demande {reference} est rejetée"),
            "active" => ($"Request {reference} is active: its VMs are running", $"La demande {reference} est active : ses VM fonctionnent"),
            "failed" => ($"Request {reference} failed", $"La demande {reference} a échoué"),
            "expired" => ($"Request {reference} expired without a decision", $"La demande {reference} a expiré sans décision"),
            "waiting_for_capacity" => ($"Request {reference} waits for capacity", $"La demande {reference} attend de la capacité"),
            "awaiting_approval" or "provisioning" when previousStatus == "waiting_for_capacity" =>
                ($"Request {reference} found capacity after waiting", $"La demande {reference} a trouvé de la capacité après attente"),
            _ => null,
        };
        if (said is not { } subject)
        {
            return null;
        }
        var first = english ? subject.En + "." : subject.Fr + ".";
        var because = string.IsNullOrWhiteSpace(reason) ? "" : (english ? "Reason: " : "Motif : ") + reason;
        return MessageText.Build(english ? subject.En : subject.Fr, first, because, open, link);
    }
}
