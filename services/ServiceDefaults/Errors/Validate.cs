using System.Globalization;
using System.Text.RegularExpressions;

namespace Aes.ServiceDefaults.Errors;

/// <summary>Input checks shared by every service; each failure names the field, in French and English.</summary>
public static partial class Validate
{
    public const int MaxNameLength = 200;

    public static string Name(string? value, string field, int maxLength = MaxNameLength)
    {
        var trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            throw new InvalidFieldException(field, new("est obligatoire.", "is required."));
        }
        if (trimmed.Length > maxLength)
        {
            throw new InvalidFieldException(field, new(
                $"ne doit pas dépasser {maxLength} caractères (reçu : {trimmed.Length}).",
                $"must be at most {maxLength} characters (got {trimmed.Length})."));
        }
        if (trimmed.Any(char.IsControl))
        {
            throw new InvalidFieldException(field, new("contient des caractères de contrôle.", "contains control characters."));
        }
        return trimmed;
    }

    public static string Optional(string? value, string field, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? "" : Name(value, field, maxLength);

    /// <summary>A code matched against <paramref name="pattern"/> after trimming and, unless told otherwise, upper-casing.</summary>
    public static string Code(string? value, string field, Regex pattern, string example, bool upperCase = true)
    {
        var trimmed = (value ?? "").Trim();
        var code = upperCase ? trimmed.ToUpperInvariant() : trimmed.ToLowerInvariant();
        if (code.Length == 0)
        {
            throw new InvalidFieldException(field, new("est obligatoire.", "is required."));
        }
        if (code.Length > 64 || !pattern.IsMatch(code))
        {
            throw new InvalidFieldException(field, new(
                $"« {Shorten(value!)} » n'est pas un code valide (exemple : {example}).",
                $"\"{Shorten(value!)}\" is not a valid code (example: {example})."));
        }
        return code;
    }

    public static Guid Id(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidFieldException(field, new("est obligatoire.", "is required."));
        }
        if (!Guid.TryParse(value, out var id) || id == Guid.Empty)
        {
            throw new InvalidFieldException(field, new(
                $"« {Shorten(value)} » n'est pas un identifiant valide.",
                $"\"{Shorten(value)}\" is not a valid id."));
        }
        return id;
    }

    public static Guid? OptionalId(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? null : Id(value, field);

    public static long Amount(long value, string field, long max = 1_000_000_000)
    {
        if (value < 0 || value > max)
        {
            throw new InvalidFieldException(field, new(
                $"doit être compris entre 0 et {max.ToString("N0", CultureInfo.GetCultureInfo("fr-FR"))} (reçu : {value}).",
                $"must be between 0 and {max:N0} (got {value})."));
        }
        return value;
    }

    public static int Range(int value, string field, int min, int max)
    {
        if (value < min || value > max)
        {
            throw new InvalidFieldException(field, new(
                $"doit être compris entre {min} et {max} (reçu : {value}).",
                $"must be between {min} and {max} (got {value})."));
        }
        return value;
    }

    public static string TimeZone(string? value, string field)
    {
        var zone = Name(value, field, 64);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            throw new InvalidFieldException(field, new(
                $"« {zone} » n'est pas un fuseau horaire IANA connu (exemple : Africa/Bamako).",
                $"\"{zone}\" is not a known IANA time zone (example: Africa/Bamako)."));
        }
        return zone;
    }

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex StateCodePattern();

    /// <summary>A member-state code in its form (ML, BF, NE); whether the state exists is the caller's to check.</summary>
    /// <summary>
    /// A required instant strictly after <paramref name="now"/> and at most <paramref name="within"/> ahead;
    /// <paramref name="limitFr"/>/<paramref name="limitEn"/> say that limit in words.
    /// </summary>
    public static DateTime FutureInstant(Google.Protobuf.WellKnownTypes.Timestamp? value, string field, DateTime now, TimeSpan within, string limitFr, string limitEn)
    {
        if (value is null)
        {
            throw new InvalidFieldException(field, new("est obligatoire.", "is required."));
        }
        var at = IsReadable(value) ? value.ToDateTime() : DateTime.MinValue;
        if (at <= now)
        {
            throw new InvalidFieldException(field, new("est déjà passée.", "lies in the past."));
        }
        return at <= now + within ? at : throw new InvalidFieldException(field, new(limitFr, limitEn));
    }

    /// <summary>An optional instant (null when absent), between 1970 and 2100.</summary>
    public static DateTime? OptionalInstant(Google.Protobuf.WellKnownTypes.Timestamp? value, string field) =>
        value is null ? null
        : IsReadable(value) ? value.ToDateTime()
        : throw new InvalidFieldException(field, new("n'est pas une date entre 1970 et 2100.", "is not a date between 1970 and 2100."));

    /// <summary>Between 1970 and 2100, with valid nanoseconds: what a date here can be.</summary>
    private static bool IsReadable(Google.Protobuf.WellKnownTypes.Timestamp value) =>
        value.Seconds is > 0 and < 4_102_444_800 && value.Nanos is >= 0 and <= 999_999_999;

    public static string StateCode(string? value, string field) => Code(value, field, StateCodePattern(), "ML");

    /// <summary>An optional state filter: null when empty.</summary>
    public static string? OptionalStateCode(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? null : StateCode(value, field);

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
