using Aes.Contracts;
using Aes.Provisioning.Domain;

namespace Aes.Provisioning.Tests;

/// <summary>The estimate placement ranks facilities by: a size at unit prices by class, put on one month.</summary>
public sealed class MonthlyCostTests
{
    private static readonly ResourceVector ListPrices = ResourceVector.Standard(25, 5, 60, 2500);
    private static readonly Dictionary<string, ResourceMetering> Metering = ResourceClasses.Standard.ToDictionary(c => c.Code, c => c.Metering);

    [Fact]
    public void Hourly_classes_count_730_hours_and_monthly_ones_once()
    {
        // (4 vCPU × 25 + 16 GiB × 5) × 730 h + 200 GiB × 60 + 1 address × 2,500.
        Assert.Equal(180L * 730 + 12_000 + 2_500, MonthlyCost.Xof(ResourceVector.Standard(4, 16, 200, 1), ListPrices, Metering));
    }

    [Fact]
    public void A_class_the_prices_leave_out_costs_nothing_and_gpu_prices_do_not_change_a_vm_without_gpus()
    {
        var agreed = ResourceVector.Of(("vcpu", 20), ("memory_gib", 4), ("storage_gib", 50), ("gpu_a100_80g", 1_500)); // the address included
        Assert.Equal((4L * 20 + 16 * 4) * 730 + 200 * 50, MonthlyCost.Xof(ResourceVector.Standard(4, 16, 200, 1), agreed, Metering));
    }

    [Fact]
    public void A_gpu_is_estimated_per_gpu_hour_as_its_class_is_metered()
    {
        var withGpu = ResourceVector.Standard(12, 96, 400, 0).Add(ResourceVector.Of(("gpu_a100_80g", 2)));
        var metering = new Dictionary<string, ResourceMetering>(Metering) { ["gpu_a100_80g"] = ResourceMetering.Hourly };
        // (12 × 25 + 96 × 5 + 2 GPUs × 1,500) × 730 h + 400 GiB × 60.
        Assert.Equal((300L + 480 + 3_000) * 730 + 24_000, MonthlyCost.Xof(withGpu, ListPrices.Add(ResourceVector.Of(("gpu_a100_80g", 1_500))), metering));
    }

    [Fact]
    public void A_gpu_the_prices_leave_out_makes_the_estimate_unknown_not_free()
    {
        var withGpu = ResourceVector.Standard(12, 96, 400, 0).Add(ResourceVector.Of(("gpu_a100_80g", 1)));
        var metering = new Dictionary<string, ResourceMetering>(Metering) { ["gpu_a100_80g"] = ResourceMetering.Hourly };
        Assert.Null(MonthlyCost.Xof(withGpu, ListPrices, metering));
    }

    [Fact]
    public void Under_fixed_prices_a_gpu_they_leave_out_is_at_the_list_price_and_a_standard_class_they_leave_out_is_free()
    {
        var fixedPrices = ResourceVector.Of(("vcpu", 20), ("memory_gib", 4), ("storage_gib", 50), ("gpu_l40s", 700));
        var list = ListPrices.Add(ResourceVector.Of(("gpu_a100_80g", 1_500), ("gpu_l40s", 900)));
        Assert.Equal(fixedPrices.Add(ResourceVector.Of(("gpu_a100_80g", 1_500))), MonthlyCost.UnderAgreement(fixedPrices, list));
        Assert.Equal(fixedPrices, MonthlyCost.UnderAgreement(fixedPrices, null));
    }

    [Fact]
    public void A_class_whose_metering_is_not_known_is_refused_not_guessed()
    {
        var withGpu = ResourceVector.Standard(8, 64, 100, 0).Add(ResourceVector.Of(("gpu_l40s", 1)));
        Assert.Throws<InvalidOperationException>(() => MonthlyCost.Xof(withGpu, ListPrices.Add(ResourceVector.Of(("gpu_l40s", 900))), Metering));
    }
}
