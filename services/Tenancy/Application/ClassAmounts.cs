using Google.Protobuf.Collections;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Application;

/// <summary>
/// Amounts and prices by class between the wire and tenancy. While clients move over, the wire carries each twice: the
/// fixed fields (the standard four) and, beside them, a list by class code (every class). A request may give either; when
/// it gives both they must agree. Every class named must be in the catalogue.
/// </summary>
internal static class ClassAmounts
{
    public const long MaxAmount = 1_000_000_000;
    public const long MaxPriceXof = 10_000_000;

    public static async Task<ResourceVector> AmountsOfAsync(
        TenancyDbContext db, V1.ResourceAmounts? fixedFields, RepeatedField<V1.ResourceAmount> byClass, string field, CancellationToken cancellationToken)
    {
        var listField = field + "_by_class";
        var standard = fixedFields is null ? null : ResourceVector.Standard(
            Validate.Amount(fixedFields.Vcpu, $"{field}.vcpu"), Validate.Amount(fixedFields.MemoryGib, $"{field}.memory_gib"),
            Validate.Amount(fixedFields.StorageGib, $"{field}.storage_gib"), Validate.Amount(fixedFields.PublicIpv4, $"{field}.public_ipv4"));
        if (byClass.Count == 0)
        {
            return standard ?? throw new InvalidFieldException(field, new($"est obligatoire (ou {listField}).", $"is required (or {listField})."));
        }
        var listed = await ListedAsync(db, byClass.Select(a => ((string?)a.ResourceClass, a.Amount)).ToList(), listField, "amount", MaxAmount, cancellationToken);
        ByClassInput.EnsureAgree(standard, listed, field, listField);
        return listed;
    }

    /// <summary>Fixed prices by class: the four fields, the list, or both alike.</summary>
    public static async Task<ResourceVector> PricesOfAsync(TenancyDbContext db, V1.PriceTerms terms, CancellationToken cancellationToken)
    {
        var standard = ResourceVector.Standard(
            Validate.Amount(terms.VcpuHourXof, "price_terms.vcpu_hour_xof", MaxPriceXof),
            Validate.Amount(terms.MemoryGibHourXof, "price_terms.memory_gib_hour_xof", MaxPriceXof),
            Validate.Amount(terms.StorageGibMonthXof, "price_terms.storage_gib_month_xof", MaxPriceXof),
            Validate.Amount(terms.PublicIpv4MonthXof, "price_terms.public_ipv4_month_xof", MaxPriceXof));
        if (terms.UnitPrices.Count == 0)
        {
            return standard;
        }
        var listed = await ListedAsync(db, terms.UnitPrices.Select(p => ((string?)p.ResourceClass, p.UnitPriceXof)).ToList(),
            "price_terms.unit_prices", "unit_price_xof", MaxPriceXof, cancellationToken);
        ByClassInput.EnsureAgree(standard.IsZero ? null : standard, listed, "price_terms", "price_terms.unit_prices");
        return listed;
    }

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
