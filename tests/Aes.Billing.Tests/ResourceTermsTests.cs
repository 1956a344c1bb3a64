using Aes.Billing.Domain;
using Aes.Contracts;
using Aes.ServiceDefaults.Errors;

namespace Aes.Billing.Tests;

/// <summary>What an invoice says of each metered class comes from the resource-class catalogue, not from billing's own lists.</summary>
public sealed class ResourceTermsTests
{
    private static readonly ResourceClassDefinition A100 =
        new("gpu_a100_80g", "gpu", "GPU A100 80 Go", "A100 80 GB GPU", ResourceMetering.Hourly, ResourceConsumption.Count);

    private static readonly MeteredClasses Known = new([.. ResourceClasses.Standard, A100]);

    [Theory]
    [InlineData("vcpu", "vcpu", "vcpu-hour", true, "vCPU (heure)", "vCPU (hour)")]
    [InlineData("memory_gib", "memory", "gib-hour", true, "Mémoire (Gio·heure)", "Memory (GiB-hour)")]
    [InlineData("storage_gib", "storage", "gib-month", false, "Stockage (Gio·mois)", "Storage (GiB-month)")]
    [InlineData("public_ipv4", "public_ipv4", "ipv4-month", false, "Adresse IPv4 publique (mois)", "Public IPv4 address (month)")]
    [InlineData("gpu_a100_80g", "gpu_a100_80g", "gpu-hour", true, "GPU A100 80 Go (heure)", "A100 80 GB GPU (hour)")]
    public void Each_class_is_named_priced_and_rated_as_the_catalogue_defines_it(
        string code, string lineName, string unit, bool hourly, string french, string english)
    {
        Assert.Equal(lineName, MeteredClasses.LineName(code)); // the standard four: what issued invoices always said
        Assert.Equal(unit, Known.Unit(code));
        Assert.Equal(hourly, Known.IsHourly(code));
        Assert.Equal((french, english), Known.Label(code));
    }

    [Fact]
    public void A_class_billing_has_not_heard_of_is_refused_rather_than_billed_by_a_guess()
    {
        var refusal = Assert.Throws<RuleViolationException>(() => MeteredClasses.Standard.Unit("gpu_a100_80g"));
        Assert.Contains("gpu_a100_80g", refusal.Message);
        Assert.False(MeteredClasses.Standard.Knows("gpu_a100_80g"));
        Assert.True(Known.Knows("gpu_a100_80g"));
    }

    [Fact]
    public void Lines_read_by_facility_then_class_in_display_order_then_period()
    {
        InvoiceLine Line(string facility, string resourceClass, int day) => new()
        {
            FacilityCode = facility, FacilityStateCode = "ML", ResourceClass = resourceClass, PeriodFrom = new DateTime(2026, 10, day, 0, 0, 0, DateTimeKind.Utc),
        };
        var lines = new[]
        {
            Line("ML-BKO-1", "gpu_a100_80g", 1), Line("ML-BKO-1", "storage_gib", 1), Line("BF-OUA-1", "vcpu", 1), Line("ML-BKO-1", "vcpu", 16),
            Line("ML-BKO-1", "vcpu", 1), Line("ML-BKO-1", "memory_gib", 1),
        };
        Assert.Equal(
            ["BF-OUA-1 vcpu 1", "ML-BKO-1 vcpu 1", "ML-BKO-1 vcpu 16", "ML-BKO-1 memory_gib 1", "ML-BKO-1 storage_gib 1", "ML-BKO-1 gpu_a100_80g 1"],
            lines.InReadingOrder().Select(l => $"{l.FacilityCode} {l.ResourceClass} {l.PeriodFrom.Day}"));
    }
}
