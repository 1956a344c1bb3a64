using Aes.Quota.Application;
using Google.Protobuf.Collections;
using V1 = Aes.Contracts.Quota.V1;

namespace Aes.Quota.Grpc;

/// <summary>
/// Classes and amounts between the wire and quota. The wire carries each class twice while its clients move over:
/// the fixed fields and the enum (the standard four) and, beside them, the lists by class and the class codes (every
/// class). A request may give either; when it gives both they must agree. An answer fills both.
/// </summary>
internal static class ClassWire
{
    public static string ClassOf(V1.ResourceClass value, string code, string field)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return StandardClassOf(value, field);
        }
        var resourceClass = Code(code, "class_code");
        if (value != V1.ResourceClass.Unspecified && StandardClassOf(value, field) != resourceClass)
        {
            throw new InvalidFieldException("class_code", new(
                $"« {resourceClass} » ne correspond pas à {field}.", $"\"{resourceClass}\" does not match {field}."));
        }
        return resourceClass;
    }

    /// <summary>The field that named the class: the code when one was given, else the enum.</summary>
    public static string FieldOf(string code) => string.IsNullOrWhiteSpace(code) ? "resource_class" : "class_code";

    public static V1.ResourceClass EnumOf(string resourceClass) => resourceClass switch
    {
        ResourceClasses.Vcpu => V1.ResourceClass.Vcpu,
        ResourceClasses.MemoryGib => V1.ResourceClass.MemoryGib,
        ResourceClasses.StorageGib => V1.ResourceClass.StorageGib,
        ResourceClasses.PublicIpv4 => V1.ResourceClass.PublicIpv4,
        _ => V1.ResourceClass.Unspecified,
    };

    /// <summary>The amounts of <paramref name="field"/> (fixed) or <paramref name="field"/>_by_class; zeros are nothing.</summary>
    public static ResourceVector AmountsOf(V1.Resources? fixedFields, RepeatedField<V1.ResourceAmount> byClass, string field, bool allowZero)
    {
        var amounts = ResourceVector.Of(Given(fixedFields, byClass, field).Select(a => (a.Key, a.Value)));
        if (!allowZero && amounts.IsZero)
        {
            throw new InvalidFieldException(byClass.Count > 0 ? field + "_by_class" : field, new(
                "au moins une quantité doit être positive.", "at least one amount must be positive."));
        }
        return amounts;
    }

    /// <summary>
    /// Limits to set, zeros included: with the fixed fields, the four standard classes; with the list, the classes it
    /// names, and no other.
    /// </summary>
    public static IReadOnlyDictionary<string, long> LimitsOf(V1.Resources? fixedFields, RepeatedField<V1.ResourceAmount> byClass, string field) =>
        Given(fixedFields, byClass, field);

    public static V1.Resources Fixed(ResourceVector amounts) => new()
    {
        Vcpu = amounts[ResourceClasses.Vcpu], MemoryGib = amounts[ResourceClasses.MemoryGib],
        StorageGib = amounts[ResourceClasses.StorageGib], PublicIpv4 = amounts[ResourceClasses.PublicIpv4],
    };

    public static IEnumerable<V1.ResourceAmount> ByClass(ResourceVector amounts) =>
        amounts.NonZero().InDisplayOrder(a => a.Class).Select(a => new V1.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount });

    private static Dictionary<string, long> Given(V1.Resources? fixedFields, RepeatedField<V1.ResourceAmount> byClass, string field)
    {
        var listField = field + "_by_class";
        if (byClass.Count == 0)
        {
            if (fixedFields is null)
            {
                throw new InvalidFieldException(field, new($"est obligatoire (ou {listField}).", $"is required (or {listField})."));
            }
            return new(StringComparer.Ordinal)
            {
                [ResourceClasses.Vcpu] = Validate.Amount(fixedFields.Vcpu, $"{field}.vcpu", CapacityOperations.MaxAmount),
                [ResourceClasses.MemoryGib] = Validate.Amount(fixedFields.MemoryGib, $"{field}.memory_gib", CapacityOperations.MaxAmount),
                [ResourceClasses.StorageGib] = Validate.Amount(fixedFields.StorageGib, $"{field}.storage_gib", CapacityOperations.MaxAmount),
                [ResourceClasses.PublicIpv4] = Validate.Amount(fixedFields.PublicIpv4, $"{field}.public_ipv4", CapacityOperations.MaxAmount),
            };
        }
        var given = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < byClass.Count; i++)
        {
            var resourceClass = Code(byClass[i].ResourceClass, $"{listField}[{i}].resource_class");
            if (!given.TryAdd(resourceClass, Validate.Amount(byClass[i].Amount, $"{listField}[{i}].amount", CapacityOperations.MaxAmount)))
            {
                throw new InvalidFieldException($"{listField}[{i}].resource_class", new(
                    $"{resourceClass} apparaît deux fois.", $"{resourceClass} appears twice."));
            }
        }
        if (fixedFields is not null && !ResourceVector.Standard(fixedFields.Vcpu, fixedFields.MemoryGib, fixedFields.StorageGib, fixedFields.PublicIpv4)
                .Equals(ResourceVector.Of(given.Where(a => ResourceClasses.IsStandard(a.Key)).Select(a => (a.Key, a.Value)))))
        {
            throw new InvalidFieldException(field, new(
                $"ne correspond pas à {listField} : donnez l'un ou l'autre, ou les deux identiques.",
                $"does not match {listField}: give one or the other, or both alike."));
        }
        return given;
    }

    private static string Code(string? code, string field)
    {
        var resourceClass = code?.Trim() ?? "";
        return ResourceClasses.CodePattern().IsMatch(resourceClass)
            ? resourceClass
            : throw new InvalidFieldException(field, new(
                "un code de classe de ressource : lettres minuscules, chiffres et _ (exemple : gpu_a100_80g).",
                "a resource class code: lower-case letters, digits and _ (example: gpu_a100_80g)."));
    }

    private static string StandardClassOf(V1.ResourceClass value, string field) => value switch
    {
        V1.ResourceClass.Vcpu => ResourceClasses.Vcpu,
        V1.ResourceClass.MemoryGib => ResourceClasses.MemoryGib,
        V1.ResourceClass.StorageGib => ResourceClasses.StorageGib,
        V1.ResourceClass.PublicIpv4 => ResourceClasses.PublicIpv4,
        _ => throw new InvalidFieldException(field, new(
            "classe de ressource inconnue (vcpu, memory_gib, storage_gib, public_ipv4, ou class_code pour toute classe du catalogue).",
            "unknown resource class (vcpu, memory_gib, storage_gib, public_ipv4, or class_code for any class of the catalogue).")),
    };
}
