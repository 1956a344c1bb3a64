namespace Aes.Contracts.ByClass;

/// <summary>
/// An amount of one class as a service's wire carries it. Each proto package has its own message of this shape; a client
/// that compiles the protos marks them with <c>contracts/protos/ClassAmountMessages.cs</c> and reads them all alike.
/// </summary>
public interface IClassAmount
{
    string ResourceClass { get; }
    long Amount { get; }
}

public static class ClassAmounts
{
    /// <summary>The amount of <paramref name="resourceClass"/> in a list by class, 0 when the list leaves it out (as answers leave out zeros).</summary>
    public static long AmountOf(this IEnumerable<IClassAmount> amounts, string resourceClass) =>
        amounts.Where(a => a.ResourceClass == resourceClass).Sum(a => a.Amount);
}
