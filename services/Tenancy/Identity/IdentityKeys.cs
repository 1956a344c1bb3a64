using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Aes.Tenancy.Identity;

/// <summary>A key the issuer signs or encrypts with, kept in tenancy's database so every replica and restart uses the same.</summary>
public sealed class IdentityKey
{
    public const string Signing = "signing-rsa";
    public const string Encryption = "encryption-aes";

    public required string Purpose { get; init; }
    /// <summary>PKCS#8 (RSA) or raw (AES) key bytes, base64.</summary>
    public required string Material { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// Gives OpenIddict its keys from the database, creating them on first use. The first instance to insert
/// wins; every other reads what it wrote.
/// </summary>
public sealed class IdentityKeysFromDatabase(IServiceScopeFactory scopes, TimeProvider clock) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TenancyDbContext>();
        var signing = RSA.Create();
        signing.ImportPkcs8PrivateKey(Convert.FromBase64String(Load(db, IdentityKey.Signing, () => RSA.Create(2048).ExportPkcs8PrivateKey())), out _);
        var encryption = Convert.FromBase64String(Load(db, IdentityKey.Encryption, () => RandomNumberGenerator.GetBytes(32)));

        options.SigningCredentials.Add(new SigningCredentials(new RsaSecurityKey(signing) { KeyId = KeyId(signing) }, SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(new SymmetricSecurityKey(encryption),
            SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
    }

    private string Load(TenancyDbContext db, string purpose, Func<byte[]> create)
    {
        if (db.IdentityKeys.AsNoTracking().SingleOrDefault(k => k.Purpose == purpose) is { } existing)
        {
            return existing.Material;
        }
        db.IdentityKeys.Add(new IdentityKey { Purpose = purpose, Material = Convert.ToBase64String(create()), CreatedAt = clock.GetUtcNow().UtcDateTime });
        try
        {
            db.SaveChanges();
        }
        catch (DbUpdateException)
        {
            // Another replica created it first.
            db.ChangeTracker.Clear();
        }
        return db.IdentityKeys.AsNoTracking().Single(k => k.Purpose == purpose).Material;
    }

    private static string KeyId(RSA key) =>
        Base64UrlEncoder.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
}
