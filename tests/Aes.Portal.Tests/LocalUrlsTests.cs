using Aes.ServiceDefaults.Web;

namespace Aes.Portal.Tests;

/// <summary>Return addresses after sign-in: the disguises browsers read as another site are refused.</summary>
public sealed class LocalUrlsTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/mes-vm")]
    [InlineData("/demandes/3?onglet=journal")]
    [InlineData("/%2F/evil.example")]
    public void A_path_on_this_site_is_kept(string url) => Assert.Equal(url, LocalUrls.LocalOrHome(url));

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/\\/evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("https://evil.example")]
    [InlineData("evil.example")]
    [InlineData(" //evil.example")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_that_could_leave_the_site_becomes_the_home_page(string? url) => Assert.Equal("/", LocalUrls.LocalOrHome(url));
}
