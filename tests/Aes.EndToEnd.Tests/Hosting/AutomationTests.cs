using CsCheck;
using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aes.Messaging;
using Aes.Testing;
using Aes.ServiceDefaults.Paging;
using Grpc.Core;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

using static Aes.EndToEnd.Tests.Hosting.RestCalls;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// What agencies and operators automate, against the running system: `aes`, the command line (it signs in
/// by the code flow, the test playing the browser, and verifies the services' hash-chained audit trails),
/// and the public REST API (/api/v1) with real user tokens.
/// </summary>
public abstract class AutomationTests<TMarketplace>(TMarketplace m) : IClassFixture<TMarketplace> where TMarketplace : ProvisioningMarketplace
{
    private readonly string _config = Infra.NewTempFolder("aes-cli");

    private async Task<(int ExitCode, string Output)> AesAsync(params string[] arguments)
    {
        await using var command = ServiceProcess.Start("services/Cli", "aes", arguments,
            new Dictionary<string, string> { ["AES_CONFIG_DIR"] = _config, ["AES_PORT_OFFSET"] = m.PortOffset.ToString(), ["COLUMNS"] = "250" });
        var exitCode = await command.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, command.Output);
    }

    [Fact]
    public async Task The_cli_signs_in_by_the_code_flow_and_verifies_the_audit_trails_and_an_edited_or_removed_record_is_found()
    {
        // Sign-in: the command prints the address, the "browser" signs in, and the code comes back to the command.
        await using (var login = ServiceProcess.Start("services/Cli", "aes", ["login"],
            new Dictionary<string, string> { ["AES_CONFIG_DIR"] = _config, ["AES_PORT_OFFSET"] = m.PortOffset.ToString() }))
        {
            await login.WaitForOutputAsync("connect/authorize", TimeSpan.FromSeconds(30));
            var address = login.Output.Split('\n').Select(line => line.Trim()).First(line => line.Contains("connect/authorize"));
            using var browser = new CodeFlowClient(m.TenancyHttpAddress);
            var toLogin = await browser.GetAsync(address);
            var signedIn = await browser.SignInAsync(toLogin.Headers.Location!.ToString(), "audit.aes", "aes-demo-2026");
            var callback = (await browser.GetAsync(signedIn.Headers.Location!.ToString())).Headers.Location!;
            using var plain = new HttpClient();
            Assert.Contains("Connexion réussie", await plain.GetStringAsync(callback));
            Assert.Equal(0, await login.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("audit.aes", login.Output);
        }
        var whoami = await AesAsync("whoami");
        Assert.Equal(0, whoami.ExitCode);
        Assert.Contains("Auditor::", whoami.Output);

        // A change made through the API is recorded: who, what, from where.
        var op = await m.AsAsync("op.ml");
        await op.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest
        {
            StateCode = "ML", LimitsByClass = { ByClassWire.Size<Q.ResourceAmount>(10_000, 100_000, 10_000_000, 100) },
        });
        var list = await AesAsync("audit", "list", "--service", "quota", "--limit", "1000");
        Assert.Equal(0, list.ExitCode);
        Assert.True(list.Output.Contains("op.ml") && list.Output.Contains("SetStateDefaultQuota") && list.Output.Contains("127.0.0.1"), list.Output);

        var intact = await AesAsync("audit", "verify", "--full");
        Assert.True(intact.ExitCode == 0, intact.Output);
        Assert.Equal(5, CountOf(intact.Output, "intacte / intact")); // tenancy, quota, billing, provisioning, notifications

        // The next verification starts from the last record verified: one change since, one record checked.
        await op.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest
        {
            StateCode = "ML", LimitsByClass = { ByClassWire.Size<Q.ResourceAmount>(10_001, 100_000, 10_000_000, 100) },
        });
        var since = await AesAsync("audit", "verify", "--service", "quota");
        Assert.True(since.ExitCode == 0, since.Output);
        Assert.Contains("1 new entries verified since position", since.Output);

        // Someone with the database's keys edits one record, then removes another: the chain shows both.
        await using (var database = m.ServiceDatabase("quota"))
        {
            await database.OpenAsync();
            await ExecuteAsync(database, database is Npgsql.NpgsqlConnection
                ? "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"
                : "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;");
            await ExecuteAsync(database, "UPDATE audit_entries SET details = '{}' WHERE position = 2");
            var edited = await AesAsync("audit", "verify", "--service", "quota", "--full");
            Assert.Equal(3, edited.ExitCode);
            Assert.Contains("position 2: content changed", edited.Output);

            // The record the checkpoint names, edited since it was verified, is found without going through the whole chain.
            await ExecuteAsync(database, "UPDATE audit_entries SET details = '{}' WHERE position = (SELECT max(position) FROM audit_entries)");
            var anchor = await AesAsync("audit", "verify", "--service", "quota");
            Assert.Equal(3, anchor.ExitCode);
            Assert.Contains("no longer the record verified before", anchor.Output);

            await ExecuteAsync(database, "DELETE FROM audit_entries WHERE position = 3");
            var removed = await AesAsync("audit", "verify", "--service", "quota", "--full");
            Assert.Equal(3, removed.ExitCode);
            Assert.Contains("positions 3–3: missing", removed.Output);
        }

        // The trail is for auditors: a requester may not read it.
        var refused = await AesAsync("audit", "verify", "--token", await m.TokenOfAsync("agent.mef.ml"));
        Assert.Equal(5, refused.ExitCode);
        Assert.Contains("PermissionDenied", refused.Output);
    }

    [Fact]
    public async Task The_cli_submits_lists_approves_and_rejects_requests_with_each_users_token()
    {
        var agent = await m.TokenOfAsync("agent.mef.ml");
        var submitted = await AesAsync("requests", "submit", "--agency", "ML/MEF", "--project", "Budget de l'État", "--classification", "internal",
            "--vcpu", "1", "--memory-gib", "2", "--disk-gib", "20", "--justification", "Budget 2027", "--token", agent);
        Assert.True(submitted.ExitCode == 0, submitted.Output);
        var id = System.Text.RegularExpressions.Regex.Match(submitted.Output, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value;
        await m.WaitForAsync(id, "awaiting_approval");

        var listed = await AesAsync("requests", "list", "--agency", "ML/MEF", "--status", "awaiting_approval", "--token", agent);
        Assert.Contains(id, listed.Output);
        var refused = await AesAsync("requests", "approve", id, "--token", agent);
        Assert.Equal(5, refused.ExitCode);
        Assert.Contains("PermissionDenied", refused.Output);
        var unknownAgency = await AesAsync("requests", "submit", "--agency", "XX/FOO", "--project", "p", "--classification", "internal",
            "--vcpu", "1", "--memory-gib", "2", "--disk-gib", "20", "--justification", "x", "--token", agent);
        Assert.Equal(2, unknownAgency.ExitCode);

        var rejected = await AesAsync("requests", "reject", id, "--reason", "Doublon", "--token", await m.TokenOfAsync("op.ml"));
        Assert.True(rejected.ExitCode == 0, rejected.Output);
        Assert.Contains("rejected", rejected.Output);
    }

    [Fact]
    public async Task The_cli_asks_for_gpus_by_class_beside_a_custom_size_and_refuses_a_bad_count_before_calling()
    {
        var agent = await m.TokenOfAsync("agent.mef.ml");
        string[] Submit(params string[] more) => ["requests", "submit", "--agency", "ML/MEF", "--project", "Budget de l'État", "--classification", "internal",
            "--justification", "Modèle de langue", "--token", agent, .. more];

        var submitted = await AesAsync(Submit("--vcpu", "12", "--memory-gib", "96", "--disk-gib", "400", "--gpu", "gpu_a100_80g=1"));
        Assert.True(submitted.ExitCode == 0, submitted.Output);
        var id = System.Text.RegularExpressions.Regex.Match(submitted.Output, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value;
        var request = await m.Provisioning.GetRequestAsync(new Aes.Contracts.Provisioning.V1.RequestIdRequest { RequestId = id });
        Assert.Equal([("vcpu", 12L), ("memory_gib", 96L), ("storage_gib", 400L), ("gpu_a100_80g", 1L)],
            request.Vms.Single().Resources.Select(r => (r.ResourceClass, r.Amount)));
        // REST reads the same (held to the OpenAPI document), and refuses 9 A100 on one VM naming the field, in French and English.
        var api = await ApiAsAsync("agent.mef.ml");
        var (_, read) = await RestCalls.SendAsync(api, HttpMethod.Get, $"/api/v1/requests/{id}");
        Assert.Contains(read.GetProperty("vms")[0].GetProperty("resources").EnumerateArray(),
            r => r.GetProperty("resourceClass").GetString() == "gpu_a100_80g" && r.GetProperty("amount").GetInt64() == 1);
        var tooMany = await RestCalls.SendAsync(api, HttpMethod.Post, "/api/v1/requests", new
        {
            agencyId = m.Agencies["ML/MEF"], projectId = request.ProjectId, classification = "internal",
            justification = "Trop de GPU", deadline = DateTime.UtcNow.AddDays(7).ToString("O"),
            vms = new[]
            {
                new
                {
                    image = "debian-12", count = 1, resources = new[]
                    {
                        new { resourceClass = "vcpu", amount = 12 }, new { resourceClass = "memory_gib", amount = 96 },
                        new { resourceClass = "storage_gib", amount = 400 }, new { resourceClass = "gpu_a100_80g", amount = 9 },
                    },
                },
            },
        }, idempotencyKey: Guid.NewGuid().ToString());
        RestCalls.AssertProblem(System.Net.HttpStatusCode.BadRequest, tooMany, "vms[0].resources[3].amount");
        // The fixed sizes of the version before are gone (ADR 048): named, not misread.
        var oldShape = await RestCalls.SendAsync(api, HttpMethod.Post, "/api/v1/requests", new
        {
            agencyId = m.Agencies["ML/MEF"], projectId = request.ProjectId, classification = "internal",
            justification = "Ancien format", deadline = DateTime.UtcNow.AddDays(7).ToString("O"),
            vms = new[] { new { vcpu = 2, memoryGib = 4, diskGib = 40, image = "debian-12", count = 1 } },
        }, idempotencyKey: Guid.NewGuid().ToString());
        RestCalls.AssertProblem(System.Net.HttpStatusCode.BadRequest, oldShape, "vms[0].vcpu");
        Assert.True((await AesAsync("requests", "withdraw", id, "--reason", "essai", "--token", agent)).ExitCode == 0);

        var notACount = await AesAsync(Submit("--vcpu", "12", "--memory-gib", "96", "--disk-gib", "400", "--gpu", "gpu_a100_80g=un"));
        Assert.Equal(2, notACount.ExitCode);
        Assert.Contains("--gpu", notACount.Output);
        var withFlavour = await AesAsync(Submit("--flavour", "g1.a100", "--gpu", "gpu_a100_80g=1"));
        Assert.Equal(2, withFlavour.ExitCode);
        var unknown = await AesAsync(Submit("--vcpu", "12", "--memory-gib", "96", "--disk-gib", "400", "--gpu", "gpu_nowhere=1"));
        Assert.Equal(5, unknown.ExitCode);
        Assert.Contains("vms[0].resources[3].resource_class", unknown.Output);
    }

    [Fact]
    public async Task The_cli_lists_an_agencys_vms_with_the_addresses_their_facility_gave_them()
    {
        var submitted = await m.SubmitAsync(m.Request("ML/MEF", "internal", vcpu: 1, memoryGib: 2, diskGib: 20));
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        await m.Provisioning.ApproveAsync(new Aes.Contracts.Provisioning.V1.ApproveRequest { RequestId = submitted.Id, ActorUserId = m.Users["op.ml"] });
        var vmId = (await m.WaitForAsync(submitted.Id, "active")).VmIds.Single();
        var vm = (await m.Provisioning.ListVmsAsync(new Aes.Contracts.Provisioning.V1.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] })).Vms.Single(v => v.Id == vmId);
        Assert.NotEmpty(vm.Addresses);

        var listed = await AesAsync("vms", "list", "--agency", "ML/MEF", "--token", await m.TokenOfAsync("agent.mef.ml"));
        Assert.True(listed.ExitCode == 0, listed.Output);
        var line = listed.Output.Split('\n').Single(l => l.Contains(vmId, StringComparison.Ordinal));
        Assert.Contains(vm.Addresses[0], line);
        Assert.Contains("active", line);
        var otherState = await AesAsync("vms", "list", "--agency", "ML/MEF", "--token", await m.TokenOfAsync("op.bf"));
        Assert.Equal(5, otherState.ExitCode);

        await m.Provisioning.DecommissionVmAsync(new Aes.Contracts.Provisioning.V1.DecommissionVmRequest { VmId = vmId, ActorUserId = m.Users["agent.mef.ml"], Reason = "fin du test" });
    }

    [Fact]
    public async Task An_operator_adds_a_resource_class_from_the_cli_everyone_reads_it_over_rest_and_an_agency_or_a_neighbour_cannot_add_one()
    {
        string[] L40s(string code) => ["classes", "define", "--state", "ML", "--code", code, "--unit", "gpu", "--name-fr", "GPU L40S", "--name-en", "L40S GPU",
            "--metering", "hourly", "--consumption", "count"];
        var added = await AesAsync([.. L40s("gpu_l40s"), "--token", await m.TokenOfAsync("op.ml")]);
        Assert.True(added.ExitCode == 0 && added.Output.Contains("gpu-hour", StringComparison.Ordinal), added.Output);
        var listed = await AesAsync("classes", "list", "--token", await m.TokenOfAsync("agent.mef.ml"));
        Assert.True(listed.ExitCode == 0, listed.Output);
        Assert.Contains("gpu_l40s", listed.Output);
        Assert.Contains("vcpu-hour", listed.Output);

        // An agency's administrator, and another state's operator naming Mali, are refused; nothing is added.
        foreach (var intruder in new[] { "admin.mef.ml", "op.bf" })
        {
            var refused = await AesAsync([.. L40s("gpu_h100"), "--token", await m.TokenOfAsync(intruder)]);
            Assert.Equal(5, refused.ExitCode);
            Assert.Contains("PermissionDenied", refused.Output);
        }
        using var agent = await ApiAsAsync("agent.mef.ml");
        var classes = (await SendAsync(agent, HttpMethod.Get, "/api/v1/resource-classes")).Body.GetProperty("classes").EnumerateArray()
            .Select(c => c.GetProperty("code").GetString()).ToList();
        Assert.Equal(["vcpu", "memory_gib", "storage_gib", "public_ipv4"], classes.Take(4));
        Assert.Contains("gpu_l40s", classes);
        Assert.DoesNotContain("gpu_h100", classes);

        // Over REST, other terms for a code already taken: a 409-class refusal in both languages, and the class as it was.
        using var op = await ApiAsAsync("op.ml");
        var changed = await SendAsync(op, HttpMethod.Post, "/api/v1/resource-classes", new
        {
            stateCode = "ML", code = "gpu_l40s", unit = "carte", nameFr = "GPU L40S", nameEn = "L40S GPU", metering = "RESOURCE_METERING_HOURLY",
            consumption = "RESOURCE_CONSUMPTION_COUNT",
        });
        Assert.False(changed.Response.IsSuccessStatusCode, changed.Body.ToString());
        Assert.Contains("existe déjà", changed.Body.ToString());
        Assert.Contains("already exists", changed.Body.ToString());
        var kept = (await SendAsync(agent, HttpMethod.Get, "/api/v1/resource-classes")).Body.GetProperty("classes").EnumerateArray()
            .Single(c => c.GetProperty("code").GetString() == "gpu_l40s");
        Assert.Equal("gpu", kept.GetProperty("unit").GetString());

        // An auto-approval policy may bound the class just added (ADR 052), saved disabled so no other request is touched;
        // the vCPU-only limit of the version before is named, not misread, and a 0 is refused by field.
        var limits = await SendAsync(op, HttpMethod.Put, "/api/v1/auto-approval", new
        {
            policy = new { stateCode = "ML", enabled = false, classifications = new[] { "internal" }, maxPerRequest = new[] { new { resourceClass = "gpu_l40s", amount = 2 } } },
        });
        Assert.True(limits.Response.IsSuccessStatusCode, limits.Body.ToString());
        var policy = (await SendAsync(op, HttpMethod.Get, "/api/v1/states/ML/auto-approval")).Body;
        Assert.Equal(("gpu_l40s", 2), (policy.GetProperty("maxPerRequest")[0].GetProperty("resourceClass").GetString(), policy.GetProperty("maxPerRequest")[0].GetProperty("amount").GetInt32()));
        RestCalls.AssertProblem(System.Net.HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Put, "/api/v1/auto-approval", new
        {
            policy = new { stateCode = "ML", enabled = false, maxVcpu = 8 },
        }), "policy.maxVcpu");
        RestCalls.AssertProblem(System.Net.HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Put, "/api/v1/auto-approval", new
        {
            policy = new { stateCode = "ML", enabled = false, maxPerRequest = new[] { new { resourceClass = "vcpu", amount = 0 } } },
        }), "policy.maxPerRequest[0].amount");
    }

    [Fact]
    public async Task The_cli_manages_capacity_quotas_and_prices_and_reads_invoices_and_settlements()
    {
        var op = await m.TokenOfAsync("op.ml");
        var created = await AesAsync("capacity", "create-pool", "--facility", "ML-BKO-1", "--name", "cli-pool", "--token", op);
        Assert.True(created.ExitCode == 0, created.Output);
        var poolId = System.Text.RegularExpressions.Regex.Match(created.Output, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value;
        var set = await AesAsync("capacity", "set", "--pool", poolId, "--class", "vcpu", "--total", "48", "--ratio", "2.0", "--token", op);
        Assert.True(set.ExitCode == 0, set.Output);
        var pool = await (await m.AsAsync("op.ml")).Quota.GetPoolAsync(new Q.GetPoolRequest { Id = poolId });
        Assert.Equal(96, pool.Inventories.Single(i => i.ResourceClass == "vcpu").Capacity);
        var pools = await AesAsync("capacity", "pools", "--facility", "ML-BKO-1", "--token", op);
        Assert.Contains("cli-pool", pools.Output);
        var foreign = await AesAsync("capacity", "set", "--pool", poolId, "--class", "vcpu", "--total", "1", "--token", await m.TokenOfAsync("op.bf"));
        Assert.Equal(5, foreign.ExitCode);
        Assert.Contains("PermissionDenied", foreign.Output);

        // The demo's A100 class is given to the pool like any other; a class nobody defined is refused, naming it.
        var gpus = await AesAsync("capacity", "set", "--pool", poolId, "--class", "gpu_a100_80g", "--total", "4", "--token", op);
        Assert.True(gpus.ExitCode == 0 && gpus.Output.Contains("gpu_a100_80g: capacité / capacity 4", StringComparison.Ordinal), gpus.Output);
        Assert.Contains("gpu_a100_80g", (await AesAsync("capacity", "pools", "--facility", "ML-BKO-1", "--token", op)).Output);
        var unknown = await AesAsync("capacity", "set", "--pool", poolId, "--class", "gpu_nowhere", "--total", "4", "--token", op);
        Assert.True(unknown.ExitCode != 0 && unknown.Output.Contains("gpu_nowhere", StringComparison.Ordinal), unknown.Output);

        // Ouagadougou's operator installs 2 A100 (the other classes kept); Mali's may not; a malformed amount is a usage error.
        var bf = await m.TokenOfAsync("op.bf");
        var ouagaBefore = (await m.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = m.Facilities["BF-OUA-1"] })).InstalledCapacityByClass;
        try
        {
            var installed = await AesAsync("facilities", "capacity", "--facility", "BF-OUA-1", "--set", "GPU_A100_80G=2", "--token", bf);
            Assert.True(installed.ExitCode == 0, installed.Output);
            Assert.Contains("gpu_a100_80g", installed.Output);
            var ouaga = (await m.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = m.Facilities["BF-OUA-1"] })).InstalledCapacityByClass;
            List<(string, long)> expected = [.. ouagaBefore.Where(a => a.ResourceClass != "gpu_a100_80g").Select(a => (a.ResourceClass, a.Amount)), ("gpu_a100_80g", 2L)];
            Assert.Equal(expected, ouaga.Select(a => (a.ResourceClass, a.Amount)).OrderBy(a => a.Item1 == "gpu_a100_80g").ToList());
            var neighbour = await AesAsync("facilities", "capacity", "--facility", "BF-OUA-1", "--set", "gpu_a100_80g=8", "--token", op);
            Assert.Equal(5, neighbour.ExitCode);
            Assert.Contains("PermissionDenied", neighbour.Output);
            Assert.Equal(2, (await AesAsync("facilities", "capacity", "--facility", "BF-OUA-1", "--set", "gpu_a100_80g=deux", "--token", bf)).ExitCode);
            Assert.Equal(0, (await AesAsync("facilities", "capacity", "--facility", "BF-OUA-1", "--set", "gpu_a100_80g=0", "--token", bf)).ExitCode);
            Assert.DoesNotContain((await m.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = m.Facilities["BF-OUA-1"] })).InstalledCapacityByClass,
                a => a.ResourceClass == "gpu_a100_80g");
        }
        finally
        {
            var restore = new T.SetFacilityCapacityRequest { Id = m.Facilities["BF-OUA-1"] };
            restore.InstalledCapacityByClass.AddRange(ouagaBefore);
            await m.Tenancy.SetFacilityCapacityAsync(restore);
        }

        var asked = await AesAsync("quotas", "request", "--agency", "ML/MEF", "--class", "public_ipv4", "--limit", "250", "--justification", "Portail citoyen",
            "--token", await m.TokenOfAsync("admin.mef.ml"));
        Assert.True(asked.ExitCode == 0, asked.Output);
        var changeId = System.Text.RegularExpressions.Regex.Match(asked.Output, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value;
        Assert.Contains(changeId, (await AesAsync("quotas", "pending", "--state", "ML", "--token", op)).Output);
        var approved = await AesAsync("quotas", "approve", changeId, "--reason", "Accordé", "--token", op);
        Assert.True(approved.ExitCode == 0 && approved.Output.Contains("approved"), approved.Output);
        var quota = await AesAsync("quotas", "show", "--agency", "ML/MEF", "--token", await m.TokenOfAsync("agent.mef.ml"));
        Assert.Contains("public_ipv4", quota.Output);
        Assert.Contains("oui / yes", quota.Output);
        Assert.Contains("gpu_a100_80g", quota.Output); // a class the agency was never granted: 0
        Assert.Equal(250, (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = m.Agencies["ML/MEF"] })).Lines.Single(l => l.ResourceClass == "public_ipv4").Limit);

        var prices = await AesAsync("prices", "list", "--facility", "ML-BKO-1", "--token", await m.TokenOfAsync("agent.mef.ml"));
        Assert.True(prices.ExitCode == 0 && prices.Output.Contains("ML-BKO-1") && prices.Output.Contains("XOF"), prices.Output);
        var latest = (await m.Billing.ListPriceCataloguesAsync(new Aes.Contracts.Billing.V1.ListPriceCataloguesRequest { FacilityId = m.Facilities["ML-BKO-1"] }))
            .Catalogues.Max(c => c.EffectiveFrom.ToDateTime());
        var from = latest.AddMonths(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var refusedPrices = await AesAsync("prices", "set", "--facility", "ML-BKO-1", "--from", from, "--vcpu-hour", "10", "--memory-gib-hour", "2",
            "--storage-gib-month", "30", "--ipv4-month", "2000", "--token", await m.TokenOfAsync("op.bf"));
        Assert.Equal(5, refusedPrices.ExitCode);
        Assert.Equal(2, (await AesAsync("prices", "set", "--facility", "ML-BKO-1", "--from", from, "--vcpu-hour", "10", "--memory-gib-hour", "2",
            "--storage-gib-month", "30", "--ipv4-month", "2000", "--price", "gpu_a100_80g=beaucoup", "--token", op)).ExitCode);
        foreach (var misplaced in new[] { "vcpu=30", "gpu_a100_80g=0" }) // a standard class has its own option; a price of 0 is none
        {
            Assert.Equal(2, (await AesAsync("prices", "set", "--facility", "ML-BKO-1", "--from", from, "--vcpu-hour", "10", "--memory-gib-hour", "2",
                "--storage-gib-month", "30", "--ipv4-month", "2000", "--price", misplaced, "--token", op)).ExitCode);
        }
        var published = await AesAsync("prices", "set", "--facility", "ML-BKO-1", "--from", from, "--vcpu-hour", "10", "--memory-gib-hour", "2",
            "--storage-gib-month", "30", "--ipv4-month", "2000", "--price", "GPU_A100_80G=1300", "--token", op);
        Assert.True(published.ExitCode == 0, published.Output);
        var newest = (await m.Billing.ListPriceCataloguesAsync(new Aes.Contracts.Billing.V1.ListPriceCataloguesRequest { FacilityId = m.Facilities["ML-BKO-1"] }))
            .Catalogues.MaxBy(c => c.EffectiveFrom.ToDateTime())!;
        Assert.Equal([("vcpu", 10L), ("memory_gib", 2L), ("storage_gib", 30L), ("public_ipv4", 2000L), ("gpu_a100_80g", 1300L)],
            newest.UnitPrices.Select(p => (p.ResourceClass, p.UnitPriceXof)));
        Assert.Contains("gpu_a100_80g=", (await AesAsync("prices", "list", "--facility", "ML-BKO-1", "--token", op)).Output);

        // An invoice of two months ago, issued; the confederation closes that month.
        var month = DateTime.UtcNow.AddMonths(-2).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var billing = (await m.AsAsync("op.ml")).Billing;
        var invoice = await billing.DraftInvoiceAsync(new Aes.Contracts.Billing.V1.DraftInvoiceRequest { AgencyId = m.Agencies["ML/MEF"], Month = month });
        var listed = await AesAsync("invoices", "list", "--agency", "ML/MEF", "--month", month, "--token", await m.TokenOfAsync("agent.mef.ml"));
        Assert.Contains(invoice.Id, listed.Output);
        Assert.Contains("brouillon / draft", (await AesAsync("invoices", "show", invoice.Id, "--token", op)).Output);
        var issued = await billing.IssueInvoiceAsync(new Aes.Contracts.Billing.V1.InvoiceActionRequest { InvoiceId = invoice.Id });
        var file = Path.Combine(_config, "facture.html");
        var printed = await AesAsync("invoices", "print", invoice.Id, "--language", "en", "--output", file, "--token", await m.TokenOfAsync("agent.mef.ml"));
        Assert.True(printed.ExitCode == 0, printed.Output);
        Assert.Contains(issued.Number, await File.ReadAllTextAsync(file));
        // Issue 22: the agency's administrator is told the invoice is issued.
        var toldInvoice = await m.MailToAsync($"invoice/{invoice.Id}", "admin.mef.ml@aes.test", $"Facture {issued.Number} émise ({month})");
        Assert.Contains("/factures", toldInvoice.TextBody);
        Assert.DoesNotContain(m.MailAbout($"invoice/{invoice.Id}"), x => x.To.Mailboxes.Single().Address == "agent.mef.ml@aes.test");
        var closing = DateTime.UtcNow.AddSeconds(-1);

        Assert.Equal(5, (await AesAsync("settlements", "close", month, "--token", op)).ExitCode);
        var closed = await AesAsync("settlements", "close", month, "--token", await m.TokenOfAsync("admin.aes"));
        Assert.True(closed.ExitCode == 0, closed.Output);
        var shown = await AesAsync("settlements", "show", month, "--token", await m.TokenOfAsync("audit.bf"));
        Assert.True(shown.ExitCode == 0 && shown.Output.Contains("closed"), shown.Output);
        // The confederal administrator and the auditors are told the month is closed.
        foreach (var overseer in new[] { "admin.aes@aes.test", "audit.bf@aes.test", "audit.aes@aes.test" })
        {
            await m.MailToAsync("settlement/", overseer, $"Règlement de {month} clos", closing);
        }
        Assert.DoesNotContain(m.MailAbout("settlement/", closing), x => x.To.Mailboxes.Single().Address == "op.ml@aes.test");
    }

    [Fact]
    public async Task An_automation_client_created_with_the_cli_signs_in_without_a_browser_submits_for_its_agency_and_withdraws_what_it_sent()
    {
        var created = await AesAsync("clients", "create", "--name", "Pipeline MEF", "--role", "Requester", "--agency", "ML/MEF",
            "--project", "Budget de l'État", "--token", await m.TokenOfAsync("admin.mef.ml"));
        Assert.True(created.ExitCode == 0, created.Output);
        var clientId = System.Text.RegularExpressions.Regex.Match(created.Output, @"client_id\s+(\S+)").Groups[1].Value;
        var secret = System.Text.RegularExpressions.Regex.Match(created.Output, @"client_secret\s+(\S+)").Groups[1].Value;

        var login = await AesAsync("login", "--client-id", clientId, "--client-secret", secret);
        Assert.True(login.ExitCode == 0, login.Output);
        Assert.Contains("Requester:ML:", login.Output);
        Assert.Equal(4, (await AesAsync("login", "--client-id", clientId, "--client-secret", "wrong")).ExitCode);
        await AesAsync("login", "--client-id", clientId, "--client-secret", secret);

        // Provisioning learns the new account from tenancy's events; then the client's own token submits.
        (int ExitCode, string Output) submitted = (-1, "");
        await Eventually.HoldsAsync(async () =>
        {
            submitted = await AesAsync("requests", "submit", "--agency", "ML/MEF", "--project", "Budget de l'État", "--classification", "internal",
                "--vcpu", "1", "--memory-gib", "2", "--disk-gib", "20", "--justification", "Déploiement automatique");
            return submitted.ExitCode == 0;
        }, TimeSpan.FromSeconds(30), "the automation client submits");
        var id = System.Text.RegularExpressions.Regex.Match(submitted.Output, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value;
        var request = await m.Provisioning.GetRequestAsync(new Aes.Contracts.Provisioning.V1.RequestIdRequest { RequestId = id });
        Assert.NotEqual(m.Users["agent.mef.ml"], request.SubmittedByUserId);
        // It works on the budget only: the agency's other project is not even listed to it.
        var elsewhere = await AesAsync("requests", "submit", "--agency", "ML/MEF", "--project", "Trésor public", "--classification", "internal",
            "--vcpu", "1", "--memory-gib", "2", "--disk-gib", "20", "--justification", "Pas mon projet");
        Assert.True(elsewhere.ExitCode == 2 && elsewhere.Output.Contains("pas membre"), elsewhere.Output);

        // What it sent, it takes back.
        var withdrawn = await AesAsync("requests", "withdraw", id, "--reason", "Déploiement annulé");
        Assert.True(withdrawn.ExitCode == 0, withdrawn.Output);
        Assert.Contains("withdrawn", withdrawn.Output);
        Assert.Contains("Déploiement annulé", withdrawn.Output);
    }

    [Fact]
    public async Task An_agency_administrator_adds_and_removes_a_project_member_with_the_cli_and_a_requester_cannot()
    {
        var admin = await m.TokenOfAsync("admin.mef.ml");
        var awa = await m.TokenOfAsync("agent.mef.ml");
        string[] Treasury(string command, string user, string token) =>
            ["projects", command, "--agency", "ML/MEF", "--project", "Trésor public", "--user", user, "--token", token];

        var refused = await AesAsync(["projects", "add-member", "--agency", "ML/MEF", "--project", "Budget de l'État", "--user", "agent.tresor.mef.ml", "--token", awa]);
        Assert.True(refused.ExitCode == 5, refused.Output);
        var added = await AesAsync(Treasury("add-member", "agent.mef.ml", admin));
        Assert.True(added.ExitCode == 0 && added.Output.Contains("agent.mef.ml") && added.Output.Contains("agent.tresor.mef.ml"), added.Output);
        var seen = await AesAsync("projects", "list", "--agency", "ML/MEF", "--token", awa);
        Assert.True(seen.ExitCode == 0 && seen.Output.Contains("Trésor public"), seen.Output);

        var removed = await AesAsync(Treasury("remove-member", "agent.mef.ml", admin));
        Assert.True(removed.ExitCode == 0 && !removed.Output.Contains("agent.mef.ml") && removed.Output.Contains("agent.tresor.mef.ml"), removed.Output);
        seen = await AesAsync("projects", "list", "--agency", "ML/MEF", "--token", awa);
        Assert.True(seen.ExitCode == 0 && !seen.Output.Contains("Trésor public") && seen.Output.Contains("Budget"), seen.Output);
        var members = await AesAsync("projects", "members", "--agency", "ML/MEF", "--project", "Budget de l'État", "--token", admin);
        Assert.True(members.ExitCode == 0 && members.Output.Contains("agent.mef.ml") && !members.Output.Contains("agent.tresor"), members.Output);
    }

    /// <summary>Issue 22, point 3, for automation: a webhook registered with `aes` shows its secret once, is read over REST by its owner only, and a metadata address is refused there by field.</summary>
    [Fact]
    public async Task An_agency_administrator_registers_a_webhook_with_the_cli_reads_it_over_rest_and_a_requester_cannot()
    {
        var admin = await m.TokenOfAsync("admin.mef.ml");
        var refused = await AesAsync("webhooks", "add", "--agency", "ML/MEF", "--url", "https://ci.mef.example/aes", "--event", "invoice_issued",
            "--token", await m.TokenOfAsync("agent.mef.ml"));
        Assert.True(refused.ExitCode == 5, refused.Output);

        var added = await AesAsync("webhooks", "add", "--agency", "ML/MEF", "--url", "https://ci.mef.example/aes", "--event", "invoice_issued",
            "--description", "Comptabilité", "--token", admin);
        Assert.True(added.ExitCode == 0, added.Output);
        var secret = added.Output.Split('\n').Select(line => line.Trim()).Single(line => line.StartsWith("whsec_", StringComparison.Ordinal));
        var id = added.Output.Split('\n').Select(line => line.Trim()).Single(line => line.StartsWith("webhook ", StringComparison.Ordinal)).Split(' ')[1];
        try
        {
            var listed = await AesAsync("webhooks", "list", "--agency", "ML/MEF", "--token", admin);
            Assert.True(listed.ExitCode == 0 && listed.Output.Contains(id) && listed.Output.Contains("ci.mef.example") && !listed.Output.Contains(secret), listed.Output);

            using var owner = await ApiAsAsync("admin.mef.ml");
            var read = await SendAsync(owner, HttpMethod.Get, $"/api/v1/webhooks?agencyId={m.Agencies["ML/MEF"]}");
            Assert.Equal(HttpStatusCode.OK, read.Response.StatusCode);
            Assert.Contains(read.Body.GetProperty("webhooks").EnumerateArray(), w => w.GetProperty("id").GetString() == id);
            Assert.DoesNotContain(secret, read.Body.GetRawText(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(owner, HttpMethod.Get, $"/api/v1/webhooks/{id}/deliveries")).Response.StatusCode);
            AssertProblem(HttpStatusCode.BadRequest, await SendAsync(owner, HttpMethod.Post, "/api/v1/webhooks", new
            {
                agencyId = m.Agencies["ML/MEF"], url = "https://169.254.169.254/latest/meta-data/", eventTypes = new[] { "invoice_issued" },
            }), "url");
            using var requester = await ApiAsAsync("agent.mef.ml");
            AssertProblem(HttpStatusCode.Forbidden, await SendAsync(requester, HttpMethod.Get, $"/api/v1/webhooks/{id}/deliveries"));
            AssertProblem(HttpStatusCode.Forbidden, await SendAsync(requester, HttpMethod.Post, $"/api/v1/webhooks/{id}/rotate-secret", new { }));

            // Its messages and preferences, over REST too.
            var preferences = await SendAsync(owner, HttpMethod.Get, "/api/v1/notifications/preferences");
            Assert.Equal("admin.mef.ml@aes.test", preferences.Body.GetProperty("email").GetString());
        }
        finally
        {
            var deleted = await AesAsync("webhooks", "delete", "--id", id, "--token", admin);
            Assert.True(deleted.ExitCode == 0, deleted.Output);
        }
    }

    [Fact]
    public async Task The_audit_trail_cannot_be_edited_through_the_services_connection()
    {
        await (await m.AsAsync("admin.mef.ml")).Tenancy.CreateProjectAsync(new Aes.Contracts.Tenancy.V1.CreateProjectRequest
        {
            AgencyId = m.Agencies["ML/MEF"], Name = $"Projet {Guid.NewGuid():N}"[..20],
        });
        await using var database = m.ServiceDatabase("tenancy");
        await database.OpenAsync();
        var error = await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync(database, "UPDATE audit_entries SET actor = 'someone else'"));
        Assert.Contains("append-only", error.Message);
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync(database, "DELETE FROM audit_entries"));
    }

    private Task<HttpClient> ApiAsAsync(string? userName) => RestCalls.ApiAsAsync(m, userName);

    private object RequestBody(string justification) => new
    {
        agencyId = m.Agencies["ML/MEF"], projectId = m.Projects["ML/MEF"], classification = "internal", justification,
        deadline = DateTimeOffset.UtcNow.AddDays(7),
        vms = new[] { new { flavour = "", image = "debian-12", count = 1, resources = new[] { new { resourceClass = "vcpu", amount = 1 }, new { resourceClass = "memory_gib", amount = 2 }, new { resourceClass = "storage_gib", amount = 20 } } } },
    };

    [Fact]
    public async Task A_replayed_client_creation_returns_no_secret_says_it_was_shown_once_and_the_portal_never_stored_it()
    {
        using var administrator = await ApiAsAsync("admin.mef.ml");
        var key = Guid.NewGuid().ToString();
        var body = new
        {
            displayName = "Pipeline rejoué", projectIds = new[] { m.Projects["ML/MEF"] },
            assignment = new { role = "ROLE_REQUESTER", agencyId = m.Agencies["ML/MEF"] },
        };
        var first = await SendAsync(administrator, HttpMethod.Post, "/api/v1/automation-clients", body, key);
        Assert.True(first.Response.IsSuccessStatusCode, first.Body.ToString());
        var secret = first.Body.GetProperty("clientSecret").GetString()!;
        Assert.True(secret.Length >= 32, secret);

        // A network retry (the first answer was lost on the way) gets the same client, without its secret, and is told why.
        var replay = await SendAsync(administrator, HttpMethod.Post, "/api/v1/automation-clients", body, key);
        Assert.Equal(first.Response.StatusCode, replay.Response.StatusCode);
        Assert.Equal("true", replay.Response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Body.GetProperty("clientId").GetString(), replay.Body.GetProperty("clientId").GetString());
        Assert.False(replay.Body.TryGetProperty("clientSecret", out _), replay.Body.ToString());
        Assert.DoesNotContain(secret, replay.Body.GetRawText());
        Assert.Contains("montré qu'une fois", replay.Body.GetProperty("noticeFr").GetString());
        Assert.Contains("shown once", replay.Body.GetProperty("noticeEn").GetString());

        // Whoever reads the portal's database (a backup, a replica) finds the answer, not the secret.
        await using var portal = m.ServiceDatabase(ResourceNames.Portal);
        await portal.OpenAsync();
        await using var read = portal.CreateCommand();
        read.CommandText = $"SELECT \"Body\" FROM idempotency_records WHERE \"Key\" = '{key}'";
        var kept = (string)(await read.ExecuteScalarAsync())!;
        Assert.Contains(first.Body.GetProperty("clientId").GetString()!, kept);
        Assert.DoesNotContain(secret, kept);

        // The portal's record lost (as a 5xx after tenancy committed would lose it), the retry reaches tenancy with the same key:
        // tenancy answers from its own record of the first call, so there is still one client.
        await using (var forget = portal.CreateCommand())
        {
            forget.CommandText = $"DELETE FROM idempotency_records WHERE \"Key\" = '{key}'";
            Assert.Equal(1, await forget.ExecuteNonQueryAsync());
        }
        var retried = await SendAsync(administrator, HttpMethod.Post, "/api/v1/automation-clients", body, key);
        Assert.True(retried.Response.IsSuccessStatusCode, retried.Body.ToString());
        Assert.Equal(first.Body.GetProperty("clientId").GetString(), retried.Body.GetProperty("clientId").GetString());
        Assert.DoesNotContain(secret, retried.Body.GetRawText());
        Assert.Equal("true", retried.Response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(retried.Body.TryGetProperty("clientSecret", out _), retried.Body.ToString());
        Assert.Contains("shown once", retried.Body.GetProperty("noticeEn").GetString());
        await using (var tenancy = m.ServiceDatabase(ResourceNames.Tenancy))
        {
            await tenancy.OpenAsync();
            await using var count = tenancy.CreateCommand();
            count.CommandText = "SELECT count(*) FROM \"Users\" WHERE \"DisplayName\" = 'Pipeline rejoué'";
            Assert.Equal(1L, Convert.ToInt64(await count.ExecuteScalarAsync()));
        }

        // The secret given once still works.
        using var flow = new HttpClient { BaseAddress = new Uri(m.TenancyHttpAddress) };
        using var granted = await flow.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = first.Body.GetProperty("clientId").GetString()!, ["client_secret"] = secret,
        }));
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
    }

    [Fact]
    public async Task The_rest_api_runs_a_request_through_with_real_tokens_and_an_idempotency_key_replays_the_first_answer()
    {
        using var agent = await ApiAsAsync("agent.mef.ml");
        var key = Guid.NewGuid().ToString();
        var body = RequestBody("Budget 2027");
        var first = await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", body, key);
        Assert.True(first.Response.StatusCode == HttpStatusCode.Created, first.Body.ToString());
        var id = first.Body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/requests/{id}", first.Response.Headers.Location!.ToString());
        Assert.Equal(m.Users["agent.mef.ml"], first.Body.GetProperty("submittedByUserId").GetString());

        var replay = await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", body, key);
        Assert.Equal(HttpStatusCode.Created, replay.Response.StatusCode);
        Assert.Equal("true", replay.Response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Body.GetRawText(), replay.Body.GetRawText());
        AssertProblem((HttpStatusCode)422, await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", RequestBody("Autre chose"), key), "Idempotency-Key");
        var listed = await SendAsync(agent, HttpMethod.Get, $"/api/v1/requests?agencyId={m.Agencies["ML/MEF"]}");
        Assert.Single(listed.Body.GetProperty("requests").EnumerateArray(), r => r.GetProperty("id").GetString() == id);

        await m.WaitForAsync(id, "awaiting_approval");
        using var op = await ApiAsAsync("op.ml");
        var placement = await SendAsync(op, HttpMethod.Get, $"/api/v1/requests/{id}/placement");
        Assert.Equal("placed", placement.Body.GetProperty("outcome").GetString());
        using var foreignOperator = await ApiAsAsync("op.bf");
        AssertProblem(HttpStatusCode.Forbidden, await SendAsync(foreignOperator, HttpMethod.Post, $"/api/v1/requests/{id}/approve"));
        var approved = await SendAsync(op, HttpMethod.Post, $"/api/v1/requests/{id}/approve", idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, approved.Response.StatusCode);
        Assert.Equal(m.Users["op.ml"], approved.Body.GetProperty("approvals")[0].GetProperty("decidedByUserId").GetString());
        // Provisioning took the capacity with its own identity, for the agent who asked.
        var held = (await m.OutboxEventsAsync("HoldPlaced", "quota")).Where(e => e.GetProperty("reference").GetString() == $"request {id}").ToList();
        Assert.NotEmpty(held);
        Assert.All(held, e => Assert.Equal(m.Users["agent.mef.ml"], e.GetProperty("actingUserId").GetString()));

        await m.WaitForAsync(id, "active");
        var vms = await SendAsync(agent, HttpMethod.Get, $"/api/v1/vms?agencyId={m.Agencies["ML/MEF"]}");
        var vm = vms.Body.GetProperty("vms").EnumerateArray().Single(v => v.GetProperty("requestId").GetString() == id);
        var ended = await SendAsync(agent, HttpMethod.Post, $"/api/v1/vms/{vm.GetProperty("id").GetString()}/decommission", new { reason = "fin du test" });
        Assert.Equal("decommissioning", ended.Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_rest_api_pages_through_an_agencys_requests_newest_first_and_refuses_a_bad_page()
    {
        using var agent = await ApiAsAsync("agent.mef.ml");
        var submitted = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var created = await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", RequestBody($"pagination {i}"), Guid.NewGuid().ToString());
            Assert.True(created.Response.StatusCode == HttpStatusCode.Created, created.Body.ToString());
            submitted.Add(created.Body.GetProperty("id").GetString()!);
        }

        var seen = new List<(string Id, DateTimeOffset SubmittedAt)>();
        string? token = null;
        var pages = 0;
        string? submittedWhilePaging = null;
        do
        {
            if (pages == 1)
            {
                // A request submitted between two pages: read by key, the next page neither repeats nor skips one because of it.
                var late = await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", RequestBody("pagination tardive"), Guid.NewGuid().ToString());
                submittedWhilePaging = late.Body.GetProperty("id").GetString();
            }
            var page = await SendAsync(agent, HttpMethod.Get,
                $"/api/v1/requests?agencyId={m.Agencies["ML/MEF"]}&pageSize=2" + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}"));
            Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
            var requests = page.Body.GetProperty("requests").EnumerateArray().ToList();
            Assert.InRange(requests.Count, 1, 2);
            seen.AddRange(requests.Select(r => (r.GetProperty("id").GetString()!, r.GetProperty("submittedAt").GetDateTimeOffset())));
            // The last page's nextPageToken is empty.
            token = page.Body.GetProperty("nextPageToken").GetString() is { Length: > 0 } next ? next : null;
            pages++;
        }
        while (token is not null && pages < 500);

        Assert.Null(token);
        Assert.Equal(seen.Count, seen.Select(r => r.Id).Distinct().Count());
        Assert.All(submitted, id => Assert.Single(seen, r => r.Id == id));
        Assert.Equal(seen.Select(r => r.SubmittedAt).OrderByDescending(t => t), seen.Select(r => r.SubmittedAt));
        Assert.DoesNotContain(seen, r => r.Id == submittedWhilePaging); // newer than the first page: for the next reading
        var unpaged = await SendAsync(agent, HttpMethod.Get, $"/api/v1/requests?agencyId={m.Agencies["ML/MEF"]}");
        Assert.Equal(seen.Count + 1, unpaged.Body.GetProperty("requests").GetArrayLength());

        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(agent, HttpMethod.Get, $"/api/v1/requests?agencyId={m.Agencies["ML/MEF"]}&pageSize=5000"));
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(agent, HttpMethod.Get, $"/api/v1/requests?agencyId={m.Agencies["ML/MEF"]}&pageToken=ailleurs"));
    }

    [Fact]
    public async Task Growing_lists_are_read_in_pages_by_key_and_a_bad_page_is_refused_by_field()
    {
        var mef = m.Agencies["ML/MEF"];
        var operatorMl = await m.AsAsync("op.ml");
        var administrator = await m.AsAsync("admin.mef.ml");
        for (var i = 1; i <= 3; i++)
        {
            var limit = (await m.Quota.GetAgencyQuotaAsync(new Q.GetAgencyQuotaRequest { AgencyId = mef })).Lines.Single(l => l.ResourceClass == "storage_gib").Limit;
            var asked = await administrator.Quota.RequestQuotaChangeAsync(new Q.RequestQuotaChangeRequest
            {
                AgencyId = mef, ResourceClass = "storage_gib", RequestedLimit = limit + 1, Justification = $"Pagination {i}",
            });
            await operatorMl.Quota.DecideQuotaChangeAsync(new Q.DecideQuotaChangeRequest { RequestId = asked.Id, Approve = true });
        }
        using var op = await ApiAsAsync("op.ml");
        using var admin = await ApiAsAsync("admin.mef.ml");
        using var agent = await ApiAsAsync("agent.mef.ml");
        for (var i = 1; i <= 2; i++)
        {
            var key = await SendAsync(agent, HttpMethod.Post, "/api/v1/ssh-keys",
                new { agencyId = mef, name = $"pagination-{i}-{Guid.NewGuid():N}", publicKey = Aes.Testing.SshTestKeys.NewEd25519() });
            Assert.True(key.Response.IsSuccessStatusCode, key.Body.ToString());
        }
        // Entries of the history, findings and linked accounts have no id of their own: the whole entry is its key.
        var lists = new (HttpClient Caller, string Path, string Items, string? Key, int AtLeast)[]
        {
            (op, "/api/v1/users?stateCode=ML", "users", "id", 3),
            (admin, $"/api/v1/agencies/{mef}/quota/history", "entries", null, 3),
            (admin, $"/api/v1/vms?agencyId={mef}&includeEnded=true", "vms", "id", 0),
            (op, "/api/v1/invoices?stateCode=ML", "invoices", "id", 0),
            (op, "/api/v1/agencies?stateCode=ML", "agencies", "id", 2),
            (op, "/api/v1/agreements?stateCode=ML", "agreements", "id", 0),
            (admin, $"/api/v1/quota-changes?agencyId={mef}", "requests", "id", 3),
            (op, "/api/v1/accounts?stateCode=ML", "accounts", "agencyId", 2),
            (admin, $"/api/v1/metered-usage?agencyId={mef}&month={DateTime.UtcNow:yyyy-MM}", "periods", "id", 0),
            (op, "/api/v1/ledger/balances?prefix=ML", "balances", "account", 0),
            (op, $"/api/v1/prices?facilityId={m.Facilities["ML-BKO-1"]}", "catalogues", "id", 1),
            (op, "/api/v1/states", "states", "code", 3),
            (agent, "/api/v1/resource-classes", "classes", "code", 4),
            (op, "/api/v1/facilities", "facilities", "id", 4),
            (admin, $"/api/v1/agencies/{mef}/projects", "projects", "id", 2),
            (admin, $"/api/v1/projects/{m.Projects["ML/MEF"]}/members", "members", "userId", 1),
            (op, "/api/v1/external-identities?stateCode=ML", "links", null, 0),
            (op, "/api/v1/pools?stateCode=ML", "pools", "id", 1),
            (agent, $"/api/v1/ssh-keys?agencyId={mef}", "keys", "id", 2),
            (op, $"/api/v1/facilities/{m.Facilities["ML-BKO-1"]}/vms", "vms", "id", 0),
            (op, "/api/v1/findings?stateCode=ML&includeCleared=true", "findings", null, 0),
        };
        foreach (var (caller, path, items, key, atLeast) in lists)
        {
            string? KeyOf(JsonElement item) => key is null ? item.GetRawText() : item.GetProperty(key).GetString();
            async Task<(List<string?> Whole, List<string?> Paged, int Pages)> ReadBothWaysAsync()
            {
                var whole = (await SendAsync(caller, HttpMethod.Get, path)).Body.GetProperty(items).EnumerateArray().Select(KeyOf).ToList();
                var paged = new List<string?>();
                string? token = null;
                var pages = 0;
                do
                {
                    var page = await SendAsync(caller, HttpMethod.Get, $"{path}{(path.Contains('?') ? '&' : '?')}pageSize=1" + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}"));
                    Assert.True(page.Response.StatusCode == HttpStatusCode.OK, $"{path}: {page.Body}");
                    paged.AddRange(page.Body.GetProperty(items).EnumerateArray().Select(KeyOf));
                    token = page.Body.GetProperty("nextPageToken").GetString() is { Length: > 0 } next ? next : null;
                    pages++;
                }
                while (token is not null && pages < 1000);
                return (whole, paged, pages);
            }
            // Other tests of this marketplace leave servers being removed and findings being cleared: a list that changed
            // between the two readings is read again.
            var read = await ReadBothWaysAsync();
            for (var attempt = 1; attempt < 10 && !read.Whole.SequenceEqual(read.Paged); attempt++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                read = await ReadBothWaysAsync();
            }
            Assert.True(read.Whole.Count >= atLeast, $"{path}: {read.Whole.Count} items");
            Assert.Equal(read.Whole, read.Paged); // the same items in the same order, none twice
            Assert.Equal(Math.Max(1, read.Whole.Count), read.Pages);

            var separator = path.Contains('?') ? '&' : '?';
            AssertProblem(HttpStatusCode.BadRequest, await SendAsync(caller, HttpMethod.Get, $"{path}{separator}pageSize=1001"), "pageSize");
            AssertProblem(HttpStatusCode.BadRequest, await SendAsync(caller, HttpMethod.Get, $"{path}{separator}pageSize=-1"), "pageSize");
            AssertProblem(HttpStatusCode.BadRequest, await SendAsync(caller, HttpMethod.Get, $"{path}{separator}pageToken=p1.20"), "pageToken");
            AssertProblem(HttpStatusCode.BadRequest, await SendAsync(caller, HttpMethod.Get, $"{path}{separator}pageToken=k1.%21%21"), "pageToken");
        }

        // Reference lists the services read from each other, over gRPC only.
        var known = await PagedLists.AllAsync(async token =>
        {
            var page = await m.Quota.ListKnownFacilitiesAsync(new Q.ListKnownFacilitiesRequest { PageSize = 1, PageToken = token });
            Assert.InRange(page.Facilities.Count, 0, 1);
            return (page.Facilities.AsEnumerable(), page.NextPageToken);
        });
        Assert.Equal((await m.Quota.ListKnownFacilitiesAsync(new Q.ListKnownFacilitiesRequest())).Facilities, known);
        Assert.Equal(4, known.Count);
        var inForce = await PagedLists.AllAsync(async token =>
        {
            var page = await m.Provisioning.ListAgreementsInForceAsync(new P.ListAgreementsInForceRequest { PageSize = 1, PageToken = token });
            Assert.InRange(page.Agreements.Count, 0, 1);
            return (page.Agreements.AsEnumerable(), page.NextPageToken);
        });
        Assert.Equal((await m.Provisioning.ListAgreementsInForceAsync(new P.ListAgreementsInForceRequest())).Agreements, inForce);
        var tooBig = await Assert.ThrowsAsync<RpcException>(async () => await m.Quota.ListKnownFacilitiesAsync(new Q.ListKnownFacilitiesRequest { PageSize = 1001 }));
        Assert.Equal((StatusCode.InvalidArgument, "page_size"), (tooBig.StatusCode, tooBig.Trailers.GetValue("aes-field")));
    }

    [Fact]
    public async Task The_rest_api_answers_bad_input_and_refusals_with_problem_json_in_french_and_english_and_changes_nothing()
    {
        using var anonymous = await ApiAsAsync(null);
        AssertProblem(HttpStatusCode.Unauthorized, await SendAsync(anonymous, HttpMethod.Get, "/api/v1/requests"));
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", m.Issuer.Mint(m.Users["op.ml"], issuedAt: DateTime.UtcNow.AddHours(-3)));
        AssertProblem(HttpStatusCode.Unauthorized, await SendAsync(anonymous, HttpMethod.Get, "/api/v1/requests"));

        using var agent = await ApiAsAsync("agent.mef.ml");
        var before = (await SendAsync(agent, HttpMethod.Get, $"/api/v1/requests?agencyId={m.Agencies["ML/MEF"]}")).Body.GetProperty("requests").GetArrayLength();
        using (var malformed = new StringContent("{\"agencyId\": \"x\", \"vms\": [{\"count\": \"three\"}]}", System.Text.Encoding.UTF8, "application/json"))
        {
            var response = await agent.PostAsync("/api/v1/requests", malformed);
            AssertProblem(HttpStatusCode.BadRequest, (response, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone()), "vms[0].count");
        }
        using (var oversized = new StringContent(new string(' ', 2_000_000) + "{}", System.Text.Encoding.UTF8, "application/json"))
        {
            var response = await agent.PostAsync("/api/v1/requests", oversized);
            AssertProblem(HttpStatusCode.BadRequest, (response, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone()), "body");
        }
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", new
        {
            agencyId = m.Agencies["ML/MEF"], projectId = m.Projects["ML/MEF"], classification = "top-secret",
            vms = new[] { new { flavour = "s1.small", image = "debian-12", count = 1 } },
        }), "classification");
        Assert.Equal(before, (await SendAsync(agent, HttpMethod.Get, $"/api/v1/requests?agencyId={m.Agencies["ML/MEF"]}")).Body.GetProperty("requests").GetArrayLength());

        using var foreigner = await ApiAsAsync("agent.anptic.bf");
        AssertProblem(HttpStatusCode.Forbidden, await SendAsync(foreigner, HttpMethod.Get, $"/api/v1/vms?agencyId={m.Agencies["ML/MEF"]}"));
        AssertProblem(HttpStatusCode.NotFound, await SendAsync(agent, HttpMethod.Get, $"/api/v1/requests/{Guid.NewGuid()}"));

        // The contract, and a page to browse it, need no token.
        var document = await anonymous.GetStringAsync("/api/v1/openapi.json");
        Assert.Contains("/api/v1/requests/{requestId}/approve", document);
        var reference = await new HttpClient { BaseAddress = new Uri(m.PortalAddress) }.GetAsync("/api/v1/reference");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
    }

    [Fact]
    public async Task The_rest_api_covers_capacity_quotas_prices_invoices_settlements_agreements_and_the_audit_trails()
    {
        using var op = await ApiAsAsync("op.ml");
        using var admin = await ApiAsAsync("admin.mef.ml");
        using var agent = await ApiAsAsync("agent.mef.ml");
        var mef = m.Agencies["ML/MEF"];

        // Capacity: a pool, its inventory set by the state's operator, and refusals with the field.
        var pool = await SendAsync(op, HttpMethod.Post, "/api/v1/pools", new { facilityId = m.Facilities["ML-BKO-1"], name = "haute-memoire" }, Guid.NewGuid().ToString());
        Assert.True(pool.Response.StatusCode == HttpStatusCode.Created, pool.Body.ToString());
        var poolId = pool.Body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/pools/{poolId}", pool.Response.Headers.Location!.ToString());
        var inventory = await SendAsync(op, HttpMethod.Put, $"/api/v1/pools/{poolId}/inventories/memory_gib", new { total = 8192, reserved = 512, allocationRatio = "1.5" });
        Assert.True(inventory.Response.StatusCode == HttpStatusCode.OK, inventory.Body.ToString());
        var memory = inventory.Body.GetProperty("inventories").EnumerateArray().Single(i => i.GetProperty("resourceClass").GetString() == "memory_gib");
        Assert.Equal(8192 * 3 / 2 - 512, memory.GetProperty("capacity").GetInt64());
        var pools = await SendAsync(op, HttpMethod.Get, $"/api/v1/pools?facilityId={m.Facilities["ML-BKO-1"]}");
        Assert.Contains(pools.Body.GetProperty("pools").EnumerateArray(), p => p.GetProperty("id").GetString() == poolId);
        // Any class of the catalogue is a path: one nobody defined, or no code at all, is refused by name.
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Put, $"/api/v1/pools/{poolId}/inventories/gpu", new { total = 1, allocationRatio = "1.0" }), "resourceClass");
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Put, $"/api/v1/pools/{poolId}/inventories/GPU-A100", new { total = 1, allocationRatio = "1.0" }), "resourceClass");
        var gpus = await SendAsync(op, HttpMethod.Put, $"/api/v1/pools/{poolId}/inventories/gpu_a100_80g", new { total = 2, allocationRatio = "1.0" });
        Assert.True(gpus.Response.IsSuccessStatusCode, gpus.Body.ToString());
        var gpuLine = gpus.Body.GetProperty("inventories").EnumerateArray().Single(i => i.GetProperty("resourceClass").GetString() == "gpu_a100_80g");
        Assert.Equal(2, gpuLine.GetProperty("capacity").GetInt64());
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Put, $"/api/v1/pools/{poolId}/inventories/vcpu", new { total = "beaucoup" }), "total");
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Put, $"/api/v1/pools/{poolId}/inventories/vcpu", new { total = -4 }), "total");
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Get, "/api/v1/pools?colour=blue"), "colour");
        AssertProblem(HttpStatusCode.Forbidden, await SendAsync(agent, HttpMethod.Post, "/api/v1/pools", new { facilityId = m.Facilities["ML-BKO-1"], name = "la mienne" }));
        using (var foreignOperator = await ApiAsAsync("op.bf"))
        {
            AssertProblem(HttpStatusCode.Forbidden, await SendAsync(foreignOperator, HttpMethod.Put, $"/api/v1/pools/{poolId}/inventories/vcpu", new { total = 1 }));
        }
        var unchanged = await SendAsync(op, HttpMethod.Get, $"/api/v1/pools/{poolId}");
        Assert.Equal(0, unchanged.Body.GetProperty("inventories").EnumerateArray().Single(i => i.GetProperty("resourceClass").GetString() == "vcpu").GetProperty("total").GetInt64());

        // Quotas: the agency's administrator asks, the operator approves, the history keeps it.
        var quota = await SendAsync(agent, HttpMethod.Get, $"/api/v1/agencies/{mef}/quota");
        var vcpuLimit = quota.Body.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("resourceClass").GetString() == "vcpu").GetProperty("limit").GetInt64();
        var asked = await SendAsync(admin, HttpMethod.Post, "/api/v1/quota-changes",
            new { agencyId = mef, resourceClass = "vcpu", requestedLimit = vcpuLimit + 64, justification = "Rapatriement du SIGFIP" });
        Assert.True(asked.Response.StatusCode == HttpStatusCode.Created, asked.Body.ToString());
        Assert.Equal("pending", asked.Body.GetProperty("status").GetString());
        AssertProblem(HttpStatusCode.Forbidden, await SendAsync(admin, HttpMethod.Post, $"/api/v1/quota-changes/{asked.Body.GetProperty("id").GetString()}/decision", new { approve = true, reason = "moi-même" }));
        var decided = await SendAsync(op, HttpMethod.Post, $"/api/v1/quota-changes/{asked.Body.GetProperty("id").GetString()}/decision", new { approve = true, reason = "Capacité disponible" });
        Assert.Equal("approved", decided.Body.GetProperty("status").GetString());
        quota = await SendAsync(agent, HttpMethod.Get, $"/api/v1/agencies/{mef}/quota");
        Assert.Equal(vcpuLimit + 64, quota.Body.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("resourceClass").GetString() == "vcpu").GetProperty("limit").GetInt64());
        var history = await SendAsync(admin, HttpMethod.Get, $"/api/v1/agencies/{mef}/quota/history");
        Assert.Contains(history.Body.GetProperty("entries").EnumerateArray(), e => e.GetProperty("newLimit").GetInt64() == vcpuLimit + 64);

        // Prices: anyone reads them; the operator publishes the next catalogue.
        var prices = await SendAsync(agent, HttpMethod.Get, $"/api/v1/prices?facilityId={m.Facilities["ML-BKO-1"]}");
        Assert.True(prices.Body.GetProperty("catalogues").GetArrayLength() > 0, prices.Body.ToString());
        // A catalogue starts after the latest one, which it ends.
        var nextMonth = prices.Body.GetProperty("catalogues").EnumerateArray().Max(c => c.GetProperty("effectiveFrom").GetDateTimeOffset()).AddMonths(1);
        var published = await SendAsync(op, HttpMethod.Post, "/api/v1/prices", new
        {
            facilityId = m.Facilities["ML-BKO-1"], effectiveFrom = nextMonth,
            // By class: the standard four and Bamako's A100, per GPU-hour.
            unitPrices = new object[]
            {
                new { resourceClass = "vcpu", unitPriceXof = 12 }, new { resourceClass = "memory_gib", unitPriceXof = 3 },
                new { resourceClass = "storage_gib", unitPriceXof = 40 }, new { resourceClass = "public_ipv4", unitPriceXof = 2500 },
                new { resourceClass = "gpu_a100_80g", unitPriceXof = 1400 },
            },
        });
        Assert.True(published.Response.StatusCode == HttpStatusCode.Created, published.Body.ToString());
        Assert.False(published.Body.TryGetProperty("prices", out _)); // by class only (ADR 046)
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Post, "/api/v1/prices", new
        {
            facilityId = m.Facilities["ML-BKO-1"], effectiveFrom = nextMonth.AddMonths(1),
            prices = new { vcpuHourXof = 12, memoryGibHourXof = 3, storageGibMonthXof = 40, publicIpv4MonthXof = 2500 },
        }), "prices");
        Assert.Equal(1400, published.Body.GetProperty("unitPrices").EnumerateArray()
            .Single(p => p.GetProperty("resourceClass").GetString() == "gpu_a100_80g").GetProperty("unitPriceXof").GetInt64());

        // Invoices: last month's is drafted, issued and printed; the confederation closes the month's settlement.
        var lastMonth = DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var draft = await SendAsync(op, HttpMethod.Post, "/api/v1/invoices", new { agencyId = mef, month = lastMonth });
        Assert.True(draft.Response.StatusCode == HttpStatusCode.Created, draft.Body.ToString());
        var invoiceId = draft.Body.GetProperty("id").GetString()!;
        var issued = await SendAsync(op, HttpMethod.Post, $"/api/v1/invoices/{invoiceId}/issue");
        Assert.Equal("issued", issued.Body.GetProperty("status").GetString());
        var invoices = await SendAsync(agent, HttpMethod.Get, $"/api/v1/invoices?agencyId={mef}&month={lastMonth}");
        Assert.Single(invoices.Body.GetProperty("invoices").EnumerateArray(), i => i.GetProperty("id").GetString() == invoiceId);
        var printable = await agent.GetAsync($"/api/v1/invoices/{invoiceId}/document?language=en");
        Assert.Equal(HttpStatusCode.OK, printable.StatusCode);
        Assert.Contains(issued.Body.GetProperty("number").GetString()!, await printable.Content.ReadAsStringAsync());
        using (var stranger = await ApiAsAsync("agent.anptic.bf"))
        {
            AssertProblem(HttpStatusCode.Forbidden, await SendAsync(stranger, HttpMethod.Get, $"/api/v1/invoices/{invoiceId}"));
        }
        using var confederal = await ApiAsAsync("admin.aes");
        AssertProblem(HttpStatusCode.Forbidden, await SendAsync(op, HttpMethod.Post, $"/api/v1/settlements/{lastMonth}/close"));
        var closed = await SendAsync(confederal, HttpMethod.Post, $"/api/v1/settlements/{lastMonth}/close");
        Assert.True(closed.Response.StatusCode == HttpStatusCode.OK, closed.Body.ToString());
        var settlement = await SendAsync(op, HttpMethod.Get, $"/api/v1/settlements/{lastMonth}");
        Assert.Equal("closed", settlement.Body.GetProperty("status").GetString());

        // A facility's installed capacity by class: Bamako installs four more A100; another state's operator
        // may not; a class not in the catalogue is refused by field.
        var bamako = (await SendAsync(op, HttpMethod.Get, $"/api/v1/facilities/{m.Facilities["ML-BKO-1"]}")).Body;
        var installed = bamako.GetProperty("installedCapacityByClass").EnumerateArray()
            .ToDictionary(a => a.GetProperty("resourceClass").GetString()!, a => a.GetProperty("amount").GetInt64());
        object Capacity(string accelerator, long gpus) => new
        {
            installedCapacityByClass = installed.Where(a => a.Key != "gpu_a100_80g").Select(a => (object)new { resourceClass = a.Key, amount = a.Value })
                .Append(new { resourceClass = accelerator, amount = gpus }).ToArray(),
        };
        var capacityPath = $"/api/v1/facilities/{m.Facilities["ML-BKO-1"]}/capacity";
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Put, capacityPath, Capacity("gpu_h100_94g", 4)),
            $"installedCapacityByClass[{installed.Count(a => a.Key != "gpu_a100_80g")}].resourceClass");
        using (var neighbour = await ApiAsAsync("op.bf"))
        {
            AssertProblem(HttpStatusCode.Forbidden, await SendAsync(neighbour, HttpMethod.Put, capacityPath, Capacity("gpu_a100_80g", 12)));
        }
        try
        {
            var grown = await SendAsync(op, HttpMethod.Put, capacityPath, Capacity("gpu_a100_80g", installed.GetValueOrDefault("gpu_a100_80g") + 4));
            Assert.True(grown.Response.IsSuccessStatusCode, grown.Body.ToString());
            Assert.Contains(grown.Body.GetProperty("installedCapacityByClass").EnumerateArray(),
                a => a.GetProperty("resourceClass").GetString() == "gpu_a100_80g" && a.GetProperty("amount").GetInt64() == installed.GetValueOrDefault("gpu_a100_80g") + 4);
        }
        finally
        {
            var restored = await SendAsync(op, HttpMethod.Put, capacityPath, Capacity("gpu_a100_80g", installed.GetValueOrDefault("gpu_a100_80g")));
            Assert.True(restored.Response.IsSuccessStatusCode, restored.Body.ToString());
        }

        // Agreements, and each service's trail for auditors.
        var agreements = await SendAsync(confederal, HttpMethod.Get, "/api/v1/agreements");
        Assert.Contains(agreements.Body.GetProperty("agreements").EnumerateArray(), a => a.GetProperty("guestStateCode").GetString() == "NE");
        // A slice by class, GPUs included (the README's example); a class not in the catalogue is refused by field.
        object[] Slice(string accelerator) =>
        [
            new { resourceClass = "vcpu", amount = 64 }, new { resourceClass = "memory_gib", amount = 256 },
            new { resourceClass = "storage_gib", amount = 1000 }, new { resourceClass = accelerator, amount = 1 },
        ];
        object Agreement(string accelerator) => new
        {
            facilityId = m.Facilities["ML-BKO-1"], guestStateCode = "NE", allowedClassifications = new[] { "internal" },
            sliceByClass = Slice(accelerator), priceTerms = new { facilityListPrice = true },
            startsAt = DateTime.UtcNow.AddYears(1), endsAt = DateTime.UtcNow.AddYears(2),
        };
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Post, "/api/v1/agreements", Agreement("gpu_h100_94g"), Guid.NewGuid().ToString()),
            "sliceByClass[3].resourceClass");
        var gpuAgreement = await SendAsync(op, HttpMethod.Post, "/api/v1/agreements", Agreement("gpu_a100_80g"), Guid.NewGuid().ToString());
        Assert.True(gpuAgreement.Response.IsSuccessStatusCode, gpuAgreement.Body.ToString());
        Assert.Contains(gpuAgreement.Body.GetProperty("sliceByClass").EnumerateArray(),
            a => a.GetProperty("resourceClass").GetString() == "gpu_a100_80g" && a.GetProperty("amount").GetInt64() == 1);
        Assert.False(gpuAgreement.Body.TryGetProperty("slice", out _)); // by class only (ADR 045)
        // The fixed slice of before classes is refused by name, nothing drafted.
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Post, "/api/v1/agreements", new
        {
            facilityId = m.Facilities["ML-BKO-1"], guestStateCode = "NE", allowedClassifications = new[] { "internal" },
            slice = new { vcpu = 64, memoryGib = 256, storageGib = 1000 }, priceTerms = new { facilityListPrice = true },
            startsAt = DateTime.UtcNow.AddYears(1), endsAt = DateTime.UtcNow.AddYears(2),
        }, Guid.NewGuid().ToString()), "slice");
        var ended = await SendAsync(op, HttpMethod.Post, $"/api/v1/agreements/{gpuAgreement.Body.GetProperty("id").GetString()}/terminate", new { reason = "exemple" });
        Assert.True(ended.Response.IsSuccessStatusCode, ended.Body.ToString());
        using var auditor = await ApiAsAsync("audit.aes");
        var trail = await SendAsync(auditor, HttpMethod.Get, "/api/v1/audit/quota/entries?limit=1000");
        Assert.Contains(trail.Body.GetProperty("entries").EnumerateArray(), e => e.GetProperty("action").GetString()!.EndsWith("/DecideQuotaChange", StringComparison.Ordinal));
        var verified = await SendAsync(auditor, HttpMethod.Get, "/api/v1/audit/billing/verify");
        Assert.True(verified.Body.GetProperty("intact").GetBoolean(), verified.Body.ToString());
        AssertProblem(HttpStatusCode.Forbidden, await SendAsync(agent, HttpMethod.Get, "/api/v1/audit/quota/entries"));

        // The contract describes them from the same messages.
        var document = await agent.GetStringAsync("/api/v1/openapi.json");
        Assert.Contains("/api/v1/pools/{poolId}/inventories/{resourceClass}", document);
        Assert.Contains("\"memory_gib\"", document); // the example of every resourceClass, which any code of the catalogue may fill
        Assert.Contains("/api/v1/settlements/{month}/close", document);
    }

    [Fact]
    public async Task Every_write_refuses_a_field_given_twice_or_unknown_naming_it_and_a_list_without_filter_is_the_callers_own()
    {
        using var anonymous = await ApiAsAsync(null);
        var contract = JsonDocument.Parse(await anonymous.GetStringAsync("/api/v1/openapi.json")).RootElement;
        using var admin = await ApiAsAsync("admin.aes");
        var before = (await SendAsync(admin, HttpMethod.Get, "/api/v1/requests")).Body.GetProperty("requests").GetArrayLength();
        var writes = HostileRest.Operations(contract).Where(o => o.Writes).ToList();
        Assert.True(writes.Count > 30, $"only {writes.Count} write operations");
        foreach (var operation in writes)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(operation.Path, "{[^}]+}", Guid.NewGuid().ToString());
            AssertProblem(HttpStatusCode.BadRequest, await SendRawAsync(admin, operation.Method, path, """{"colour":"red"}"""), "colour");
            if (operation.Fields.FirstOrDefault() is { } field)
            {
                AssertProblem(HttpStatusCode.BadRequest, await SendRawAsync(admin, operation.Method, path, $$"""{"{{field}}":1,"{{field}}":2}"""), field);
            }
        }
        // In depth too, and named by its path.
        AssertProblem(HttpStatusCode.BadRequest, await SendRawAsync(admin, HttpMethod.Post, "/api/v1/requests/preview",
            """{"vms":[{"count":1},{"count":1,"count":2}]}"""), "vms[1].count");
        Assert.Equal(before, (await SendAsync(admin, HttpMethod.Get, "/api/v1/requests")).Body.GetProperty("requests").GetArrayLength());

        // A list with no filter is the caller's own scope: a requester's agency, an operator's state.
        using var agent = await ApiAsAsync("agent.mef.ml");
        var own = (await SendAsync(agent, HttpMethod.Get, "/api/v1/requests")).Body.GetProperty("requests").EnumerateArray().ToList();
        Assert.All(own, r => Assert.Equal(m.Agencies["ML/MEF"], r.GetProperty("agencyId").GetString()));
        using var op = await ApiAsAsync("op.ml");
        var state = (await SendAsync(op, HttpMethod.Get, "/api/v1/requests")).Body.GetProperty("requests").EnumerateArray().ToList();
        Assert.All(state, r => Assert.True(r.GetProperty("agencyStateCode").GetString() == "ML" || r.GetProperty("facilityStateCode").GetString() == "ML"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(op, HttpMethod.Get, "/api/v1/quota-changes")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(agent, HttpMethod.Get, "/api/v1/vms")).Response.StatusCode);
        // An operator's VMs are per agency: the answer names the filter to give.
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(op, HttpMethod.Get, "/api/v1/vms"), "agencyId");
    }

    private static async Task<(HttpResponseMessage Response, JsonElement Body)> SendRawAsync(HttpClient http, HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task No_endpoint_of_the_rest_api_answers_hostile_input_with_a_server_error()
    {
        // Every operation of the published contract, with each parameter and body field given values of the
        // wrong kind or at the extremes; spread over three users so the rate limit does not hide anything.
        using var anonymous = await ApiAsAsync(null);
        var contract = JsonDocument.Parse(await anonymous.GetStringAsync("/api/v1/openapi.json")).RootElement;
        var users = new[] { await ApiAsAsync("op.ne"), await ApiAsAsync("admin.ansi.ne"), await ApiAsAsync("agent.ansi.ne") };
        var tried = 0;
        var failures = new List<string>();
        foreach (var operation in HostileRest.Operations(contract))
        {
            await Check.SampleAsync(operation.Inputs, async values =>
            {
                using var request = operation.Request(values);
                var response = await users[tried % users.Length].SendAsync(request);
                tried++;
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{operation.Describe(values)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }, iter: 10, threads: 1);
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"REST bad-input suite: {tried} inputs tried, {failures.Count} server errors");
        Assert.True(tried > 500, $"only {tried} inputs tried");
        Assert.True(failures.Count == 0, $"{failures.Count} of {tried} inputs got a server error:\n" + string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public async Task The_rest_api_limits_each_user_on_their_own()
    {
        using var auditor = await ApiAsAsync("audit.ne");
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 1000 && limited is null; i++)
        {
            var response = await auditor.GetAsync("/api/v1/me");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }
        Assert.NotNull(limited);
        Assert.Equal("60", limited.Headers.GetValues("Retry-After").Single());
        AssertProblem(HttpStatusCode.TooManyRequests, (limited, JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.Clone()));
        using var other = await ApiAsAsync("audit.bf");
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/me")).StatusCode);
    }

    private static int CountOf(string text, string word) => text.Split(word).Length - 1;

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>`aes login` listens on the one loopback address the issuer knows for it: one sign-in at a time.</summary>
[CollectionDefinition("aes login")]
public sealed class AesLoginCollection;

[Collection("aes login")]
public sealed class EmbeddedAutomationTests(EmbeddedProvisioningMarketplace m) : AutomationTests<EmbeddedProvisioningMarketplace>(m);

[Collection("aes login")]
public sealed class PostgresAutomationTests(PostgresProvisioningMarketplace m) : AutomationTests<PostgresProvisioningMarketplace>(m);
