using Aes.Contracts;
using Aes.Billing.Application;
using Aes.Billing.Domain;

namespace Aes.Billing.Tests;

public sealed class RatingTests
{
    private static ResourceVector Size(long vcpu, long memoryGib, long storageGib, long publicIpv4) => ResourceVector.Standard(vcpu, memoryGib, storageGib, publicIpv4);

    private static ResourceVector Prices(long vcpuHour, long memoryGibHour, long storageGibMonth, long publicIpv4Month) =>
        ResourceVector.Standard(vcpuHour, memoryGibHour, storageGibMonth, publicIpv4Month);

    private static readonly Guid Facility = Guid.Parse("0b7f0000-0000-4000-8000-0000000000aa");
    private static readonly ResourceVector ListPrices = Prices(25, 5, 60, 2500);
    private static readonly TimeZoneInfo Bamako = TimeZoneInfo.FindSystemTimeZoneById("Africa/Bamako");
    private static readonly TimeZoneInfo Niamey = TimeZoneInfo.FindSystemTimeZoneById("Africa/Niamey");

    private static PriceCatalogue Catalogue(DateTime from, DateTime? until, ResourceVector prices) =>
        new() { Id = Guid.NewGuid(), FacilityId = Facility, EffectiveFrom = from, EffectiveUntil = until, UnitPrices = prices };

    private static UsageSegment Segment(DateTime from, DateTime? until, ResourceVector size, string agencyState = "ML", string facilityState = "ML") => new()
    {
        Id = Guid.NewGuid(), VmId = Guid.NewGuid(), AgencyId = Guid.NewGuid(), AgencyStateCode = agencyState, FacilityId = Facility,
        FacilityStateCode = facilityState, From = from, Until = until, Size = size,
    };

    private static DateTime Utc(int month, int day, int hour = 0) => new(2026, month, day, hour, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(3599, 1, 3600, 1)]   // 0.9997 → 1
    [InlineData(1800, 1, 3600, 1)]   // exactly half → up
    [InlineData(1799, 1, 3600, 0)]   // just under half → down
    [InlineData(7200, 25, 3600, 50)]
    [InlineData(0, 25, 3600, 0)]
    public void A_line_is_rounded_once_to_the_nearest_franc_halves_up(long resourceSeconds, long price, long divisor, long expected) =>
        Assert.Equal(expected, Rating.Amount(resourceSeconds, price, divisor));

    [Fact]
    public void Rounding_stays_exact_far_beyond_what_a_double_holds()
    {
        // 400,000 VMs of 512,000 GiB for a 31-day month at 60 XOF: 3.3e19 before division, past a long.
        const long seconds = 31L * 86_400;
        var amount = Rating.Amount(512_000L * 400_000 * seconds, 60, seconds);
        Assert.Equal(12_288_000_000_000L, amount);
    }

    [Fact]
    public void A_niger_month_starts_an_hour_before_utc_and_a_mali_month_at_utc_midnight()
    {
        var niger = BillingMonth.In(2026, 3, Niamey);
        var mali = BillingMonth.In(2026, 3, Bamako);
        Assert.Equal(new DateTime(2026, 2, 28, 23, 0, 0, DateTimeKind.Utc), niger.From);
        Assert.Equal(new DateTime(2026, 3, 31, 23, 0, 0, DateTimeKind.Utc), niger.Until);
        Assert.Equal(Utc(3, 1), mali.From);
        Assert.Equal(31L * 86_400, mali.Seconds);
    }

    [Theory]
    [InlineData("2026-11", true)]
    [InlineData("2026-1", false)]
    [InlineData("2026-13", false)]
    [InlineData("26-11-01", false)]
    [InlineData("", false)]
    public void Months_are_read_as_yyyy_mm_only(string label, bool valid) => Assert.Equal(valid, BillingMonth.TryParse(label, out _, out _));

    [Fact]
    public void Usage_of_a_full_month_bills_hours_for_compute_and_one_month_for_storage()
    {
        var october = BillingMonth.In(2026, 10, Bamako);
        var lines = Rating.Rate(october, DateTime.MaxValue, [Segment(Utc(9, 20), null, Size(4, 16, 200, 1))],
            _ => Rating.Timeline([Catalogue(Utc(1, 1), null, ListPrices)], [], guest: false), MeteredClasses.Standard).Lines;

        Assert.Equal(4, lines.Count);
        var hours = 31 * 24;
        Assert.Equal(4L * hours * 25, lines.Single(l => l.ResourceClass == ResourceClasses.Vcpu).AmountXof);
        Assert.Equal(16L * hours * 5, lines.Single(l => l.ResourceClass == ResourceClasses.MemoryGib).AmountXof);
        Assert.Equal(200L * 60, lines.Single(l => l.ResourceClass == ResourceClasses.StorageGib).AmountXof);
        Assert.Equal(2500, lines.Single(l => l.ResourceClass == ResourceClasses.PublicIpv4).AmountXof);
        Assert.All(lines, l => Assert.Equal((october.From, october.Until), (l.From, l.Until)));
    }

    [Fact]
    public void A_price_change_mid_month_splits_each_resource_into_two_lines_at_the_change()
    {
        var october = BillingMonth.In(2026, 10, Bamako);
        var change = Utc(10, 16);
        var catalogues = new[] { Catalogue(Utc(1, 1), change, ListPrices), Catalogue(change, null, Prices(30, 6, 90, 3000)) };
        var lines = Rating.Rate(october, DateTime.MaxValue, [Segment(Utc(10, 1), Utc(11, 1), Size(2, 0, 310, 0))],
            _ => Rating.Timeline(catalogues, [], guest: false), MeteredClasses.Standard).Lines;

        var vcpu = lines.Where(l => l.ResourceClass == ResourceClasses.Vcpu).OrderBy(l => l.From).ToList();
        Assert.Equal([(Utc(10, 1), change, 2L * 15 * 24 * 25), (change, Utc(11, 1), 2L * 16 * 24 * 30)], vcpu.Select(l => (l.From, l.Until, l.AmountXof)));
        var storage = lines.Where(l => l.ResourceClass == ResourceClasses.StorageGib).OrderBy(l => l.From).ToList();
        // 310 GiB for 15 of 31 days at 60, then 16 of 31 days at 90: 9,000 + 14,400.
        Assert.Equal([9_000L, 14_400L], storage.Select(l => l.AmountXof));
    }

    [Fact]
    public void A_resize_mid_month_bills_each_size_for_its_own_seconds()
    {
        var october = BillingMonth.In(2026, 10, Bamako);
        var resize = new DateTime(2026, 10, 11, 6, 30, 15, DateTimeKind.Utc);
        var prices = Rating.Timeline([Catalogue(Utc(1, 1), null, ListPrices)], [], guest: false);
        var lines = Rating.Rate(october, DateTime.MaxValue,
            [Segment(Utc(10, 1), resize, Size(4, 0, 0, 0)), Segment(resize, Utc(10, 21), Size(8, 0, 0, 0))], _ => prices, MeteredClasses.Standard);

        var line = Assert.Single(lines.Lines);
        var first = (long)(resize - Utc(10, 1)).TotalSeconds;
        var second = (long)(Utc(10, 21) - resize).TotalSeconds;
        Assert.Equal(4 * first + 8 * second, line.ResourceSeconds);
        Assert.Equal(Rating.Amount(4 * first + 8 * second, 25, 3600), line.AmountXof);
        Assert.Equal(2, lines.Usages.Count);
    }

    [Fact]
    public void Usage_across_a_month_boundary_is_cut_at_the_boundary_of_the_agencys_time_zone()
    {
        var niger = BillingMonth.In(2026, 10, Niamey);
        var lines = Rating.Rate(niger, DateTime.MaxValue, [Segment(Utc(10, 31, 20), Utc(11, 1, 2), Size(1, 0, 0, 0), "NE")],
            _ => Rating.Timeline([Catalogue(Utc(1, 1), null, ListPrices)], [], guest: false), MeteredClasses.Standard);
        // 20:00Z to 23:00Z is still October in Niamey (UTC+1): three hours.
        Assert.Equal(3 * 3600L, Assert.Single(lines.Lines).ResourceSeconds);
    }

    [Fact]
    public void A_guest_pays_the_agreement_price_while_it_is_in_force_and_the_list_price_outside()
    {
        var october = BillingMonth.In(2026, 10, Niamey);
        var agreement = new AgreementTerms(Guid.NewGuid(), Utc(10, 10), Utc(10, 20), FacilityListPrice: false, Prices(20, 4, 50, 2000));
        var catalogues = new[] { Catalogue(Utc(1, 1), null, ListPrices) };
        var timeline = Rating.Timeline(catalogues, [agreement], guest: true);

        Assert.Equal([PriceSource.Catalogue, PriceSource.Agreement, PriceSource.Catalogue], timeline.Select(p => p.Source));
        Assert.Equal([Utc(10, 10), Utc(10, 20)], timeline.Skip(1).Select(p => p.From));
        Assert.Single(Rating.Timeline(catalogues, [agreement], guest: false));
        Assert.Single(Rating.Timeline(catalogues, [agreement with { FacilityListPrice = true }], guest: true));
    }

    [Fact]
    public void Usage_no_price_covers_is_refused_with_the_facility_and_instant()
    {
        var october = BillingMonth.In(2026, 10, Bamako);
        var exception = Assert.Throws<UnpricedUsageException>(() => Rating.Rate(october, DateTime.MaxValue,
            [Segment(Utc(10, 1), Utc(10, 5), Size(1, 0, 0, 0))],
            _ => Rating.Timeline([Catalogue(Utc(10, 3), null, ListPrices)], [], guest: false), MeteredClasses.Standard));
        Assert.Equal(Facility, exception.FacilityId);
        Assert.Equal(Utc(10, 1), exception.From);
    }

    private const string A100 = "gpu_a100_80g";

    private static readonly MeteredClasses WithA100 = new([.. ResourceClasses.Standard,
        new ResourceClassDefinition(A100, "gpu", "GPU A100 80 Go", "A100 80 GB GPU", ResourceMetering.Hourly, ResourceConsumption.Count)]);

    private static ResourceVector With(ResourceVector vector, string resourceClass, long amount) => vector.Add(ResourceVector.Of((resourceClass, amount)));

    [Fact]
    public void A_class_added_as_data_is_rated_per_unit_hour_at_the_catalogues_price_in_a_line_of_its_own()
    {
        var october = BillingMonth.In(2026, 10, Bamako);
        var catalogue = Catalogue(Utc(1, 1), null, With(ListPrices, A100, 1_500));
        var lines = Rating.Rate(october, DateTime.MaxValue, [Segment(Utc(10, 2, 8), Utc(10, 2, 18), With(Size(8, 64, 0, 0), A100, 2))],
            _ => Rating.Timeline([catalogue], [], guest: false), WithA100).Lines;

        // Two A100 for ten hours at 1,500 XOF per GPU-hour; the standard classes as before; the GPU line last (display order).
        Assert.Equal([ResourceClasses.Vcpu, ResourceClasses.MemoryGib, A100], lines.Select(l => l.ResourceClass));
        var gpu = lines[^1];
        Assert.Equal((2L * 10 * 3600, 3600L, 1_500L, 30_000L), (gpu.ResourceSeconds, gpu.Divisor, gpu.UnitPriceXof, gpu.AmountXof));
        Assert.Equal(8L * 10 * 25, lines[0].AmountXof);
    }

    [Fact]
    public void Usage_of_a_class_the_prices_in_force_leave_out_is_refused_naming_the_class()
    {
        var october = BillingMonth.In(2026, 10, Bamako);
        var exception = Assert.Throws<UnpricedUsageException>(() => Rating.Rate(october, DateTime.MaxValue,
            [Segment(Utc(10, 2), Utc(10, 3), With(Size(8, 64, 0, 0), A100, 1))],
            _ => Rating.Timeline([Catalogue(Utc(1, 1), null, ListPrices)], [], guest: false), WithA100));
        Assert.Equal((Facility, Utc(10, 2), A100), (exception.FacilityId, exception.From, exception.ResourceClass));
    }

    [Fact]
    public void A_guest_pays_the_agreed_prices_nothing_for_a_standard_class_the_terms_leave_out_and_the_list_price_of_another_class()
    {
        var october = BillingMonth.In(2026, 10, Niamey);
        var change = Utc(10, 15);
        var catalogues = new[] { Catalogue(Utc(1, 1), change, With(ListPrices, A100, 1_500)), Catalogue(change, null, With(ListPrices, A100, 1_800)) };
        var agreement = new AgreementTerms(Guid.NewGuid(), Utc(10, 10), Utc(10, 20), FacilityListPrice: false, Prices(20, 4, 50, 0)); // the public address included
        var timeline = Rating.Timeline(catalogues, [agreement], guest: true);

        // The agreement's period is cut where the GPU's list price changes: one source, two sets of prices.
        var underAgreement = timeline.Where(p => p.Source == PriceSource.Agreement).ToList();
        Assert.Equal([(Utc(10, 10), change, 20L, 1_500L), (change, Utc(10, 20), 20L, 1_800L)],
            underAgreement.Select(p => (p.From, p.Until, p.Prices[ResourceClasses.Vcpu], p.Prices[A100])));

        var lines = Rating.Rate(october, DateTime.MaxValue, [Segment(Utc(10, 12), Utc(10, 18), With(Size(4, 0, 0, 1), A100, 1), "NE")],
            _ => timeline, WithA100).Lines;
        Assert.All(lines, l => Assert.Equal(agreement.Id, l.SourceId));
        Assert.Equal([(Utc(10, 10), 3L * 24 * 1_500), (change, 3L * 24 * 1_800)],
            lines.Where(l => l.ResourceClass == A100).Select(l => (l.From, l.AmountXof)));
        // The other classes' prices did not change at the cut: one line each, rounded once, as before classes.
        var vcpu = Assert.Single(lines, l => l.ResourceClass == ResourceClasses.Vcpu);
        Assert.Equal((Utc(10, 10), Utc(10, 20), 6L * 24 * 4 * 20), (vcpu.From, vcpu.Until, vcpu.AmountXof));
        var ipv4 = Assert.Single(lines, l => l.ResourceClass == ResourceClasses.PublicIpv4);
        Assert.Equal((0L, 0L), (ipv4.UnitPriceXof, ipv4.AmountXof));
    }

    [Fact]
    public void A_month_under_way_is_rated_up_to_now()
    {
        var november = BillingMonth.In(2026, 11, Bamako);
        var lines = Rating.Rate(november, Utc(11, 3), [Segment(Utc(10, 1), null, Size(1, 0, 0, 0))],
            _ => Rating.Timeline([Catalogue(Utc(1, 1), null, ListPrices)], [], guest: false), MeteredClasses.Standard);
        Assert.Equal(2 * 86_400L, Assert.Single(lines.Lines).ResourceSeconds);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(999L)]
    [InlineData(1_000L)]
    [InlineData(1_234L)]
    public void A_credit_is_spread_over_the_lines_in_proportion_and_sums_exactly(long amount)
    {
        var lines = new[] { 333L, 333L, 334L }.Select(a => (new InvoiceLine
        {
            Id = Guid.NewGuid(), FacilityCode = "ML-BKO-1", FacilityStateCode = "ML", ResourceClass = ResourceClasses.Vcpu, AmountXof = a,
        }, Left: a + (amount > 1_000 ? 100 : 0))).ToList();
        var shares = Invoicing.Allocate(amount, lines);
        Assert.Equal(amount, shares.Sum(s => s.Amount));
        Assert.All(shares, s => Assert.InRange(s.Amount, 1, lines.Single(l => l.Item1.Id == s.LineId).Left));
    }

    [Fact]
    public void The_netting_of_three_states_sums_to_zero()
    {
        var statements = new[]
        {
            new SettlementStatement { DebtorStateCode = "NE", CreditorStateCode = "ML", AmountXof = 1_000 },
            new SettlementStatement { DebtorStateCode = "NE", CreditorStateCode = "BF", AmountXof = 700 },
            new SettlementStatement { DebtorStateCode = "ML", CreditorStateCode = "BF", AmountXof = 300 },
            new SettlementStatement { DebtorStateCode = "BF", CreditorStateCode = "ML", AmountXof = 50 },
        };
        var positions = Settlements.NetPositions(statements, ["BF", "ML", "NE"]);
        Assert.Equal(0, positions.Values.Sum());
        Assert.Equal(-1_700, positions["NE"]);
        Assert.Equal(1_000 - 300 + 50, positions["ML"]);
        Assert.Equal(700 + 300 - 50, positions["BF"]);
    }
}
