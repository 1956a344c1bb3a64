using Aes.Testing;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>Journey 9, repatriation campaigns (ADR 051): the tests are in RepatriationTests.Campaigns.cs.</summary>
public sealed partial class RepatriationTests(RepatriationMarketplace m) : IClassFixture<RepatriationMarketplace>
{
    private readonly string _folder = Infra.NewTempFolder("aes-repatriation");
}
