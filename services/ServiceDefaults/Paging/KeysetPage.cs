using System.Buffers.Text;
using System.Text;
using Aes.ServiceDefaults.Errors;

namespace Aes.ServiceDefaults.Paging;

/// <summary>
/// One page of a list read by key, not by offset (ADR 036): the request's <c>page_size</c> (0 is <see cref="DefaultSize"/>, at
/// most <see cref="MaxSize"/>) and the sort key of the last item of the page before, carried in an opaque
/// <c>page_token</c>. A page starts strictly after that key, so an item added or removed meanwhile never shifts the
/// next page: none is skipped or shown twice, and each page costs the same however deep it is.
/// </summary>
public sealed class KeysetPage
{
    public const int DefaultSize = 500;
    public const int MaxSize = 1000;
    private const string Prefix = "k1.";
    private const char Separator = '\u001f';

    private readonly string[]? _after;

    private KeysetPage(int size, string[]? after) => (Size, _after) = (size, after);

    public int Size { get; }

    /// <summary>Whether this is the first page (no token given).</summary>
    public bool IsFirst => _after is null;

    /// <summary>Reads and checks the request's paging fields; a bad one is <c>InvalidArgument</c> naming it.</summary>
    public static KeysetPage Of(int pageSize, string pageToken, int keyParts)
    {
        var size = pageSize switch
        {
            0 => DefaultSize,
            >= 1 and <= MaxSize => pageSize,
            _ => throw new InvalidFieldException("page_size", new($"entre 1 et {MaxSize} (0 : {DefaultSize}).", $"between 1 and {MaxSize} (0: {DefaultSize})."))
        };
        if (string.IsNullOrEmpty(pageToken))
        {
            return new KeysetPage(size, null);
        }
        string[]? parts = null;
        if (pageToken.Length <= 2048 && pageToken.StartsWith(Prefix, StringComparison.Ordinal))
        {
            try
            {
                parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(pageToken.AsSpan(Prefix.Length))).Split(Separator);
            }
            catch (FormatException)
            {
            }
        }
        return parts is not null && parts.Length == keyParts
            ? new KeysetPage(size, parts)
            : throw new InvalidFieldException("page_token", new("jeton de page inconnu : reprenez le next_page_token de la page précédente.",
                "unknown page token: use the previous page's next_page_token."));
    }

    /// <summary>The last key's part <paramref name="index"/> as text; a token that does not read as the key is refused.</summary>
    public string Text(int index) => _after![index];

    public Guid Guid(int index) => System.Guid.TryParse(_after![index], out var value) ? value : throw BadToken();

    public long Long(int index) => long.TryParse(_after![index], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
        ? value : throw BadToken();

    public DateTime Time(int index) => Long(index) is var ticks && ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks
        ? new DateTime(ticks, DateTimeKind.Utc)
        : throw BadToken();

    /// <summary>
    /// The page from <paramref name="fetched"/> (read with <c>Take(Size + 1)</c>, so one more than the page tells whether another
    /// follows) and the token of the next page, empty on the last.
    /// </summary>
    public (IReadOnlyList<T> Items, string NextPageToken) Cut<T>(IReadOnlyList<T> fetched, Func<T, object[]> keyOf)
    {
        if (fetched.Count <= Size)
        {
            return (fetched, "");
        }
        var items = fetched.Take(Size).ToList();
        return (items, TokenAfter(keyOf(items[^1])));
    }

    public static string TokenAfter(params object[] key) => Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join(Separator, key.Select(Part))));

    private static string Part(object part) => part switch
    {
        DateTime time => time.ToUniversalTime().Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => part.ToString() ?? "",
    };

    private static InvalidFieldException BadToken() =>
        new("page_token", new("jeton de page inconnu : reprenez le next_page_token de la page précédente.", "unknown page token: use the previous page's next_page_token."));
}
