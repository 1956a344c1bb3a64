using System.Globalization;

namespace Aes.Notifications.Application;

/// <summary>What the messages about quotas, invoices, agreements, capacity and settlements say, in French or English.</summary>
public static class MarketplaceMessages
{
    private static bool English(string language) => language == Languages.English;

    private static string Amount(long value) => value.ToString("#,0", CultureInfo.InvariantCulture).Replace(",", "\u202f", StringComparison.Ordinal);

    /// <summary>To the operators of the agency's state: an agency asks for more (or less) of one class.</summary>
    public static Message QuotaChangeRequested(string language, string agencyName, string resourceClass, long current, long requested, string portalUrl) =>
        English(language)
            ? MessageText.Build($"Quota change requested by {agencyName}",
                $"{agencyName} asks to change its {resourceClass} quota from {Amount(current)} to {Amount(requested)}.", "",
                "Open the quota decisions", MessageText.Link(portalUrl, "/operateur/quotas"))
            : MessageText.Build($"Changement de quota demandé par {agencyName}",
                $"{agencyName} demande de porter son quota {resourceClass} de {Amount(current)} à {Amount(requested)}.", "",
                "Ouvrir les décisions de quota", MessageText.Link(portalUrl, "/operateur/quotas"));

    /// <summary>To the administrator who asked.</summary>
    public static Message QuotaChangeDecided(string language, string resourceClass, long requested, bool approved, string? reason, string portalUrl)
    {
        var because = string.IsNullOrWhiteSpace(reason) ? "" : (English(language) ? "Reason: " : "Motif : ") + reason;
        return English(language)
            ? MessageText.Build(approved ? $"Quota change approved ({resourceClass})" : $"Quota change refused ({resourceClass})",
                approved ? $"Your {resourceClass} quota is now {Amount(requested)}." : $"Your request for a {resourceClass} quota of {Amount(requested)} is refused.",
                because, "Open your quotas", MessageText.Link(portalUrl, "/quotas"))
            : MessageText.Build(approved ? $"Changement de quota accordé ({resourceClass})" : $"Changement de quota refusé ({resourceClass})",
                approved ? $"Votre quota {resourceClass} est désormais de {Amount(requested)}." : $"Votre demande d'un quota {resourceClass} de {Amount(requested)} est refusée.",
                because, "Ouvrir vos quotas", MessageText.Link(portalUrl, "/quotas"));
    }

    /// <summary>To the agency's administrators.</summary>
    public static Message InvoiceIssued(string language, string number, string month, long totalXof, string portalUrl) =>
        English(language)
            ? MessageText.Build($"Invoice {number} issued ({month})", $"Invoice {number} for {month} is issued: {Amount(totalXof)} XOF.", "",
                "Open the invoices", MessageText.Link(portalUrl, "/factures"))
            : MessageText.Build($"Facture {number} émise ({month})", $"La facture {number} de {month} est émise : {Amount(totalXof)} XOF.", "",
                "Ouvrir les factures", MessageText.Link(portalUrl, "/factures"));

    /// <summary>To the operators of a state whose signature an agreement waits for.</summary>
    public static Message AgreementAwaitsSignature(string language, string reference, string hostState, string guestState, string portalUrl) =>
        English(language)
            ? MessageText.Build($"Agreement {reference} awaits your signature",
                $"Agreement {reference} (host state: {hostState}; guest state: {guestState}) awaits the signature of your state.", "",
                "Open the agreements", MessageText.Link(portalUrl, "/accords"))
            : MessageText.Build($"Accord {reference} en attente de votre signature",
                $"L'accord {reference} (État hôte : {hostState} ; État invité : {guestState}) attend la signature de votre État.", "",
                "Ouvrir les accords", MessageText.Link(portalUrl, "/accords"));

    /// <summary>To the operators of both states, 30 days before an agreement in force ends.</summary>
    public static Message AgreementEnding(string language, string reference, string hostState, string guestState, DateTime endsAt, string portalUrl) =>
        English(language)
            ? MessageText.Build($"Agreement {reference} ends on {endsAt:yyyy-MM-dd}",
                $"Agreement {reference} (host state: {hostState}; guest state: {guestState}) ends on {MessageText.Utc(endsAt)}.",
                "The guest's VMs under it must move or a new agreement be signed before then.", "Open the agreements", MessageText.Link(portalUrl, "/accords"))
            : MessageText.Build($"L'accord {reference} prend fin le {endsAt:yyyy-MM-dd}",
                $"L'accord {reference} (État hôte : {hostState} ; État invité : {guestState}) prend fin le {MessageText.Utc(endsAt)}.",
                "Les VM hébergées à ce titre doivent être déplacées, ou un nouvel accord signé, d'ici là.", "Ouvrir les accords",
                MessageText.Link(portalUrl, "/accords"));

    /// <summary>To the operators of the state whose turn it is, 12 hours before the holds of a request not yet approved lapse.</summary>
    public static Message HoldsExpiring(string language, Guid requestId, DateTime holdsExpireAt, string portalUrl)
    {
        var reference = RequestMessages.Reference(requestId);
        return English(language)
            ? MessageText.Build($"Reminder: request {reference} still awaits your approval",
                $"Request {reference} still awaits your approval. Its reserved capacity is released on {MessageText.Utc(holdsExpireAt)}.", "",
                "Open the approval queue", MessageText.Link(portalUrl, "/operateur/approbations"))
            : MessageText.Build($"Rappel : la demande {reference} attend toujours votre approbation",
                $"La demande {reference} attend toujours votre approbation. Sa capacité réservée est libérée le {MessageText.Utc(holdsExpireAt)}.", "",
                "Ouvrir la file d'approbation", MessageText.Link(portalUrl, "/operateur/approbations"));
    }

    /// <summary>To the state's operators: a pool went past 85 % of its capacity in one class.</summary>
    public static Message PoolThresholdCrossed(string language, string facilityCode, string poolName, string resourceClass, long used, long capacity,
        string portalUrl)
    {
        var percent = capacity == 0 ? 100 : (int)Math.Floor(used * 100m / capacity);
        return English(language)
            ? MessageText.Build($"Pool {facilityCode}/{poolName} is {percent} % full in {resourceClass}",
                $"Pool {poolName} of {facilityCode} uses {Amount(used)} of its {Amount(capacity)} {resourceClass} ({percent} %).",
                "New requests may wait for capacity: add capacity or move workloads.", "Open capacity", MessageText.Link(portalUrl, "/operateur/capacite"))
            : MessageText.Build($"Réserve {facilityCode}/{poolName} remplie à {percent} % en {resourceClass}",
                $"La réserve {poolName} de {facilityCode} utilise {Amount(used)} de ses {Amount(capacity)} {resourceClass} ({percent} %).",
                "Les nouvelles demandes risquent d'attendre : ajoutez de la capacité ou déplacez des charges.", "Ouvrir la capacité",
                MessageText.Link(portalUrl, "/operateur/capacite"));
    }

    /// <summary>To the confederal administrators and the auditors.</summary>
    public static Message SettlementClosed(string language, string month, IReadOnlyDictionary<string, long> netPositions, string portalUrl)
    {
        var positions = string.Join(", ", netPositions.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} {(p.Value >= 0 ? "+" : "−")}{Amount(Math.Abs(p.Value))} XOF"));
        return English(language)
            ? MessageText.Build($"Settlement of {month} closed", $"The settlement between states for {month} is closed.",
                positions.Length > 0 ? $"Net positions: {positions}." : "", "Open the settlement", MessageText.Link(portalUrl, "/reglement"))
            : MessageText.Build($"Règlement de {month} clos", $"Le règlement entre États de {month} est clos.",
                positions.Length > 0 ? $"Soldes nets : {positions}." : "", "Ouvrir le règlement", MessageText.Link(portalUrl, "/reglement"));
    }
}
