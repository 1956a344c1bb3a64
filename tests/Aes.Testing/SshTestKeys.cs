using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Aes.Testing;

/// <summary>
/// Public SSH keys for tests: fresh ones in OpenSSH's one-line form, and keys ssh-keygen made with the fingerprints it
/// printed for them (ssh-keygen -lf), so a test checks our reading against OpenSSH's own.
/// </summary>
public static class SshTestKeys
{
    public const string OpenSshEd25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIQkgSkyp0qjFWPxkj9hWNPdNoSN+LLjwTebYkFryQFV root@vm";
    public const string OpenSshEd25519Fingerprint = "SHA256:qaE+esFgrt6lDGYYa4uKEnJRLo1c0qQqGHSnc0I5U1I";
    public const string OpenSshRsa3072 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDN4d/P8O11P9VPMqnbh8UAWnwKLdlIkvaWhlFON0Gmum+j/AGr7z6Siw9m/bBsHtGu2WD0KQw6TBevycDOZTjZb+tHHMW2TwUXHs0NFPbka9SgAYntZzTDCCeUM1X+aon2/GHAQdv7B3eD4WEaJE/xiCW+lXt/JgR+HqmNnKn+Y4YEhWHjz72kVWOqsfJwjPkDCop0DCysIEKdN/98dhoewSmzAokSmEkpDefPqN+BTPoMb/FeoMtMrPi8ayxG2lu8Y0BQLHezOtosOT7o4tPtjJm2zNguYoutEG2D16zuZismiFDmrgQ5kzpGVC/H6ydUlrx9C/IoUxrxqLamO12FtOeJHO+tKKuyrPNeiw+tRmjF4ugEixMNvzULYYXFVNjIsBhMemgfMYn2IvkYYvJfEy1br5sZzZ0jPePwYwVEmKfWxPMffmfLwsQNT1kPTt6MvHoO/HafkTSBZKhQ9iqjLCLO8cRpO6dOkyTpSb63wCw6TrA0DK+i34fQYQIPhbk= ops@bko";
    public const string OpenSshRsa3072Fingerprint = "SHA256:82bLBJ++hQM1smV2eHp4ppGmAsrKPXkummOdqSHnk+8";
    public const string OpenSshRsa2048 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC8ExwZM1tvyrLAyN+ZRYJ/EdxkQ4WJ7tGjsj5VLCLuMktljtZ8Vf6TBgNIRFNNqninH4cLgk7J5mWwEWBrhbBgN6/7Q2Clk8ymRdtgVvF72qFRJhOKAIXcIaLnVlCYHNLsyjCpvnMfcV8FnA6TleBlWLasDc1/Kp+GSEbXW9ye3GSUgNFpA5Mxrv4MMu86e9bBL62Rp1mI48pnR0KL11akX2Od5PEWvHAW3x7QmjkjE1GaRHoyygP62BLSePNUAYDxRAuAlKTS1y3g0sxF7hQYErqLny4WqqgQAffbr+4/diLm/wU3jlkguYG5CTlab2o/vnMxDYK7vE3nK/hTe89H";
    public const string OpenSshEcdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDNRFLsX0hb34qWLAkezaapiX1+u6hXney7exkBjaak9IDNPKStC6yX0v05IKQPmVUZSRuQxZ5sHJBgskkcyqc8=";

    /// <summary>A new ed25519 public key: any 32 bytes are one as far as its format goes.</summary>
    public static string NewEd25519(string comment = "test@aes") =>
        Line("ssh-ed25519", [Field("ssh-ed25519"u8), Field(RandomNumberGenerator.GetBytes(32))], comment);

    public static string NewRsa(int bits, string comment = "test@aes")
    {
        using var rsa = RSA.Create(bits);
        var parameters = rsa.ExportParameters(false);
        return Line("ssh-rsa", [Field("ssh-rsa"u8), Field(MpInt(parameters.Exponent!)), Field(MpInt(parameters.Modulus!))], comment);
    }

    /// <summary>A key line whose blob is <paramref name="fields"/>, as given: for keys that lie about themselves.</summary>
    public static string Line(string type, IEnumerable<byte[]> fields, string comment = "") =>
        $"{type} {Convert.ToBase64String(fields.SelectMany(f => f).ToArray())}{(comment.Length > 0 ? " " + comment : "")}";

    public static byte[] Field(ReadOnlySpan<byte> value)
    {
        var field = new byte[4 + value.Length];
        BinaryPrimitives.WriteUInt32BigEndian(field, (uint)value.Length);
        value.CopyTo(field.AsSpan(4));
        return field;
    }

    public static byte[] Field(string value) => Field(Encoding.ASCII.GetBytes(value));

    /// <summary>An SSH mpint: big-endian, with a leading zero when the top bit is set.</summary>
    private static byte[] MpInt(byte[] unsigned) => unsigned[0] >= 0x80 ? [0, .. unsigned] : unsigned;
}
