using System.Text.RegularExpressions;
using Aes.Testing;
using Microsoft.Playwright;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>
/// What a new user meets: the README's own run commands, started from the repository as the README says,
/// then the portal in Chromium. A run that prints a warning or an error, a page whose stylesheet or script
/// is missing or empty, an error in the browser's console, or a page that never becomes interactive fails.
/// The README's screenshots are taken here (artifacts/screenshots/readme-run).
/// </summary>
public sealed partial class ReadmeRunTests : ChromiumTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    [Fact]
    public async Task The_readme_run_gives_a_working_portal_a_request_goes_from_the_form_to_active_and_nothing_complains()
    {
        await using var run = await ReadmeRun.StartAsync();
        NoComplaints(run);
        Assert.Contains("agent.mef.ml", run.Process.Output); // the demo users, where to sign in, how to stop
        Assert.Contains("Ctrl-C", run.Process.Output);
        Assert.Empty(await PortalAssets.ProblemsAsync(run.PortalAddress, PortalAssets.ManifestIn(LauncherFolder)));

        var (agentContext, agentWatch) = await ContextAsync();
        var agent = await SignInAsync(agentContext, run, "agent.mef.ml", "/demandes/nouvelle");
        await agent.Locator("#vcpu-0").FillAsync("4");
        await agent.Locator("#memory-0").FillAsync("16");
        await agent.Locator("#disk-0").FillAsync("200");
        await agent.Locator("#count-0").FillAsync("3");
        await agent.GetByLabel("sensible").CheckAsync();
        await agent.Locator("#justification").FillAsync("Plateforme e-finances du ministère");
        await Assertions.Expect(agent.Locator(".preview tr[data-facility='ML-BKO-1']")).ToHaveAttributeAsync("data-kept", "true", new() { Timeout = 60_000 });
        await Assertions.Expect(agent.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" })).ToBeEnabledAsync();
        await ScreenshotAsync(agent, "nouvelle-demande");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" }).ClickAsync();
        await agent.WaitForURLAsync(RequestPage());
        var requestId = RequestPage().Match(agent.Url).Groups["id"].Value;
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "awaiting_approval", new() { Timeout = 60_000 });

        var (operatorContext, operatorWatch) = await ContextAsync();
        var operatorPage = await SignInAsync(operatorContext, run, "op.ml", "/operateur/approbations");
        var row = operatorPage.Locator($"tr[data-request-id='{requestId}'] a");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await row.ClickAsync();
        await operatorPage.WaitForURLAsync($"**/demandes/{requestId}");
        await InteractiveAsync(operatorPage);
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Approuver" }).ClickAsync();
        // The operator's own page shows the decision first: when it does not, what it says instead (a refusal) and what the run
        // logged tell why, rather than a requester's page that merely never changed.
        await ExplainedAsync(() => Assertions.Expect(operatorPage.Locator(".status")).Not.ToHaveAttributeAsync("data-status", "awaiting_approval", new() { Timeout = (float)Patience.TotalMilliseconds }),
            operatorPage, run);

        // The requester's page follows without a reload.
        await ExplainedAsync(() => Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "active", new() { Timeout = (float)Patience.TotalMilliseconds }),
            agent, run);
        await ScreenshotAsync(agent, "demande-active");

        // The rest of the README's pictures, from this same run.
        await VisitAsync(operatorPage, run, "/operateur/capacite", "capacite");
        await VisitAsync(operatorPage, run, "/accords", "accords");
        await VisitAsync(operatorPage, run, "/factures", null);
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Préparer les factures du mois" }).ClickAsync();
        await Assertions.Expect(operatorPage.Locator("article.invoice td", new() { HasText = "ML-BKO-1" }).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await ScreenshotAsync(operatorPage, "factures");
        var (auditorContext, auditorWatch) = await ContextAsync();
        await ScreenshotAsync(await SignInAsync(auditorContext, run, "audit.ml", "/audit"), "audit");

        string[] seen = [.. await agentWatch.ProblemsAsync(), .. await operatorWatch.ProblemsAsync(), .. await auditorWatch.ProblemsAsync()];
        Assert.True(seen.Length == 0, string.Join("\n", seen));
        Assert.Equal(0, await run.StopAsync());
        NoComplaints(run);
    }

    [Fact]
    public async Task The_readme_distributed_run_serves_every_asset_starts_and_stops_without_a_complaint_and_its_pages_are_interactive()
    {
        await using var run = await ReadmeRun.StartAsync(distributed: true);
        NoComplaints(run);
        Assert.Contains("agent.mef.ml", run.Process.Output);
        Assert.Empty(await PortalAssets.ProblemsAsync(run.PortalAddress, PortalAssets.ManifestIn(LauncherFolder)));

        var (context, watch) = await ContextAsync();
        var agent = await SignInAsync(context, run, "agent.mef.ml", "/demandes/nouvelle");
        await agent.Locator("#vcpu-0").FillAsync("2");
        await Assertions.Expect(agent.Locator(".preview-outcome")).ToHaveAttributeAsync("data-outcome", "placed", new() { Timeout = 60_000 });
        var seen = await watch.ProblemsAsync();
        Assert.True(seen.Count == 0, string.Join("\n", seen));

        Assert.Equal(0, await run.StopAsync());
        NoComplaints(run);
    }

    /// <summary>No warning or failure in the run's log; each one printed whole when there is one.</summary>
    private static void NoComplaints(ReadmeRun run)
    {
        var complaints = run.Complaints();
        Assert.True(complaints.Count == 0, string.Join("\n", complaints));
    }

    private static string LauncherFolder => Path.Combine(RepositoryPaths.Root, "deploy", "Aes.Embedded", "bin", ServiceProcess.BuildConfiguration, "net10.0");

    private async Task<(IBrowserContext Context, BrowserWatch Watch)> ContextAsync()
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 }, Locale = "fr-FR" });
        return (context, BrowserWatch.On(context));
    }

    private static async Task<IPage> SignInAsync(IBrowserContext context, ReadmeRun run, string user, string path)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(run.PortalAddress + path);
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync("aes-demo-2026");
        // The first sign-in of a freshly started run may wait on the identity service's first answers far past
        // Playwright's 30 s default for the navigation a click starts.
        await page.Locator("button[type=submit]").ClickAsync(new() { Timeout = (float)Patience.TotalMilliseconds });
        await page.WaitForURLAsync(run.PortalAddress + path, new() { Timeout = (float)Patience.TotalMilliseconds });
        await InteractiveAsync(page);
        return page;
    }

    private static async Task ExplainedAsync(Func<Task> expectation, IPage page, ReadmeRun run)
    {
        try
        {
            await expectation();
        }
        catch (PlaywrightException failure)
        {
            var shown = await page.Locator("main").InnerTextAsync();
            var logged = string.Join('\n', run.Process.Output.Split('\n').TakeLast(40));
            throw new Xunit.Sdk.XunitException($"{failure.Message}\n--- the page shows:\n{shown}\n--- the run's last lines:\n{logged}");
        }
    }

    private static async Task VisitAsync(IPage page, ReadmeRun run, string path, string? screenshot)
    {
        await page.GotoAsync(run.PortalAddress + path);
        await InteractiveAsync(page);
        if (screenshot is not null)
        {
            await ScreenshotAsync(page, screenshot);
        }
    }

    /// <summary>A page is interactive once Blazor's live connection is up, which the layout says; without its script it never is.</summary>
    private static Task InteractiveAsync(IPage page) =>
        Assertions.Expect(page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = (float)Patience.TotalMilliseconds });

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots", "readme-run");
        Directory.CreateDirectory(folder);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    [GeneratedRegex("/demandes/(?<id>[0-9a-f-]{36})$")]
    private static partial Regex RequestPage();
}
