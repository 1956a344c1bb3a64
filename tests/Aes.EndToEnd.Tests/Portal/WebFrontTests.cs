using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aes.EndToEnd.Tests.Hosting;
using Aes.Testing;
using Microsoft.Playwright;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>
/// The embedded marketplace with 127.0.0.9 named as its reverse proxy and a small limit on what needs no
/// sign-in, so that an attacker from another loopback address (127.0.0.66, 127.0.0.77…) can be played.
/// </summary>
public sealed class WebFrontMarketplace : ProvisioningMarketplace
{
    public const string Proxy = "127.0.0.9";
    public const int AnonymousPermitsPerMinute = 400;
    protected override bool OnPostgres => false;
    protected override string[] ExtraArguments =>
        [$"--WebFront:KnownProxies:0={Proxy}", $"--WebFront:AnonymousPermitsPerMinute={AnonymousPermitsPerMinute}"];
}

/// <summary>The portal and the issuer's pages as the internet sees them: each test plays an attacker, in Chromium where a browser is what matters.</summary>
public sealed partial class WebFrontTests(WebFrontMarketplace m) : ChromiumTests, IClassFixture<WebFrontMarketplace>
{
    private const string DemoPassword = "aes-demo-2026";

    [Fact]
    public async Task After_sign_in_the_return_address_stays_on_the_portal_whatever_its_disguise()
    {
        var page = await SignedInAsync("agent.mef.ml", "/cles-ssh");
        string[] disguises =
        [
            "/\\evil.example", "//evil.example", "/\\/evil.example", "/\t/evil.example", "/\n/evil.example",
            "\\\\evil.example", "https://evil.example/", "http:evil.example", " //evil.example",
        ];
        var portal = new Uri(m.PortalAddress);
        foreach (var disguise in disguises)
        {
            string landed;
            try
            {
                await page.GotoAsync(m.PortalAddress + "/connexion?retour=" + Uri.EscapeDataString(disguise));
                await page.WaitForLoadStateAsync(LoadState.Load);
                landed = page.Url;
            }
            catch (PlaywrightException left)
            {
                landed = $"{page.Url} ({left.Message.Split('\n')[0]})";
            }
            Assert.True(Uri.TryCreate(landed, UriKind.Absolute, out var at) && at.Authority == portal.Authority,
                $"retour={JsonSerializer.Serialize(disguise)} sent the browser to {landed}");
        }
        // A real path on the portal is still where the person comes back to.
        await page.GotoAsync(m.PortalAddress + "/connexion?retour=" + Uri.EscapeDataString("/vms"));
        await page.WaitForURLAsync(m.PortalAddress + "/vms");
    }

    [Fact]
    public async Task Signing_out_ends_the_issuers_session_so_the_next_sign_in_asks_for_the_password()
    {
        var page = await SignedInAsync("admin.mef.ml", "/membres");
        await page.GetByRole(AriaRole.Button, new() { Name = "Se déconnecter" }).ClickAsync();
        await page.WaitForURLAsync(m.PortalAddress + "/");

        await page.GotoAsync(m.PortalAddress + "/connexion");
        await Assertions.Expect(page.Locator("#password")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.StartsWith(m.TenancyHttpAddress + "account/login", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers_the_portal_works_under_its_policy_and_no_site_can_frame_it()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        foreach (var address in new[] { m.PortalAddress + "/", m.PortalAddress + "/connexion", m.PortalAddress + "/app.css", m.PortalAddress + "/nulle-part",
                     m.PortalAddress + "/api/v1/openapi.json", m.TenancyHttpAddress + "account/login", m.TenancyHttpAddress + ".well-known/openid-configuration" })
        {
            using var answer = await http.GetAsync(address);
            Assert.True(answer.Headers.TryGetValues("X-Content-Type-Options", out var sniff) && sniff.Single() == "nosniff", $"{address}: no nosniff");
            Assert.True(answer.Headers.TryGetValues("Content-Security-Policy", out var policy) && policy.Single().Contains("frame-ancestors 'none'", StringComparison.Ordinal),
                $"{address}: no frame-ancestors 'none'");
            // Plain http from a browser (no proxy saying otherwise): HSTS there would be ignored, and wrong.
            Assert.False(answer.Headers.Contains("Strict-Transport-Security"), $"{address}: HSTS over http");
        }

        var violations = new List<string>();
        var page = await SignedInAsync("agent.mef.ml", "/demandes/nouvelle", violations);
        await page.GotoAsync(m.PortalAddress + "/vms");
        await Assertions.Expect(page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 60_000 });
        Assert.Empty(violations);

        var framer = await (await Browser.NewContextAsync()).NewPageAsync();
        var refusals = new List<string>();
        framer.Console += (_, message) => refusals.Add(message.Text);
        await framer.SetContentAsync($"<html><body><iframe id='portal' src='{m.PortalAddress}/'></iframe></body></html>");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var framed = framer.Frames.Single(frame => frame != framer.MainFrame);
        Assert.DoesNotContain("AES", await framed.EvaluateAsync<string>("document.title"));
    }

    [Fact]
    public async Task Behind_the_named_proxy_addresses_are_https_cookies_secure_and_hsts_sent_and_nobody_else_can_claim_it()
    {
        using var viaProxy = From(WebFrontMarketplace.Proxy);
        using var direct = From("127.0.0.1");

        using var challenged = await viaProxy.SendAsync(Forwarded(HttpMethod.Get, m.PortalAddress + "/connexion"));
        Assert.Equal(HttpStatusCode.Redirect, challenged.StatusCode);
        var redirectUri = System.Web.HttpUtility.ParseQueryString(challenged.Headers.Location!.Query)["redirect_uri"];
        Assert.Equal($"https://{new Uri(m.PortalAddress).Authority}/signin-oidc", redirectUri);
        Assert.All(challenged.Headers.GetValues("Set-Cookie"), cookie => Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("max-age=", challenged.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);

        using var signedIn = await PostLoginAsync(viaProxy, "op.ml", DemoPassword, forwarded: true);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Contains(signedIn.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith("aes.login=", StringComparison.Ordinal) && cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));

        // The same headers from an address that is not the proxy change nothing.
        using var forged = await direct.SendAsync(Forwarded(HttpMethod.Get, m.PortalAddress + "/connexion"));
        Assert.StartsWith("http://", System.Web.HttpUtility.ParseQueryString(forged.Headers.Location!.Query)["redirect_uri"], StringComparison.Ordinal);
        Assert.False(forged.Headers.Contains("Strict-Transport-Security"));
        using var forgedSignIn = await PostLoginAsync(direct, "op.bf", DemoPassword, forwarded: true);
        Assert.Contains(forgedSignIn.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith("aes.login=", StringComparison.Ordinal)
            && !cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Guessing_one_accounts_password_locks_it_and_the_person_is_told_until_when_in_french_and_english()
    {
        var context = await Browser.NewContextAsync(new() { Locale = "fr-FR" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(m.PortalAddress + "/connexion");
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await page.Locator("#username").FillAsync("audit.ne");
            await page.Locator("#password").FillAsync($"devine-{attempt}");
            await page.Locator("button[type=submit]").ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Identifiant ou mot de passe incorrect");
        }
        // Now even the right password is refused, with the reason and the time it ends.
        await page.Locator("#username").FillAsync("audit.ne");
        await page.Locator("#password").FillAsync(DemoPassword);
        await page.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator(".error[lang=fr]")).ToContainTextAsync(LockedUntil());
        await Assertions.Expect(page.Locator(".error[lang=fr]")).ToContainTextAsync("pour ce compte");
        await Assertions.Expect(page.Locator(".error[lang=en]")).ToContainTextAsync("this account: it is locked until");
        Assert.StartsWith(m.TenancyHttpAddress + "account/login", page.Url, StringComparison.Ordinal);
        await Screenshot(page, "connexion-verrouillee");

        // Another account from the same browser is not held back by it.
        using var flow = new CodeFlowClient(m.TenancyHttpAddress);
        Assert.NotEmpty(await flow.AccessTokenForAsync("audit.ml", DemoPassword));
    }

    [Fact]
    public async Task Guessing_across_accounts_from_one_address_locks_that_address_only()
    {
        using var attacker = From("127.0.0.66");
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var refused = await PostLoginAsync(attacker, $"devine-{attempt}@{Guid.NewGuid():N}", "mot-de-passe", forwarded: false);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using var locked = await PostLoginAsync(attacker, "audit.bf", DemoPassword, forwarded: false);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        var page = await locked.Content.ReadAsStringAsync();
        Assert.Contains("depuis votre adresse", page);
        Assert.Contains("from your address", page);
        Assert.DoesNotContain(locked.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], cookie => cookie.StartsWith("aes.login=", StringComparison.Ordinal));

        using var elsewhere = From("127.0.0.67");
        using var allowed = await PostLoginAsync(elsewhere, "audit.bf", DemoPassword, forwarded: false);
        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
    }

    [Fact]
    public async Task What_needs_no_sign_in_is_limited_per_address_before_any_token_is_read_and_a_forged_forwarded_for_does_not_escape_it()
    {
        using var attacker = From("127.0.0.77");
        foreach (var address in new[] { m.TenancyHttpAddress + ".well-known/openid-configuration", m.PortalAddress + "/" })
        {
            HttpResponseMessage? limited = null;
            // Twice the bucket: the sixth of it that comes back every ten seconds while the flood is sent cannot hide the limit.
            for (var sent = 0; sent < 2 * WebFrontMarketplace.AnonymousPermitsPerMinute && limited is null; sent++)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, address);
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "pas.un.jeton");
                request.Headers.Add("X-Forwarded-For", $"203.0.113.{sent % 250}");
                var answer = await attacker.SendAsync(request);
                if (answer.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    limited = answer;
                }
                else
                {
                    Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                    answer.Dispose();
                }
            }
            Assert.NotNull(limited);
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);
            var problem = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains("Trop de requêtes depuis votre adresse", problem.GetProperty("detailFr").GetString());
            Assert.Contains("Too many requests from your address", problem.GetProperty("detailEn").GetString());
            Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
            limited.Dispose();

            // Everyone else is still served.
            using var neighbour = From("127.0.0.78");
            Assert.Equal(HttpStatusCode.OK, (await neighbour.GetAsync(address)).StatusCode);
        }
    }

    private async Task<IPage> SignedInAsync(string user, string path, List<string>? policyViolations = null)
    {
        var context = await Browser.NewContextAsync(new() { Locale = "fr-FR" });
        var page = await context.NewPageAsync();
        if (policyViolations is not null)
        {
            page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                {
                    policyViolations.Add(message.Text);
                }
            };
        }
        await page.GotoAsync(m.PortalAddress + path);
        try
        {
            await page.Locator("#username").WaitForAsync(new() { Timeout = 60_000 });
        }
        catch (TimeoutException)
        {
            var shown = await page.ContentAsync();
            throw new TimeoutException($"no sign-in form at {page.Url}: {shown[..Math.Min(shown.Length, 1500)]}");
        }
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync(DemoPassword);
        await page.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(m.PortalAddress + path);
        await Assertions.Expect(page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 60_000 });
        return page;
    }

    [GeneratedRegex(@"verrouillé jusqu'à \d\d:\d\d UTC")]
    private static partial Regex LockedUntil();

    /// <summary>An HTTP client whose connections leave from one loopback address, as if from another machine.</summary>
    private static HttpClient From(string source) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    /// <summary>What the ingress adds: the browser came over https.</summary>
    private static HttpRequestMessage Forwarded(HttpMethod method, string address)
    {
        var request = new HttpRequestMessage(method, address);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "198.51.100.7");
        return request;
    }

    /// <summary>The issuer's sign-in form, by hand: its page, its anti-forgery cookie and token, the post.</summary>
    private async Task<HttpResponseMessage> PostLoginAsync(HttpClient http, string userName, string password, bool forwarded)
    {
        var address = m.TenancyHttpAddress + "account/login";
        using var page = await http.SendAsync(forwarded ? Forwarded(HttpMethod.Get, address) : new HttpRequestMessage(HttpMethod.Get, address));
        var html = await page.Content.ReadAsStringAsync();
        var fields = HiddenField().Matches(html).ToDictionary(match => WebUtility.HtmlDecode(match.Groups[1].Value), match => WebUtility.HtmlDecode(match.Groups[2].Value));
        fields["username"] = userName;
        fields["password"] = password;
        var post = forwarded ? Forwarded(HttpMethod.Post, address) : new HttpRequestMessage(HttpMethod.Post, address);
        post.Content = new FormUrlEncodedContent(fields);
        post.Headers.Add("Cookie", string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(cookie => cookie.Split(';')[0])));
        return await http.SendAsync(post);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenField();

    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
