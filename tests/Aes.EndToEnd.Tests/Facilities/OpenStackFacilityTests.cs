using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aes.EndToEnd.Tests.Hosting;
using Aes.Testing;
using P = Aes.Contracts.Provisioning.V1;
using static Aes.EndToEnd.Tests.Hosting.RestCalls;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.EndToEnd.Tests.Facilities;

/// <summary>
/// The marketplace with ML-BKO-1 connected to a real OpenStack (deploy/scripts/openstack.sh), as an operator connects
/// it: a declared connection naming the credentials in the secret store, the facility's flavours and images mapped by
/// name. Probes, reconciliation and polling run every second or two, and a build that lasts 45 s is stuck.
/// </summary>
public sealed class OpenStackProvisioningMarketplace : ProvisioningMarketplace
{
    public OpenStackCloud Cloud { get; private set; } = null!;

    protected override bool OnPostgres => false;

    protected override string[] ExtraArguments =>
    [
        "--Provisioning:Connect:ML-BKO-1:Driver=openstack", $"--Provisioning:Connect:ML-BKO-1:AuthUrl={Cloud.AuthUrl}",
        $"--Provisioning:Connect:ML-BKO-1:Region={Cloud["OS_REGION_NAME"]}", $"--Provisioning:Connect:ML-BKO-1:Project={Cloud["OS_PROJECT_NAME"]}",
        $"--Provisioning:Connect:ML-BKO-1:ProjectDomain={Cloud["OS_PROJECT_DOMAIN_NAME"]}", "--Provisioning:Connect:ML-BKO-1:CredentialReference=openstack-bko",
        "--Provisioning:Connect:ML-BKO-1:Network=shared", "--Provisioning:Connect:ML-BKO-1:MapCatalogueByName=true",
        $"--FacilityCredentials:openstack-bko:ApplicationCredentialId={Cloud["OS_APPLICATION_CREDENTIAL_ID"]}",
        $"--FacilityCredentials:openstack-bko:ApplicationCredentialSecret={Cloud["OS_APPLICATION_CREDENTIAL_SECRET"]}",
        "--Provisioning:ProbeInterval=00:00:01", "--Provisioning:ReconcileInterval=00:00:02", "--Provisioning:FacilityPollInterval=00:00:01",
        "--Provisioning:BuildTimeout=00:00:45", "--Provisioning:OpenStack:RetryBaseDelay=00:00:01",
    ];

    public override async ValueTask InitializeAsync()
    {
        Cloud = await OpenStackCloud.SharedAsync();
        await base.InitializeAsync();
        // The declared connection is applied once tenancy's events have made ML-BKO-1 known, and its catalogue read.
        await Eventually.HoldsAsync(async () => (await Provisioning.GetFacilityCatalogueAsync(new P.FacilityIdRequest { FacilityId = Facilities["ML-BKO-1"] }))
            is { Driver: "openstack" } catalogue && catalogue.Flavours.Any(f => f.Code == "s1.large") && catalogue.Images.Any(i => i.Code == "debian-12"),
            TimeSpan.FromSeconds(90), "ML-BKO-1 is connected to OpenStack and its catalogue mapped");
    }
}

/// <summary>
/// A request made to ML-BKO-1 becomes servers in the real Nova with the flavour, image and network the facility
/// mapped; they are resized, and deleted when decommissioned; a server deleted behind the marketplace's back is found
/// and its billing stops; and each fault of the facility surfaces with its cause, or is retried until it passes.
/// </summary>
[Collection(nameof(OpenStackFacilityTests))]
public sealed class OpenStackFacilityTests(OpenStackProvisioningMarketplace m) : Portal.ChromiumTests, IClassFixture<OpenStackProvisioningMarketplace>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>
    /// After a service of the cloud is started again: on two cores shared with the rest of the suite, a restarted Neutron or
    /// Keystone loads for a while, and Nova's first builds after it are slow (CI saw more than 120 s once).
    /// </summary>
    private static readonly TimeSpan AfterRestartPatience = TimeSpan.FromSeconds(300);

    private async Task<P.HostingRequest> SubmitAndApproveAsync(P.SubmitRequestRequest request)
    {
        var submitted = await m.SubmitAsync(request);
        await m.WaitForAsync(submitted.Id, "awaiting_approval", Patience);
        return await m.Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, ActorUserId = m.Users["op.ml"] });
    }

    private async Task<JsonNode?> NovaServerAsync(string vmId) =>
        (await m.Cloud.ServersAsync()).FirstOrDefault(s => s["name"]?.GetValue<string>() == $"aes-{vmId}");

    private async Task<List<P.Vm>> VmsAsync(string requestId) =>
        (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"], IncludeEnded = true })).Vms.Where(v => v.RequestId == requestId).ToList();

    [Fact]
    public async Task Journey_1_in_a_real_openstack_the_servers_carry_the_mapped_flavour_image_and_network_are_resized_stopped_started_rebooted_and_deleted_on_decommissioning()
    {
        var approved = await SubmitAndApproveAsync(m.Request("ML/MEF", "sensitive", count: 3));
        var active = await m.WaitForAsync(approved.Id, "active", Patience);
        Assert.Equal("ML-BKO-1", active.FacilityCode);

        var vms = await VmsAsync(active.Id);
        Assert.Equal(3, vms.Count);
        foreach (var vm in vms)
        {
            var server = await NovaServerAsync(vm.Id) ?? throw new InvalidOperationException($"Nova has no server for VM {vm.Id}");
            Assert.Equal("ACTIVE", server["status"]!.GetValue<string>());
            Assert.Equal("s1.large", server["flavor"]!["original_name"]!.GetValue<string>());
            Assert.Equal(m.Cloud["OS_IMAGE_ID"], server["image"]!["id"]!.GetValue<string>());
            Assert.Equal(vm.Id, server["metadata"]!["aes_vm_id"]!.GetValue<string>());
            // On its project's own network, not the facility's shared one.
            var network = Assert.Single(server["addresses"]!.AsObject());
            Assert.Equal($"aes-project-{active.ProjectId}", network.Key);
            var address = Assert.Single(network.Value!.AsArray())!["addr"]!.GetValue<string>();
            Assert.Equal(server["id"]!.GetValue<string>(), vm.ServerId);
            Assert.Contains(address, vm.Addresses);
        }

        // A resize goes through Nova's resize and confirmation; the VM's record and Nova agree on the new flavour.
        var resized = vms[0];
        await m.Provisioning.ResizeVmAsync(new P.ResizeVmRequest { VmId = resized.Id, ActorUserId = m.Users["agent.mef.ml"], Flavour = "s1.xlarge" });
        await Eventually.HoldsAsync(async () => (await VmsAsync(active.Id)).Single(v => v.Id == resized.Id) is { Status: "active" } vm && vm.Resources.Of("vcpu") == 8,
            Patience, "the VM is resized");
        Assert.Equal("s1.xlarge", (await NovaServerAsync(resized.Id))!["flavor"]!["original_name"]!.GetValue<string>());

        // Stopped and started by its requester: Nova's server follows (SHUTOFF, then ACTIVE); then rebooted hard.
        var powered = vms[1];
        P.VmPowerRequest Power() => new() { VmId = powered.Id, ActorUserId = m.Users["agent.mef.ml"], OperationId = Guid.NewGuid().ToString() };
        await m.Provisioning.StopVmAsync(Power());
        await Eventually.HoldsAsync(async () => (await VmsAsync(active.Id)).Single(v => v.Id == powered.Id).Status == "stopped", Patience, "the VM is stopped");
        Assert.Equal("SHUTOFF", (await NovaServerAsync(powered.Id))!["status"]!.GetValue<string>());
        await m.Provisioning.StartVmAsync(Power());
        await Eventually.HoldsAsync(async () => (await VmsAsync(active.Id)).Single(v => v.Id == powered.Id).Status == "active", Patience, "the VM runs again");
        Assert.Equal("ACTIVE", (await NovaServerAsync(powered.Id))!["status"]!.GetValue<string>());
        await m.Provisioning.RebootVmAsync(new P.RebootVmRequest { VmId = powered.Id, ActorUserId = m.Users["agent.mef.ml"], OperationId = Guid.NewGuid().ToString(), Hard = true });
        await Eventually.HoldsAsync(async () => (await VmsAsync(active.Id)).Single(v => v.Id == powered.Id) is { Status: "active", PowerRefusedReason: "" },
            Patience, "the VM is rebooted");
        Assert.Equal("ACTIVE", (await NovaServerAsync(powered.Id))!["status"]!.GetValue<string>());

        // Powered off behind the marketplace's back: reconciliation says so; the owner's stop, which Nova refuses (already
        // off), is then taken as done, and the finding clears.
        await m.Cloud.StopServerAsync(powered.ServerId);
        async Task<bool> StoppedFindingAsync() => (await m.Provisioning.ListReconciliationFindingsAsync(new P.ListReconciliationFindingsRequest { FacilityId = m.Facilities["ML-BKO-1"] }))
            .Findings.Any(f => f.Kind == "state_differs" && f.VmId == powered.Id && f.DetailEn.Contains("is stopped"));
        await Eventually.HoldsAsync(StoppedFindingAsync, Patience, "reconciliation finds the server stopped");
        await m.Provisioning.StopVmAsync(Power());
        await Eventually.HoldsAsync(async () => (await VmsAsync(active.Id)).Single(v => v.Id == powered.Id) is { Status: "stopped", PowerRefusedReason: "" },
            Patience, "the stop is taken as done");
        await Eventually.HoldsAsync(async () => !await StoppedFindingAsync(), Patience, "the finding clears");

        // Decommissioning deletes the server in Nova.
        await m.Provisioning.DecommissionVmAsync(new P.DecommissionVmRequest { VmId = resized.Id, ActorUserId = m.Users["agent.mef.ml"], Reason = "fin" });
        await Eventually.HoldsAsync(async () => (await VmsAsync(active.Id)).Single(v => v.Id == resized.Id).Status == "decommissioned", Patience, "decommissioned");
        Assert.Null(await NovaServerAsync(resized.Id));
    }

    [Fact]
    public async Task Through_rest_a_requester_registers_a_key_and_gets_a_vm_with_it_its_user_data_and_a_floating_ip_opens_its_console_and_decommissioning_releases_them()
    {
        using var agent = await ApiAsAsync(m, "agent.mef.ml");
        using var op = await ApiAsAsync(m, "op.ml");
        var agency = m.Agencies["ML/MEF"];

        // A key is checked and named by its fingerprint; a weak one is refused by name and registers nothing.
        var key = SshTestKeys.NewEd25519("agent@mef.ml");
        var registered = await SendAsync(agent, HttpMethod.Post, "/api/v1/ssh-keys", new { agencyId = agency, name = "poste de l'agent", publicKey = key });
        Assert.Equal(HttpStatusCode.Created, registered.Response.StatusCode);
        var keyId = registered.Body.GetProperty("id").GetString()!;
        Assert.StartsWith("SHA256:", registered.Body.GetProperty("fingerprint").GetString());
        async Task<int> KeyCountAsync() => (await SendAsync(agent, HttpMethod.Get, $"/api/v1/ssh-keys?agencyId={agency}")).Body.GetProperty("keys").GetArrayLength();
        var keys = await KeyCountAsync();
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(agent, HttpMethod.Post, "/api/v1/ssh-keys",
            new { agencyId = agency, name = "ancienne", publicKey = SshTestKeys.OpenSshRsa2048 }), "publicKey");
        Assert.Equal(keys, await KeyCountAsync());

        // The agency's administrator lets SSH in from the ministry's range and opens HTTPS; a requester may not, and SSH from
        // the whole internet needs an explicit confirmation.
        using var administrator = await ApiAsAsync(m, "admin.mef.ml");
        var project = m.Projects["ML/MEF"];
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(administrator, HttpMethod.Put, $"/api/v1/agencies/{agency}/ssh-access",
            new { sourceCidrs = new[] { "0.0.0.0/0" } }), "sourceCidrs");
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(administrator, HttpMethod.Put, $"/api/v1/projects/{project}/firewall",
            new { rules = new[] { new { protocol = "tcp", portMin = 22, portMax = 22, sourceCidr = "196.200.16.7/24" } } }), "rules[0].sourceCidr");
        AssertProblem(HttpStatusCode.Forbidden, await SendAsync(agent, HttpMethod.Put, $"/api/v1/projects/{project}/firewall", new { rules = Array.Empty<object>() }));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(administrator, HttpMethod.Put, $"/api/v1/agencies/{agency}/ssh-access",
            new { sourceCidrs = new[] { "196.200.16.0/24" } })).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(administrator, HttpMethod.Put, $"/api/v1/projects/{project}/firewall",
            new { rules = new[] { new { protocol = "tcp", portMin = 443, portMax = 443, sourceCidr = "0.0.0.0/0" } } })).Response.StatusCode);

        const string userData = "#cloud-config\nhostname: mef-portail\nruncmd:\n  - echo 'Hébergé au Mali' > /etc/motd\n";
        object Body(string? data, string[] keyIds) => new
        {
            agencyId = agency, projectId = m.Projects["ML/MEF"], classification = "internal", justification = "Portail du ministère",
            deadline = DateTimeOffset.UtcNow.AddDays(7), sshKeyIds = keyIds, userData = data,
            vms = new[] { new { flavour = "s1.small", image = "debian-12", count = 1, resources = new[] { new { resourceClass = "public_ipv4", amount = 1 } } } },
        };
        // Bad input changes nothing: user data over 16 KiB, a key that is not the requester's.
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", Body(new string('x', 16 * 1024 + 1), [keyId])), "userData");
        AssertProblem(HttpStatusCode.BadRequest, await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", Body(userData, [Guid.NewGuid().ToString()])), "sshKeyIds");

        var submitted = await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", Body(userData, [keyId]), Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, submitted.Response.StatusCode);
        var requestId = submitted.Body.GetProperty("id").GetString()!;
        Assert.Equal(registered.Body.GetProperty("fingerprint").GetString(), submitted.Body.GetProperty("sshKeyFingerprints")[0].GetString());
        await m.WaitForAsync(requestId, "awaiting_approval", Patience);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(op, HttpMethod.Post, $"/api/v1/requests/{requestId}/approve", idempotencyKey: Guid.NewGuid().ToString())).Response.StatusCode);
        await m.WaitForAsync(requestId, "active", Patience);

        // Both addresses, as REST gives them and as Nova and Neutron hold them.
        var vm = (await SendAsync(agent, HttpMethod.Get, $"/api/v1/vms?agencyId={agency}")).Body.GetProperty("vms").EnumerateArray()
            .Single(v => v.GetProperty("requestId").GetString() == requestId);
        var vmId = vm.GetProperty("id").GetString()!;
        var serverId = vm.GetProperty("serverId").GetString()!;
        var publicAddress = vm.GetProperty("publicIpv4Address").GetString()!;
        Assert.True(IPAddress.TryParse(publicAddress, out _), $"public IPv4: {publicAddress}");
        var privateAddress = Assert.Single(vm.GetProperty("addresses").EnumerateArray()).GetString();
        Assert.NotEqual(publicAddress, privateAddress);
        var inCloud = await m.Cloud.AccessOfAsync(Guid.Parse(vmId), serverId);
        Assert.Equal([key], inCloud.KeyPairKeys);
        Assert.Equal($"aes-{vmId}", inCloud.ServerKeyName);
        Assert.Equal(userData, inCloud.UserData);
        var floating = Assert.Single(inCloud.FloatingIps);
        Assert.Equal((publicAddress, m.Cloud["OS_EXTERNAL_NETWORK_ID"], serverId), floating);

        // The server is on its project's own network, behind its project's security group, which holds exactly SSH from the
        // agency's range and HTTPS; a change by the administrator reaches Neutron, and the page of the firewall says so.
        var network = await m.Cloud.ProjectNetworkOfAsync(Guid.Parse(project));
        Assert.Contains(serverId, network.Servers);
        Assert.Equal((1, 1, m.Cloud["OS_EXTERNAL_NETWORK_ID"], 1), (network.Networks, network.Routers, network.RouterGateway, network.SecurityGroups));
        Assert.Equal(["tcp 22-22 196.200.16.0/24", "tcp 443-443 0.0.0.0/0"], network.InboundRules);
        var changed = await SendAsync(administrator, HttpMethod.Put, $"/api/v1/projects/{project}/firewall",
            new { rules = new[] { new { protocol = "tcp", portMin = 8443, portMax = 8443, sourceCidr = "41.73.0.0/16" } } });
        Assert.Equal(HttpStatusCode.OK, changed.Response.StatusCode);
        // Applied in the call; a facility that could not take it then is tried again by the monitor until it holds it.
        await Eventually.HoldsAsync(async () => (await SendAsync(agent, HttpMethod.Get, $"/api/v1/projects/{project}/firewall")).Body.GetProperty("facilities")
            .EnumerateArray().Single(f => f.GetProperty("facilityCode").GetString() == "ML-BKO-1").GetProperty("applied").GetBoolean(), Patience, "ML-BKO-1 holds the rules");
        Assert.Equal(["tcp 22-22 196.200.16.0/24", "tcp 8443-8443 41.73.0.0/16"], (await m.Cloud.ProjectNetworkOfAsync(Guid.Parse(project))).InboundRules);
        Assert.True(await AuditedAsync("SetProjectFirewall", project), "the change is audited");

        // The console opens (Nova's noVNC URL) and the opening is in the audit trail; a stopped VM has none.
        var console = await SendAsync(agent, HttpMethod.Post, $"/api/v1/vms/{vmId}/console");
        Assert.Equal(HttpStatusCode.OK, console.Response.StatusCode);
        Assert.Equal("novnc", console.Body.GetProperty("kind").GetString());
        Assert.Contains("vnc_auto.html?path=", console.Body.GetProperty("url").GetString());
        Assert.True(await AuditedAsync("OpenVmConsole", vmId), "the console's opening is audited");
        AssertProblem(HttpStatusCode.Forbidden, await SendAsync(await ApiAsAsync(m, "agent.anptic.bf"), HttpMethod.Post, $"/api/v1/vms/{vmId}/console"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(agent, HttpMethod.Post, $"/api/v1/vms/{vmId}/stop", idempotencyKey: Guid.NewGuid().ToString())).Response.StatusCode);
        await Eventually.HoldsAsync(async () => (await VmsAsync(requestId)).Single().Status == "stopped", Patience, "the VM is stopped");
        AssertProblem(HttpStatusCode.Conflict, await SendAsync(agent, HttpMethod.Post, $"/api/v1/vms/{vmId}/console"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(agent, HttpMethod.Post, $"/api/v1/vms/{vmId}/start", idempotencyKey: Guid.NewGuid().ToString())).Response.StatusCode);
        await Eventually.HoldsAsync(async () => (await VmsAsync(requestId)).Single().Status == "active", Patience, "the VM runs again");
        Assert.Equal(publicAddress, (await VmsAsync(requestId)).Single().PublicIpv4Address);

        // A second request, still pending, is withdrawn.
        var second = await SendAsync(agent, HttpMethod.Post, "/api/v1/requests", Body(null, []), Guid.NewGuid().ToString());
        await m.WaitForAsync(second.Body.GetProperty("id").GetString()!, "awaiting_approval", Patience);
        var withdrawn = await SendAsync(agent, HttpMethod.Post, $"/api/v1/requests/{second.Body.GetProperty("id").GetString()}/withdraw", new { reason = "en double" });
        Assert.Equal("withdrawn", withdrawn.Body.GetProperty("status").GetString());

        // Decommissioning deletes the server and releases its floating IP and key pair.
        await SendAsync(agent, HttpMethod.Post, $"/api/v1/vms/{vmId}/decommission", new { reason = "fin du test" });
        await Eventually.HoldsAsync(async () => (await VmsAsync(requestId)).Single().Status == "decommissioned", Patience, "decommissioned");
        var left = await m.Cloud.AccessOfAsync(Guid.Parse(vmId), serverId);
        Assert.Empty(left.FloatingIps);
        Assert.Empty(left.KeyPairKeys);
        Assert.Null(await NovaServerAsync(vmId));
    }

    /// <summary>Whether provisioning's audit trail records <paramref name="method"/> on <paramref name="id"/> (read by Mali's auditor).</summary>
    private async Task<bool> AuditedAsync(string method, string id)
    {
        using var auditor = await ApiAsAsync(m, "audit.ml");
        long after = 0;
        while (true)
        {
            var page = (await SendAsync(auditor, HttpMethod.Get, $"/api/v1/audit/provisioning/entries?afterPosition={after}&limit=1000")).Body.GetProperty("entries");
            if (page.GetArrayLength() == 0)
            {
                return false;
            }
            if (page.EnumerateArray().Any(e => e.GetProperty("action").GetString()!.EndsWith("/" + method, StringComparison.Ordinal)
                && e.GetProperty("details").GetString()!.Contains(id, StringComparison.Ordinal)))
            {
                return true;
            }
            after = page.EnumerateArray().Max(e => long.Parse(e.GetProperty("position").ToString(), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task A_server_deleted_behind_the_marketplaces_back_is_found_lost_its_claim_freed_and_its_billing_stopped_and_an_orphan_is_reported()
    {
        var approved = await SubmitAndApproveAsync(m.Request("ML/MEF", "internal", count: 1));
        await m.WaitForAsync(approved.Id, "active", Patience);
        var vm = Assert.Single(await VmsAsync(approved.Id));
        var usedBefore = await m.AgencyVcpuAsync("ML/MEF");

        await m.Cloud.DeleteServerAsync(vm.ServerId);
        await Eventually.HoldsAsync(async () => (await VmsAsync(approved.Id)).Single().Status == "lost", Patience, "reconciliation finds the VM lost");
        var lost = (await VmsAsync(approved.Id)).Single();
        Assert.NotNull(lost.LostAt);
        var findings = (await m.Provisioning.ListReconciliationFindingsAsync(new P.ListReconciliationFindingsRequest { FacilityId = m.Facilities["ML-BKO-1"] })).Findings;
        Assert.Contains(findings, f => f.Kind == "lost" && f.VmId == vm.Id);
        await Eventually.HoldsAsync(async () => await m.AgencyVcpuAsync("ML/MEF") == usedBefore - 4, Patience, "its quota is freed");
        var metered = await m.MeteredAsync("op.ml", "ML/MEF", vm.Id, TimeSpan.Zero, ended: true);
        Assert.True(Math.Abs((metered[^1].Until.ToDateTime() - lost.LostAt.ToDateTime()).TotalSeconds) < 1, "billing stops when the server was seen gone");
        Assert.Equal("decommissioned", (await m.WaitForAsync(approved.Id, "decommissioned", Patience)).Status);

        // A server carrying our metadata that the marketplace does not run: reported, never deleted.
        var orphanVm = Guid.NewGuid().ToString();
        using (var tenant = await m.Cloud.TenantAsync())
        {
            using var created = await tenant.PostAsync($"{m.Cloud.ComputeUrl}/servers", OpenStackCloud.Json(new JsonObject
            {
                ["server"] = new JsonObject
                {
                    ["name"] = $"aes-{orphanVm}", ["imageRef"] = m.Cloud["OS_IMAGE_ID"], ["flavorRef"] = FlavourId("s1.small"), ["networks"] = "none",
                    ["metadata"] = new JsonObject { ["aes_vm_id"] = orphanVm },
                },
            }));
            created.EnsureSuccessStatusCode();
        }
        await Eventually.HoldsAsync(async () => (await m.Provisioning.ListReconciliationFindingsAsync(new P.ListReconciliationFindingsRequest { FacilityId = m.Facilities["ML-BKO-1"] }))
            .Findings.Any(f => f.Kind == "orphan" && f.VmId == orphanVm), Patience, "the orphan is reported");
        Assert.NotNull(await NovaServerAsync(orphanVm));
    }

    [Fact]
    public async Task A_refusal_of_novas_own_quota_fails_the_request_with_its_message_and_gives_every_claim_back()
    {
        using var fault = await m.Cloud.FaultAsync();
        var before = await m.AgencyVcpuAsync("ML/MEF");
        await m.Cloud.SetQuotaAsync("instances", (await m.Cloud.ServersAsync()).Count);
        try
        {
            var approved = await SubmitAndApproveAsync(m.Request("ML/MEF", "internal", count: 1, vcpu: 1, memoryGib: 2, diskGib: 40));
            var failed = await m.WaitForAsync(approved.Id, "failed", Patience);
            Assert.Contains("Quota exceeded for instances", failed.StatusReasonEn);
            await Eventually.HoldsAsync(async () => await m.AgencyVcpuAsync("ML/MEF") == before, Patience, "the claims are given back");
        }
        finally
        {
            await m.Cloud.SetQuotaAsync("instances", 200);
        }
    }

    [Fact]
    public async Task A_build_that_ends_in_error_fails_the_request_with_novas_fault_and_removes_the_server()
    {
        using var fault = await m.Cloud.FaultAsync();
        using var admin = await m.Cloud.AdminAsync();
        var flavour = FlavourId("s1.medium");
        // No host has this trait: Nova's scheduler finds no valid host, as for a facility out of such servers.
        using (var spec = await admin.PostAsync($"{m.Cloud.ComputeUrl}/flavors/{flavour}/os-extra_specs",
            OpenStackCloud.Json(new JsonObject { ["extra_specs"] = new JsonObject { ["trait:CUSTOM_AES_NO_SUCH_HOST"] = "required" } })))
        {
            spec.EnsureSuccessStatusCode();
        }
        try
        {
            var approved = await SubmitAndApproveAsync(m.Request("ML/MEF", "internal", count: 1, vcpu: 2, memoryGib: 4, diskGib: 80));
            var failed = await m.WaitForAsync(approved.Id, "failed", Patience);
            Assert.Contains("No valid host", failed.StatusReasonEn);
            var vm = Assert.Single(await VmsAsync(approved.Id));
            await Eventually.HoldsAsync(async () => await NovaServerAsync(vm.Id) is null, Patience, "the server in error is removed");
        }
        finally
        {
            (await admin.DeleteAsync($"{m.Cloud.ComputeUrl}/flavors/{flavour}/os-extra_specs/trait:CUSTOM_AES_NO_SUCH_HOST")).Dispose();
        }
    }

    [Fact]
    public async Task A_build_stuck_past_its_deadline_fails_the_request_with_the_cause()
    {
        using var fault = await m.Cloud.FaultAsync();
        await m.Cloud.StopServiceAsync("nova-conductor");
        try
        {
            var approved = await SubmitAndApproveAsync(m.Request("ML/MEF", "internal", count: 1, vcpu: 1, memoryGib: 2, diskGib: 40));
            var failed = await m.WaitForAsync(approved.Id, "failed", Patience);
            Assert.Contains("stuck", failed.StatusReasonEn);
        }
        finally
        {
            await m.Cloud.StartServiceAsync("nova-conductor");
        }
    }

    /// <summary>
    /// Nova accepts, for a while, a token Keystone validated before it went down; so Nova is restarted during the outage,
    /// as it would be in a real incident, and cannot check the marketplace's token: it answers 503, and the build waits.
    /// </summary>
    [Fact]
    public async Task With_keystone_down_and_nova_answering_503_the_facility_is_out_the_build_waits_and_it_completes_once_keystone_is_back()
    {
        var facility = m.Facilities["ML-BKO-1"];
        using var fault = await m.Cloud.FaultAsync();
        await m.Cloud.StopServiceAsync("keystone");
        P.HostingRequest approved;
        try
        {
            await m.Cloud.StopServiceAsync("nova-api");
            await m.Cloud.StartServiceAsync("nova-api");
            approved = await SubmitAndApproveAsync(m.Request("ML/MEF", "internal", count: 1, vcpu: 1, memoryGib: 2, diskGib: 40));
            await Eventually.HoldsAsync(async () => (await m.Provisioning.GetFacilityAvailabilityAsync(new P.FacilityIdRequest { FacilityId = facility }))
                .Outages.Any(o => o.EndedAt is null && o.CauseEn.Contains("unreachable")), Patience, "the probe opens an outage");
            await Task.Delay(TimeSpan.FromSeconds(5));
            var waiting = await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = approved.Id });
            Assert.Equal("provisioning", waiting.Status);
            Assert.Equal("creating", (await VmsAsync(approved.Id)).Single().Status);
        }
        finally
        {
            await m.Cloud.StartServiceAsync("keystone");
        }
        await m.WaitForAsync(approved.Id, "active", AfterRestartPatience);
        await Eventually.HoldsAsync(async () => (await m.Provisioning.GetFacilityAvailabilityAsync(new P.FacilityIdRequest { FacilityId = facility }))
            .Outages.All(o => o.EndedAt is not null), Patience, "the outage ends with its start and end");
        var availability = await m.Provisioning.GetFacilityAvailabilityAsync(new P.FacilityIdRequest { FacilityId = facility });
        Assert.True(availability.Month.AvailabilityPercent < 100, "the outage counts against the month");
    }

    [Fact]
    public async Task When_nova_answers_500_the_build_is_retried_and_completes_once_it_recovers()
    {
        // Without Neutron, Nova answers 500 to every read of a server (and to a boot with a network).
        using var fault = await m.Cloud.FaultAsync();
        await m.Cloud.StopServiceAsync("neutron");
        P.HostingRequest approved;
        try
        {
            approved = await SubmitAndApproveAsync(m.Request("ML/MEF", "internal", count: 1, vcpu: 1, memoryGib: 2, diskGib: 40));
            await Task.Delay(TimeSpan.FromSeconds(8));
            Assert.Equal("provisioning", (await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = approved.Id })).Status);
        }
        finally
        {
            await m.Cloud.StartServiceAsync("neutron");
        }
        await m.WaitForAsync(approved.Id, "active", AfterRestartPatience);
    }

    [Fact]
    public async Task An_operator_sees_the_facilitys_cloud_tests_the_connection_maps_its_catalogue_and_reads_its_availability_in_the_portal()
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 }, Locale = "fr-FR" });
        var watch = Portal.BrowserWatch.On(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync(m.PortalAddress + "/operateur/centres");
        await page.Locator("#username").FillAsync("op.ml");
        await page.Locator("#password").FillAsync("aes-demo-2026");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(m.PortalAddress + "/operateur/centres");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("[data-interactive]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 60_000 });

        var bamako = page.Locator("article[data-facility='ML-BKO-1']");
        await Microsoft.Playwright.Assertions.Expect(bamako.Locator(".driver")).ToHaveAttributeAsync("data-driver", "openstack");
        await Microsoft.Playwright.Assertions.Expect(bamako.Locator("[data-reachable]").First).ToHaveAttributeAsync("data-reachable", "true", new() { Timeout = 60_000 });
        await bamako.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Tester la connexion" }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(bamako.Locator(".test")).ToHaveAttributeAsync("data-reachable", "true", new() { Timeout = 60_000 });
        await Microsoft.Playwright.Assertions.Expect(bamako.Locator(".test")).ToContainTextAsync("compute");

        // The facility's m1.tiny is not the marketplace's: it cannot be offered as anything, and s1.medium is offered as itself.
        var medium = bamako.Locator("table.flavours tr[data-native='s1.medium'] select");
        await Microsoft.Playwright.Assertions.Expect(medium).ToHaveValueAsync("s1.medium");
        await medium.SelectOptionAsync("");
        await Eventually.HoldsAsync(async () => (await m.Provisioning.GetFacilityCatalogueAsync(new P.FacilityIdRequest { FacilityId = m.Facilities["ML-BKO-1"] }))
            .Flavours.Single(f => f.NativeName == "s1.medium").Code == "", TimeSpan.FromSeconds(30), "s1.medium is no longer offered");
        await medium.SelectOptionAsync("s1.medium");
        await Eventually.HoldsAsync(async () => (await m.Provisioning.GetFacilityCatalogueAsync(new P.FacilityIdRequest { FacilityId = m.Facilities["ML-BKO-1"] }))
            .Flavours.Single(f => f.NativeName == "s1.medium").Code == "s1.medium", TimeSpan.FromSeconds(30), "s1.medium is offered again");
        Assert.Equal(1, await bamako.Locator("table.flavours tr[data-native='m1.tiny'] select option").CountAsync());
        await Microsoft.Playwright.Assertions.Expect(bamako.Locator(".availability [data-period='month']")).ToContainTextAsync("%");

        var folder = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "centres.png"), FullPage = true });
        var problems = await watch.ProblemsAsync();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private string FlavourId(string name) =>
        m.Provisioning.GetFacilityCatalogue(new P.FacilityIdRequest { FacilityId = m.Facilities["ML-BKO-1"] }).Flavours.Single(f => f.NativeName == name).NativeId;
}

[CollectionDefinition(nameof(OpenStackFacilityTests), DisableParallelization = true)]
public sealed class OpenStackFacilityTestsCollection;
