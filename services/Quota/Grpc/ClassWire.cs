using Aes.Quota.Application;
using Google.Protobuf.Collections;
using V1 = Aes.Contracts.Quota.V1;

namespace Aes.Quota.Grpc;

/// <summary>Classes and amounts between the wire and quota: a class is its code, amounts are a list by class.</summary>
internal static class ClassWire
{
    public static string ClassOf(string code, string field)
    {
        var resourceClass = code?.Trim() ?? "";
        return ResourceClasses.CodePattern().IsMatch(resourceClass)
            ? resourceClass
            : throw new InvalidFieldException(field, new(
                "un code de classe de ressource : lettres minuscules, chiffres et _ (exemple : vcpu, gpu_a100_80g).",
                "a resource class code: lower-case letters, digits and _ (example: vcpu, gpu_a100_80g)."));
    }

    /// <summary>The amounts of the list <paramref name="field"/>; zeros are nothing.</summary>
    public static ResourceVector AmountsOf(RepeatedField<V1.ResourceAmount> byClass, string field, bool allowZero)
    {
        var amounts = ResourceVector.Of(Given(byClass, field).Select(a => (a.Key, a.Value)));
        if (!allowZero && amounts.IsZero)
        {
            throw new InvalidFieldException(field, new(
                "au moins une quantité doit être positive.", "at least one amount must be positive."));
        }
        return amounts;
    }

    /// <summary>Limits to set, zeros included: the classes the list names, and no other.</summary>
    public static IReadOnlyDictionary<string, long> LimitsOf(RepeatedField<V1.ResourceAmount> byClass, string field) =>
        Given(byClass, field);

    public static IEnumerable<V1.ResourceAmount> ByClass(ResourceVector amounts) =>
        amounts.NonZero().InDisplayOrder(a => a.Class).Select(a => new V1.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount });

    private static Dictionary<string, long> Given(RepeatedField<V1.ResourceAmount> byClass, string field)
    {
        if (byClass.Count == 0)
        {
            throw new InvalidFieldException(field, new(
                "est obligatoire : une quantité par classe, par exemple {resource_class: vcpu, amount: 2}.",
                "is required: an amount by class, for example {resource_class: vcpu, amount: 2}."));
        }
        return ByClassInput.Given(byClass.Select(a => ((string?)a.ResourceClass, a.Amount)).ToList(), field, "amount", CapacityOperations.MaxAmount)
            .ToDictionary(a => a.Class, a => a.Amount, StringComparer.Ordinal);
    }
}
