using MailKit.Security;

namespace Aes.Notifications.Application;

/// <summary>Section "Notifications": where links in messages point, and how often the dispatcher looks for what to send.</summary>
public sealed class NotificationSettings
{
    public const string Section = "Notifications";

    /// <summary>The portal's address as its users reach it; every message links to a page under it.</summary>
    public string PortalUrl { get; set; } = "http://127.0.0.1:5100";

    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often due reminders are looked for; a reminder is at most this late.</summary>
    public TimeSpan ReminderInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long before its holds lapse a request still awaiting approval is recalled to its operators.</summary>
    public TimeSpan HoldsReminderLead { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long before an agreement in force ends both states' operators are told.</summary>
    public TimeSpan AgreementEndingLead { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The hour (UTC) of the daily digest: 7, morning in the three states (UTC and UTC+1).</summary>
    public int DigestHourUtc { get; set; } = 7;
}

/// <summary>
/// Section "Mail": an SMTP server (Mail:Smtp:Host set), or else a folder where each message is written as an .eml file
/// (the embedded run, which has no mail server). The password comes from the secret store (Mail:Smtp:Password).
/// </summary>
public sealed class MailSettings
{
    public const string Section = "Mail";

    public string From { get; set; } = "Place de marché AES <ne-pas-repondre@aes.test>";
    public SmtpSettings Smtp { get; set; } = new();
    /// <summary>Where messages go without an SMTP server; relative to the content root.</summary>
    public string PickupDirectory { get; set; } = "mail";

    public bool UsesSmtp => !string.IsNullOrWhiteSpace(Smtp.Host);
}

public sealed class SmtpSettings
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;
    /// <summary>STARTTLS by default: a server that does not offer it is refused, never written to in the clear unless configured (None).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;
    public string UserName { get; set; } = "";
    public string Password { get; set; } = "";
}

/// <summary>
/// Section "Notifications:Webhooks": how deliveries are tried, and where they may go. Only https, to public addresses, unless
/// an operator allows more (their agencies' private networks, a test's loopback). Link-local addresses, and with them every
/// cloud's metadata service, are never allowed.
/// </summary>
public sealed class WebhookSettings
{
    public const string Section = "Notifications:Webhooks";

    public string[] AllowedSchemes { get; set; } = ["https"];

    /// <summary>Private or loopback networks (CIDR, "10.20.0.0/16") receivers may be in, besides public addresses.</summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>How long the receiver has to answer one attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait after the first failure; it doubles after each, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>After this long from its event, a delivery not made is given up.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);
}
