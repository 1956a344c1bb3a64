using Aes.Provisioning.Application;

namespace Aes.Provisioning.Tests;

public sealed class VmNameTests
{
    [Fact]
    public void Requests_made_in_the_same_moment_give_their_vms_different_names()
    {
        var at = DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var names = Enumerable.Range(0, 200).Select(_ => VmNames.For("MEF", Guid.CreateVersion7(at), 1, 1)).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name => Assert.Matches("^mef-[0-9a-f]{8}-1-1$", name));
    }

    [Fact]
    public void A_name_says_the_line_and_the_rank_within_it()
    {
        var request = Guid.CreateVersion7();

        Assert.Equal(VmNames.For("ANSI", request, 2, 3)[..^4], VmNames.For("ANSI", request, 1, 1)[..^4]);
        Assert.EndsWith("-2-3", VmNames.For("ANSI", request, 2, 3), StringComparison.Ordinal);
    }
}
