using Aes.ServiceDefaults.Identity;
using static Aes.ServiceDefaults.Identity.Allowed;

namespace Aes.Notifications.Extensions;

/// <summary>Who may call each notifications method (docs/access-matrix.md lists them all).</summary>
public static class NotificationsAccessRules
{
    public static Google.Protobuf.Reflection.ServiceDescriptor Service => Aes.Contracts.Notifications.V1.NotificationService.Descriptor;

    /// <summary>
    /// Each method reads or writes the caller's own rows, found from their token, never from the request. Setting one's own
    /// preferences is not a write of the marketplace's data (the matrix's "(w)", which an auditor never does): an auditor
    /// chooses the language of their messages like anyone.
    /// </summary>
    private static readonly AccessRule Own = AccessRule.Reference;

    /// <summary>An agency's webhooks are its administrators' (and its state's operators'); a state's, its operators'. Auditors read.</summary>
    private const Allowed Owners = AgencyAdministrators | StateOperators;

    private static readonly ScopeResolver Owner = Scopes.FirstOf(("agency_id", Scopes.ById("agency_id", AgencyAsync)), ("state_code", Scopes.StateField("state_code")));

    public static IReadOnlyDictionary<string, AccessRule> Rules { get; } = new Dictionary<string, AccessRule>
    {
        ["GetMyPreferences"] = Own,
        ["SetMyPreferences"] = Own,
        ["ListMyMessages"] = Own,
        ["CreateWebhook"] = AccessRule.Write(Owners, Owner),
        ["ListWebhooks"] = AccessRule.Read(Owners | Auditors, Owner),
        ["RotateWebhookSecret"] = AccessRule.Write(Owners, Scopes.ById("id", WebhookAsync)),
        ["DeleteWebhook"] = AccessRule.Write(Owners, Scopes.ById("id", WebhookAsync)),
        ["ListWebhookDeliveries"] = AccessRule.Read(Owners | Auditors, Scopes.ById("webhook_id", WebhookAsync)),
    };

    private static NotificationsDbContext Db(IServiceProvider services) => services.GetRequiredService<NotificationsDbContext>();

    private static async Task<ResourceScope?> AgencyAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Agencies.AsNoTracking().Where(a => a.AgencyId == id)
            .Select(a => new ResourceScope(a.StateCode, a.AgencyId, null, null)).SingleOrDefaultAsync(cancellationToken);

    /// <summary>A deleted webhook stays its owner's: a stranger asking for it is refused, not told it is gone.</summary>
    private static async Task<ResourceScope?> WebhookAsync(Guid id, IServiceProvider services, CancellationToken cancellationToken) =>
        await Db(services).Webhooks.AsNoTracking().Where(w => w.Id == id)
            .Select(w => new ResourceScope(w.StateCode, w.AgencyId, null, null)).SingleOrDefaultAsync(cancellationToken);
}
