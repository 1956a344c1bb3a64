using Aes.Contracts;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.Provisioning.Application;

/// <summary>Amounts by class as quota's wire carries them, every class in one list (quota's fixed fields are left empty).</summary>
public static class QuotaAmounts
{
    public static IEnumerable<Q.ResourceAmount> Of(ResourceVector amounts) =>
        amounts.NonZero().Select(a => new Q.ResourceAmount { ResourceClass = a.Class, Amount = a.Amount });

    public static ResourceVector From(IEnumerable<Q.ResourceAmount> amounts) => ResourceVector.Of(amounts.Select(a => (a.ResourceClass, a.Amount)));
}
