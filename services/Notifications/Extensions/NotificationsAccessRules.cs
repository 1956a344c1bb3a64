using Aes.ServiceDefaults.Identity;

namespace Aes.Notifications.Extensions;

/// <summary>Who may call each notifications method (docs/access-matrix.md lists them all): anyone signed in, about themselves only.</summary>
public static class NotificationsAccessRules
{
    public static Google.Protobuf.Reflection.ServiceDescriptor Service => Aes.Contracts.Notifications.V1.NotificationService.Descriptor;

    /// <summary>
    /// Each method reads or writes the caller's own rows, found from their token, never from the request. Setting one's own
    /// preferences is not a write of the marketplace's data (the matrix's "(w)", which an auditor never does): an auditor
    /// chooses the language of their messages like anyone.
    /// </summary>
    private static readonly AccessRule Own = AccessRule.Reference;

    public static IReadOnlyDictionary<string, AccessRule> Rules { get; } = new Dictionary<string, AccessRule>
    {
        ["GetMyPreferences"] = Own,
        ["SetMyPreferences"] = Own,
        ["ListMyMessages"] = Own,
    };
}
