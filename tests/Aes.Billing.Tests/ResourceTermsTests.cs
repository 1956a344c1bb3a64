using Aes.Billing.Domain;
using Aes.Contracts;

namespace Aes.Billing.Tests;

/// <summary>What an invoice says of each metered resource comes from the resource-class catalogue, not from billing's own lists.</summary>
public sealed class ResourceTermsTests
{
    [Theory]
    [InlineData(Resource.Vcpu, "vcpu", "vcpu", "vcpu-hour", true, "vCPU (heure)", "vCPU (hour)")]
    [InlineData(Resource.Memory, "memory_gib", "memory", "gib-hour", true, "Mémoire (Gio·heure)", "Memory (GiB-hour)")]
    [InlineData(Resource.Storage, "storage_gib", "storage", "gib-month", false, "Stockage (Gio·mois)", "Storage (GiB-month)")]
    [InlineData(Resource.PublicIpv4, "public_ipv4", "public_ipv4", "ipv4-month", false, "Adresse IPv4 publique (mois)", "Public IPv4 address (month)")]
    public void Each_metered_resource_is_named_priced_and_rated_as_its_catalogue_class(
        Resource resource, string code, string lineName, string unit, bool hourly, string french, string english)
    {
        Assert.Equal(code, Resources.Code(resource));
        Assert.Equal(lineName, Resources.LineName(resource)); // what issued invoices always said
        Assert.Equal(unit, Resources.Unit(resource));
        Assert.Equal(hourly, Resources.IsHourly(resource));
        Assert.Equal((french, english), Resources.Label(resource));
        Assert.Contains(ResourceClasses.Standard, c => c.Code == code);
    }

    [Fact]
    public void A_value_that_is_no_resource_is_refused_rather_than_billed_as_another()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Resources.Code((Resource)9));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resources.LineName((Resource)9));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aes.Billing.Application.Catalogues.PriceField((Resource)9));
    }
}
