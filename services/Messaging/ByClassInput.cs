using Aes.Contracts;
using Aes.ServiceDefaults.Errors;

namespace Aes.Messaging;

/// <summary>
/// Amounts or prices by class as a request gives them on the wire: a list by class code (ADR 045–047); every mistake is
/// named by its field (<c>unit_prices[2].resource_class</c>).
/// </summary>
public static class ByClassInput
{
    /// <summary>The list: each code well formed and named once, each amount between 0 and <paramref name="max"/>.</summary>
    public static ResourceVector Listed(IReadOnlyList<(string? Class, long Amount)> items, string listField, string amountName, long max) =>
        ResourceVector.Of(Given(items, listField, amountName, max));

    /// <summary>The list as given, zeros kept (a limit of 0 is a limit), each code well formed and named once.</summary>
    public static IReadOnlyList<(string Class, long Amount)> Given(IReadOnlyList<(string? Class, long Amount)> items, string listField, string amountName, long max)
    {
        var given = new List<(string Class, long Amount)>();
        for (var i = 0; i < items.Count; i++)
        {
            var resourceClass = Validate.Code(items[i].Class, $"{listField}[{i}].resource_class", ResourceClasses.CodePattern(), "gpu_a100_80g", upperCase: false);
            if (given.Any(g => g.Class == resourceClass))
            {
                throw new InvalidFieldException($"{listField}[{i}].resource_class", new($"{resourceClass} apparaît deux fois.", $"{resourceClass} appears twice."));
            }
            given.Add((resourceClass, Validate.Amount(items[i].Amount, $"{listField}[{i}].{amountName}", max)));
        }
        return given;
    }

    /// <summary>Where a list given on the wire named <paramref name="resourceClass"/> (codes are read trimmed and in lower case), or -1.</summary>
    public static int IndexOf(IEnumerable<string> given, string resourceClass) =>
        given.Select(code => code.Trim().ToLowerInvariant()).ToList().IndexOf(resourceClass);
}
