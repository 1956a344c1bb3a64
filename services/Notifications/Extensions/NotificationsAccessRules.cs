using Aes.ServiceDefaults.Identity;
using Google.Protobuf;
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

    /// <summary>
    /// The agency or state the request names. Naming neither, or a malformed one, is no scope (Missing): the method then
    /// refuses the request by field, having touched nothing, rather than the check refusing it as if it were forbidden.
    /// </summary>
    private static async ValueTask<ResourceScope> OwnerAsync(IMessage request, IServiceProvider services, CancellationToken cancellationToken)
    {
        var (agency, state) = (Text(request, "agency_id"), Text(request, "state_code"));
        if (agency.Length > 0)
        {
            return Guid.TryParse(agency, out var id) ? await AgencyAsync(id, services, cancellationToken) ?? ResourceScope.Missing : ResourceScope.Missing;
        }
        return state.Length > 0 ? new ResourceScope(state.ToUpperInvariant()) : ResourceScope.Missing;
    }

    /// <summary>A webhook by its id; no id, or a malformed one, is left for the method to refuse by field.</summary>
    private static ScopeResolver ByWebhookId(string field) => async (request, services, cancellationToken) =>
        Guid.TryParse(Text(request, field), out var id) ? await WebhookAsync(id, services, cancellationToken) ?? ResourceScope.Missing : ResourceScope.Missing;

    private static string Text(IMessage request, string field) =>
        (request.Descriptor.FindFieldByName(field)?.Accessor.GetValue(request) as string)?.Trim() ?? "";

    public static IReadOnlyDictionary<string, AccessRule> Rules { get; } = new Dictionary<string, AccessRule>
    {
        ["GetMyPreferences"] = Own,
        ["SetMyPreferences"] = Own,
        ["ListMyMessages"] = Own,
        ["CreateWebhook"] = AccessRule.Write(Owners, OwnerAsync),
        ["ListWebhooks"] = AccessRule.Read(Owners | Auditors, OwnerAsync),
        ["RotateWebhookSecret"] = AccessRule.Write(Owners, ByWebhookId("id")),
        ["DeleteWebhook"] = AccessRule.Write(Owners, ByWebhookId("id")),
        ["ListWebhookDeliveries"] = AccessRule.Read(Owners | Auditors, ByWebhookId("webhook_id")),
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
