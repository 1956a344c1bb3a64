using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Aes.Provisioning.Application;

/// <summary>A public SSH key as read from one line of an <c>.pub</c> file, with its SHA-256 fingerprint as <c>ssh-keygen -l</c> shows it.</summary>
public sealed record ParsedSshKey(string Algorithm, int Bits, string Fingerprint, string Line);

/// <summary>
/// Reads a public SSH key in OpenSSH's one-line form and accepts only what a confederation's VM should trust:
/// ed25519, or RSA of at least <see cref="MinRsaBits"/> bits. The blob is decoded field by field (RFC 4253 §6.6,
/// RFC 8709), so a line whose declared type differs from its content, or with bytes after the key, is refused.
/// </summary>
public static class SshPublicKeys
{
    public const int MinRsaBits = 3072;
    public const int MaxRsaBits = 16_384;
    public const int MaxCommentLength = 100;
    private const int MaxLineLength = 16 * 1024;

    public static ParsedSshKey Parse(string? text, string field)
    {
        var line = text?.Trim() ?? "";
        if (line.Length == 0)
        {
            throw Invalid(field, "est obligatoire.", "is required.");
        }
        if (line.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw Invalid(field, "c'est une clé privée : ne la communiquez jamais, donnez le fichier .pub.",
                "this is a private key: never share it, give the .pub file.");
        }
        if (line.Length > MaxLineLength || line.Contains('\n') || line.Contains('\r'))
        {
            throw Invalid(field, "une seule clé publique, sur une ligne.", "one public key, on one line.");
        }
        var parts = line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            throw Invalid(field, "format attendu : « type base64 [commentaire] », comme dans id_ed25519.pub.",
                "expected \"type base64 [comment]\", as in id_ed25519.pub.");
        }
        var declared = parts[0];
        if (declared is not ("ssh-ed25519" or "ssh-rsa"))
        {
            throw Invalid(field, $"type {declared} refusé : seules les clés ssh-ed25519 et ssh-rsa (3072 bits ou plus) sont acceptées.",
                $"type {declared} refused: only ssh-ed25519 and ssh-rsa (3072 bits or more) keys are accepted.");
        }
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            throw Invalid(field, "la partie base64 de la clé est illisible.", "the key's base64 part cannot be read.");
        }
        var reader = new BlobReader(blob);
        int bits;
        try
        {
            if (Encoding.ASCII.GetString(reader.String()) != declared)
            {
                throw Invalid(field, "le type annoncé ne correspond pas au contenu de la clé.", "the declared type does not match the key's content.");
            }
            if (declared == "ssh-ed25519")
            {
                if (reader.String().Length != 32)
                {
                    throw Invalid(field, "une clé ed25519 fait 32 octets.", "an ed25519 key is 32 bytes long.");
                }
                bits = 256;
            }
            else
            {
                var exponent = new BigInteger(reader.String(), isUnsigned: true, isBigEndian: true);
                var modulus = new BigInteger(reader.String(), isUnsigned: true, isBigEndian: true);
                if (exponent < 3 || exponent.IsEven || modulus.IsEven)
                {
                    throw Invalid(field, "cette clé RSA n'est pas valide.", "this RSA key is not valid.");
                }
                bits = (int)modulus.GetBitLength();
                if (bits < MinRsaBits)
                {
                    throw Invalid(field, $"clé RSA de {bits} bits : {MinRsaBits} bits au moins (ou une clé ed25519).",
                        $"RSA key of {bits} bits: at least {MinRsaBits} bits (or an ed25519 key).");
                }
                if (bits > MaxRsaBits)
                {
                    throw Invalid(field, $"clé RSA de {bits} bits : {MaxRsaBits} bits au plus.", $"RSA key of {bits} bits: at most {MaxRsaBits} bits.");
                }
            }
            if (!reader.AtEnd)
            {
                throw Invalid(field, "des octets suivent la clé.", "bytes follow the key.");
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            throw Invalid(field, "la clé est tronquée.", "the key is truncated.");
        }
        var fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
        var comment = parts.Length == 3 ? " " + parts[2].Trim() : "";
        if (comment.Length > MaxCommentLength + 1)
        {
            // A request keeps every key it installs: bounded keys keep it bounded.
            throw Invalid(field, $"le commentaire de la clé dépasse {MaxCommentLength} caractères.", $"the key's comment is longer than {MaxCommentLength} characters.");
        }
        return new ParsedSshKey(declared, bits, fingerprint, $"{declared} {parts[1]}{comment}");
    }

    private static InvalidFieldException Invalid(string field, string french, string english) => new(field, new(french, english));

    /// <summary>The SSH wire format's length-prefixed strings; out of range means truncated.</summary>
    private ref struct BlobReader(byte[] blob)
    {
        private int _offset;

        public readonly bool AtEnd => _offset == blob.Length;

        public byte[] String()
        {
            if (blob.Length - _offset < 4)
            {
                throw new ArgumentOutOfRangeException(nameof(blob));
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(_offset, 4));
            _offset += 4;
            if (length > (uint)(blob.Length - _offset))
            {
                throw new ArgumentOutOfRangeException(nameof(blob));
            }
            var value = blob.AsSpan(_offset, (int)length).ToArray();
            _offset += (int)length;
            return value;
        }
    }
}
