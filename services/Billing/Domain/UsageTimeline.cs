using System.Security.Cryptography;
using Aes.Contracts;

namespace Aes.Billing.Domain;

/// <summary>A period a VM ran at one size; Until is null while it runs.</summary>
public sealed record UsagePiece(Guid Id, DateTime From, DateTime? Until, ResourceVector Size);

/// <summary>
/// Turns whatever lifecycle events of one VM have arrived, in any order, into its usage periods.
/// The result depends only on the set of events, never on their arrival order, so replaying the
/// events or receiving them out of order converges to the same periods. Instants are cut to the
/// whole second, the unit usage is metered in.
/// </summary>
public static class UsageTimeline
{
    public static IReadOnlyList<UsagePiece> Build(Guid vmId, IEnumerable<UsageEvent> events)
    {
        var all = events.ToList();
        var activated = all.Where(e => e.Kind == UsageEventKind.Activated).MinBy(e => e.OccurredAt);
        var decommissioned = all.Where(e => e.Kind == UsageEventKind.Decommissioned).MinBy(e => e.OccurredAt);
        var resizes = all.Where(e => e.Kind == UsageEventKind.Resized).OrderBy(e => e.OccurredAt).ToList();

        DateTime? start = activated?.OccurredAt ?? decommissioned?.ActivatedAt ?? resizes.FirstOrDefault()?.OccurredAt;
        if (start is null)
        {
            return [];
        }
        var end = decommissioned is null ? (DateTime?)null : ToSecond(decommissioned.OccurredAt);
        var size = activated?.Size ?? (resizes.Count > 0 ? resizes[0].OldSize : decommissioned!.Size);

        var pieces = new List<UsagePiece>();
        var from = ToSecond(start.Value);
        foreach (var resize in resizes)
        {
            var at = ToSecond(resize.OccurredAt);
            if (at < from || (end is { } stop && at >= stop) || resize.Size == size)
            {
                continue;
            }
            if (at > from)
            {
                pieces.Add(new UsagePiece(PieceId(vmId, from), from, at, size));
            }
            from = at;
            size = resize.Size;
        }
        if (end is null || end > from)
        {
            pieces.Add(new UsagePiece(PieceId(vmId, from), from, end, size));
        }
        return pieces;
    }

    public static DateTime ToSecond(DateTime instant) =>
        new(instant.Ticks - instant.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    /// <summary>Stable across rebuilds, so an invoice line keeps pointing at the period it was rated from.</summary>
    public static Guid PieceId(Guid vmId, DateTime from)
    {
        Span<byte> key = stackalloc byte[24];
        vmId.TryWriteBytes(key);
        BitConverter.TryWriteBytes(key[16..], from.Ticks);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(key, hash);
        return new Guid(hash[..16]);
    }
}
