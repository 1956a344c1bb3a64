namespace Aes.ServiceDefaults.Web;

/// <summary>
/// Whether a return address stays on this site. Browsers read "/\host" and "/&lt;tab&gt;/host" as "//host",
/// another site, so a path must begin with one slash followed by neither slash nor backslash, and hold no
/// control character anywhere (browsers drop tabs and line breaks before they parse).
/// </summary>
public static class LocalUrls
{
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 }
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    public static string LocalOrHome(string? url) => IsLocal(url) ? url! : "/";
}
