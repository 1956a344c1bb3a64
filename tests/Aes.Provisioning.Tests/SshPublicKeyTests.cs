using Aes.Provisioning.Application;
using Aes.ServiceDefaults.Errors;
using Aes.Testing;

namespace Aes.Provisioning.Tests;

/// <summary>Reading public SSH keys: what OpenSSH made is read as OpenSSH reads it; weak, foreign or malformed keys are refused by name.</summary>
public sealed class SshPublicKeyTests
{
    [Fact]
    public void Keys_ssh_keygen_made_have_the_fingerprint_and_size_ssh_keygen_printed()
    {
        var ed25519 = SshPublicKeys.Parse(SshTestKeys.OpenSshEd25519, "public_key");
        Assert.Equal(("ssh-ed25519", 256, SshTestKeys.OpenSshEd25519Fingerprint), (ed25519.Algorithm, ed25519.Bits, ed25519.Fingerprint));
        var rsa = SshPublicKeys.Parse("  " + SshTestKeys.OpenSshRsa3072 + "\n", "public_key");
        Assert.Equal(("ssh-rsa", 3072, SshTestKeys.OpenSshRsa3072Fingerprint), (rsa.Algorithm, rsa.Bits, rsa.Fingerprint));
        Assert.Equal(SshTestKeys.OpenSshRsa3072, rsa.Line);
    }

    [Theory]
    [InlineData(3072)]
    [InlineData(4096)]
    public void Rsa_keys_of_3072_bits_or_more_are_accepted(int bits) =>
        Assert.Equal(bits, SshPublicKeys.Parse(SshTestKeys.NewRsa(bits), "public_key").Bits);

    public static TheoryData<string, string> Refused => new()
    {
        { "", "obligatoire" },
        { SshTestKeys.OpenSshRsa2048, "2048 bits" },
        { SshTestKeys.NewRsa(2048), "3072 bits au moins" },
        { SshTestKeys.OpenSshEcdsa, "ecdsa-sha2-nistp256 refusé" },
        { "ssh-dss AAAAB3NzaC1kc3M=", "ssh-dss refusé" },
        { "ssh-ed25519", "format attendu" },
        { "ssh-ed25519 not*base64!", "base64" },
        { "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "clé privée" },
        { SshTestKeys.OpenSshEd25519 + "\n" + SshTestKeys.OpenSshRsa3072, "une seule clé" },
        // An RSA key's blob sent as ed25519, a key cut short, a key with bytes after it, an ed25519 key of the wrong length.
        { "ssh-ed25519 " + SshTestKeys.OpenSshRsa3072.Split(' ')[1], "ne correspond pas" },
        { "ssh-ed25519 " + Convert.ToBase64String(Convert.FromBase64String(SshTestKeys.OpenSshEd25519.Split(' ')[1])[..30]), "tronquée" },
        { SshTestKeys.Line("ssh-ed25519", [SshTestKeys.Field("ssh-ed25519"), SshTestKeys.Field(new byte[32]), [1, 2, 3]]), "des octets suivent" },
        { SshTestKeys.Line("ssh-ed25519", [SshTestKeys.Field("ssh-ed25519"), SshTestKeys.Field(new byte[31])]), "32 octets" },
        { SshTestKeys.Line("ssh-rsa", [SshTestKeys.Field("ssh-rsa"), SshTestKeys.Field([2]), SshTestKeys.Field(new byte[384])]), "pas valide" },
        { SshTestKeys.NewEd25519(new string('c', 101)), "commentaire" },
        { SshTestKeys.Line("ssh-rsa", [SshTestKeys.Field("ssh-rsa"), SshTestKeys.Field([1, 0, 1]), SshTestKeys.Field([0x80, .. new byte[2048], 1])]), "16384 bits au plus" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Bad_keys_are_refused_naming_the_field_in_french_and_english(string key, string because)
    {
        var refused = Assert.Throws<InvalidFieldException>(() => SshPublicKeys.Parse(key, "public_key"));
        Assert.Equal("public_key", refused.Field);
        Assert.Contains(because, refused.Bilingual.French, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(refused.Bilingual.English));
        Assert.NotEqual(refused.Bilingual.French, refused.Bilingual.English);
    }

    [Fact]
    public void User_data_is_utf8_text_of_16_kib_at_most()
    {
        Assert.Null(UserData.Validate("", "user_data"));
        var full = "#cloud-config\n" + new string('é', (UserData.MaxBytes - 14) / 2);
        Assert.Equal(full, UserData.Validate(full, "user_data"));
        var over = Assert.Throws<InvalidFieldException>(() => UserData.Validate(full + "é", "user_data"));
        Assert.Equal("user_data", over.Field);
        Assert.Contains("16 Kio", over.Bilingual.French, StringComparison.Ordinal);
        var binary = Assert.Throws<InvalidFieldException>(() => UserData.Validate(System.Text.Encoding.UTF8.GetString([0x23, 0xff, 0xfe, 0x0a]), "user_data"));
        Assert.Contains("UTF-8", binary.Bilingual.English, StringComparison.Ordinal);
    }
}
