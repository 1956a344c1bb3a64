namespace Aes.Notifications.Domain;

/// <summary>A person who may be told something: tenancy's user, with the address and language messages go to.</summary>
public sealed class Recipient
{
    public Guid UserId { get; init; }
    public required string UserName { get; set; }
    public required string DisplayName { get; set; }
    /// <summary>Empty when tenancy knows no address: their messages are recorded, not sent.</summary>
    public string Email { get; set; } = "";
    /// <summary><see cref="Languages.French"/> unless the user chose English.</summary>
    public string Language { get; set; } = Languages.French;
    /// <summary>The kinds of message (<see cref="NotificationTypes"/> codes) the user turned off, comma-separated.</summary>
    public string MutedTypes { get; set; } = "";
    /// <summary>Everything but the approvals waiting on them in one message a day.</summary>
    public bool DailyDigest { get; set; }

    public IReadOnlyList<string> Muted => MutedTypes.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A kind of message a person may receive, which their preferences name.</summary>
public sealed record NotificationType(string Code, string NameFr, string NameEn, bool AlwaysForOperators);

public static class NotificationTypes
{
    public const string ApprovalAwaited = "approval_awaited";
    public const string HoldsExpiring = "holds_expiring";
    public const string RequestStatus = "request_status";
    public const string QuotaChangeRequested = "quota_change_requested";
    public const string QuotaChangeDecided = "quota_change_decided";
    public const string InvoiceIssued = "invoice_issued";
    public const string AgreementSignature = "agreement_signature";
    public const string AgreementEnding = "agreement_ending";
    public const string PoolThreshold = "pool_threshold";
    public const string SettlementClosed = "settlement_closed";
    /// <summary>The daily digest itself: never muted (turn the digest off instead).</summary>
    public const string Digest = "digest";

    public static readonly IReadOnlyList<NotificationType> All =
    [
        new(ApprovalAwaited, "Demande en attente de mon approbation", "Request awaiting my approval", true),
        new(HoldsExpiring, "Rappel : réservations bientôt libérées", "Reminder: holds about to lapse", true),
        new(RequestStatus, "Suivi de mes demandes", "My requests' progress", false),
        new(QuotaChangeRequested, "Changement de quota demandé", "Quota change requested", false),
        new(QuotaChangeDecided, "Décision sur mon changement de quota", "Decision on my quota change", false),
        new(InvoiceIssued, "Facture émise", "Invoice issued", false),
        new(AgreementSignature, "Accord en attente de signature", "Agreement awaiting signature", false),
        new(AgreementEnding, "Accord bientôt échu", "Agreement ending soon", false),
        new(PoolThreshold, "Réserve remplie à 85 %", "Pool 85 % full", false),
        new(SettlementClosed, "Règlement mensuel clos", "Monthly settlement closed", false),
    ];

    public static bool IsKnown(string code) => All.Any(t => t.Code == code);

    /// <summary>Sent whatever the preferences say, and never held for a digest: an approval waiting on an operator.</summary>
    public static bool IsAlwaysSent(string code) => All.Any(t => t.Code == code && t.AlwaysForOperators);
}

/// <summary>A role of a recipient with its scope, as tenancy announces it (role codes as tenancy writes them).</summary>
public sealed class RecipientRole
{
    public long Id { get; init; }
    public Guid UserId { get; init; }
    public required string Role { get; init; }
    public string? StateCode { get; init; }
    public Guid? AgencyId { get; init; }
}

public static class Roles
{
    public const string StateOperator = "state-operator";
    public const string AgencyAdministrator = "agency-administrator";
    public const string Auditor = "auditor";
    public const string ConfederalAdministrator = "confederal-administrator";
}

public static class Languages
{
    public const string French = "fr";
    public const string English = "en";
}

public enum DeliveryStatus
{
    /// <summary>Written with the event; the dispatcher sends it.</summary>
    Pending,
    Sent,
    /// <summary>The recipient has no address: kept, so the owner sees what they would have been told.</summary>
    NoAddress,
    /// <summary>Refused by the mail server for good, or still failing after <see cref="Delivery.MaxAttempts"/>.</summary>
    Failed,
    /// <summary>Kept for the recipient's daily digest.</summary>
    Digest,
    /// <summary>Told in a digest (the digest is a delivery of its own).</summary>
    Digested,
}

/// <summary>
/// One message for one recipient about one event, on one channel: unique by (event, recipient, channel), so an event
/// delivered twice by the bus, or handled by two replicas, is told once.
/// </summary>
public sealed class Delivery
{
    public const int MaxAttempts = 12;

    public Guid Id { get; init; }
    public Guid EventId { get; init; }
    public required string EventType { get; init; }
    public Guid RecipientUserId { get; init; }
    public required string Channel { get; init; }
    public required string Address { get; init; }
    public required string Language { get; init; }
    /// <summary>What the message is about, for the owner's list and a receiver's filter: "request", and its id.</summary>
    public required string ObjectKind { get; init; }
    public Guid ObjectId { get; init; }
    public required string Subject { get; init; }
    public required string TextBody { get; init; }
    public required string HtmlBody { get; init; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime NextAttemptAt { get; set; }
    /// <summary>Set by the dispatcher that took the delivery, so two replicas never send it both.</summary>
    public DateTime? LeasedUntil { get; set; }
    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }
}

public static class Channels
{
    public const string Email = "email";
}

/// <summary>A member state's names, as tenancy announces them, for messages that name a state.</summary>
public sealed class KnownState
{
    public required string Code { get; init; }
    public required string NameFr { get; set; }
    public required string NameEn { get; set; }
}

/// <summary>An agency, as tenancy announces it, so messages name it.</summary>
public sealed class KnownAgency
{
    public Guid AgencyId { get; init; }
    public required string StateCode { get; init; }
    public required string Code { get; set; }
    public required string Name { get; set; }
}

/// <summary>A quota change asked for: who asked and what, for the message of its decision.</summary>
public sealed class FollowedQuotaChange
{
    public Guid RequestId { get; init; }
    public Guid AgencyId { get; init; }
    public Guid? RequestedByUserId { get; init; }
    public required string ResourceClass { get; init; }
    public long RequestedLimit { get; init; }
}

/// <summary>An agreement between two states and when it ends.</summary>
public sealed class FollowedAgreement
{
    public Guid AgreementId { get; init; }
    public required string Reference { get; init; }
    public required string HostStateCode { get; init; }
    public required string GuestStateCode { get; init; }
    public DateTime EndsAt { get; set; }
}

/// <summary>A state's signature of an agreement, kept apart: it may arrive before the agreement's draft, on another queue.</summary>
public sealed class AgreementSignature
{
    public Guid AgreementId { get; init; }
    public required string StateCode { get; init; }
}

public static class ReminderKinds
{
    /// <summary>12 hours before the holds of a request awaiting approval lapse; to the operators whose turn it is.</summary>
    public const string HoldsExpiring = NotificationTypes.HoldsExpiring;
    /// <summary>30 days before an agreement in force ends; to the operators of both states.</summary>
    public const string AgreementEnding = NotificationTypes.AgreementEnding;
}

/// <summary>
/// A message due later, which an event schedules and a later event cancels: one per kind and object, so a new turn of
/// approval moves the request's reminder rather than adding one.
/// </summary>
public sealed class Reminder
{
    public Guid Id { get; init; }
    /// <summary>The id its messages carry as their event's: new each time it is scheduled again (a new turn is another message).</summary>
    public Guid Occurrence { get; set; }
    public required string Kind { get; init; }
    public Guid ObjectId { get; init; }
    /// <summary>Whose operators are told (holds expiring): the state whose turn it is.</summary>
    public string? StateCode { get; set; }
    /// <summary>What the message names: when the holds lapse, when the agreement ends.</summary>
    public DateTime At { get; set; }
    public DateTime DueAt { get; set; }
    public bool Done { get; set; }
    /// <summary>The time of the last event that set it: an older event arriving late (another queue) changes nothing.</summary>
    public DateTime UpdatedAt { get; set; }
}
