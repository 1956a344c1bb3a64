using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;

namespace Aes.Messaging.Persistence;

/// <summary>
/// A service's ASP.NET Data Protection key ring (what protects its cookies, anti-forgery tokens and sign-in
/// state): kept in the service's own database, so that every replica reads what another wrote and a restart
/// keeps sessions; encrypted at rest with the key-encryption certificate from the secret store
/// (<c>DataProtection:Certificate</c>, a base64 PKCS#12, or <c>DataProtection:CertificatePath</c>), so that
/// a copy of the database alone cannot forge a session. Certificates named in
/// <c>DataProtection:PreviousCertificates:N</c> still decrypt keys written before a rotation.
/// </summary>
public static class KeyRing
{
    public const string Section = "DataProtection";

    public static IHostApplicationBuilder AddKeyRing<TContext>(this IHostApplicationBuilder builder, string applicationName)
        where TContext : ServiceDbContext, IDataProtectionKeyContext
    {
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName(applicationName)
            .PersistKeysToDbContext<TContext>();
        var settings = builder.Configuration.GetSection(Section);
        if (Certificate(settings["Certificate"], settings["CertificatePath"], settings["CertificatePassword"]) is { } current)
        {
            var previous = settings.GetSection("PreviousCertificates").GetChildren()
                .Select(child => Certificate(child["Certificate"], child["CertificatePath"], child["CertificatePassword"]))
                .OfType<X509Certificate2>();
            dataProtection.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([current, .. previous]);
        }
        return builder;
    }

    public static bool HasCertificate(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{Section}:Certificate"]) || !string.IsNullOrWhiteSpace(configuration[$"{Section}:CertificatePath"]);

    /// <summary>What is wrong with the configured certificate, for the start-up check; null when it loads or none is set.</summary>
    public static string? Problem(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section);
        try
        {
            using var certificate = Certificate(settings["Certificate"], settings["CertificatePath"], settings["CertificatePassword"]);
            return certificate is null || certificate.HasPrivateKey
                ? null
                : $"{Section}: le certificat n'a pas de clé privée / the certificate has no private key.";
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException or IOException or UnauthorizedAccessException)
        {
            return $"{Section}: certificat illisible / unreadable certificate ({exception.Message}).";
        }
    }

    private static X509Certificate2? Certificate(string? base64, string? path, string? password)
    {
        if (!string.IsNullOrWhiteSpace(base64))
        {
            return X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(base64), password, X509KeyStorageFlags.EphemeralKeySet);
        }
        return string.IsNullOrWhiteSpace(path)
            ? null
            : X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
    }

    /// <summary>
    /// A self-signed key-encryption certificate (RSA 3072) in a PKCS#12 file readable by its owner only, made
    /// once: what the one-machine runs give their services, where a cluster takes one from its secret store.
    /// </summary>
    public static string EnsureLocalCertificate(string path)
    {
        if (File.Exists(path))
        {
            return path;
        }
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=AES marketplace key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
        var temporary = path + ".tmp";
        // Readable by its owner only before the private key is written into it.
        File.WriteAllBytes(temporary, []);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.WriteAllBytes(temporary, certificate.Export(X509ContentType.Pkcs12));
        File.Move(temporary, path, overwrite: false);
        return path;
    }
}
