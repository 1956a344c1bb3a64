using Aes.Contracts;
using Aes.Billing.Domain;

namespace Aes.Billing.Tests;

public sealed class UsageTimelineTests
{
    private static ResourceVector Size(long vcpu, long memoryGib, long storageGib, long publicIpv4) => ResourceVector.Standard(vcpu, memoryGib, storageGib, publicIpv4);

    private static readonly Guid Vm = Guid.Parse("6f1c2a8e-0000-4000-8000-000000000001");
    private static readonly ResourceVector Small = Size(4, 16, 200, 0), Large = Size(8, 32, 200, 1);
    private static readonly DateTime Start = new(2026, 10, 3, 8, 15, 30, 250, DateTimeKind.Utc);

    private static UsageEvent Activated(DateTime at, ResourceVector size) => new() { VmId = Vm, Kind = UsageEventKind.Activated, OccurredAt = at, Size = size };
    private static UsageEvent Resized(DateTime at, ResourceVector from, ResourceVector to) => new() { VmId = Vm, Kind = UsageEventKind.Resized, OccurredAt = at, Size = to, OldSize = from };
    private static UsageEvent Decommissioned(DateTime at, ResourceVector size) =>
        new() { VmId = Vm, Kind = UsageEventKind.Decommissioned, OccurredAt = at, Size = size, ActivatedAt = Start };

    [Fact]
    public void A_resized_then_decommissioned_vm_has_one_period_per_size_cut_to_the_second()
    {
        var pieces = UsageTimeline.Build(Vm, [Activated(Start, Small), Resized(Start.AddDays(10), Small, Large), Decommissioned(Start.AddDays(20), Large)]);

        Assert.Equal(2, pieces.Count);
        Assert.Equal(new DateTime(2026, 10, 3, 8, 15, 30, DateTimeKind.Utc), pieces[0].From);
        Assert.Equal(new DateTime(2026, 10, 13, 8, 15, 30, DateTimeKind.Utc), pieces[0].Until);
        Assert.Equal(Small, pieces[0].Size);
        Assert.Equal(pieces[0].Until, pieces[1].From);
        Assert.Equal(new DateTime(2026, 10, 23, 8, 15, 30, DateTimeKind.Utc), pieces[1].Until);
        Assert.Equal(Large, pieces[1].Size);
    }

    [Fact]
    public void Any_arrival_order_and_any_repetition_gives_the_same_periods()
    {
        UsageEvent[] events = [Activated(Start, Small), Resized(Start.AddDays(10), Small, Large), Decommissioned(Start.AddDays(20), Large)];
        var expected = UsageTimeline.Build(Vm, events);
        foreach (var order in Permutations(events))
        {
            Assert.Equal(expected, UsageTimeline.Build(Vm, order));
            Assert.Equal(expected, UsageTimeline.Build(Vm, [.. order, .. order, order[0]]));
        }
    }

    [Fact]
    public void A_decommission_seen_before_its_activation_already_bills_the_whole_life_and_the_activation_changes_nothing()
    {
        var early = UsageTimeline.Build(Vm, [Decommissioned(Start.AddHours(5), Small)]);
        var complete = UsageTimeline.Build(Vm, [Decommissioned(Start.AddHours(5), Small), Activated(Start, Small)]);

        var piece = Assert.Single(early);
        Assert.Equal(UsageTimeline.ToSecond(Start), piece.From);
        Assert.Equal(UsageTimeline.ToSecond(Start.AddHours(5)), piece.Until);
        Assert.Equal(early, complete);
    }

    [Fact]
    public void A_resize_seen_before_its_activation_keeps_the_old_size_from_the_start()
    {
        var pieces = UsageTimeline.Build(Vm, [Resized(Start.AddDays(1), Small, Large), Activated(Start, Small)]);
        Assert.Equal([Small, Large], pieces.Select(p => p.Size));
        Assert.Null(pieces[1].Until);
    }

    [Fact]
    public void A_period_keeps_its_id_when_later_events_close_it()
    {
        var running = UsageTimeline.Build(Vm, [Activated(Start, Small)]);
        var ended = UsageTimeline.Build(Vm, [Activated(Start, Small), Decommissioned(Start.AddDays(3), Small)]);
        Assert.Equal(running[0].Id, ended[0].Id);
        Assert.NotEqual(running[0].Id, UsageTimeline.PieceId(Guid.NewGuid(), running[0].From));
    }

    private static IEnumerable<UsageEvent[]> Permutations(UsageEvent[] events) =>
        events.Length <= 1 ? [events] : events.SelectMany((e, i) => Permutations([.. events[..i], .. events[(i + 1)..]]).Select(rest => (UsageEvent[])[e, .. rest]));
}
