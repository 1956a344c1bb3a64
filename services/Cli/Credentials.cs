using System.Text.Json;

namespace Aes.Cli;

/// <summary>What `aes login` keeps between commands: the issuer and the tokens, readable by the user only.</summary>
public sealed record Credentials(string Issuer, string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Folder => Environment.GetEnvironmentVariable("AES_CONFIG_DIR")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.Create), "aes");

    private static string FilePath => Path.Combine(Folder, "credentials.json");

    public static Credentials? Load() =>
        File.Exists(FilePath) ? JsonSerializer.Deserialize<Credentials>(File.ReadAllText(FilePath), Json) : null;

    public void Save()
    {
        Directory.CreateDirectory(Folder);
        using (File.Create(FilePath)) { }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.WriteAllText(FilePath, JsonSerializer.Serialize(this, Json));
    }
}
