using Aes.Contracts;

namespace Aes.Quota.Tests;

/// <summary>
/// Amounts keyed by class code: equal whatever order they were given in, zeros dropped, kept in ordinal code order
/// (the order claims lock rows in), written as one compact JSON value, and never silently dropping a class.
/// </summary>
public sealed class ResourceVectorTests
{
    [Fact]
    public void Amounts_are_kept_by_code_in_ordinal_order_without_zeros()
    {
        var vector = ResourceVector.Of(("vcpu", 2), ("gpu_a100_80g", 1), ("memory_gib", 8), ("public_ipv4", 0));

        Assert.Equal(["gpu_a100_80g", "memory_gib", "vcpu"], vector.Classes);
        Assert.Equal(1, vector["gpu_a100_80g"]);
        Assert.Equal(0, vector["public_ipv4"]);
        Assert.Equal(0, vector["storage_gib"]);
        Assert.Equal("""{"gpu_a100_80g":1,"memory_gib":8,"vcpu":2}""", vector.ToJson());
    }

    [Fact]
    public void Two_vectors_with_the_same_amounts_are_equal_whatever_order_they_came_in()
    {
        var one = ResourceVector.Of(("vcpu", 2), ("memory_gib", 8));
        var other = ResourceVector.Of(("memory_gib", 8), ("vcpu", 2), ("storage_gib", 0));

        Assert.Equal(one, other);
        Assert.True(one == other);
        Assert.Equal(one.GetHashCode(), other.GetHashCode());
        Assert.NotEqual(one, ResourceVector.Of(("vcpu", 2), ("memory_gib", 9)));
        Assert.NotEqual(one, ResourceVector.Of(("vcpu", 2), ("memory_gib", 8), ("gpu_l40s", 1)));
        Assert.True(ResourceVector.Of(("vcpu", 0)).IsZero);
        Assert.Equal(ResourceVector.Zero, ResourceVector.FromJson("{}"));
    }

    [Fact]
    public void Json_reads_back_what_it_wrote_and_any_spacing()
    {
        var vector = ResourceVector.Standard(4, 16, 100, 1);

        Assert.Equal(vector, ResourceVector.FromJson(vector.ToJson()));
        Assert.Equal(vector, ResourceVector.FromJson("""{ "vcpu" : 4, "public_ipv4": 1, "storage_gib":100, "memory_gib":16 }"""));
    }

    [Fact]
    public void Combining_covers_the_classes_of_either_side()
    {
        var held = ResourceVector.Of(("vcpu", 4), ("memory_gib", 16));
        var target = ResourceVector.Of(("vcpu", 2), ("gpu_l40s", 1));

        Assert.Equal(ResourceVector.Of(("vcpu", -2), ("memory_gib", -16), ("gpu_l40s", 1)), target.Combine(held, (t, h) => t - h));
        Assert.Equal(ResourceVector.Of(("gpu_l40s", 1)), target.Combine(held, (t, h) => Math.Max(0, t - h)));
    }

    [Fact]
    public void A_class_given_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ResourceVector.Of(("vcpu", 1), ("vcpu", 2)));
        Assert.Throws<ArgumentException>(() => ResourceVector.Of(("", 1)));
    }

    [Fact]
    public void People_read_the_standard_four_first_then_the_others_by_code()
    {
        string[] codes = ["vcpu", "gpu_l40s", "public_ipv4", "storage_gib", "gpu_a100_80g", "memory_gib"];

        Assert.Equal(["vcpu", "memory_gib", "storage_gib", "public_ipv4", "gpu_a100_80g", "gpu_l40s"], codes.InDisplayOrder(c => c));
    }
}

/// <summary>
/// Quota's events carry amounts by class only (ADR 045). A row an earlier version left in an outbox, with the fixed
/// amounts beside the list, still reads (the relay would park a body it cannot read), its old member ignored.
/// </summary>
public sealed class EventShapeTests
{
    private sealed record FixedAmounts(long Vcpu, long MemoryGib, long StorageGib, long PublicIpv4);

    private sealed record HoldPlacedBefore(
        Guid ClaimId, Guid AgencyId, Guid PoolId, Guid FacilityId, Guid? AgreementId, FixedAmounts Amounts,
        DateTime ExpiresAt, string Reference, DateTime PlacedAt, Guid? ActingUserId, IReadOnlyList<ResourceAmount> ByClass);

    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    [Fact]
    public void A_hold_placed_by_an_earlier_version_reads_by_class_and_one_placed_now_carries_every_class()
    {
        var now = DateTime.UtcNow;
        var before = new HoldPlacedBefore(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), null, new FixedAmounts(2, 4, 0, 0),
            now, "r", now, null, ResourceVector.Standard(2, 4, 0, 0).ToList());
        var read = System.Text.Json.JsonSerializer.Deserialize<Aes.Contracts.Quota.HoldPlaced>(System.Text.Json.JsonSerializer.Serialize(before, Web), Web)!;
        Assert.Equal(ResourceVector.Standard(2, 4, 0, 0), ResourceVector.Of(read.ByClass.Select(a => (a.Class, a.Amount))));

        var amounts = ResourceVector.Of(("vcpu", 2), ("gpu_a100_80g", 1));
        var placed = new Aes.Contracts.Quota.HoldPlaced(before.ClaimId, before.AgencyId, before.PoolId, before.FacilityId, null, amounts.ToList(), now, "r", now);
        var json = System.Text.Json.JsonSerializer.Serialize(placed, Web);
        Assert.DoesNotContain("\"amounts\"", json, StringComparison.Ordinal);
        var again = System.Text.Json.JsonSerializer.Deserialize<Aes.Contracts.Quota.HoldPlaced>(json, Web)!;
        Assert.Equal(amounts, ResourceVector.Of(again.ByClass.Select(a => (a.Class, a.Amount))));
    }
}
