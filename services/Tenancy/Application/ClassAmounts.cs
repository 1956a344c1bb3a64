using Google.Protobuf.Collections;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Application;

/// <summary>
/// Amounts and prices by class between the wire and tenancy: lists by class code (ADR 045), every class named in the
/// catalogue, each mistake named by its place in the list.
/// </summary>
internal static class ClassAmounts
{
    public const long MaxAmount = 1_000_000_000;
    public const long MaxPriceXof = 10_000_000;

    public static async Task<ResourceVector> AmountsOfAsync(
        TenancyDbContext db, RepeatedField<V1.ResourceAmount> byClass, string listField, CancellationToken cancellationToken) =>
        byClass.Count == 0
            ? throw new InvalidFieldException(listField, new(
                "est obligatoire : une quantité par classe, par exemple {resource_class: vcpu, amount: 64}.",
                "is required: an amount by class, for example {resource_class: vcpu, amount: 64}."))
            : await ListedAsync(db, byClass.Select(a => ((string?)a.ResourceClass, a.Amount)).ToList(), listField, "amount", MaxAmount, cancellationToken);

    /// <summary>Fixed prices by class (none given is none at all: the caller decides whether that is allowed).</summary>
    public static async Task<ResourceVector> PricesOfAsync(TenancyDbContext db, V1.PriceTerms terms, CancellationToken cancellationToken) =>
        await ListedAsync(db, terms.UnitPrices.Select(p => ((string?)p.ResourceClass, p.UnitPriceXof)).ToList(),
            "price_terms.unit_prices", "unit_price_xof", MaxPriceXof, cancellationToken);

    private static async Task<ResourceVector> ListedAsync(
        TenancyDbContext db, IReadOnlyList<(string? Class, long Amount)> items, string listField, string amountName, long max, CancellationToken cancellationToken)
    {
        var listed = ByClassInput.Listed(items, listField, amountName, max);
        var codes = items.Select(item => item.Class!.Trim().ToLowerInvariant()).ToList();
        var known = await db.ResourceClasses.AsNoTracking().Where(c => codes.Contains(c.Code)).Select(c => c.Code).ToListAsync(cancellationToken);
        var unknown = codes.FindIndex(code => !known.Contains(code));
        if (unknown >= 0)
        {
            throw new InvalidFieldException($"{listField}[{unknown}].resource_class", new(
                $"la classe {codes[unknown]} n'est pas au catalogue : un opérateur la définit d'abord (Classes de ressources).",
                $"class {codes[unknown]} is not in the catalogue: an operator defines it first (Resource classes)."));
        }
        return listed;
    }
}
