using Aes.Messaging;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Playwright;
using P = Aes.Contracts.Provisioning.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>
/// Signing in to the portal at a state's own identity provider: the README's run with Burkina Faso's provider
/// trusted for BF and offered at sign-in (the portal has a client there). Burkina's provider is the tests' own
/// issuer speaking OpenID Connect (code flow with PKCE), as a state's Keycloak or similar would; the marketplace,
/// the portal and Chromium are real.
/// </summary>
public sealed class StateSignInTests : ChromiumTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "aes-state-sign-in-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_burkina_agent_linked_by_burkinas_operator_in_the_portal_signs_in_at_burkinas_provider_and_works_in_burkinas_agency_only()
    {
        await using var burkina = await TestIssuer.StartAsync();
        var offset = EmbeddedMarketplace.FreePortOffset();
        var portal = $"http://127.0.0.1:{ResourceNames.LocalPorts[ResourceNames.Portal].Shift(offset).Http}";
        burkina.RegisterClient("aes-portal", "secret-du-portail-chez-le-burkina", portal + "/signin-oidc-bf");
        await using var m = await EmbeddedMarketplace.StartAsync(_data, offset,
            $"--Identity:TrustedIssuers:bf:Issuer={burkina.Url}", "--Identity:TrustedIssuers:bf:State=BF",
            "--Identity:TrustedIssuers:bf:PortalClientId=aes-portal", "--Identity:TrustedIssuers:bf:PortalClientSecret=secret-du-portail-chez-le-burkina");
        var tenancy = new T.TenancyService.TenancyServiceClient(m.Channel(ResourceNames.Tenancy));
        var users = (await tenancy.ListUsersAsync(new T.ListUsersRequest())).Users.ToDictionary(u => u.UserName, u => u.Id);
        var agencies = (await tenancy.ListAgenciesAsync(new T.ListAgenciesRequest())).Agencies.ToDictionary(a => $"{a.StateCode}/{a.Code}", a => a.Id);
        var anptic = agencies["BF/ANPTIC"];

        // Aminata's account at Burkina's provider, which gives her the role she holds in Burkina's ANPTIC.
        var subject = $"aminata.ouedraogo.{Guid.NewGuid():N}";
        burkina.AddAccount(subject, [KeyValuePair.Create<string, object>("name", "A. Ouédraogo (fournisseur BF)"),
            KeyValuePair.Create<string, object>("role", "Requester"), KeyValuePair.Create<string, object>("aes_state", "BF"),
            KeyValuePair.Create<string, object>("aes_grant", $"Requester:BF:{anptic}"),
            // What the provider's id_token claims besides: nobody checks it, so the portal must not believe it.
            KeyValuePair.Create<string, object>(TestIssuer.IdTokenOnly + "role", "ConfederalAdministrator"),
            KeyValuePair.Create<string, object>(TestIssuer.IdTokenOnly + "aes_grant", "ConfederalAdministrator::")]);
        // An account of Burkina's provider that claims a Malian ministry: Burkina's provider cannot speak for Mali.
        var intruder = $"intrus.{Guid.NewGuid():N}";
        burkina.AddAccount(intruder, [KeyValuePair.Create<string, object>("role", "Requester"), KeyValuePair.Create<string, object>("aes_state", "ML"),
            KeyValuePair.Create<string, object>("aes_grant", $"Requester:ML:{agencies["ML/MEF"]}")]);

        // The sign-in asks where the account is; Aminata's is not linked yet: she is told so, with what to give her operator.
        var (aminataContext, aminataWatch) = await ContextAsync();
        var aminata = await aminataContext.NewPageAsync();
        await SignInAtBurkinaAsync(aminata, portal, "/demandes", subject);
        await aminata.WaitForURLAsync($"{portal}/connexion/compte-non-lie**", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(aminata.GetByRole(AriaRole.Alert)).ToContainTextAsync("n'ouvre pas la place de marché");
        await Assertions.Expect(aminata.Locator("code.external-subject")).ToHaveTextAsync(subject);
        Assert.DoesNotContain(await aminataContext.CookiesAsync([portal]), cookie => cookie.Name.StartsWith("aes.portal", StringComparison.Ordinal));

        // Burkina's operator, signed in with the confederation's account, links it to Aminata Ouédraogo.
        var (operatorContext, operatorWatch) = await ContextAsync();
        var operatorPage = await operatorContext.NewPageAsync();
        await operatorPage.GotoAsync(portal + "/operateur/comptes-lies");
        await operatorPage.Locator($"a[data-state='AES']").ClickAsync();
        await operatorPage.Locator("#username").FillAsync("op.bf");
        await operatorPage.Locator("#password").FillAsync("aes-demo-2026");
        await operatorPage.Locator("button[type=submit]").ClickAsync();
        await operatorPage.WaitForURLAsync(portal + "/operateur/comptes-lies", new() { Timeout = (float)Patience.TotalMilliseconds });
        await InteractiveAsync(operatorPage);
        await Assertions.Expect(operatorPage.GetByLabel("Fournisseur", new() { Exact = true })).ToHaveValueAsync(burkina.Url);
        await operatorPage.GetByLabel("Identifiant chez le fournisseur (sub)").FillAsync(subject);
        await operatorPage.GetByLabel("Utilisateur AES").SelectOptionAsync(new SelectOptionValue { Label = "Aminata Ouédraogo (agent.anptic.bf)" });
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Lier", Exact = true }).ClickAsync();
        await Assertions.Expect(operatorPage.Locator($"tr[data-subject='{subject}']")).ToContainTextAsync("agent.anptic.bf", new() { Timeout = 60_000 });

        // Now her provider's account signs her in as Aminata Ouédraogo, in ANPTIC: she asks for a VM there.
        await SignInAtBurkinaAsync(aminata, portal, "/demandes/nouvelle", subject);
        await aminata.WaitForURLAsync(portal + "/demandes/nouvelle", new() { Timeout = (float)Patience.TotalMilliseconds });
        await InteractiveAsync(aminata);
        await Assertions.Expect(aminata.Locator(".who")).ToHaveTextAsync("Aminata Ouédraogo");
        // A requester, as her access token says: the confederal administrator her id_token claims to be opens no page.
        await Assertions.Expect(aminata.GetByRole(AriaRole.Link, new() { Name = "Mes demandes" })).ToBeVisibleAsync();
        await Assertions.Expect(aminata.GetByRole(AriaRole.Link, new() { Name = "Capacité confédérale" })).ToHaveCountAsync(0);
        await Assertions.Expect(aminata.GetByRole(AriaRole.Link, new() { Name = "Journal d'audit" })).ToHaveCountAsync(0);
        await aminata.Locator("#vcpu-0").FillAsync("2");
        var justification = $"Portail des services publics {Guid.NewGuid():N}";
        await aminata.Locator("#justification").FillAsync(justification);
        await Assertions.Expect(aminata.Locator(".preview-outcome")).ToHaveAttributeAsync("data-outcome", "placed", new() { Timeout = 60_000 });
        await aminata.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" }).ClickAsync();
        await aminata.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/demandes/[0-9a-f-]{36}$"), new() { Timeout = (float)Patience.TotalMilliseconds });
        var provisioning = new P.ProvisioningService.ProvisioningServiceClient(m.Channel(ResourceNames.Provisioning));
        var hers = Assert.Single((await provisioning.ListRequestsAsync(new P.ListRequestsRequest { AgencyId = anptic })).Requests, r => r.Justification == justification);
        Assert.Equal(users["agent.anptic.bf"], hers.SubmittedByUserId);

        // Of Mali's ministry she sees nothing: neither its request's page nor its quota.
        var malian = await provisioning.SubmitRequestAsync(new P.SubmitRequestRequest
        {
            RequestId = Guid.NewGuid().ToString(), ActorUserId = users["agent.mef.ml"], AgencyId = agencies["ML/MEF"],
            ProjectId = (await tenancy.ListProjectsAsync(new T.ListProjectsRequest { AgencyId = agencies["ML/MEF"] })).Projects[0].Id,
            Classification = "internal", Justification = "budget de l'État",
            Vms = { new P.VmSpec { Resources = { ByClassWire.Size<P.ResourceAmount>(1, 2, 20) }, Image = "debian-12", Count = 1 } },
            Deadline = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(1)),
        });
        await aminata.GotoAsync($"{portal}/demandes/{malian.Id}");
        await Assertions.Expect(aminata.GetByRole(AriaRole.Alert)).ToContainTextAsync("n'existe pas ou ne vous est pas accessible", new() { Timeout = 60_000 });
        await Assertions.Expect(aminata.Locator(".status")).ToHaveCountAsync(0);
        await aminata.GotoAsync(portal + "/demandes");
        await Assertions.Expect(aminata.Locator($"a[href='/demandes/{hers.Id}']")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(aminata.Locator($"a[href='/demandes/{malian.Id}']")).ToHaveCountAsync(0);

        // Signing out ends her session at Burkina's provider too, and brings her back to the portal signed out.
        await aminata.GetByRole(AriaRole.Button, new() { Name = "Se déconnecter" }).ClickAsync();
        await aminata.WaitForURLAsync(portal + "/", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(aminata.GetByRole(AriaRole.Link, new() { Name = "Se connecter" })).ToBeVisibleAsync();
        Assert.Equal(1, burkina.SessionsEnded);

        // Burkina's provider vouching for a Malian ministry's agent gets no one in, even for an account Burkina's operator linked.
        await operatorPage.GetByLabel("Identifiant chez le fournisseur (sub)").FillAsync(intruder);
        await operatorPage.GetByLabel("Utilisateur AES").SelectOptionAsync(new SelectOptionValue { Label = "Issouf Sawadogo (admin.anptic.bf)" });
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Lier", Exact = true }).ClickAsync();
        await Assertions.Expect(operatorPage.Locator($"tr[data-subject='{intruder}']")).ToContainTextAsync("admin.anptic.bf", new() { Timeout = 60_000 });
        var (intruderContext, intruderWatch) = await ContextAsync();
        var intruderPage = await intruderContext.NewPageAsync();
        await SignInAtBurkinaAsync(intruderPage, portal, "/demandes", intruder);
        await intruderPage.WaitForURLAsync($"{portal}/connexion/compte-non-lie**", new() { Timeout = (float)Patience.TotalMilliseconds });
        await intruderPage.GotoAsync(portal + "/demandes");
        await Assertions.Expect(intruderPage.Locator("a[data-state='BF']")).ToBeVisibleAsync();

        string[] seen = [.. await aminataWatch.ProblemsAsync(), .. await operatorWatch.ProblemsAsync(), .. await intruderWatch.ProblemsAsync()];
        // The refused sign-ins are what the test does; anything else the browsers saw is a fault.
        Assert.True(seen.Length == 0, string.Join("\n", seen));
    }

    /// <summary>The portal's sign-in, Burkina's provider chosen, its page filled with the account.</summary>
    private static async Task SignInAtBurkinaAsync(IPage page, string portal, string path, string account)
    {
        await page.GotoAsync(portal + path);
        await page.Locator("a[data-state='BF']").ClickAsync();
        await page.Locator("#state-username").FillAsync(account);
        await page.GetByRole(AriaRole.Button, new() { Name = "Se connecter chez le fournisseur de l'État" }).ClickAsync();
    }

    private async Task<(IBrowserContext Context, BrowserWatch Watch)> ContextAsync()
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 }, Locale = "fr-FR" });
        return (context, BrowserWatch.On(context));
    }

    private static Task InteractiveAsync(IPage page) =>
        Assertions.Expect(page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = (float)Patience.TotalMilliseconds });
}
