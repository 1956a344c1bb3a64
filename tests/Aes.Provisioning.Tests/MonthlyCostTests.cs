using Aes.Contracts;
using Aes.Provisioning.Domain;

namespace Aes.Provisioning.Tests;

/// <summary>The estimate placement ranks facilities by: a size at unit prices by class, put on one month.</summary>
public sealed class MonthlyCostTests
{
    private static readonly ResourceVector ListPrices = ResourceVector.Standard(25, 5, 60, 2500);

    [Fact]
    public void Hourly_classes_count_730_hours_and_monthly_ones_once()
    {
        // (4 vCPU × 25 + 16 GiB × 5) × 730 h + 200 GiB × 60 + 1 address × 2,500.
        Assert.Equal(180L * 730 + 12_000 + 2_500, MonthlyCost.Xof(ResourceVector.Standard(4, 16, 200, 1), ListPrices));
    }

    [Fact]
    public void A_class_the_prices_leave_out_costs_nothing_and_gpu_prices_do_not_change_a_vm_without_gpus()
    {
        var agreed = ResourceVector.Of(("vcpu", 20), ("memory_gib", 4), ("storage_gib", 50), ("gpu_a100_80g", 1_500)); // the address included
        Assert.Equal((4L * 20 + 16 * 4) * 730 + 200 * 50, MonthlyCost.Xof(ResourceVector.Standard(4, 16, 200, 1), agreed));
    }

    [Fact]
    public void A_class_provisioning_does_not_estimate_yet_is_refused_not_guessed()
    {
        var withGpu = ResourceVector.Standard(8, 64, 100, 0).Add(ResourceVector.Of(("gpu_a100_80g", 1)));
        Assert.Throws<InvalidOperationException>(() => MonthlyCost.Xof(withGpu, ListPrices.Add(ResourceVector.Of(("gpu_a100_80g", 1_500)))));
    }
}
