using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Aes.Testing;

/// <summary>
/// A key-encryption certificate for the services the tests start on their own (tenancy, the portal): outside
/// Development a service with a session key ring refuses to start without one, as an installation would.
/// </summary>
public static class TestKeyRing
{
    private static readonly Lazy<string> CertificatePath = new(Create);

    public static IEnumerable<string> Arguments() => [$"--DataProtection:CertificatePath={CertificatePath.Value}"];

    private static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), $"aes-test-key-ring-{Environment.ProcessId}-{Guid.NewGuid():N}.pfx");
        using var rsa = RSA.Create(3072);
        var request = new CertificateRequest("CN=AES test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        return path;
    }
}
