using System.Text;
using System.Text.Json;

namespace Aes.Cli;

/// <summary>Reads what a token says of its user, for display; the services check it, not the command line.</summary>
public static class Token
{
    public sealed record Holder(string Subject, string Name, IReadOnlyList<string> Grants, DateTimeOffset ExpiresAt);

    public static Holder Describe(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new ArgumentException("Ce n'est pas un jeton JWT / not a JWT.");
        }
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload += new string('=', (4 - payload.Length % 4) % 4);
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        var root = json.RootElement;
        string Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        var grants = root.TryGetProperty("aes_grant", out var grant)
            ? grant.ValueKind == JsonValueKind.Array ? grant.EnumerateArray().Select(g => g.GetString()!).ToList() : [grant.GetString()!]
            : root.TryGetProperty("role", out var role) ? [role.ToString()] : new List<string>();
        var expires = root.TryGetProperty("exp", out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) : DateTimeOffset.MinValue;
        return new Holder(Text("sub"), Text("name"), grants, expires);
    }
}
