using Aes.EndToEnd.Tests.Hosting;
using Aes.Testing;
using Microsoft.Playwright;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>
/// The portal in a real browser: Debian's chromium driven by Playwright, signing in at the confederal
/// issuer with the demo users. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class PortalBrowserTests(EmbeddedProvisioningMarketplace m) : IClassFixture<EmbeddedProvisioningMarketplace>, IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task An_agent_signs_in_and_follows_their_agencys_requests_without_reloading_and_never_sees_another_agencys()
    {
        var submitted = await m.SubmitAsync(m.Request("ML/MEF", "internal"));
        var page = await SignedInAsync("agent.mef.ml", "/demandes");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Mes demandes d'hébergement" })).ToBeVisibleAsync();
        var row = page.Locator($"tr[data-request-id='{submitted.Id}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Screenshot(page, "demandes-agent");

        // An operator approves elsewhere: the page shows it without a reload.
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync("awaiting_approval", new() { Timeout = 15_000 });
        await m.RejectIfOpenAsync(submitted.Id, "op.ml");
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync("rejected", new() { Timeout = 15_000 });

        var stranger = await SignedInAsync("agent.anptic.bf", "/demandes");
        await Assertions.Expect(stranger.GetByRole(AriaRole.Heading, new() { Name = "Mes demandes d'hébergement" })).ToBeVisibleAsync();
        await Assertions.Expect(stranger.Locator($"tr[data-request-id='{submitted.Id}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_home_page_speaks_french_first_and_english_on_request()
    {
        var page = await (await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 } })).NewPageAsync();
        await page.GotoAsync(m.PortalAddress);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Centres de données" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Datacenters" })).ToBeVisibleAsync();
        await page.GotoAsync(m.PortalAddress);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Datacenters" })).ToBeVisibleAsync();
        await Screenshot(page, "accueil-en");
    }

    /// <summary>A fresh browser session signed in as <paramref name="user"/> at the issuer's page, back on <paramref name="path"/>.</summary>
    private async Task<IPage> SignedInAsync(string user, string path)
    {
        var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(m.PortalAddress + path);
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync("aes-demo-2026");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(m.PortalAddress + path);
        return page;
    }

    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
