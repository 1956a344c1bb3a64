namespace Aes.Notifications.Domain;

/// <summary>
/// An https address an agency's administrator or a state's operator registered to receive chosen kinds of event, for
/// their pipelines. Owned by an agency (its requests, quota decisions and invoices) or by a state (what its operators are
/// told). Its secret signs every body; it is shown once, when registered or replaced, and kept only encrypted.
/// </summary>
public sealed class Webhook
{
    public Guid Id { get; init; }
    /// <summary>Null for a state's webhook.</summary>
    public Guid? AgencyId { get; init; }
    /// <summary>The state of the owning agency, or the owning state.</summary>
    public required string StateCode { get; init; }
    public required string Url { get; init; }
    /// <summary><see cref="WebhookEventTypes"/> codes, comma-separated.</summary>
    public required string EventTypes { get; init; }
    public string Description { get; init; } = "";
    /// <summary>The signing secret, protected by the service's key ring.</summary>
    public required string ProtectedSecret { get; set; }
    public Guid CreatedByUserId { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? SecretRotatedAt { get; set; }
    /// <summary>Set when deleted: the deliveries and their attempts stay for the owner and the audit.</summary>
    public DateTime? DeletedAt { get; set; }

    public IReadOnlyList<string> Types => EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public string OwnerKind => AgencyId is null ? WebhookOwners.State : WebhookOwners.Agency;
}

public static class WebhookOwners
{
    public const string Agency = "agency";
    public const string State = "state";
}

/// <summary>Which kinds of event a webhook of each owner may receive: what the owner's people are told, and a state's requests.</summary>
public static class WebhookEventTypes
{
    public static readonly IReadOnlyList<string> ForAgency =
        [NotificationTypes.RequestStatus, NotificationTypes.QuotaChangeDecided, NotificationTypes.InvoiceIssued];

    public static readonly IReadOnlyList<string> ForState =
    [
        NotificationTypes.ApprovalAwaited, NotificationTypes.HoldsExpiring, NotificationTypes.RequestStatus, NotificationTypes.QuotaChangeRequested,
        NotificationTypes.AgreementSignature, NotificationTypes.AgreementEnding, NotificationTypes.PoolThreshold, NotificationTypes.SettlementClosed,
    ];

    public static IReadOnlyList<string> For(string ownerKind) => ownerKind == WebhookOwners.Agency ? ForAgency : ForState;

    /// <summary>An event's name as a pipeline receives it: about the owner's requests, not "mine" as in a person's preferences.</summary>
    public static (string Fr, string En) NameOf(string code) => code switch
    {
        NotificationTypes.ApprovalAwaited => ("Demande en attente d'approbation de l'État", "Request awaiting the state's approval"),
        NotificationTypes.RequestStatus => ("Étapes des demandes", "Requests' steps"),
        NotificationTypes.QuotaChangeDecided => ("Décision sur un changement de quota", "Decision on a quota change"),
        _ => NotificationTypes.All.Single(t => t.Code == code) is var type ? (type.NameFr, type.NameEn) : (code, code),
    };
}

/// <summary>
/// Whom an event concerns, for the webhooks that receive it: the states it concerns (<see cref="EveryState"/> for a
/// settlement, which concerns them all) and the agency, if it is about one.
/// </summary>
public sealed record EventScope(IReadOnlyCollection<string> States, Guid? Agency = null)
{
    public const string EveryState = "*";

    public static EventScope OfState(string state) => new([state]);

    public static EventScope OfAgency(Guid agency, string state) => new([state], agency);

    public bool Concerns(Webhook webhook) => webhook.AgencyId is { } agency
        ? Agency == agency
        : States.Contains(webhook.StateCode) || States.Contains(EveryState);
}

public enum WebhookDeliveryStatus
{
    Pending,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,
    /// <summary>Not delivered within <see cref="Application.WebhookSettings.GiveUpAfter"/> of the event, or its webhook deleted.</summary>
    Failed,
}

/// <summary>
/// One event for one webhook: unique by (webhook, event), so the bus delivering an event twice, or two replicas handling it,
/// make one delivery. Its body is written once, with the event's id as its id, and sent unchanged at every attempt.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; init; }
    public Guid WebhookId { get; init; }
    public Guid EventId { get; init; }
    public required string EventType { get; init; }
    public required string ObjectKind { get; init; }
    public Guid ObjectId { get; init; }
    public required string Body { get; init; }
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? LeasedUntil { get; set; }
    public DateTime? DeliveredAt { get; set; }
}

/// <summary>What one attempt found, for the owner's log.</summary>
public static class WebhookOutcomes
{
    public const string Delivered = "delivered";
    /// <summary>The receiver answered, with another status than 2xx (a redirect is not followed).</summary>
    public const string HttpError = "http_error";
    public const string Timeout = "timeout";
    public const string NetworkError = "network_error";
    /// <summary>The address is one no webhook may reach (link-local, a cloud's metadata, a private network not allowed).</summary>
    public const string AddressRefused = "address_refused";
    /// <summary>The scheme is not allowed (any but https, unless configured).</summary>
    public const string SchemeRefused = "scheme_refused";
    /// <summary>The secret could not be decrypted (its key ring lost): not sent, unsigned; a new secret mends it.</summary>
    public const string SecretUnreadable = "secret_unreadable";
}

public sealed class WebhookAttempt
{
    public long Id { get; init; }
    public Guid DeliveryId { get; init; }
    public int Number { get; init; }
    public DateTime At { get; init; }
    public int DurationMs { get; init; }
    public int? StatusCode { get; init; }
    public required string Outcome { get; init; }
    public string Error { get; init; } = "";
}
