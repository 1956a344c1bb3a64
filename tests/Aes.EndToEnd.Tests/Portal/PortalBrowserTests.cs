using System.Text;
using Aes.EndToEnd.Tests.Hosting;
using Aes.Testing;
using Microsoft.Playwright;
using Grpc.Core;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests.Portal;

/// <summary>
/// The portal in a real browser: Debian's chromium driven by Playwright, each person signing in at the
/// confederal issuer as the demo user of their role. DOMAIN.md's journeys 1, 2, 4, 5 and 7 go through the
/// pages only; the services are read directly just to check what the pages did. Screenshots go to
/// artifacts/screenshots.
/// </summary>
public sealed class PortalBrowserTests(PortalMarketplace m) : ChromiumTests, IClassFixture<PortalMarketplace>
{
    /// <summary>
    /// How long a page may take to show what changed: it polls every few seconds, and on a loaded CI machine
    /// (the whole suite in parallel on two cores) one poll's calls can take many seconds.
    /// </summary>
    private static readonly LocatorAssertionsToHaveAttributeOptions Live = new() { Timeout = 60_000 };
    private static readonly LocatorAssertionsToBeVisibleOptions Shown = new() { Timeout = 60_000 };
    [Fact]
    public async Task Journey_1_a_ministry_requests_three_vms_for_sensitive_data_the_operator_approves_and_they_show_on_the_invoice()
    {
        // The requester registers a public SSH key; a weak one is refused with the reason, in French first.
        var agent = await SignedInAsync("agent.mef.ml", "/cles-ssh");
        await InteractiveAsync(agent);
        var keyName = $"poste-{Guid.NewGuid().ToString()[..6]}";
        await agent.Locator("#key-name").FillAsync(keyName);
        await agent.Locator("#key-text").FillAsync(SshTestKeys.OpenSshRsa2048);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la clé" }).ClickAsync();
        await Assertions.Expect(agent.GetByRole(AriaRole.Alert)).ToContainTextAsync("3072 bits au moins", new() { Timeout = 30_000 });
        await agent.Locator("#key-text").FillAsync(SshTestKeys.OpenSshEd25519);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la clé" }).ClickAsync();
        await Assertions.Expect(agent.Locator("tr[data-key-id]", new() { HasText = keyName }).Locator(".fingerprint"))
            .ToHaveTextAsync(SshTestKeys.OpenSshEd25519Fingerprint, new() { Timeout = 30_000 });
        await Screenshot(agent, "cles-ssh");

        await agent.GotoAsync(m.PortalAddress + "/demandes/nouvelle");
        await InteractiveAsync(agent);
        var justification = $"Plateforme e-finances {Guid.NewGuid():N}";
        await agent.GetByLabel(keyName).CheckAsync();
        await agent.Locator("#ipv4-0").CheckAsync();
        await agent.GetByText("Données utilisateur cloud-init (facultatif)").ClickAsync();
        await agent.Locator("#user-data").FillAsync("#cloud-config\nhostname: e-finances\n");
        await agent.Locator("#vcpu-0").FillAsync("4");
        await agent.Locator("#memory-0").FillAsync("16");
        await agent.Locator("#disk-0").FillAsync("200");
        await agent.Locator("#count-0").FillAsync("3");
        await agent.GetByLabel("sensible").CheckAsync();
        await agent.Locator("#justification").FillAsync(justification);
        // The live preview: Mali's own facility, never a neighbour's for sensitive data without an agreement that allows it.
        await Assertions.Expect(agent.Locator(".preview tr[data-facility='ML-BKO-1']")).ToHaveAttributeAsync("data-kept", "true", Live);
        await Assertions.Expect(agent.Locator(".preview-outcome")).ToHaveAttributeAsync("data-outcome", "placed", Live);
        await Screenshot(agent, "nouvelle-demande");

        // A double click still makes one request.
        await agent.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" }).DblClickAsync();
        await agent.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/demandes/[0-9a-f-]{36}$"));
        var mine = await RequestsWithAsync("ML/MEF", justification);
        var request = Assert.Single(mine);
        Assert.Equal([SshTestKeys.OpenSshEd25519Fingerprint], request.SshKeyFingerprints);
        Assert.Equal(Encoding.UTF8.GetByteCount("#cloud-config\nhostname: e-finances\n"), request.UserDataBytes);
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "awaiting_approval", Live);
        await Assertions.Expect(agent.Locator(".timeline .decision")).ToHaveAttributeAsync("data-outcome", "placed", Live);

        var operatorPage = await SignedInAsync("op.ml", "/operateur/approbations");
        var row = operatorPage.Locator($"tr[data-request-id='{request.Id}'] a");
        await Assertions.Expect(row).ToBeVisibleAsync(Shown);
        await row.ClickAsync();
        await operatorPage.WaitForURLAsync($"**/demandes/{request.Id}");
        await InteractiveAsync(operatorPage);
        await Screenshot(operatorPage, "operateur-demande");
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Approuver" }).ClickAsync();

        // The requester's page follows without a reload.
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "active", new() { Timeout = 60_000 });
        await Screenshot(agent, "demande-active");
        await agent.GotoAsync(m.PortalAddress + "/vms");
        await InteractiveAsync(agent);
        var rows = agent.Locator(string.Join(", ", request.VmIds.Select(id => $"tr[data-vm-id='{id}']")));
        await Assertions.Expect(rows).ToHaveCountAsync(3, new() { Timeout = 60_000 });
        await Assertions.Expect(rows.Locator(".status[data-status='active']")).ToHaveCountAsync(3);
        // Each shows the address its facility gave it, as provisioning records it.
        var vms = (await m.Provisioning.ListVmsAsync(new Aes.Contracts.Provisioning.V1.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] })).Vms
            .Where(v => v.RequestId == request.Id).ToList();
        Assert.Equal(3, vms.Count);
        Assert.Equal(3, vms.Select(v => v.PublicIpv4Address).Distinct().Count()); // each its own public address
        foreach (var vm in vms)
        {
            Assert.NotEmpty(vm.Addresses);
            Assert.NotEmpty(vm.PublicIpv4Address);
            await Assertions.Expect(agent.Locator($"tr[data-vm-id='{vm.Id}'] .addresses")).ToContainTextAsync(vm.Addresses[0]);
            await Assertions.Expect(agent.Locator($"tr[data-vm-id='{vm.Id}'] .public-ipv4")).ToHaveTextAsync(vm.PublicIpv4Address);
        }
        await Screenshot(agent, "mes-vm");

        // The console opens from the page (the simulated facility's own console page), and the opening is audited.
        await rows.First.GetByRole(AriaRole.Button, new() { Name = "Console" }).ClickAsync();
        var console = await agent.RunAndWaitForPopupAsync(() => agent.Locator(".console-link").ClickAsync());
        await Assertions.Expect(console.Locator("pre.console")).ToContainTextAsync("login:", new() { Timeout = 30_000 });
        await Screenshot(console, "console");
        await console.CloseAsync();

        // The agency's administrator lets SSH in from the ministry's range and opens HTTPS on the project; the page says the
        // facility where the project has these VMs holds the rules. A requester only reads them.
        var firewallAdmin = await SignedInAsync("admin.mef.ml", "/pare-feu");
        await firewallAdmin.Locator("#ssh-ranges").FillAsync("0.0.0.0/0");
        await firewallAdmin.GetByRole(AriaRole.Button, new() { Name = "Enregistrer les plages SSH" }).ClickAsync();
        await Assertions.Expect(firewallAdmin.GetByRole(AriaRole.Alert)).ToContainTextAsync("confirmez-le explicitement", new() { Timeout = 30_000 });
        await firewallAdmin.Locator("#ssh-ranges").FillAsync("196.200.16.0/24");
        await firewallAdmin.GetByRole(AriaRole.Button, new() { Name = "Enregistrer les plages SSH" }).ClickAsync();
        await Assertions.Expect(firewallAdmin.GetByRole(AriaRole.Status).First).ToContainTextAsync("196.200.16.0/24", new() { Timeout = 30_000 });
        await firewallAdmin.GetByRole(AriaRole.Button, new() { Name = "Ajouter une règle" }).ClickAsync();
        await firewallAdmin.GetByRole(AriaRole.Button, new() { Name = "Enregistrer les règles" }).ClickAsync();
        await Assertions.Expect(firewallAdmin.GetByRole(AriaRole.Status).First).ToContainTextAsync("Règles enregistrées", new() { Timeout = 30_000 });
        await Assertions.Expect(firewallAdmin.Locator(".applied li[data-facility='ML-BKO-1']")).ToHaveAttributeAsync("data-applied", "true", Live);
        var firewall = await m.Provisioning.GetProjectFirewallAsync(new P.GetProjectFirewallRequest { ProjectId = request.ProjectId });
        Assert.Equal(["tcp 22-22 196.200.16.0/24", "tcp 443-443 0.0.0.0/0"], firewall.EffectiveRules.Select(r => $"{r.Protocol} {r.PortMin}-{r.PortMax} {r.SourceCidr}"));
        await Screenshot(firewallAdmin, "pare-feu");
        await agent.GotoAsync(m.PortalAddress + "/pare-feu");
        await InteractiveAsync(agent);
        await Assertions.Expect(agent.GetByRole(AriaRole.Button, new() { Name = "Enregistrer les règles" })).ToHaveCountAsync(0);
        await agent.GotoAsync(m.PortalAddress + "/vms");
        await InteractiveAsync(agent);

        // The state's operator drafts the month's invoices; the agency's administrator reads MEF's, with ML-BKO-1 usage on it.
        await operatorPage.GotoAsync(m.PortalAddress + "/factures");
        await InteractiveAsync(operatorPage);
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Préparer les factures du mois" }).ClickAsync();
        var administrator = await SignedInAsync("admin.mef.ml", "/factures");
        var invoice = administrator.Locator("article.invoice");
        await Assertions.Expect(invoice.Locator("td", new() { HasText = "ML-BKO-1" }).First).ToBeVisibleAsync(Shown);
        // Each line names its class as the catalogue does, in the reader's language.
        await Assertions.Expect(invoice.Locator("td[data-resource='memory_gib']").First).ToHaveTextAsync("Mémoire (gib-hour)");
        await Assertions.Expect(invoice.Locator("td[data-resource='vcpu']").First).ToHaveTextAsync("vCPU (vcpu-hour)");
        await Screenshot(administrator, "factures");
        var printable = await administrator.RunAndWaitForPopupAsync(() => invoice.First.GetByRole(AriaRole.Link, new() { Name = "Version imprimable" }).ClickAsync());
        await Assertions.Expect(printable.Locator("body")).ToContainTextAsync("ML-BKO-1");

        // Day 2 from the page: the requester stops one and starts it again.
        var second = rows.Nth(1);
        await second.GetByRole(AriaRole.Button, new() { Name = "Éteindre" }).ClickAsync();
        await Assertions.Expect(second.Locator(".status")).ToHaveAttributeAsync("data-status", "stopped", Live);
        await Assertions.Expect(second.GetByRole(AriaRole.Button, new() { Name = "Éteindre" })).ToHaveCountAsync(0);
        await second.GetByRole(AriaRole.Button, new() { Name = "Démarrer" }).ClickAsync();
        await Assertions.Expect(second.Locator(".status")).ToHaveAttributeAsync("data-status", "active", Live);

        // Journey 8 from the page: decommission one of them; its quota is given back.
        var usedBefore = await m.AgencyVcpuAsync("ML/MEF");
        var first = rows.First;
        await first.GetByRole(AriaRole.Button, new() { Name = "Décommissionner" }).ClickAsync();
        await first.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Confirmer") }).ClickAsync();
        await Eventually.HoldsAsync(async () => await m.AgencyVcpuAsync("ML/MEF") == usedBefore - 4, TimeSpan.FromSeconds(30), "the decommissioned VM's quota is freed");
    }

    [Fact]
    public async Task Journey_5_an_operator_rejects_with_a_reason_the_holds_are_released_and_the_requester_reads_the_reason()
    {
        var usedBefore = await m.UsedVcpuAsync("ML-BKO-1");
        var agent = await SignedInAsync("agent.mef.ml", "/demandes/nouvelle");
        var justification = $"Entrepôt de données {Guid.NewGuid():N}";
        await agent.Locator("#vcpu-0").FillAsync("2");
        await agent.Locator("#justification").FillAsync(justification);
        await Assertions.Expect(agent.Locator(".preview-outcome")).ToHaveAttributeAsync("data-outcome", "placed", Live);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" }).ClickAsync();
        await agent.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/demandes/[0-9a-f-]{36}$"));
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "awaiting_approval", Live);
        var request = Assert.Single(await RequestsWithAsync("ML/MEF", justification));
        Assert.True(await m.UsedVcpuAsync("ML-BKO-1") > usedBefore, "the placement holds capacity");

        var operatorPage = await SignedInAsync("op.ml", $"/demandes/{request.Id}");
        // A rejection without a reason is refused on the page, before anything is sent.
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Rejeter" }).ClickAsync();
        await Assertions.Expect(operatorPage.Locator("#reject-reason-error")).ToContainTextAsync("motif");
        await operatorPage.GetByLabel("Motif du rejet").FillAsync("Capacité réservée au recensement");
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Rejeter" }).ClickAsync();

        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "rejected", Live);
        await Assertions.Expect(agent.Locator(".approval[data-decision='rejected']")).ToContainTextAsync("Capacité réservée au recensement");
        await Screenshot(agent, "demande-rejetee");
        await m.UsageReturnsToAsync(new Dictionary<string, long> { ["ML-BKO-1"] = usedBefore });
    }

    [Fact]
    public async Task A_requester_edits_a_pending_request_by_withdrawing_it_into_a_copy_and_withdraws_the_copy_giving_its_holds_back()
    {
        var usedBefore = await m.UsedVcpuAsync("ML-BKO-1");
        var agent = await SignedInAsync("agent.mef.ml", "/demandes/nouvelle");
        var justification = $"Messagerie interne {Guid.NewGuid():N}";
        await agent.Locator("#vcpu-0").FillAsync("2");
        await agent.Locator("#memory-0").FillAsync("8");
        await agent.Locator("#count-0").FillAsync("2");
        await agent.Locator("#justification").FillAsync(justification);
        await Assertions.Expect(agent.Locator(".preview-outcome")).ToHaveAttributeAsync("data-outcome", "placed", Live);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" }).ClickAsync();
        await agent.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/demandes/[0-9a-f-]{36}$"));
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "awaiting_approval", Live);
        var original = Assert.Single(await RequestsWithAsync("ML/MEF", justification));

        // The operator who decides on it reads it, but taking it back is not offered to them.
        var operatorPage = await SignedInAsync("op.ml", $"/demandes/{original.Id}");
        await InteractiveAsync(operatorPage);
        await Assertions.Expect(operatorPage.GetByRole(AriaRole.Button, new() { Name = "Approuver" })).ToBeVisibleAsync(Shown);
        await Assertions.Expect(operatorPage.GetByRole(AriaRole.Button, new() { Name = "Retirer", Exact = true })).ToHaveCountAsync(0);

        // Edit: withdraw, and the form comes back filled with a copy.
        await InteractiveAsync(agent);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Modifier : retirer et copier" }).ClickAsync();
        await agent.WaitForURLAsync($"**/demandes/nouvelle?copie={original.Id}");
        await Assertions.Expect(agent.Locator("#justification")).ToHaveValueAsync(justification, new() { Timeout = 60_000 });
        await Assertions.Expect(agent.Locator("#count-0")).ToHaveValueAsync("2");
        await Assertions.Expect(agent.Locator("#memory-0")).ToHaveValueAsync("8");
        Assert.Equal("withdrawn", (await m.Provisioning.GetRequestAsync(new Aes.Contracts.Provisioning.V1.RequestIdRequest { RequestId = original.Id })).Status);

        // The preview's monthly costs follow the count: once they changed, the form holds 1, and the submission sends it.
        var previewFor2 = await agent.Locator("section.preview").InnerTextAsync();
        await agent.Locator("#count-0").FillAsync("1");
        await Assertions.Expect(agent.Locator("section.preview")).Not.ToHaveTextAsync(previewFor2, new() { Timeout = 60_000 });
        await Assertions.Expect(agent.Locator(".preview-outcome")).ToHaveAttributeAsync("data-outcome", "placed", Live);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" }).ClickAsync();
        await agent.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/demandes/[0-9a-f-]{36}$"));
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "awaiting_approval", Live);
        var copy = Assert.Single(await RequestsWithAsync("ML/MEF", justification), r => r.Id != original.Id);
        Assert.Equal(1, copy.Vms.Single().Count);

        // Then withdrawn for good, with a reason the timeline keeps.
        await InteractiveAsync(agent);
        await agent.GetByLabel("Motif (facultatif)").FillAsync("Projet reporté");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Retirer", Exact = true }).ClickAsync();
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "withdrawn", Live);
        await Assertions.Expect(agent.Locator(".reason")).ToContainTextAsync("Projet reporté");
        await Assertions.Expect(agent.GetByRole(AriaRole.Button, new() { Name = "Retirer", Exact = true })).ToHaveCountAsync(0);
        await Screenshot(agent, "demande-retiree");
        await m.UsageReturnsToAsync(new Dictionary<string, long> { ["ML-BKO-1"] = usedBefore });
    }

    [Fact]
    public async Task Journey_2_a_niger_agency_is_placed_under_an_agreement_and_both_operators_approve_in_turn()
    {
        var agent = await SignedInAsync("agent.ansi.ne", "/demandes/nouvelle");
        var justification = $"Portail des services publics {Guid.NewGuid():N}";
        await agent.Locator("#flavour-0").SelectOptionAsync("s1.medium");
        await agent.Locator("#count-0").FillAsync("2");
        await agent.Locator("#justification").FillAsync(justification);
        // Niger has no open facility: the preview says so and keeps a neighbour's under the agreement.
        await Assertions.Expect(agent.Locator(".preview-outcome")).ToHaveAttributeAsync("data-outcome", "placed", Live);
        await Assertions.Expect(agent.Locator(".preview tr[data-kept='true']").First).ToBeVisibleAsync();
        await agent.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" }).ClickAsync();
        await agent.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/demandes/[0-9a-f-]{36}$"));
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "awaiting_approval", Live);
        var request = Assert.Single(await RequestsWithAsync("NE/ANSI", justification));
        Assert.NotEqual("NE", request.FacilityStateCode);
        var host = $"op.{request.FacilityStateCode.ToLowerInvariant()}";

        // The host operator's turn comes only after the home operator's.
        var hostPage = await SignedInAsync(host, $"/demandes/{request.Id}");
        await Assertions.Expect(hostPage.GetByRole(AriaRole.Button, new() { Name = "Approuver" })).ToHaveCountAsync(0);
        var home = await SignedInAsync("op.ne", "/operateur/approbations");
        var row = home.Locator($"tr[data-request-id='{request.Id}'] a");
        await Assertions.Expect(row).ToBeVisibleAsync(Shown);
        await row.ClickAsync();
        await home.WaitForURLAsync($"**/demandes/{request.Id}");
        await InteractiveAsync(home);
        await home.GetByRole(AriaRole.Button, new() { Name = "Approuver" }).ClickAsync();
        await Assertions.Expect(agent.Locator(".approval[data-role='home']")).ToHaveAttributeAsync("data-decision", "approved", Live);
        await Assertions.Expect(hostPage.GetByRole(AriaRole.Button, new() { Name = "Approuver" })).ToBeVisibleAsync(Shown);
        await hostPage.GetByRole(AriaRole.Button, new() { Name = "Approuver" }).ClickAsync();
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "active", new() { Timeout = 60_000 });
        await Screenshot(agent, "demande-transfrontaliere");

        // Issue 22: the people told find their messages on *Notifications*, naming the request by the reference its page shows.
        var reference = await agent.Locator("[data-reference]").InnerTextAsync();
        await home.GotoAsync(m.PortalAddress + "/notifications");
        await InteractiveAsync(home);
        var told = home.Locator("table.messages tbody tr", new() { HasText = $"Demande {reference} en attente de votre approbation" });
        await Assertions.Expect(told.First).ToBeVisibleAsync(Shown);
        await Assertions.Expect(home.Locator("label[data-type='approval_awaited'] input")).ToBeDisabledAsync();
        await told.First.Locator("summary").ClickAsync();
        await Assertions.Expect(told.First.Locator("pre.message-text")).ToContainTextAsync("/operateur/approbations");
        await agent.GotoAsync(m.PortalAddress + "/notifications");
        await InteractiveAsync(agent);
        await Assertions.Expect(agent.Locator("table.messages tbody tr", new() { HasText = $"La demande {reference} est active" }).First).ToBeVisibleAsync(Shown);
        await Screenshot(agent, "notifications");

        // Niger's operator drafts the month's invoices: ANSI's shows the host facility's usage.
        await home.GotoAsync(m.PortalAddress + "/factures");
        await InteractiveAsync(home);
        await home.GetByRole(AriaRole.Button, new() { Name = "Préparer les factures du mois" }).ClickAsync();
        await Assertions.Expect(home.Locator("article.invoice td", new() { HasText = request.FacilityCode }).First).ToBeVisibleAsync(Shown);
    }

    [Fact]
    public async Task Journey_3_a_strategic_request_of_niger_is_shown_where_it_cannot_go_and_why()
    {
        var agent = await SignedInAsync("agent.ansi.ne", "/demandes/nouvelle");
        await agent.GetByLabel("stratégique").CheckAsync();
        await Assertions.Expect(agent.Locator(".preview-outcome")).ToHaveAttributeAsync("data-outcome", "waiting", Live);
        await Assertions.Expect(agent.Locator(".preview tr[data-kept='true']")).ToHaveCountAsync(0);
        await Assertions.Expect(agent.Locator(".preview-outcome")).ToContainTextAsync("stratégiques");
    }

    [Fact]
    public async Task An_agency_administrator_asks_for_gpus_it_has_none_of_the_operator_grants_them_and_gives_a_pool_eight_a100()
    {
        // The demo's A100 class: MEF was never granted any, and its quota page says 0 in the catalogue's words.
        var administrator = await SignedInAsync("admin.mef.ml", "/quotas");
        var gpuLine = administrator.Locator("[data-resource='gpu_a100_80g']");
        await Assertions.Expect(gpuLine).ToHaveAttributeAsync("data-limit", "0", Live);
        await Assertions.Expect(gpuLine).ToContainTextAsync("GPU A100 80 Go");
        await administrator.GetByLabel("Ressource").SelectOptionAsync(new SelectOptionValue { Label = "GPU A100 80 Go" });
        await administrator.GetByLabel("Nouvelle limite demandée").FillAsync("2");
        await administrator.GetByLabel("Justification").FillAsync("Entraînement d'un modèle de traduction bambara");
        await administrator.GetByRole(AriaRole.Button, new() { Name = "Envoyer la demande" }).ClickAsync();
        await Assertions.Expect(administrator.Locator("p[role=status]")).ToContainTextAsync("Demande envoyée");

        var operatorPage = await SignedInAsync("op.ml", "/operateur/quotas");
        var card = operatorPage.Locator("article.card").Filter(new() { HasText = "modèle de traduction bambara" }).First;
        await Assertions.Expect(card).ToContainTextAsync("GPU A100 80 Go");
        await card.GetByRole(AriaRole.Button, new() { Name = "Approuver" }).ClickAsync();
        await Assertions.Expect(operatorPage.Locator("p[role=status]")).ToContainTextAsync("s'applique dès maintenant");
        await Assertions.Expect(gpuLine).ToHaveAttributeAsync("data-limit", "2", Live);

        // The operator gives a pool of Bamako its eight A100 on the page where pools are set, and reads them on the capacity page.
        await operatorPage.GotoAsync(m.PortalAddress + "/operateur/reserves");
        await InteractiveAsync(operatorPage);
        var name = $"gpu-{Guid.NewGuid().ToString("N")[..6]}";
        await operatorPage.GetByLabel("Nom de la réserve").FillAsync(name);
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Créer" }).ClickAsync();
        var gpuRow = operatorPage.Locator($"article[data-pool='ML-BKO-1/{name}'] tr[data-resource='gpu_a100_80g']");
        await Assertions.Expect(gpuRow.Locator("th")).ToHaveTextAsync("GPU A100 80 Go");
        await gpuRow.GetByLabel("Total GPU A100 80 Go").FillAsync("8");
        await gpuRow.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
        await Assertions.Expect(gpuRow.Locator(".capacity")).ToHaveTextAsync("8");
        await operatorPage.GotoAsync(m.PortalAddress + "/operateur/capacite");
        await InteractiveAsync(operatorPage);
        var gpuPool = operatorPage.Locator($"article[data-pool='ML-BKO-1/{name}']");
        await Assertions.Expect(gpuPool.GetByRole(AriaRole.Meter, new() { Name = "GPU A100 80 Go" })).ToHaveAttributeAsync("aria-valuemax", "8");
        await Screenshot(operatorPage, "capacite-gpu");

        // In English, the catalogue's English name.
        await administrator.GotoAsync(m.PortalAddress + "/quotas?lang=en");
        await Assertions.Expect(administrator.Locator("[data-resource='gpu_a100_80g']")).ToContainTextAsync("A100 80 GB GPU");

        // The pool gets the hosts around its GPUs; MEF's requester then sees the A100 flavour offered in Bamako, and asks for one A100 on a custom size.
        var pool = (await m.Quota.ListPoolsAsync(new Q.ListPoolsRequest { FacilityId = m.Facilities["ML-BKO-1"] })).Pools.Single(p => p.Name == name);
        foreach (var (resourceClass, total) in new[] { ("vcpu", 64L), ("memory_gib", 512L), ("storage_gib", 10_000L) })
        {
            await m.Quota.SetInventoryAsync(new Q.SetInventoryRequest { ActorUserId = m.Users["op.ml"], PoolId = pool.Id, ResourceClass = resourceClass, Total = total, AllocationRatio = "1.0" });
        }
        var agent = await SignedInAsync("agent.mef.ml", "/demandes/nouvelle");
        var a100 = agent.Locator("#flavour-0 option[value='g1.a100']");
        await Assertions.Expect(a100).ToContainTextAsync("g1.a100 (12 vCPU, 96 Gio, 400 Gio, 1 × GPU A100 80 Go)");
        await Assertions.Expect(a100).ToContainTextAsync("ML-BKO-1");
        var justification = $"Modèle de traduction {Guid.NewGuid():N}";
        await agent.Locator("#vcpu-0").FillAsync("12");
        await agent.Locator("#memory-0").FillAsync("96");
        await agent.Locator("#disk-0").FillAsync("400");
        var gpus = agent.GetByLabel("GPU A100 80 Go (par VM)");
        await gpus.FillAsync("9");
        await Assertions.Expect(agent.Locator("#accelerator-gpu_a100_80g-0-error")).ToHaveTextAsync("GPU A100 80 Go : entre 0 et 8.");
        await gpus.FillAsync("1");
        await agent.Locator("#justification").FillAsync(justification);
        await Assertions.Expect(agent.Locator(".preview-outcome")).ToHaveAttributeAsync("data-outcome", "placed", Live);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" }).ClickAsync();
        await agent.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/demandes/[0-9a-f-]{36}$"));
        await Assertions.Expect(agent.Locator(".status")).ToHaveAttributeAsync("data-status", "awaiting_approval", Live);
        await Assertions.Expect(agent.Locator("dd", new() { HasText = "A100" })).ToHaveTextAsync("1 × 12 vCPU, 96 Gio, 400 Gio, 1 × GPU A100 80 Go (debian-12)");
        await Screenshot(agent, "demande-gpu");
        var request = Assert.Single(await RequestsWithAsync("ML/MEF", justification));
        Assert.Equal(pool.Id, request.PoolId); // the one pool of the facility holding A100
        await m.RejectIfOpenAsync(request.Id, "op.ml");
        foreach (var resourceClass in new[] { "vcpu", "memory_gib", "storage_gib" })
        {
            // Back to GPUs only, as the other journeys found the facility.
            await Aes.Testing.Eventually.HoldsAsync(async () =>
            {
                try
                {
                    await m.Quota.SetInventoryAsync(new Q.SetInventoryRequest { ActorUserId = m.Users["op.ml"], PoolId = pool.Id, ResourceClass = resourceClass, Total = 0, AllocationRatio = "1.0" });
                    return true;
                }
                catch (Grpc.Core.RpcException) { return false; }
            }, TimeSpan.FromSeconds(30), "the GPU pool's hosts were given back");
        }
    }

    [Fact]
    public async Task Journey_4_an_agency_administrator_asks_for_more_vcpu_and_the_new_limit_applies_once_the_operator_approves()
    {
        var before = (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = m.Agencies["ML/MEF"] })).Lines.Single(l => l.ResourceClass == "vcpu").Limit;
        var wanted = before + 4_000;
        var administrator = await SignedInAsync("admin.mef.ml", "/quotas");
        await administrator.GetByLabel("Nouvelle limite demandée").FillAsync(before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(administrator.Locator("#requested-limit-error")).ToContainTextAsync("limite actuelle");
        await administrator.GetByLabel("Nouvelle limite demandée").FillAsync(wanted.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await administrator.GetByLabel("Justification").FillAsync("Migration du système de paie");
        await administrator.GetByRole(AriaRole.Button, new() { Name = "Envoyer la demande" }).ClickAsync();
        await Assertions.Expect(administrator.Locator("p[role=status]")).ToContainTextAsync("Demande envoyée");
        await Screenshot(administrator, "quotas");

        var operatorPage = await SignedInAsync("op.ml", "/operateur/quotas");
        var card = operatorPage.Locator("article.card").Filter(new() { HasText = "Migration du système de paie" }).First;
        await card.GetByRole(AriaRole.Button, new() { Name = "Approuver" }).ClickAsync();
        await Assertions.Expect(operatorPage.Locator("p[role=status]")).ToContainTextAsync("s'applique dès maintenant");

        await Assertions.Expect(administrator.Locator("[data-resource='vcpu']")).ToHaveAttributeAsync("data-limit", wanted.ToString(System.Globalization.CultureInfo.InvariantCulture), Live);
        Assert.Equal(wanted, (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = m.Agencies["ML/MEF"] })).Lines.Single(l => l.ResourceClass == "vcpu").Limit);
    }

    [Fact]
    public async Task Journey_7_an_agreement_is_drafted_signed_by_both_operators_and_becomes_active()
    {
        var known = (await m.Tenancy.ListAgreementsAsync(new T.ListAgreementsRequest())).Agreements.Select(a => a.Id).ToHashSet();
        var confederal = await SignedInAsync("admin.aes", "/accords");
        await confederal.Locator("#facility").SelectOptionAsync(new SelectOptionValue { Label = "BF-OUA-1 (BF)" });
        await confederal.Locator("#guest").SelectOptionAsync("NE");
        await confederal.Locator("#slice-vcpu").FillAsync("512");
        await confederal.GetByRole(AriaRole.Button, new() { Name = "Rédiger" }).ClickAsync();
        await Assertions.Expect(confederal.Locator("p[role=status]")).ToContainTextAsync("Accord rédigé");
        var drafted = Assert.Single((await m.Tenancy.ListAgreementsAsync(new T.ListAgreementsRequest())).Agreements, a => !known.Contains(a.Id));
        Assert.Equal((512L, "NE", 2), (drafted.SliceByClass.Of("vcpu"), drafted.GuestStateCode, drafted.AllowedClassifications.Count));

        foreach (var signatory in new[] { "op.bf", "op.ne" })
        {
            var page = await SignedInAsync(signatory, "/accords");
            await page.Locator($"article[data-agreement-id='{drafted.Id}']").GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Signer") }).ClickAsync();
            await Assertions.Expect(page.Locator("p[role=status]")).ToContainTextAsync("Signé");
        }
        var card = confederal.Locator($"article[data-agreement-id='{drafted.Id}']");
        await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "Active", Live);
        await Assertions.Expect(card.Locator("[role=meter]").First).ToBeVisibleAsync(Shown);
        await Screenshot(confederal, "accords");

        // The confederal administrator's capacity view spans every state's pools, and sets no state's policy.
        await confederal.GotoAsync(m.PortalAddress + "/operateur/capacite");
        await InteractiveAsync(confederal);
        await Assertions.Expect(confederal.GetByRole(AriaRole.Heading, new() { Name = "Capacité confédérale" })).ToBeVisibleAsync();
        foreach (var pool in new[] { "ML-BKO-1/general", "BF-OUA-1/general", "BF-BOB-1/general" })
        {
            await Assertions.Expect(confederal.Locator($"article[data-pool='{pool}'] figure.allocation-chart")).ToBeVisibleAsync(Shown);
        }
        await Assertions.Expect(confederal.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la politique" })).ToHaveCountAsync(0);
        await Assertions.Expect(confederal.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_agreement_offers_GPUs_in_its_slice_at_fixed_prices_by_class_and_the_active_card_counts_them()
    {
        var known = (await m.Tenancy.ListAgreementsAsync(new T.ListAgreementsRequest())).Agreements.Select(a => a.Id).ToHashSet();
        var host = await SignedInAsync("op.ml", "/accords");
        await host.Locator("#guest").SelectOptionAsync("BF");
        await host.Locator("#slice-vcpu").FillAsync("64");
        // Bamako's 8 A100 are installed (the demo): the form offers the class the catalogue added, in its own words.
        await Assertions.Expect(host.Locator("label[for='slice-gpu_a100_80g']")).ToHaveTextAsync("Tranche GPU A100 80 Go");
        // What Bamako has left of each class is shown as the operator types, and a slice past it is named before the service refuses it.
        await Assertions.Expect(host.Locator("p[data-available-for='gpu_a100_80g']")).ToHaveTextAsync("Disponible dans ce centre : 8 sur 8 installés.");
        await Assertions.Expect(host.Locator("p[data-available-for='vcpu']")).ToContainTextAsync("sur 2");
        await host.Locator("#slice-gpu_a100_80g").FillAsync("9");
        await Assertions.Expect(host.Locator("#slice-gpu_a100_80g-error")).ToHaveTextAsync("Au-delà de ce qui reste dans ce centre (8).");
        await host.Locator("#slice-gpu_a100_80g").FillAsync("2");
        await Assertions.Expect(host.Locator("#slice-gpu_a100_80g-error")).ToBeEmptyAsync();
        // Fixed prices by class, the GPU's per GPU-hour. A GPU price alone would host the VMs for nothing: refused, nothing drafted.
        await host.Locator("label[for='price-fixed']").ClickAsync();
        await host.Locator("#fixed-gpu_a100_80g").FillAsync("1200");
        await host.GetByRole(AriaRole.Button, new() { Name = "Rédiger" }).ClickAsync();
        await Assertions.Expect(host.GetByRole(AriaRole.Alert)).ToContainTextAsync("prix fixes");
        Assert.Equal(known.Count, (await m.Tenancy.ListAgreementsAsync(new T.ListAgreementsRequest())).Agreements.Count);
        await host.Locator("#fixed-vcpu").FillAsync("20");
        await host.Locator("#fixed-memory_gib").FillAsync("4");
        await host.Locator("#fixed-storage_gib").FillAsync("50");
        await host.GetByRole(AriaRole.Button, new() { Name = "Rédiger" }).ClickAsync();
        await Assertions.Expect(host.Locator("p[role=status]")).ToContainTextAsync("Accord rédigé");
        var drafted = Assert.Single((await m.Tenancy.ListAgreementsAsync(new T.ListAgreementsRequest())).Agreements, a => !known.Contains(a.Id));
        Assert.Equal(("ML", 2L), (drafted.HostStateCode, drafted.SliceByClass.Single(a => a.ResourceClass == "gpu_a100_80g").Amount));
        Assert.Equal([("vcpu", 20L), ("memory_gib", 4L), ("storage_gib", 50L), ("gpu_a100_80g", 1200L)],
            drafted.PriceTerms.UnitPrices.Select(p => (p.ResourceClass, p.UnitPriceXof)));
        await Assertions.Expect(host.Locator($"article[data-agreement-id='{drafted.Id}'] p.slice")).ToContainTextAsync("GPU A100 80 Go 2");
        await Assertions.Expect(host.Locator($"article[data-agreement-id='{drafted.Id}'] p[data-price-terms]"))
            .ToContainTextAsync(new System.Text.RegularExpressions.Regex("Prix fixes : vCPU 20 XOF/vcpu·heure .*GPU A100 80 Go 1.200 XOF/gpu·heure"));

        foreach (var signatory in new[] { "op.ml", "op.bf" })
        {
            var page = await SignedInAsync(signatory, "/accords");
            await page.Locator($"article[data-agreement-id='{drafted.Id}']").GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Signer") }).ClickAsync();
            await Assertions.Expect(page.Locator("p[role=status]")).ToContainTextAsync("Signé");
        }
        // Active, the card shows quota's count of the slice, GPUs included (in English too).
        var guest = await SignedInAsync("op.bf", "/accords?lang=en");
        var card = guest.Locator($"article[data-agreement-id='{drafted.Id}']");
        await Assertions.Expect(card).ToHaveAttributeAsync("data-status", "Active", Live);
        await Assertions.Expect(card.GetByRole(AriaRole.Meter, new() { Name = "A100 80 GB GPU" })).ToHaveAttributeAsync("aria-valuemax", "2", Live);
        await m.Tenancy.TerminateAgreementAsync(new T.TerminateAgreementRequest { AgreementId = drafted.Id, ActorUserId = m.Users["op.ml"], Reason = "fin du test" });
    }

    [Fact]
    public async Task An_operator_installs_GPUs_in_a_facility_on_its_page_and_cannot_go_below_what_agreements_hold()
    {
        var before = (await m.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = m.Facilities["BF-OUA-1"] })).InstalledCapacityByClass;
        try
        {
            var page = await SignedInAsync("op.bf", "/operateur/centres");
            var ouaga = page.Locator("article[data-facility='BF-OUA-1']");
            await Assertions.Expect(ouaga.Locator("label[for='installed-BF-OUA-1-gpu_a100_80g']")).ToHaveTextAsync("GPU A100 80 Go");
            await ouaga.Locator("#installed-BF-OUA-1-gpu_a100_80g").FillAsync("4");
            await ouaga.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la capacité" }).ClickAsync();
            await Assertions.Expect(page.Locator("p[role=status]")).ToContainTextAsync("BF-OUA-1");
            var after = (await m.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = m.Facilities["BF-OUA-1"] })).InstalledCapacityByClass;
            // Only the GPUs changed: every other class is kept as it was.
            List<(string, long)> expected = [.. before.Where(a => a.ResourceClass != "gpu_a100_80g").Select(a => (a.ResourceClass, a.Amount)), ("gpu_a100_80g", 4L)];
            Assert.Equal(expected, after.Select(a => (a.ResourceClass, a.Amount)).OrderBy(a => a.Item1 == "gpu_a100_80g").ToList());
        }
        finally
        {
            var restore = new T.SetFacilityCapacityRequest { Id = m.Facilities["BF-OUA-1"] };
            restore.InstalledCapacityByClass.AddRange(before);
            await m.Tenancy.SetFacilityCapacityAsync(restore);
        }

        // Niger's planned facility shows its capacity, to declare before it opens, and no cloud yet.
        var niamey = m.Facilities["NE-NIM-1"];
        var niameyBefore = (await m.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = niamey })).InstalledCapacityByClass;
        try
        {
            var niger = await SignedInAsync("op.ne", "/operateur/centres");
            var planned = niger.Locator("article[data-facility='NE-NIM-1']");
            await Assertions.Expect(planned).ToHaveAttributeAsync("data-status", "planned");
            await Assertions.Expect(planned.GetByRole(AriaRole.Button, new() { Name = "Relier à OpenStack" })).ToHaveCountAsync(0);
            await planned.Locator("#installed-NE-NIM-1-gpu_a100_80g").FillAsync("2");
            await planned.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la capacité" }).ClickAsync();
            await Assertions.Expect(niger.Locator("p[role=status]")).ToContainTextAsync("NE-NIM-1");
            Assert.Equal(2, (await m.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = niamey })).InstalledCapacityByClass.Single(a => a.ResourceClass == "gpu_a100_80g").Amount);
        }
        finally
        {
            var restore = new T.SetFacilityCapacityRequest { Id = niamey };
            restore.InstalledCapacityByClass.AddRange(niameyBefore);
            await m.Tenancy.SetFacilityCapacityAsync(restore);
        }

        // Bamako below the 256 vCPU its agreement with Niger holds: refused, with the class named, and nothing changes.
        Assert.Contains((await m.Tenancy.ListAgreementsAsync(new T.ListAgreementsRequest())).Agreements,
            a => a.FacilityId == m.Facilities["ML-BKO-1"] && a.GuestStateCode == "NE" && a.Status == T.AgreementStatus.Active && a.SliceByClass.Any(s => s.ResourceClass == "vcpu" && s.Amount >= 256));
        var bamakoBefore = (await m.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = m.Facilities["ML-BKO-1"] })).InstalledCapacityByClass;
        var host = await SignedInAsync("op.ml", "/operateur/centres");
        var bamako = host.Locator("article[data-facility='ML-BKO-1']");
        await bamako.Locator("#installed-ML-BKO-1-vcpu").FillAsync("1");
        await bamako.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la capacité" }).ClickAsync();
        await Assertions.Expect(host.GetByRole(AriaRole.Alert)).ToContainTextAsync("vcpu");
        Assert.Equal(bamakoBefore, (await m.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = m.Facilities["ML-BKO-1"] })).InstalledCapacityByClass);
    }

    [Fact]
    public async Task A_user_cannot_reach_another_agencys_request_nor_pages_of_another_role()
    {
        var submitted = await m.SubmitAsync(m.Request("ML/MEF", "internal"));
        var stranger = await SignedInAsync("agent.anptic.bf", $"/demandes/{submitted.Id}");
        await Assertions.Expect(stranger.GetByRole(AriaRole.Alert)).ToContainTextAsync("ne vous est pas accessible");
        await Assertions.Expect(stranger.Locator(".timeline")).ToHaveCountAsync(0);
        await stranger.GotoAsync(m.PortalAddress + "/demandes");
        await Assertions.Expect(stranger.GetByRole(AriaRole.Heading, new() { Name = "Mes demandes d'hébergement" })).ToBeVisibleAsync();
        await Assertions.Expect(stranger.Locator($"tr[data-request-id='{submitted.Id}']")).ToHaveCountAsync(0);
        await stranger.GotoAsync(m.PortalAddress + "/operateur/approbations");
        await Assertions.Expect(stranger.GetByRole(AriaRole.Alert)).ToContainTextAsync("n'est pas accessible avec votre rôle");
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        await m.RejectIfOpenAsync(submitted.Id, "op.ml");
    }

    [Fact]
    public async Task An_agency_administrator_adds_a_requester_to_a_project_on_the_members_page_and_removes_them_and_the_requester_sees_its_requests_only_meanwhile()
    {
        var request = m.Request("ML/MEF", "internal");
        request.ProjectId = m.AgencyProjects["Trésor public"];
        request.ActorUserId = m.Users["agent.tresor.mef.ml"];
        var treasury = await m.SubmitAsync(request);
        var row = $"tr[data-request-id='{treasury.Id}']";
        var awa = await SignedInAsync("agent.mef.ml", "/demandes");
        await Assertions.Expect(awa.GetByRole(AriaRole.Heading, new() { Name = "Mes demandes d'hébergement" })).ToBeVisibleAsync();
        await Assertions.Expect(awa.Locator(row)).ToHaveCountAsync(0);
        await Assertions.Expect(awa.GetByRole(AriaRole.Link, new() { Name = "Membres" })).ToHaveCountAsync(0);

        var admin = await SignedInAsync("admin.mef.ml", "/membres");
        await Assertions.Expect(admin.GetByRole(AriaRole.Link, new() { Name = "Membres" })).ToBeVisibleAsync();
        var project = admin.Locator("article[data-project='Trésor public']");
        await Assertions.Expect(project.Locator("li[data-member='agent.tresor.mef.ml']")).ToBeVisibleAsync();
        await project.GetByLabel("Ajouter", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Awa Traoré (agent.mef.ml)" });
        await project.GetByRole(AriaRole.Button, new() { Name = "Ajouter au projet" }).ClickAsync();
        await Assertions.Expect(project.Locator("li[data-member='agent.mef.ml']")).ToBeVisibleAsync();
        await Assertions.Expect(admin.Locator("tr[data-user='agent.mef.ml']")).ToContainTextAsync("Trésor public");
        await Screenshot(admin, "members-project-added");

        // Her list is live: the treasury's request appears without her doing anything, and goes when she is removed.
        await Assertions.Expect(awa.Locator(row)).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await project.Locator("li[data-member='agent.mef.ml']").GetByRole(AriaRole.Button, new() { Name = "Retirer" }).ClickAsync();
        await Assertions.Expect(project.Locator("li[data-member='agent.mef.ml']")).ToHaveCountAsync(0);
        await Assertions.Expect(awa.Locator(row)).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(admin.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);

        await m.WaitForAsync(treasury.Id, "awaiting_approval");
        await m.RejectIfOpenAsync(treasury.Id, "op.ml");
    }

    [Fact]
    public async Task Malis_operator_links_an_account_of_malis_provider_to_a_ministry_agent_in_the_portal_and_the_link_alone_makes_it_that_agent()
    {
        var mali = await TestIssuer.SharedMalianAsync();
        var subject = $"awa.traore.{Guid.NewGuid():N}";
        var agency = m.Agencies["ML/MEF"];
        string MaliToken() => mali.Mint(subject, [KeyValuePair.Create<string, object>("role", "Requester"), KeyValuePair.Create<string, object>("aes_state", "ML"),
            KeyValuePair.Create<string, object>("aes_grant", $"Requester:ML:{agency}")]);
        var tenancy = new T.TenancyService.TenancyServiceClient(m.Issuer.Channel(
            $"http://127.0.0.1:{Aes.Messaging.ResourceNames.LocalPorts[Aes.Messaging.ResourceNames.Tenancy].Shift(m.PortOffset).Grpc}", MaliToken));
        async Task<StatusCode> ProjectsAsync()
        {
            try
            {
                return (await tenancy.ListProjectsAsync(new T.ListProjectsRequest())).Projects.Select(p => p.Name).SequenceEqual(["Budget de l'État"])
                    ? StatusCode.OK : StatusCode.FailedPrecondition;
            }
            catch (RpcException refused)
            {
                return refused.StatusCode;
            }
        }
        Assert.Equal(StatusCode.Unauthenticated, await ProjectsAsync());

        var page = await SignedInAsync("op.ml", "/operateur/comptes-lies");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Comptes liés" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Fournisseur", new() { Exact = true })).ToHaveValueAsync(mali.Url);
        await page.GetByLabel("Identifiant chez le fournisseur (sub)").FillAsync(subject);
        await page.GetByLabel("Utilisateur AES").SelectOptionAsync(new SelectOptionValue { Label = "Awa Traoré (agent.mef.ml)" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Lier", Exact = true }).ClickAsync();
        var row = page.Locator($"tr[data-subject='{subject}']");
        await Assertions.Expect(row).ToContainTextAsync("agent.mef.ml");
        await Screenshot(page, "linked-accounts");
        // Linked, Mali's provider's account is Awa: her agency, and of it only the project she works on.
        Assert.Equal(StatusCode.OK, await ProjectsAsync());

        await row.GetByRole(AriaRole.Button, new() { Name = "Délier" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.Equal(StatusCode.Unauthenticated, await ProjectsAsync());
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);

        // Another state's operator has no such page for Mali, and Burkina's own list holds none of Mali's links.
        var burkina = await SignedInAsync("op.bf", "/operateur/comptes-lies");
        await Assertions.Expect(burkina.GetByText("Aucun fournisseur d'identité n'est reconnu pour BF")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_home_page_shows_public_reference_data_read_without_any_token_and_the_portal_has_no_service_identity_to_steal()
    {
        // Without a token, the services answer what the home page shows to anyone, and nothing else.
        using var tenancyChannel = Grpc.Net.Client.GrpcChannel.ForAddress(
            $"http://127.0.0.1:{Aes.Messaging.ResourceNames.LocalPorts[Aes.Messaging.ResourceNames.Tenancy].Shift(m.PortOffset).Grpc}");
        using var provisioningChannel = Grpc.Net.Client.GrpcChannel.ForAddress(
            $"http://127.0.0.1:{Aes.Messaging.ResourceNames.LocalPorts[Aes.Messaging.ResourceNames.Provisioning].Shift(m.PortOffset).Grpc}");
        var tenancy = new T.TenancyService.TenancyServiceClient(tenancyChannel);
        var provisioning = new P.ProvisioningService.ProvisioningServiceClient(provisioningChannel);
        Assert.Equal(["BF", "ML", "NE"], (await tenancy.ListMemberStatesAsync(new T.ListMemberStatesRequest())).States.Select(s => s.Code).Order());
        Assert.Equal("Burkina Faso", (await tenancy.GetMemberStateAsync(new T.GetMemberStateRequest { Code = "BF" })).NameFr);
        Assert.Contains((await tenancy.ListFacilitiesAsync(new T.ListFacilitiesRequest())).Facilities, f => f.Code == "ML-BKO-1");
        Assert.Equal("ML-BKO-1", (await tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = m.Facilities["ML-BKO-1"] })).Code);
        Assert.Equal("ML-BKO-1", (await provisioning.GetFacilityAvailabilityAsync(new P.FacilityIdRequest { FacilityId = m.Facilities["ML-BKO-1"] })).FacilityCode);
        async Task<StatusCode> WithoutTokenAsync(Func<Task> call)
        {
            try
            {
                await call();
                return StatusCode.OK;
            }
            catch (RpcException refused)
            {
                return refused.StatusCode;
            }
        }
        Assert.Equal(StatusCode.Unauthenticated, await WithoutTokenAsync(() => tenancy.ListAgenciesAsync(new T.ListAgenciesRequest()).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await WithoutTokenAsync(() => tenancy.GetAgencyAsync(new T.GetAgencyRequest { Id = m.Agencies["ML/MEF"] }).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await WithoutTokenAsync(() => tenancy.ListUsersAsync(new T.ListUsersRequest()).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await WithoutTokenAsync(() => provisioning.ListRequestsAsync(new P.ListRequestsRequest { AgencyId = m.Agencies["ML/MEF"] }).ResponseAsync));
        Assert.Equal(StatusCode.Unauthenticated, await WithoutTokenAsync(() => provisioning.GetFacilityConnectionAsync(new P.FacilityIdRequest { FacilityId = m.Facilities["ML-BKO-1"] }).ResponseAsync));

        // The issuer knows no service client of the portal's any more: whatever secret a stolen portal held, nothing to ask a token with.
        using var issuer = new HttpClient { BaseAddress = new Uri(m.TenancyHttpAddress) };
        async Task<string> RefusalAsync(string clientId)
        {
            using var answer = await issuer.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = "dev-portal-secret",
            }));
            Assert.False(answer.IsSuccessStatusCode);
            using var body = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.Equal("invalid_client", body.RootElement.GetProperty("error").GetString());
            return body.RootElement.GetProperty("error_description").GetString()!;
        }
        var unknown = await RefusalAsync("aes-portal");
        Assert.NotEqual(await RefusalAsync("aes-provisioning"), unknown); // a known client with a wrong secret reads otherwise
        Assert.Contains("client_id", unknown);

        // And the home page, signed out, shows them.
        var context = await Browser.NewContextAsync(new() { Locale = "fr-FR" });
        var watch = BrowserWatch.On(context);
        var home = await context.NewPageAsync();
        await home.GotoAsync(m.PortalAddress + "/");
        await Assertions.Expect(home.GetByText("Burkina Faso").First).ToBeVisibleAsync(Shown);
        await Assertions.Expect(home.Locator("tr", new() { HasText = "ML-BKO-1" })).ToBeVisibleAsync(Shown);
        await Assertions.Expect(home.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        var seen = await watch.ProblemsAsync();
        Assert.True(seen.Count == 0, string.Join("\n", seen));
    }

    [Fact]
    public async Task The_request_form_validates_as_the_user_types_in_their_language_and_fits_a_phone()
    {
        var page = await SignedInAsync("agent.mef.ml", "/demandes/nouvelle", width: 390, height: 844);
        await page.Locator("#vcpu-0").FillAsync("0");
        await Assertions.Expect(page.Locator("#vcpu-0-error")).ToHaveTextAsync("vCPU : entre 1 et 128.");
        await Assertions.Expect(page.Locator("#justification-error")).ToContainTextAsync("justification est obligatoire");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Soumettre la demande" })).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator(".preview-outcome")).ToHaveCountAsync(0);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling at phone width");
        await Screenshot(page, "nouvelle-demande-telephone");

        await page.GotoAsync(m.PortalAddress + "/demandes/nouvelle?lang=en");
        await InteractiveAsync(page);
        await page.Locator("#vcpu-0").FillAsync("500");
        await Assertions.Expect(page.Locator("#vcpu-0-error")).ToHaveTextAsync("vCPU: between 1 and 128.");
        await page.GotoAsync(m.PortalAddress + "/?lang=fr");
    }

    [Fact]
    public async Task An_operator_sees_capacity_per_pool_auditors_search_the_trail_and_the_confederation_closes_a_settlement()
    {
        var operatorPage = await SignedInAsync("op.bf", "/operateur/capacite");
        var pool = operatorPage.Locator("article[data-pool='BF-OUA-1/general']");
        await Assertions.Expect(pool.Locator("[role=meter]").First).ToBeVisibleAsync(Shown);
        await Assertions.Expect(pool.Locator("figure.allocation-chart")).ToHaveAttributeAsync("data-points", "48");
        await Assertions.Expect(pool.Locator("figure.allocation-chart figcaption")).ToContainTextAsync("pour une capacité de 64");
        await Assertions.Expect(operatorPage.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);

        // The state's auto-approval policy, set on the same page (public data only, so that no other test's request is affected).
        await operatorPage.GetByLabel("Approuver automatiquement les demandes qui remplissent ces conditions").CheckAsync();
        await operatorPage.Locator("#policy-max-vcpu").FillAsync("1");
        await operatorPage.Locator("#policy-max-gpu_a100_80g").FillAsync("1");
        await operatorPage.Locator("#policy-public").CheckAsync();
        await operatorPage.GetByRole(AriaRole.Button, new() { Name = "Enregistrer la politique" }).ClickAsync();
        await Assertions.Expect(operatorPage.Locator("p[role=status]")).ToContainTextAsync("Politique enregistrée");
        var policy = await m.Provisioning.GetAutoApprovalPolicyAsync(new P.GetAutoApprovalPolicyRequest { StateCode = "BF" });
        Assert.Equal((true, "vcpu:1,gpu_a100_80g:1", "public"),
            (policy.Enabled, string.Join(',', policy.MaxPerRequest.Select(l => $"{l.ResourceClass}:{l.Amount}")), string.Join(',', policy.Classifications)));

        // Demand that waits shows on the state's capacity page: Niger's strategic request has nowhere to go.
        var waiting = await m.SubmitAsync(m.Request("NE/ANSI", "strategic", vcpu: 6));
        await m.WaitForAsync(waiting.Id, "waiting_for_capacity");
        var niger = await SignedInAsync("op.ne", "/operateur/capacite");
        await Assertions.Expect(niger.Locator("[data-waiting]")).Not.ToHaveAttributeAsync("data-waiting", "0", new() { Timeout = 60_000 });
        await Assertions.Expect(niger.Locator("[data-waiting]")).ToContainTextAsync("vCPU au total");
        await Screenshot(operatorPage, "capacite");

        var submitted = await m.SubmitAsync(m.Request("BF/ANPTIC", "internal"));
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        await m.RejectIfOpenAsync(submitted.Id, "op.bf");
        var auditor = await SignedInAsync("audit.aes", "/audit");
        await Assertions.Expect(auditor.Locator("tr[data-position]").First).ToBeVisibleAsync(Shown);
        var all = await auditor.Locator("tr[data-position]").CountAsync();
        await auditor.GetByLabel("Rechercher (qui, action, contenu)").FillAsync(submitted.Id);
        await Assertions.Expect(auditor.Locator("tr[data-position]").First).ToContainTextAsync("Reject");
        await Assertions.Expect(auditor.Locator("tr[data-position]")).ToHaveCountAsync(2); // its submission and its rejection
        Assert.True(await auditor.Locator("tr[data-position]").CountAsync() <= all);
        await auditor.GetByRole(AriaRole.Button, new() { Name = "Vérifier la chaîne" }).ClickAsync();
        await Assertions.Expect(auditor.Locator("p[role=status]")).ToContainTextAsync("Chaîne intacte");
        await Screenshot(auditor, "audit");

        // Last month's settlement: not closed yet, then closed by the confederal administrator, its netting summing to zero.
        var confederal = await SignedInAsync("admin.aes", "/reglement");
        await Assertions.Expect(confederal.GetByRole(AriaRole.Alert)).ToContainTextAsync("pas encore clos");
        await confederal.GetByRole(AriaRole.Button, new() { Name = "Clore le mois" }).ClickAsync();
        await Assertions.Expect(confederal.Locator("tfoot td")).ToHaveTextAsync("0 XOF");
        await auditor.GotoAsync(m.PortalAddress + "/reglement");
        await InteractiveAsync(auditor);
        await Assertions.Expect(auditor.Locator("tfoot td")).ToHaveTextAsync("0 XOF");
        await Assertions.Expect(auditor.GetByRole(AriaRole.Button, new() { Name = "Clore le mois" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_operator_creates_a_pool_sets_its_inventory_and_publishes_prices_with_a_GPU_price_and_sees_refusals_with_their_field()
    {
        var page = await SignedInAsync("op.ml", "/operateur/reserves");
        await InteractiveAsync(page); // a name typed before the page is live is not bound, and "Créer" stays disabled
        var name = $"hm-{Guid.NewGuid().ToString("N")[..6]}";
        await page.GetByLabel("Nom de la réserve").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer" }).ClickAsync();
        var pool = page.Locator($"article[data-pool='ML-BKO-1/{name}']");
        var vcpu = pool.Locator("tr[data-resource='vcpu']");
        await vcpu.GetByLabel("Total vCPU").FillAsync("32");
        await vcpu.GetByLabel("Ratio vCPU").FillAsync("4,0");
        await vcpu.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
        await Assertions.Expect(vcpu.Locator(".capacity")).ToHaveTextAsync("128");

        await vcpu.GetByLabel("Ratio vCPU").FillAsync("beaucoup");
        await vcpu.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("allocation_ratio");
        await Assertions.Expect(vcpu.Locator(".capacity")).ToHaveTextAsync("128");

        await page.GetByLabel("XOF par vCPU-heure").FillAsync("27");
        // The catalogue's other classes have a field each, filled from the facility's latest catalogue (the demo prices Bamako's
        // A100), so that a new vCPU price does not drop the GPU's; here the A100 gets a price of its own per GPU-hour.
        await Assertions.Expect(page.Locator("#price-gpu_a100_80g")).Not.ToHaveValueAsync("0");
        await page.Locator("#price-gpu_a100_80g").FillAsync("900");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publier" }).ClickAsync();
        await Assertions.Expect(page.Locator("p[role=status]")).ToContainTextAsync("Grille publiée");
        var published = page.Locator("tr[data-catalogue]", new() { HasText = "27 XOF" }).First;
        await Assertions.Expect(published).ToBeVisibleAsync();
        await Assertions.Expect(published.Locator("td[data-other-prices]")).ToHaveTextAsync("GPU A100 80 Go 900 XOF/gpu·heure");
        await Screenshot(page, "reserves-tarifs");
    }

    [Fact]
    public async Task An_operator_adds_an_accelerator_class_in_the_portal_in_french_and_reads_it_in_english_and_other_terms_for_it_are_refused()
    {
        var page = await SignedInAsync("op.ml", "/operateur/classes");
        foreach (var standard in new[] { "vcpu", "memory_gib", "storage_gib", "public_ipv4" })
        {
            await Assertions.Expect(page.Locator($"tr[data-class='{standard}']")).ToContainTextAsync("standard");
        }
        var code = $"gpu_mi300x_{Guid.NewGuid().ToString("N")[..6]}";
        await page.GetByLabel("Code").FillAsync(code);
        await page.GetByLabel("Unité").FillAsync("gpu");
        await page.GetByLabel("Nom en français").FillAsync("GPU MI300X 192 Go");
        await page.GetByLabel("Nom en anglais").FillAsync("MI300X 192 GB GPU");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ajouter la classe" }).ClickAsync();
        await Assertions.Expect(page.Locator("p[role=status]")).ToContainTextAsync($"Classe {code} ajoutée : tarifée par gpu-hour");
        var row = page.Locator($"tr[data-class='{code}']");
        await Assertions.Expect(row).ToContainTextAsync("GPU MI300X 192 Go");
        await Assertions.Expect(row).ToContainTextAsync("ajoutée par ML");
        await Screenshot(page, "classes-de-ressources");

        // The same code with another unit: refused in French, and the class stays as it was.
        await page.GetByLabel("Code").FillAsync(code);
        await page.GetByLabel("Unité").FillAsync("carte");
        await page.GetByLabel("Nom en français").FillAsync("GPU MI300X 192 Go");
        await page.GetByLabel("Nom en anglais").FillAsync("MI300X 192 GB GPU");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ajouter la classe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("existe déjà");
        await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("gpu");

        await page.GotoAsync(m.PortalAddress + "/operateur/classes?lang=en");
        await Assertions.Expect(page.Locator($"tr[data-class='{code}']")).ToContainTextAsync("MI300X 192 GB GPU");
        await Assertions.Expect(page.Locator($"tr[data-class='{code}']")).ToContainTextAsync("added by ML");

        // An agency's requester reads the catalogue but is offered no form to change it.
        var agent = await SignedInAsync("agent.mef.ml", "/operateur/classes");
        await Assertions.Expect(agent.Locator($"tr[data-class='{code}']")).ToBeVisibleAsync();
        await Assertions.Expect(agent.GetByRole(AriaRole.Button, new() { Name = "Ajouter la classe" })).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Issue 22, webhooks in the portal: Mali's MEF administrator registers the test's receiver for the agency's requests, copies
    /// the secret shown this once, and reads the delivery of the next request's step with its attempt; reloaded, the page shows
    /// the secret no more.
    /// </summary>
    [Fact]
    public async Task An_agency_administrator_registers_a_webhook_in_the_portal_is_shown_its_secret_once_and_reads_its_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var page = await SignedInAsync("admin.mef.ml", "/webhooks");
        await page.GetByLabel("Adresse (https)").FillAsync(receiver.Url);
        await page.GetByLabel("Description").FillAsync("Chaîne du MEF");
        await page.Locator("label[data-type=request_status] input").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-new-secret] code.secret")).ToContainTextAsync("whsec_", new() { Timeout = 60_000 });
        var secret = (await page.Locator("[data-new-secret] code.secret").TextContentAsync())!.Trim();
        var card = page.Locator("article.webhook", new() { HasText = receiver.Url });
        await Assertions.Expect(card).ToContainTextAsync("request_status");
        var webhookId = await card.GetAttributeAsync("data-webhook-id");

        var submitted = await m.SubmitAsync(m.Request("ML/MEF", "internal", vcpu: 1, memoryGib: 2, diskGib: 10));
        await card.GetByRole(AriaRole.Button, new() { Name = "Voir les envois" }).ClickAsync();
        var row = card.Locator("tr[data-delivery-id]", new() { HasText = submitted.Id[^8..].ToUpperInvariant() }).First;
        await Assertions.Expect(row.Locator("td[data-status]")).ToHaveAttributeAsync("data-status", "delivered", Live);
        await Assertions.Expect(row.Locator("li[data-outcome=delivered]").First).ToContainTextAsync("(200)");
        await Screenshot(page, "webhooks");
        var received = receiver.Requests.First(r => r.Body.Contains(submitted.Id, StringComparison.Ordinal));
        Assert.Equal("sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(received.Body))),
            received.Headers["X-Aes-Signature"]);

        await page.ReloadAsync();
        await InteractiveAsync(page);
        await Assertions.Expect(page.Locator($"article[data-webhook-id='{webhookId}']")).ToBeVisibleAsync(Shown);
        await Assertions.Expect(page.Locator("[data-new-secret]")).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);

        await page.Locator($"article[data-webhook-id='{webhookId}']").GetByRole(AriaRole.Button, new() { Name = "Supprimer" }).ClickAsync();
        await Assertions.Expect(page.Locator($"article[data-webhook-id='{webhookId}']")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        await m.Provisioning.WithdrawRequestAsync(new P.WithdrawRequestRequest { RequestId = submitted.Id, ActorUserId = m.Users["agent.mef.ml"], Reason = "essai" });
    }

    /// <summary>
    /// Issue 23 in the portal: Mali's operator creates a campaign for DNEC, imports a file with a bad row (refused whole,
    /// the row named by line and field, nothing kept), then the corrected file, plans it without reserving anything, and
    /// reads the gap, the cost per agency and the workloads still abroad; Niger's auditor does not see Mali's campaigns.
    /// </summary>
    [Fact]
    public async Task An_operator_runs_a_repatriation_campaign_in_the_portal_imports_a_file_plans_it_and_reads_its_gaps()
    {
        var name = $"Rapatriement DNEC {Guid.NewGuid():N}"[..30];
        var folder = Infra.NewTempFolder("aes-campaign");
        string Csv(string firstVcpu)
        {
            var csv = new StringBuilder("workload,agency,classification,source_provider,source_region,data_gb,target_date,wave,vcpu,memory_gib,storage_gib\n");
            csv.Append($"etat-civil-0,ML/DNEC,strategic,cloud-eu,eu-west,900,2027-03-31,2,{firstVcpu},16,200\n");
            for (var i = 1; i < 40; i++)
            {
                csv.Append($"archives-{i:D2},ML/DNEC,internal,cloud-eu,\"eu-west, Paris\",{10 * i},2027-03-31,{(i <= 2 ? 1 : 2)},4,8,100\n");
            }
            return csv.ToString();
        }
        var bad = Path.Combine(folder, "inventaire-faux.csv");
        File.WriteAllText(bad, Csv("quatre"));
        var good = Path.Combine(folder, "inventaire.csv");
        File.WriteAllText(good, Csv("4"));
        var usedBefore = await m.AgencyVcpuAsync("ML/DNEC");
        // Room of the test's own in Bamako for 5 of the 40 workloads, whatever the class's other tests hold in its general pool.
        var room = await m.Quota.CreatePoolAsync(new Q.CreatePoolRequest { ActorUserId = m.Users["op.ml"], FacilityId = m.Facilities["ML-BKO-1"], Name = "campagne" });
        async Task InventoryAsync(long vcpu, long memory, long storage)
        {
            foreach (var (resourceClass, total) in new[] { ("vcpu", vcpu), ("memory_gib", memory), ("storage_gib", storage) })
            {
                await m.Quota.SetInventoryAsync(new Q.SetInventoryRequest
                {
                    ActorUserId = m.Users["op.ml"], PoolId = room.Id, ResourceClass = resourceClass, Total = total, Reserved = 0, AllocationRatio = "1.0",
                });
            }
        }
        await InventoryAsync(20, 1_000, 100_000);
        try
        {
            await RepatriationCampaignInThePortalAsync(name, bad, good, usedBefore);
        }
        finally
        {
            // What the launched wave's VMs hold stays; nothing more is offered.
            var used = (await m.Quota.GetPoolAsync(new Q.GetPoolRequest { Id = room.Id })).Inventories.ToDictionary(i => i.ResourceClass, i => i.Used);
            await InventoryAsync(used.GetValueOrDefault("vcpu"), used.GetValueOrDefault("memory_gib"), used.GetValueOrDefault("storage_gib"));
        }
    }

    private async Task RepatriationCampaignInThePortalAsync(string name, string bad, string good, long usedBefore)
    {
        var page = await SignedInAsync("op.ml", "/rapatriement");
        await page.GetByLabel("Nom", new() { Exact = true }).FillAsync(name);
        await page.Locator("label[data-agency='ML/DNEC'] input").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Ajouter une vague" }).ClickAsync();
        await Assertions.Expect(page.Locator("#wave-1")).ToBeVisibleAsync(Shown);
        await page.GetByRole(AriaRole.Button, new() { Name = "Créer la campagne" }).ClickAsync();
        var campaign = page.Locator("section.campaign", new() { HasText = name });
        await Assertions.Expect(campaign.Locator("[data-workloads]")).ToHaveAttributeAsync("data-workloads", "0", new() { Timeout = 60_000 });

        await page.Locator("#campaign-file").SetInputFilesAsync(bad);
        await Assertions.Expect(page.Locator("[data-import-status=refused] tr[data-line='2'][data-field='vcpu']")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(campaign.Locator("[data-workloads]")).ToHaveAttributeAsync("data-workloads", "0");
        await page.Locator("#campaign-file").SetInputFilesAsync(good);
        await Assertions.Expect(page.Locator("[data-import-status=imported]")).ToContainTextAsync("40 ajoutées", new() { Timeout = 60_000 });
        await Assertions.Expect(campaign.Locator("[data-workloads]")).ToHaveAttributeAsync("data-workloads", "40");

        await campaign.Locator("button[data-plan]").ClickAsync();
        await Assertions.Expect(campaign.Locator("[data-plan-counts]")).ToContainTextAsync("sur 40", new() { Timeout = 60_000 });
        // Bamako's pool cannot take 160 vCPU: the gap is there, with what the workloads without a place ask for.
        await Assertions.Expect(campaign.Locator("tr[data-gap='ML/ML-BKO-1/vcpu']")).ToBeVisibleAsync(Shown);
        await Assertions.Expect(campaign.Locator("table.costs tr[data-agency='ML/DNEC']")).ToBeVisibleAsync(Shown);
        await Assertions.Expect(campaign.Locator("tr[data-workload='etat-civil-0']")).ToContainTextAsync("cloud-eu");
        Assert.True(await campaign.Locator("tr[data-workload][data-planned='ML-BKO-1']").CountAsync() > 0);
        Assert.Equal(0, await campaign.Locator("tr[data-workload][data-planned^='BF-']").CountAsync());
        await Screenshot(page, "rapatriement");
        // Planning reserved nothing.
        Assert.Equal(usedBefore, await m.AgencyVcpuAsync("ML/DNEC"));

        // The status as CSV (each workload, its place in the plan) and as a printable report in French, with the page's own session.
        var exportUrl = new Uri(new Uri(page.Url), await campaign.Locator("a[data-export-csv]").GetAttributeAsync("href")).ToString();
        var export = await page.Context.APIRequest.GetAsync(exportUrl);
        Assert.Equal(200, export.Status);
        var lines = Encoding.UTF8.GetString(await export.BodyAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(41, lines.Length);
        Assert.StartsWith("workload,agency,classification,source_provider,source_region,data_gb,target_date,wave,step,planned_facility", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("archives-01,ML/DNEC,internal,cloud-eu,\"eu-west, Paris\",10,2027-03-31,1,planned,ML-BKO-1,ML,", StringComparison.Ordinal));
        var report = await page.Context.NewPageAsync();
        await report.GotoAsync(new Uri(new Uri(page.Url), await campaign.Locator("a[data-report]").GetAttributeAsync("href")).ToString());
        await Assertions.Expect(report.Locator("h1")).ToContainTextAsync("Campagne de rapatriement");
        await Assertions.Expect(report.Locator("tr.gap", new() { HasText = "ML-BKO-1" }).First).ToBeVisibleAsync(Shown);
        await Assertions.Expect(report.Locator("tr.workload")).ToHaveCountAsync(40);
        await report.CloseAsync();

        await LaunchAndRecordInThePortalAsync(page, name);

        await page.GotoAsync(page.Url.Split('?')[0] + "?lang=en");
        await InteractiveAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Repatriation");
        await Assertions.Expect(page.Locator("section.campaign h3").First).ToContainTextAsync("Plan");

        var auditor = await SignedInAsync("audit.ne", "/rapatriement");
        await Assertions.Expect(auditor.Locator("h2").First).ToContainTextAsync("NE");
        await Assertions.Expect(auditor.Locator("li[data-campaign-id]", new() { HasText = name })).ToHaveCountAsync(0);
        // Nor its export, asked for by address.
        Assert.Equal(403, (await auditor.Context.APIRequest.GetAsync(exportUrl)).Status);
    }

    /// <summary>
    /// Wave 1 (two workloads) launched from the page, its requests approved by Mali's operator and followed to active; then
    /// archives-01's steps recorded through the form, to its foreign copy deleted with a document's fingerprint: it leaves
    /// the list of what is still abroad, and the printable report names its evidence.
    /// </summary>
    private async Task LaunchAndRecordInThePortalAsync(IPage page, string name)
    {
        var campaign = page.Locator("section.campaign", new() { HasText = name });
        await campaign.Locator("button[data-launch='1']").ClickAsync();
        await Assertions.Expect(campaign.Locator("[data-launched]")).ToHaveAttributeAsync("data-launched", "2", new() { Timeout = 60_000 });
        await Assertions.Expect(campaign.Locator("tr.wave-total[data-wave='2'] td[data-step='planned']")).ToHaveTextAsync("38");
        var campaignId = await campaign.GetAttributeAsync("data-campaign");
        var launched = (await m.Provisioning.ListCampaignWorkloadsAsync(new P.ListCampaignWorkloadsRequest { CampaignId = campaignId, Wave = 1 })).Workloads;
        Assert.Equal(["archives-01", "archives-02"], launched.Select(w => w.Key).Order());
        var malianOperator = (await m.AsAsync("op.ml")).Provisioning;
        foreach (var workload in launched)
        {
            // Approved by Mali's operator unless a policy of the class's other tests approved it already.
            await Eventually.HoldsAsync(async () =>
            {
                var request = await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = workload.RequestId });
                if (request.Status == "awaiting_approval")
                {
                    await malianOperator.ApproveAsync(new P.ApproveRequest { RequestId = workload.RequestId });
                }
                Assert.DoesNotContain(request.Status, new[] { "rejected", "failed", "expired", "withdrawn" });
                return request.Status == "active";
            }, TimeSpan.FromSeconds(120), $"{workload.Key}'s request approved and active");
        }
        await Eventually.HoldsAsync(async () =>
        {
            await page.ReloadAsync();
            await InteractiveAsync(page);
            return await page.Locator("section.campaign tr.wave-total[data-wave='1'] td[data-step='hosting_active']").TextContentAsync() == "2";
        }, TimeSpan.FromSeconds(60), "the page shows wave 1's two workloads hosting active");

        async Task RecordAsync(string step, Func<Task> fill)
        {
            var form = page.Locator("details.record-step");
            if (await form.GetAttributeAsync("open") is null)
            {
                await form.Locator("summary").ClickAsync();
            }
            await page.Locator("#step-workload").FillAsync("archives-01");
            await page.Locator("#step-kind").SelectOptionAsync(step);
            await fill();
            await form.GetByRole(AriaRole.Button, new() { Name = "Enregistrer" }).ClickAsync();
            await Assertions.Expect(page.Locator($"[data-recorded='archives-01/{step}']")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        }
        var checksum = new string('c', 64);
        await RecordAsync("data_transferred", async () =>
        {
            await page.Locator("#step-gb").FillAsync("10");
            await page.Locator("#step-checksum").FillAsync(checksum);
        });
        await RecordAsync("cut_over", () => Task.CompletedTask);
        var certificate = Path.Combine(Infra.NewTempFolder("aes-proof"), "certificat-suppression.pdf");
        File.WriteAllText(certificate, "Certificat de suppression : archives-01, cloud-eu, eu-west.");
        var fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(certificate)));
        await RecordAsync("foreign_copy_deleted", async () =>
        {
            await page.Locator("#step-attested").FillAsync("M. Coulibaly, cloud-eu");
            await page.Locator("#step-deleted-at").FillAsync(DateTime.Now.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
            await page.Locator("#step-document").SetInputFilesAsync(certificate);
            await Assertions.Expect(page.Locator("[data-document-sha256]")).ToHaveTextAsync(fingerprint, new() { Timeout = 30_000 });
        });
        await Assertions.Expect(campaign.Locator("tr[data-workload='archives-01']")).ToHaveCountAsync(0);
        await Assertions.Expect(campaign.Locator("tr[data-workload='archives-02']")).ToContainTextAsync("hébergement actif");
        await Assertions.Expect(campaign.Locator("tr.wave-total[data-wave='1'] td[data-step='foreign_copy_deleted']")).ToHaveTextAsync("1");

        var report = await page.Context.NewPageAsync();
        await report.GotoAsync(new Uri(new Uri(page.Url), await campaign.Locator("a[data-report]").GetAttributeAsync("href")).ToString());
        await Assertions.Expect(report.Locator("tr.home")).ToContainTextAsync(fingerprint);
        await Assertions.Expect(report.Locator("tr.workload")).ToHaveCountAsync(39);
        await report.CloseAsync();

        // At phone width the workloads still abroad are cards, each within the screen.
        await page.SetViewportSizeAsync(390, 844);
        var card = campaign.Locator("tr[data-workload='archives-02']");
        Assert.True((await card.BoundingBoxAsync())!.Width <= 390, "a workload's card fits a 390 px screen");
        await Screenshot(page, "rapatriement-telephone");
        await page.SetViewportSizeAsync(1366, 768);
    }

    [Fact]
    public async Task The_home_page_speaks_french_first_and_english_on_request()
    {
        var page = await (await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 } })).NewPageAsync();
        var elsewhere = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(m.PortalAddress, StringComparison.Ordinal))
            {
                elsewhere.Add(request.Url);
            }
        };
        await page.GotoAsync(m.PortalAddress);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Centres de données" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Datacenters" })).ToBeVisibleAsync();
        await page.GotoAsync(m.PortalAddress);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Datacenters" })).ToBeVisibleAsync();
        await Screenshot(page, "accueil-en");
        Assert.Empty(elsewhere); // every script, style and font comes from the portal itself
    }

    private async Task<List<P.HostingRequest>> RequestsWithAsync(string agency, string justification) =>
        (await m.Provisioning.ListRequestsAsync(new P.ListRequestsRequest { AgencyId = m.Agencies[agency] })).Requests.Where(r => r.Justification == justification).ToList();

    /// <summary>A fresh browser session signed in as <paramref name="user"/> at the issuer's page, back on <paramref name="path"/>.</summary>
    private async Task<IPage> SignedInAsync(string user, string path, int width = 1366, int height = 768)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, Locale = "fr-FR" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(m.PortalAddress + path);
        await page.Locator("#username").FillAsync(user);
        await page.Locator("#password").FillAsync("aes-demo-2026");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(m.PortalAddress + path);
        await InteractiveAsync(page);
        return page;
    }

    /// <summary>Interactive pages answer typing and clicks once their live connection is up, which they say.</summary>
    private static Task InteractiveAsync(IPage page) =>
        Assertions.Expect(page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 60_000 });

    private static async Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
