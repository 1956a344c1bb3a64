using Microsoft.Playwright;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>Debian's chromium through Playwright, nothing downloaded, with the background traffic this closed network refuses turned off.</summary>
public static class Chromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
}
