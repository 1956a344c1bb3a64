using System.Globalization;
using Aes.Contracts;

namespace Aes.Billing.Domain;

/// <summary>A calendar month in a state's time zone, as the UTC interval [From, Until).</summary>
public sealed record BillingMonth(string Label, DateTime From, DateTime Until)
{
    public long Seconds => (Until - From).Ticks / TimeSpan.TicksPerSecond;

    public static bool TryParse(string? label, out int year, out int month)
    {
        year = month = 0;
        return label is { Length: 7 } && label[4] == '-'
            && int.TryParse(label.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out year)
            && int.TryParse(label.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out month)
            && year is >= 2000 and <= 2200 && month is >= 1 and <= 12;
    }

    /// <summary>The year and month of a "YYYY-MM" label, or InvalidArgument on <paramref name="field"/>.</summary>
    public static (int Year, int Month) Require(string? label, string field = "month") =>
        TryParse(label, out var year, out var month) ? (year, month) : throw new InvalidFieldException(field, new(
            $"« {label} » n'est pas un mois AAAA-MM (exemple : 2026-11).", $"\"{label}\" is not a YYYY-MM month (example: 2026-11)."));

    public static BillingMonth In(int year, int month, TimeZoneInfo zone)
    {
        var localStart = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return new BillingMonth(
            $"{year:D4}-{month:D2}",
            TimeZoneInfo.ConvertTimeToUtc(localStart, zone),
            TimeZoneInfo.ConvertTimeToUtc(localStart.AddMonths(1), zone));
    }
}

/// <summary>
/// Prices in force over [From, Until), a unit price by class; Until is <see cref="DateTime.MaxValue"/> when open-ended. A class
/// the period has no price for is unpriced there.
/// </summary>
public sealed record PricePeriod(DateTime From, DateTime Until, ResourceVector Prices, PriceSource Source, Guid SourceId);

public sealed record AgreementTerms(Guid Id, DateTime StartsAt, DateTime EndsAt, bool FacilityListPrice, ResourceVector Prices);

/// <summary>A slice of one metered period under one price: what the lines of its facility and price were rated from.</summary>
public sealed record RatedUsage(Guid SegmentId, Guid VmId, Guid FacilityId, Guid SourceId, DateTime From, DateTime Until);

public sealed record RatedLine(
    Guid FacilityId, string ResourceClass, DateTime From, DateTime Until, PriceSource Source, Guid SourceId,
    long UnitPriceXof, long Divisor, long ResourceSeconds, long AmountXof);

public sealed record RatedMonth(IReadOnlyList<RatedLine> Lines, IReadOnlyList<RatedUsage> Usages);

/// <summary>
/// Usage that no price covers (of <see cref="ResourceClass"/>, when prices are in force that leave that class out): the
/// operator must publish a catalogue before the month can be invoiced.
/// </summary>
public sealed class UnpricedUsageException(Guid facilityId, DateTime from, string? resourceClass = null)
    : Exception($"No price{(resourceClass is null ? "" : " of " + resourceClass)} covers facility {facilityId} from {from:O}")
{
    public Guid FacilityId { get; } = facilityId;
    public DateTime From { get; } = from;
    public string? ResourceClass { get; } = resourceClass;
}

/// <summary>
/// The rating rules, in one place. Usage is exact to the second: a line sums quantity × seconds,
/// and its amount is that sum × unit price ÷ (3,600 for hourly prices, the invoiced month's length
/// in seconds for monthly ones), rounded once per line to the nearest franc, halves up. The invoice
/// total is the sum of the rounded lines.
/// </summary>
public static class Rating
{
    public static long Amount(long resourceSeconds, long unitPriceXof, long divisor)
    {
        var numerator = (Int128)resourceSeconds * unitPriceXof;
        var quotient = numerator / divisor;
        var remainder = numerator % divisor;
        return (long)(remainder * 2 >= divisor ? quotient + 1 : quotient);
    }

    public static long Divisor(bool hourly, BillingMonth month) => hourly ? 3600 : month.Seconds;

    /// <summary>
    /// The prices that apply to an agency of <paramref name="agencyState"/> at a facility of
    /// <paramref name="facilityState"/>: the facility's catalogues, except while an agreement with
    /// its own price terms is in force for a guest. Terms price the classes they name, and a standard class they leave out
    /// costs nothing (as agreed since before classes); another class they leave out (GPUs) stays at the list price in force,
    /// under the agreement's terms. Gaps stay gaps: usage there is unpriced.
    /// </summary>
    public static IReadOnlyList<PricePeriod> Timeline(
        IReadOnlyList<PriceCatalogue> catalogues, IReadOnlyList<AgreementTerms> agreements, bool guest)
    {
        var lists = catalogues
            .Select(c => new PricePeriod(c.EffectiveFrom, c.EffectiveUntil ?? DateTime.MaxValue, c.UnitPrices, PriceSource.Catalogue, c.Id))
            .OrderBy(p => p.From).ToList();
        var terms = guest
            ? agreements.Where(a => !a.FacilityListPrice && a.EndsAt > a.StartsAt)
                .Select(a => new PricePeriod(a.StartsAt, a.EndsAt, a.Prices, PriceSource.Agreement, a.Id)).OrderBy(p => p.From).ToList()
            : [];
        if (terms.Count == 0)
        {
            return lists;
        }
        var cuts = lists.SelectMany(p => new[] { p.From, p.Until }).Concat(terms.SelectMany(p => new[] { p.From, p.Until }))
            .Distinct().Order().ToList();
        var timeline = new List<PricePeriod>();
        for (var i = 0; i + 1 < cuts.Count; i++)
        {
            var (from, until) = (cuts[i], cuts[i + 1]);
            var list = lists.FirstOrDefault(p => p.From <= from && from < p.Until);
            var covering = terms.FirstOrDefault(p => p.From <= from && from < p.Until) is { } term
                ? term with { Prices = list is null ? term.Prices : term.Prices.Add(ResourceVector.Of(list.Prices.NonZero()
                    .Where(p => !ResourceClasses.IsStandard(p.Class) && term.Prices[p.Class] == 0))) }
                : list;
            if (covering is null)
            {
                continue;
            }
            if (timeline.Count > 0 && timeline[^1].SourceId == covering.SourceId && timeline[^1].Until == from && timeline[^1].Prices == covering.Prices)
            {
                timeline[^1] = timeline[^1] with { Until = until };
            }
            else
            {
                timeline.Add(covering with { From = from, Until = until });
            }
        }
        return timeline;
    }

    /// <summary>
    /// Rates an agency's usage over one month, up to <paramref name="asOf"/> for a month still under way:
    /// a line per facility, class and price period.
    /// </summary>
    public static RatedMonth Rate(
        BillingMonth month, DateTime asOf, IEnumerable<UsageSegment> segments, Func<UsageSegment, IReadOnlyList<PricePeriod>> pricesFor,
        MeteredClasses classes)
    {
        var ratedUntil = asOf < month.Until ? asOf : month.Until;
        var lines = new Dictionary<(Guid Facility, string Class, Guid Source, DateTime From), LineBuilder>();
        var usages = new List<RatedUsage>();
        foreach (var segment in segments)
        {
            var from = segment.From > month.From ? segment.From : month.From;
            var until = segment.Until is { } end && end < ratedUntil ? end : ratedUntil;
            if (until <= from)
            {
                continue;
            }
            var covered = from;
            foreach (var period in pricesFor(segment))
            {
                if (period.Until <= covered || period.From >= until)
                {
                    continue;
                }
                if (period.From > covered)
                {
                    throw new UnpricedUsageException(segment.FacilityId, covered);
                }
                var pieceUntil = period.Until < until ? period.Until : until;
                var lineFrom = period.From > month.From ? period.From : month.From;
                var lineUntil = period.Until < month.Until ? period.Until : month.Until;
                var seconds = (pieceUntil - covered).Ticks / TimeSpan.TicksPerSecond;
                usages.Add(new RatedUsage(segment.Id, segment.VmId, segment.FacilityId, period.SourceId, covered, pieceUntil));
                foreach (var (resourceClass, quantity) in segment.Size.NonZero())
                {
                    // A standard class is always priced where prices are in force (catalogues price the four; terms may make one free).
                    if (period.Prices[resourceClass] == 0 && !ResourceClasses.IsStandard(resourceClass))
                    {
                        throw new UnpricedUsageException(segment.FacilityId, covered, resourceClass);
                    }
                    var key = (segment.FacilityId, resourceClass, period.SourceId, lineFrom);
                    if (!lines.TryGetValue(key, out var line))
                    {
                        lines[key] = line = new LineBuilder(segment.FacilityId, resourceClass, lineFrom, lineUntil, period, Divisor(classes.IsHourly(resourceClass), month));
                    }
                    line.ResourceSeconds += quantity * seconds;
                }
                covered = pieceUntil;
                if (covered >= until)
                {
                    break;
                }
            }
            if (covered < until)
            {
                throw new UnpricedUsageException(segment.FacilityId, covered);
            }
        }
        return new RatedMonth(
            Joined(lines.Values).OrderBy(l => l.FacilityId).ThenBy(l => ResourceClasses.DisplayRank(l.ResourceClass)).ThenBy(l => l.ResourceClass, StringComparer.Ordinal)
                .ThenBy(l => l.From).Select(l => l.Build()).ToList(),
            usages);
    }

    /// <summary>
    /// One line where a class's price did not change: a period cut only because another class's price changed (a GPU's list
    /// price under an agreement) leaves the other classes' lines whole, rounded once, as before the cut.
    /// </summary>
    private static IEnumerable<LineBuilder> Joined(IEnumerable<LineBuilder> lines)
    {
        foreach (var sameSource in lines.GroupBy(l => (l.FacilityId, l.ResourceClass, l.SourceId)))
        {
            LineBuilder? current = null;
            foreach (var line in sameSource.OrderBy(l => l.From))
            {
                if (current is not null && current.Until == line.From && current.UnitPriceXof == line.UnitPriceXof && current.Divisor == line.Divisor)
                {
                    current.Until = line.Until;
                    current.ResourceSeconds += line.ResourceSeconds;
                    continue;
                }
                if (current is not null)
                {
                    yield return current;
                }
                current = line;
            }
            yield return current!;
        }
    }

    private sealed class LineBuilder(Guid facilityId, string resourceClass, DateTime from, DateTime until, PricePeriod period, long divisor)
    {
        public Guid FacilityId { get; } = facilityId;
        public string ResourceClass { get; } = resourceClass;
        public Guid SourceId => period.SourceId;
        public DateTime From { get; } = from;
        public DateTime Until { get; set; } = until;
        public long UnitPriceXof => period.Prices[ResourceClass];
        public long Divisor { get; } = divisor;
        public long ResourceSeconds { get; set; }

        public RatedLine Build() => new(FacilityId, ResourceClass, From, Until, period.Source, period.SourceId, UnitPriceXof, Divisor,
            ResourceSeconds, Amount(ResourceSeconds, UnitPriceXof, Divisor));
    }
}
