using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using B = Aes.Contracts.Billing.V1;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.EndToEnd.Tests.Hosting;

public sealed class EmbeddedJourneyTests(EmbeddedProvisioningMarketplace marketplace) : JourneyTests<EmbeddedProvisioningMarketplace>(marketplace);

public sealed partial class PostgresJourneyTests(TracedPostgresProvisioningMarketplace marketplace) : JourneyTests<TracedPostgresProvisioningMarketplace>(marketplace);

/// <summary>The journeys of DOMAIN.md across tenancy, quota and provisioning, on each storage and bus.</summary>
public abstract partial class JourneyTests<TMarketplace>(TMarketplace m) : IClassFixture<TMarketplace> where TMarketplace : ProvisioningMarketplace
{
    /// <summary>The run under test, for the checks one kind of run adds (telemetry on the distributed run).</summary>
    protected TMarketplace Marketplace => m;

    [Fact]
    public async Task Journey_1_a_malian_ministry_gets_three_vms_for_sensitive_data_in_bamako_after_its_operator_approves()
    {
        var usedBefore = await m.UsedVcpuAsync("ML-BKO-1");
        var submitted = await m.SubmitAsync(m.Request("ML/MEF", "sensitive", count: 3));

        var placed = await m.WaitForAsync(submitted.Id, "awaiting_approval");
        Assert.Equal("ML-BKO-1", placed.FacilityCode);
        Assert.Equal(usedBefore + 12, await m.UsedVcpuAsync("ML-BKO-1"));
        Assert.Equal("pending", placed.Approvals.Single().Decision);
        var decision = await m.Provisioning.GetPlacementDecisionAsync(new P.RequestIdRequest { RequestId = submitted.Id });
        Assert.Equal("placed", decision.Outcome);
        Assert.Contains(decision.Considered, c => c.FacilityCode == "ML-BKO-1" && c.Kept);
        Assert.Contains(decision.Considered, c => c.FacilityCode == "BF-OUA-1" && !c.Kept && c.ReasonEn.Contains("no active agreement"));

        await (await m.AsAsync("op.ml")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, });
        var active = await m.WaitForAsync(submitted.Id, "active");

        var vms = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] })).Vms.Where(v => v.RequestId == submitted.Id).ToList();
        Assert.Equal(3, vms.Count);
        Assert.All(vms, vm =>
        {
            Assert.Equal("active", vm.Status);
            Assert.Equal("ML-BKO-1", vm.FacilityCode);
            Assert.Equal((4, 16, 200), (vm.Resources.Of("vcpu"), vm.Resources.Of("memory_gib"), vm.Resources.Of("storage_gib")));
            Assert.NotNull(vm.ActivatedAt);
        });
        // The VMs really exist in the facility, once each.
        var inFacility = (await m.Provisioning.ListFacilityVmsAsync(new P.ListFacilityVmsRequest { FacilityId = m.Facilities["ML-BKO-1"] })).Vms;
        Assert.All(vms, vm => Assert.Single(inFacility, f => f.Id == vm.Id));
        Assert.Equal(usedBefore + 12, await m.UsedVcpuAsync("ML-BKO-1"));
        Assert.Equal(3, active.VmIds.Count);

        // Billing learns each VM's start from provisioning's events: agency, its state, facility, its state, size, time.
        var activated = (await m.OutboxEventsAsync("VmActivated")).Where(e => e.GetProperty("requestId").GetString() == submitted.Id).ToList();
        Assert.Equal(vms.Select(v => v.Id).Order(), activated.Select(e => e.GetProperty("vmId").GetString()!).Order());
        Assert.All(activated, e =>
        {
            Assert.Equal(m.Agencies["ML/MEF"], e.GetProperty("agencyId").GetString());
            Assert.Equal("ML", e.GetProperty("agencyStateCode").GetString());
            Assert.Equal(m.Facilities["ML-BKO-1"], e.GetProperty("facilityId").GetString());
            Assert.Equal("ML", e.GetProperty("facilityStateCode").GetString());
            Assert.Equal(4, e.Amount("resources", "vcpu"));
            Assert.Equal(200, e.Amount("resources", "storage_gib"));
            Assert.False(e.TryGetProperty("size", out _)); // by class only (ADR 047)
            Assert.True(e.GetProperty("activatedAt").GetDateTime() > DateTime.UtcNow.AddMinutes(-5));
        });
    }

    [Fact]
    public async Task Each_call_is_authorised_by_the_role_and_scope_of_the_callers_own_token()
    {
        var usedBefore = await m.UsedVcpuAsync("ML-BKO-1", "BF-OUA-1", "BF-BOB-1");
        var agent = await m.AsAsync("agent.mef.ml");
        var own = m.Request("ML/MEF", "internal", vcpu: 1, memoryGib: 2, diskGib: 20);
        own.ActorUserId = ""; // the token says who submits
        var submitted = await agent.Provisioning.SubmitRequestAsync(own);
        Assert.Equal(m.Users["agent.mef.ml"], submitted.SubmittedByUserId);
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        var byId = new P.RequestIdRequest { RequestId = submitted.Id };

        // Another state's requester neither reads it nor submits for that agency; nobody but a service holds capacity.
        var foreigner = await m.AsAsync("agent.anptic.bf");
        await DeniedAsync(() => foreigner.Provisioning.GetRequestAsync(byId).ResponseAsync);
        await DeniedAsync(() => foreigner.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] }).ResponseAsync);
        var intrusion = m.Request("ML/MEF", "internal");
        intrusion.ActorUserId = "";
        await DeniedAsync(() => foreigner.Provisioning.SubmitRequestAsync(intrusion).ResponseAsync);
        await DeniedAsync(() => foreigner.Billing.ListUsageAsync(new B.ListUsageRequest { AgencyId = m.Agencies["ML/MEF"], Month = DateTime.UtcNow.ToString("yyyy-MM") }).ResponseAsync);
        await DeniedAsync(() => agent.Quota.HoldAsync(new Q.HoldRequest { ClaimId = Guid.NewGuid().ToString(), AgencyId = m.Agencies["ML/MEF"], PoolId = m.Pools["ML-BKO-1"] }).ResponseAsync);
        // Naming another user than the token's is refused too.
        var onBehalf = m.Request("ML/MEF", "internal");
        onBehalf.ActorUserId = m.Users["admin.mef.ml"];
        await DeniedAsync(() => agent.Provisioning.SubmitRequestAsync(onBehalf).ResponseAsync);
        await DeniedAsync(() => agent.Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, ActorUserId = m.Users["op.ml"] }).ResponseAsync);

        // Mali's auditor reads and changes nothing; Burkina's operator cannot approve a Malian request; Mali's can.
        var auditor = await m.AsAsync("audit.ml");
        Assert.Equal(submitted.Id, (await auditor.Provisioning.GetRequestAsync(byId)).Id);
        Assert.NotEmpty((await auditor.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"], IncludeEnded = true })).Vms);
        var auditorApproves = await DeniedAsync(() => auditor.Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id }).ResponseAsync);
        Assert.Contains("auditor", auditorApproves.Status.Detail);
        await DeniedAsync(() => auditor.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest { StateCode = "ML", LimitsByClass = { ByClassWire.Size<Q.ResourceAmount>(1) } }).ResponseAsync);
        await DeniedAsync(async () => await (await m.AsAsync("op.bf")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id }));
        var approved = await (await m.AsAsync("op.ml")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id });
        Assert.Equal(m.Users["op.ml"], approved.Approvals.Single().DecidedByUserId);

        // A guest's request placed in Mali: Mali's operator, the host, reads it; Burkina's does not.
        var guestRequest = m.Request("NE/ANSI", "internal", vcpu: 1, memoryGib: 2, diskGib: 20);
        guestRequest.ActorUserId = "";
        var guest = await (await m.AsAsync("agent.ansi.ne")).Provisioning.SubmitRequestAsync(guestRequest);
        Assert.Equal("ML-BKO-1", (await m.WaitForAsync(guest.Id, "awaiting_approval")).FacilityCode);
        Assert.Equal(guest.Id, (await (await m.AsAsync("op.ml")).Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = guest.Id })).Id);
        await DeniedAsync(async () => await (await m.AsAsync("op.bf")).Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = guest.Id }));
        await m.RejectIfOpenAsync(guest.Id, "op.ne");

        // The requester ends their own VM with their own token.
        await m.WaitForAsync(submitted.Id, "active");
        var vm = (await agent.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] })).Vms.Single(v => v.RequestId == submitted.Id);
        Assert.Equal("decommissioning", (await agent.Provisioning.DecommissionVmAsync(new P.DecommissionVmRequest { VmId = vm.Id, Reason = "fin du test" })).Status);
        await m.WaitForAsync(submitted.Id, "decommissioned");
        await m.UsageReturnsToAsync(usedBefore);
    }

    [Fact]
    public async Task A_host_states_own_provider_naming_the_guests_operator_as_subject_cannot_approve_for_the_guest_and_its_linked_operator_can_for_the_host()
    {
        // Niger's request placed in Mali under their agreement: Niger approves first, then Mali as host.
        var guest = await SubmitNigerRequestHostedInMaliAsync();
        var mali = await Aes.Testing.TestIssuer.SharedMalianAsync();
        P.ProvisioningService.ProvisioningServiceClient AsMalianProvider(string subject) => new(m.Issuer.Channel(
            $"http://127.0.0.1:{Aes.Messaging.ResourceNames.LocalPorts[Aes.Messaging.ResourceNames.Provisioning].Shift(m.PortOffset).Grpc}",
            () => mali.Mint(subject, [KeyValuePair.Create<string, object>("role", "StateOperator"), KeyValuePair.Create<string, object>("aes_state", "ML"),
                KeyValuePair.Create<string, object>("aes_grant", "StateOperator:ML:")])));

        // Mali's provider, trusted as host, names Niger's operator: provisioning would read Niger's roles for that id and approve as Niger.
        var impostor = await Assert.ThrowsAsync<RpcException>(() => AsMalianProvider(m.Users["op.ne"]).ApproveAsync(new P.ApproveRequest { RequestId = guest.Id }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, impostor.StatusCode);
        var untouched = await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = guest.Id });
        Assert.All(untouched.Approvals, approval => Assert.Equal("pending", approval.Decision));

        // Mali's operator links their own account at Mali's provider; provisioning learns it from tenancy's event.
        var subject = $"ml-idp/op.ml/{Guid.NewGuid():N}";
        await (await m.AsAsync("op.ml")).Tenancy.LinkExternalIdentityAsync(new Aes.Contracts.Tenancy.V1.LinkExternalIdentityRequest
        {
            UserId = m.Users["op.ml"], Issuer = mali.Url, Subject = subject,
        });
        await (await m.AsAsync("op.ne")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = guest.Id });
        P.HostingRequest? approved = null;
        await Aes.Testing.Eventually.HoldsAsync(async () =>
        {
            try
            {
                approved = await AsMalianProvider(subject).ApproveAsync(new P.ApproveRequest { RequestId = guest.Id });
                return true;
            }
            catch (RpcException refused) when (refused.StatusCode == StatusCode.Unauthenticated)
            {
                return false; // provisioning has not received the link yet
            }
        }, TimeSpan.FromSeconds(30), "provisioning reads Mali's provider's subject as op.ml");
        Assert.Contains(approved!.Approvals, a => a.DecidedByUserId == m.Users["op.ml"] && a.Decision == "approved");
        Assert.Contains(approved.Approvals, a => a.DecidedByUserId == m.Users["op.ne"] && a.Decision == "approved");
        await m.WaitForAsync(guest.Id, "active");
        var requester = await m.AsAsync("agent.ansi.ne");
        var vm = (await requester.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["NE/ANSI"] })).Vms.Single(v => v.RequestId == guest.Id);
        await requester.Provisioning.DecommissionVmAsync(new P.DecommissionVmRequest { VmId = vm.Id, Reason = "fin du test" });
        await m.WaitForAsync(guest.Id, "decommissioned");
    }

    [Fact]
    public async Task An_operator_approves_for_the_states_their_token_names_not_for_those_provisioning_copied_for_them()
    {
        var usedBefore = await m.AgencyVcpuAsync("NE/ANSI");
        var guest = await SubmitNigerRequestHostedInMaliAsync();

        // A token for Niger's operator that speaks for Mali only: the rule lets it in as the host's operator, and the
        // method must then decide with that same grant, not with provisioning's copy of op.ne's roles (Niger), which
        // would record Niger's approval on a token that never spoke for Niger.
        var token = m.Issuer.Mint(m.Users["op.ne"], [KeyValuePair.Create<string, object>("role", "StateOperator"),
            KeyValuePair.Create<string, object>("aes_grant", "StateOperator:ML:")]);
        var asMaliOnly = new P.ProvisioningService.ProvisioningServiceClient(m.Issuer.Channel(
            $"http://127.0.0.1:{Aes.Messaging.ResourceNames.LocalPorts[Aes.Messaging.ResourceNames.Provisioning].Shift(m.PortOffset).Grpc}", () => token));
        var refused = await Assert.ThrowsAsync<RpcException>(() => asMaliOnly.ApproveAsync(new P.ApproveRequest { RequestId = guest.Id }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode); // as Mali: Niger approves first
        Assert.All((await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = guest.Id })).Approvals, a => Assert.Equal("pending", a.Decision));

        // The same person's token from tenancy names Niger: that one approves for Niger.
        var home = await (await m.AsAsync("op.ne")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = guest.Id });
        Assert.Contains(home.Approvals, a => a.Role == "home" && a.Decision == "approved" && a.DecidedByUserId == m.Users["op.ne"]);
        await m.RejectIfOpenAsync(guest.Id, "op.ml");
        // The next test counts Niger's usage: the holds go back before this one ends.
        await Aes.Testing.Eventually.HoldsAsync(async () => await m.AgencyVcpuAsync("NE/ANSI") == usedBefore, TimeSpan.FromSeconds(30),
            "the rejected request's holds were given back");
    }

    /// <summary>A request of Niger's ANSI, by its agent, placed in Bamako under the agreement and awaiting both approvals.</summary>
    private async Task<P.HostingRequest> SubmitNigerRequestHostedInMaliAsync()
    {
        var request = m.Request("NE/ANSI", "internal", vcpu: 1, memoryGib: 2, diskGib: 20);
        request.ActorUserId = "";
        var guest = await (await m.AsAsync("agent.ansi.ne")).Provisioning.SubmitRequestAsync(request);
        Assert.Equal("ML-BKO-1", (await m.WaitForAsync(guest.Id, "awaiting_approval")).FacilityCode);
        return guest;
    }

    private static async Task<RpcException> DeniedAsync(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(refused.StatusCode == StatusCode.PermissionDenied, refused.Status.ToString());
        return refused;
    }

    [Fact]
    public async Task A_running_vm_is_resized_through_quota_and_the_facility_and_a_growth_that_does_not_fit_is_refused_with_its_reason()
    {
        var submitted = await m.SubmitAsync(m.Request("ML/MEF", "internal", vcpu: 2, memoryGib: 4, diskGib: 40));
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        await (await m.AsAsync("op.ml")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, });
        await m.WaitForAsync(submitted.Id, "active");
        var vmId = (await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = submitted.Id })).VmIds.Single();
        var usedBefore = await m.UsedVcpuAsync("ML-BKO-1");

        var shrinkDisk = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.ResizeVmAsync(new P.ResizeVmRequest
        {
            VmId = vmId, Resources = { ByClassWire.Size<P.ResourceAmount>(2, 4, 20) },
        }).ResponseAsync);
        Assert.Equal(("resources[2].amount", StatusCode.InvalidArgument), (shrinkDisk.Trailers.GetValue("aes-field"), shrinkDisk.StatusCode));
        var noMemory = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.ResizeVmAsync(new P.ResizeVmRequest
        {
            VmId = vmId, Resources = { ByClassWire.Size<P.ResourceAmount>(4), ByClassWire.Amount<P.ResourceAmount>("storage_gib", 200) },
        }).ResponseAsync);
        Assert.Equal(("resources", StatusCode.InvalidArgument), (noMemory.Trailers.GetValue("aes-field"), noMemory.StatusCode));
        Assert.Contains("memory_gib", noMemory.Status.Detail);
        var addAddress = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.ResizeVmAsync(new P.ResizeVmRequest
        {
            VmId = vmId, Resources = { ByClassWire.Size<P.ResourceAmount>(4, 16, 200, publicIpv4: 1) },
        }).ResponseAsync);
        Assert.Equal(("resources[3].amount", StatusCode.InvalidArgument), (addAddress.Trailers.GetValue("aes-field"), addAddress.StatusCode));

        await (await m.AsAsync("agent.mef.ml")).Provisioning.ResizeVmAsync(new P.ResizeVmRequest { VmId = vmId, Flavour = "s1.large" });
        P.Vm vm = null!;
        await Aes.Testing.Eventually.HoldsAsync(async () =>
        {
            vm = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] })).Vms.Single(v => v.Id == vmId);
            return vm.Status == "active" && vm.Resources.Of("vcpu") == 4;
        }, TimeSpan.FromSeconds(20), "the VM runs at its new size");
        Assert.Equal((4, 16, 200), (vm.Resources.Of("vcpu"), vm.Resources.Of("memory_gib"), vm.Resources.Of("storage_gib")));
        Assert.Equal(usedBefore + 2, await m.UsedVcpuAsync("ML-BKO-1"));
        var inFacility = (await m.Provisioning.ListFacilityVmsAsync(new P.ListFacilityVmsRequest { FacilityId = m.Facilities["ML-BKO-1"] })).Vms.Single(f => f.Id == vmId);
        Assert.Equal((4, 16, 200), (inFacility.Resources.Of("vcpu"), inFacility.Resources.Of("memory_gib"), inFacility.Resources.Of("storage_gib")));
        var resized = Assert.Single(await m.OutboxEventsAsync("VmResized"), e => e.GetProperty("vmId").GetString() == vmId);
        Assert.Equal((2, 4), (resized.Amount("oldResources", "vcpu"), resized.Amount("newResources", "vcpu")));

        // More than the facility has left: refused by quota, the VM keeps its size and says why.
        await (await m.AsAsync("op.ml")).Provisioning.ResizeVmAsync(new P.ResizeVmRequest { VmId = vmId, Resources = { ByClassWire.Size<P.ResourceAmount>(128, 16, 200) } });
        await Aes.Testing.Eventually.HoldsAsync(async () =>
        {
            vm = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] })).Vms.Single(v => v.Id == vmId);
            return vm.Status == "active" && vm.ResizeRefusedReason != "";
        }, TimeSpan.FromSeconds(20), "the resize is refused");
        Assert.Equal(4, vm.Resources.Of("vcpu"));
        Assert.Contains("vcpu", vm.ResizeRefusedReason);
        Assert.Equal(usedBefore + 2, await m.UsedVcpuAsync("ML-BKO-1"));
    }

    [Fact]
    public async Task A_vm_is_stopped_started_and_rebooted_by_its_requester_each_operation_once_and_stays_billed_while_stopped()
    {
        var submitted = await m.SubmitAsync(m.Request("ML/MEF", "internal", vcpu: 1, memoryGib: 2, diskGib: 20));
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        await (await m.AsAsync("op.ml")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, });
        var vmId = (await m.WaitForAsync(submitted.Id, "active")).VmIds.Single();
        var usedBefore = await m.UsedVcpuAsync("ML-BKO-1");
        async Task<P.Vm> VmWhenAsync(string status)
        {
            P.Vm vm = null!;
            await Aes.Testing.Eventually.HoldsAsync(async () =>
                (vm = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] })).Vms.Single(v => v.Id == vmId)).Status == status,
                TimeSpan.FromSeconds(30), $"the VM becomes {status}");
            return vm;
        }
        P.VmPowerRequest Power(string who, string operation) => new() { VmId = vmId, ActorUserId = m.Users[who], OperationId = operation };

        // Refused, and nothing changes: starting a running VM, someone else's power button, an operation id that is not one.
        var running = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.StartVmAsync(Power("agent.mef.ml", Guid.NewGuid().ToString())).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, running.StatusCode);
        Assert.Contains("only a stopped VM is started", running.Status.Detail);
        foreach (var who in new[] { "op.ml", "agent.anptic.bf" })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync(who)).Provisioning.StopVmAsync(Power(who, Guid.NewGuid().ToString())).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
        var noOperation = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.StopVmAsync(Power("agent.mef.ml", "encore")).ResponseAsync);
        Assert.Equal(("operation_id", StatusCode.InvalidArgument), (noOperation.Trailers.GetValue("aes-field"), noOperation.StatusCode));
        Assert.Equal("active", (await VmWhenAsync("active")).Status);

        // Stopped, asked twice with the same id: one operation; the facility's server is stopped; allocation and billing go on.
        var stop = Guid.NewGuid().ToString();
        await (await m.AsAsync("agent.mef.ml")).Provisioning.StopVmAsync(Power("agent.mef.ml", stop));
        await (await m.AsAsync("agent.mef.ml")).Provisioning.StopVmAsync(Power("agent.mef.ml", stop));
        await VmWhenAsync("stopped");
        Assert.Equal("stopped", (await m.Provisioning.ListFacilityVmsAsync(new P.ListFacilityVmsRequest { FacilityId = m.Facilities["ML-BKO-1"] }))
            .Vms.Single(v => v.Id == vmId).PowerState);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.StopVmAsync(Power("agent.mef.ml", Guid.NewGuid().ToString())).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        var reused = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.StartVmAsync(Power("agent.mef.ml", stop)).ResponseAsync);
        Assert.Equal(("operation_id", StatusCode.InvalidArgument), (reused.Trailers.GetValue("aes-field"), reused.StatusCode));
        Assert.Equal(usedBefore, await m.UsedVcpuAsync("ML-BKO-1"));
        var metered = await m.MeteredAsync("op.ml", "ML/MEF", vmId, TimeSpan.Zero, ended: false);
        Assert.Null(metered[^1].Until);

        // Started by an administrator of the agency, then rebooted hard by its requester.
        await (await m.AsAsync("admin.mef.ml")).Provisioning.StartVmAsync(Power("admin.mef.ml", Guid.NewGuid().ToString()));
        await VmWhenAsync("active");
        await (await m.AsAsync("agent.mef.ml")).Provisioning.RebootVmAsync(new P.RebootVmRequest { VmId = vmId, OperationId = Guid.NewGuid().ToString(), Hard = true });
        var rebooted = await VmWhenAsync("active");
        Assert.Equal("", rebooted.PowerRefusedReason);

        // A stopped VM can still be decommissioned; its usage then ends.
        await (await m.AsAsync("agent.mef.ml")).Provisioning.StopVmAsync(Power("agent.mef.ml", Guid.NewGuid().ToString()));
        await VmWhenAsync("stopped");
        await (await m.AsAsync("agent.mef.ml")).Provisioning.DecommissionVmAsync(new P.DecommissionVmRequest { VmId = vmId, Reason = "fin du test" });
        await m.MeteredAsync("op.ml", "ML/MEF", vmId, TimeSpan.Zero, ended: true);
    }

    [Fact]
    public async Task A_snapshot_is_taken_once_per_id_by_the_vms_owner_billed_per_gib_month_of_its_disk_and_goes_with_its_vm()
    {
        var submitted = await m.SubmitAsync(m.Request("ML/MEF", "internal", vcpu: 1, memoryGib: 2, diskGib: 30));
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        await (await m.AsAsync("op.ml")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, });
        var vmId = (await m.WaitForAsync(submitted.Id, "active")).VmIds.Single();
        P.TakeVmSnapshotRequest Snapshot(string who, string id) => new() { VmId = vmId, ActorUserId = m.Users[who], SnapshotId = id, Name = "avant la mise à jour" };

        // Refused, and nothing is taken: another agency's requester, the state's operator, an id that is not one.
        foreach (var who in new[] { "agent.anptic.bf", "op.ml" })
        {
            Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(async () =>
                await (await m.AsAsync(who)).Provisioning.TakeVmSnapshotAsync(Snapshot(who, Guid.NewGuid().ToString())).ResponseAsync)).StatusCode);
        }
        var noId = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.TakeVmSnapshotAsync(Snapshot("agent.mef.ml", "encore")).ResponseAsync);
        Assert.Equal(("snapshot_id", StatusCode.InvalidArgument), (noId.Trailers.GetValue("aes-field"), noId.StatusCode));
        Assert.Empty((await m.Provisioning.ListVmSnapshotsAsync(new P.ListVmSnapshotsRequest { VmId = vmId })).Snapshots);

        // Asked twice with one id: one snapshot, of the VM's 30 GiB disk, available once the facility has made it.
        var id = Guid.NewGuid().ToString();
        var first = await (await m.AsAsync("agent.mef.ml")).Provisioning.TakeVmSnapshotAsync(Snapshot("agent.mef.ml", id));
        var again = await (await m.AsAsync("agent.mef.ml")).Provisioning.TakeVmSnapshotAsync(Snapshot("agent.mef.ml", id));
        Assert.Equal((id, 30L), (again.Id, again.SizeGib));
        Assert.Equal(first.TakenAt, again.TakenAt);
        await Aes.Testing.Eventually.HoldsAsync(async () =>
            (await m.Provisioning.ListVmSnapshotsAsync(new P.ListVmSnapshotsRequest { VmId = vmId })).Snapshots is [{ Status: "available" }],
            TimeSpan.FromSeconds(30), "the snapshot is available");
        Assert.Equal(1, (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] })).Vms.Single(v => v.Id == vmId).Snapshots);

        // Billed as storage only, per GiB-month, from when it was taken; an agency administrator takes another of the stopped VM.
        var metered = await m.MeteredAsync("op.ml", "ML/MEF", id, TimeSpan.Zero, ended: false);
        Assert.Equal([("storage_gib", 30L)], metered[^1].Resources.Select(r => (r.ResourceClass, r.Amount)));
        await (await m.AsAsync("agent.mef.ml")).Provisioning.StopVmAsync(new P.VmPowerRequest { VmId = vmId, OperationId = Guid.NewGuid().ToString() });
        await Aes.Testing.Eventually.HoldsAsync(async () =>
            (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["ML/MEF"] })).Vms.Single(v => v.Id == vmId).Status == "stopped",
            TimeSpan.FromSeconds(30), "the VM is stopped");
        var second = await (await m.AsAsync("admin.mef.ml")).Provisioning.TakeVmSnapshotAsync(Snapshot("admin.mef.ml", Guid.NewGuid().ToString()));
        // Read one a page: the newest first, then the first one, then no further page.
        var newest = await m.Provisioning.ListVmSnapshotsAsync(new P.ListVmSnapshotsRequest { VmId = vmId, PageSize = 1 });
        var older = await m.Provisioning.ListVmSnapshotsAsync(new P.ListVmSnapshotsRequest { VmId = vmId, PageSize = 1, PageToken = newest.NextPageToken });
        Assert.Equal((second.Id, id, ""), (newest.Snapshots.Single().Id, older.Snapshots.Single().Id, older.NextPageToken));

        // Decommissioned: its snapshots go with it and their billing ends; a VM that is gone takes none.
        await (await m.AsAsync("agent.mef.ml")).Provisioning.DecommissionVmAsync(new P.DecommissionVmRequest { VmId = vmId, Reason = "fin du test" });
        await m.MeteredAsync("op.ml", "ML/MEF", id, TimeSpan.Zero, ended: true);
        await m.MeteredAsync("op.ml", "ML/MEF", second.Id, TimeSpan.Zero, ended: true);
        Assert.All((await m.Provisioning.ListVmSnapshotsAsync(new P.ListVmSnapshotsRequest { VmId = vmId })).Snapshots, s => Assert.Equal("removed", s.Status));
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.TakeVmSnapshotAsync(Snapshot("agent.mef.ml", Guid.NewGuid().ToString())).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, gone.StatusCode);
    }

    [Fact]
    public async Task Journey_2_a_niger_agency_is_hosted_in_bamako_under_the_agreement_after_both_operators_approve_in_order()
    {
        var submitted = await m.SubmitAsync(m.Request("NE/ANSI", "internal", count: 2, vcpu: 2, memoryGib: 4, diskGib: 50));

        var placed = await m.WaitForAsync(submitted.Id, "awaiting_approval");
        Assert.Equal("ML-BKO-1", placed.FacilityCode);
        Assert.NotEmpty(placed.AgreementId);
        Assert.Equal(["home:NE:pending", "host:ML:pending"], placed.Approvals.Select(a => $"{a.Role}:{a.StateCode}:{a.Decision}"));
        var decision = await m.Provisioning.GetPlacementDecisionAsync(new P.RequestIdRequest { RequestId = submitted.Id });
        Assert.Contains(decision.Considered, c => c.FacilityCode == "NE-NIM-1" && !c.Kept && c.ReasonEn.Contains("not open"));
        Assert.Contains(decision.Considered, c => c.FacilityCode == "BF-OUA-1" && !c.Kept && c.ReasonEn.Contains("no active agreement"));
        Assert.Contains(decision.Considered, c => c.FacilityCode == "ML-BKO-1" && c.Kept && c.AgreementId == placed.AgreementId);
        var slice = (await m.Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Agreement, Id = placed.AgreementId })).Lines.Single(l => l.ResourceClass == "vcpu");
        Assert.True(slice.Used >= 4);

        // The host operator cannot approve before the home operator; the home operator cannot approve twice.
        var early = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("op.ml")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, early.StatusCode);
        var home = await (await m.AsAsync("op.ne")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, });
        Assert.Equal("awaiting_approval", home.Status);
        Assert.Contains("ML", home.StatusReasonEn);
        var twice = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("op.ne")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);
        var outsider = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("op.bf")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, outsider.StatusCode);
        // What notifications read (issue 22): each state's turn once, home then host, with its requester and the holds' expiry.
        var turns = (await m.OutboxEventsAsync("ApprovalAwaited")).Where(e => e.GetProperty("requestId").GetString() == submitted.Id).ToList();
        Assert.Equal(["home:NE", "host:ML"], turns.Select(e => $"{e.GetProperty("role").GetString()}:{e.GetProperty("stateCode").GetString()}"));
        Assert.All(turns, e =>
        {
            Assert.Equal(m.Users["agent.ansi.ne"], e.GetProperty("submittedByUserId").GetString());
            // PostgreSQL keeps microseconds; the event has the clock's ticks.
            Assert.Equal(placed.HoldsExpireAt.ToDateTime(), e.GetProperty("holdsExpireAt").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        });
        Assert.Equal(m.Users["agent.ansi.ne"], (await m.OutboxEventsAsync("HostingRequestSubmitted"))
            .Single(e => e.GetProperty("requestId").GetString() == submitted.Id).GetProperty("submittedByUserId").GetString());

        await (await m.AsAsync("op.ml")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, });
        var active = await m.WaitForAsync(submitted.Id, "active");
        Assert.All(active.Approvals, a => Assert.Equal("approved", a.Decision));
        var vms = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["NE/ANSI"] })).Vms.Where(v => v.RequestId == submitted.Id).ToList();
        Assert.Equal(2, vms.Count);
        Assert.All(vms, vm => Assert.Equal(("active", "ML-BKO-1"), (vm.Status, vm.FacilityCode)));

        // Notifications (issue 22): the Niger operator is told first, then the Mali operator, then the requester, approved and
        // active; in French (their language), each naming the request and linking to its page. Through a real Postfix on
        // PostgreSQL and RabbitMQ, as .eml files in the embedded run.
        List<MimeKit.MimeMessage> mail = [];
        await Eventually.HoldsAsync(() =>
        {
            mail = m.MailAbout($"request/{submitted.Id}");
            return Task.FromResult(mail.Any(x => x.To.Mailboxes.Single().Address == "agent.ansi.ne@aes.test" && (x.Subject ?? "").Contains("active")));
        }, TimeSpan.FromSeconds(60), () => $"the requester is told the request is active; mail so far: {string.Join(" | ", mail.Select(x => x.Subject))}\n{m.LastComplaints()}");
        var reference = Guid.Parse(submitted.Id).ToString("N")[^8..].ToUpperInvariant();
        var demoRecipients = new[] { "op.ne@aes.test", "op.ml@aes.test", "agent.ansi.ne@aes.test" };
        Assert.Equal(
            [
                ("op.ne@aes.test", $"Demande {reference} en attente de votre approbation"),
                ("op.ml@aes.test", $"Demande {reference} en attente de votre approbation"),
                ("agent.ansi.ne@aes.test", $"La demande {reference} est approuvée"),
                ("agent.ansi.ne@aes.test", $"La demande {reference} est active : ses VM fonctionnent"),
            ],
            mail.Select(x => (x.To.Mailboxes.Single().Address, x.Subject)).Where(x => demoRecipients.Contains(x.Address)));
        var told = mail.Where(x => demoRecipients.Contains(x.To.Mailboxes.Single().Address)).ToList();
        Assert.All(told, x => Assert.Equal("fr", x.Body?.Headers["Content-Language"]));
        Assert.Contains("de son État d'origine (Niger)", told[0].TextBody);
        Assert.Contains("de l'État d'origine (Niger), approuvée par celui-ci, attend votre approbation en tant qu'opérateur de l'État hôte (Mali)", told[1].TextBody);
        Assert.Contains($"{m.PortalAddress}/operateur/approbations", told[1].TextBody);
        Assert.Contains($"href=\"{m.PortalAddress}/demandes/{submitted.Id}\"", told[^1].HtmlBody);
        Assert.Equal(mail.Count, mail.Select(x => x.Headers["X-Aes-Event-Id"] + x.To).Distinct().Count());

        // Billing meters both from their activation, on the Niger agency's account (Niamey is UTC+1), in Mali's facility.
        foreach (var vm in vms)
        {
            var period = Assert.Single(await m.MeteredAsync("op.ne", "NE/ANSI", vm.Id, TimeSpan.FromHours(1), ended: false));
            Assert.Equal(("ML", 2L, 4L, 50L), (period.FacilityStateCode, period.Resources.Of("vcpu"), period.Resources.Of("memory_gib"), period.Resources.Of("storage_gib")));
            Assert.Equal(vm.ActivatedAt.ToDateTime(), period.From.ToDateTime(), TimeSpan.FromSeconds(1));
        }
        var month = (DateTime.UtcNow + TimeSpan.FromHours(1)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var invoice = await (await m.AsAsync("op.ne")).Billing.DraftInvoiceAsync(new B.DraftInvoiceRequest { AgencyId = m.Agencies["NE/ANSI"], Month = month });
        // The demo agreement bills Niger at Mali's list price (25 XOF per vCPU-hour).
        Assert.Contains(invoice.Lines, l => l is { FacilityCode: "ML-BKO-1", FacilityStateCode: "ML", Resource: "vcpu", UnitPriceXof: 25, PriceSource: "catalogue" });
        Assert.Equal(invoice.Lines.Sum(l => l.AmountXof), invoice.TotalXof);
    }

    [Fact]
    public async Task Placement_ranks_the_agencys_own_facilities_by_price_before_headroom_and_follows_a_new_price()
    {
        // Demo list prices: BF-BOB-1 (22 XOF per vCPU-hour) is cheaper than BF-OUA-1 (24), though it has less room.
        await WaitForListPriceAsync("BF-BOB-1", 22);
        await WaitForListPriceAsync("BF-OUA-1", 24);
        // Placement keeps list prices by class, as billing publishes them: Bamako's A100 per GPU-hour beside the standard four.
        var bamako = (await m.Provisioning.ListCatalogueAsync(new P.ListCatalogueRequest())).FacilityPrices.Single(p => p.FacilityCode == "ML-BKO-1");
        Assert.Equal([("vcpu", 25L), ("memory_gib", 5L), ("storage_gib", 60L), ("public_ipv4", 2500L), ("gpu_a100_80g", 1500L)],
            bamako.UnitPrices.Select(p => (p.ResourceClass, p.UnitPriceXof)));
        var usedBefore = await m.UsedVcpuAsync("BF-BOB-1", "BF-OUA-1");
        var cheap = await m.SubmitAsync(m.Request("BF/ANPTIC", "internal", vcpu: 1, memoryGib: 2, diskGib: 10));
        Assert.Equal("BF-BOB-1", (await m.WaitForAsync(cheap.Id, "awaiting_approval")).FacilityCode);
        var decision = await m.Provisioning.GetPlacementDecisionAsync(new P.RequestIdRequest { RequestId = cheap.Id });
        // A month (730 h): 1 vCPU × 22 + 2 GiB × 4 per hour, plus 10 GiB × 50 → 22,400 XOF; at Ouagadougou 24, 5 and 55 → 25,370 XOF.
        Assert.Equal(22_400, decision.Considered.Single(c => c.FacilityCode == "BF-BOB-1").EstimatedMonthlyXof);
        Assert.Equal(25_370, decision.Considered.Single(c => c.FacilityCode == "BF-OUA-1").EstimatedMonthlyXof);
        Assert.True(await m.FreeVcpuAsync("BF-OUA-1") > await m.FreeVcpuAsync("BF-BOB-1"));

        // Burkina's operator raises Bobo-Dioulasso's prices from now on: the next request goes to Ouagadougou.
        await (await m.AsAsync("op.bf")).Billing.SetPriceCatalogueAsync(new B.SetPriceCatalogueRequest
        {
            FacilityId = m.Facilities["BF-BOB-1"], EffectiveFrom = Timestamp.FromDateTime(DateTime.UtcNow),
            UnitPrices = { BillingWire.Prices(40, 6, 70, 3000) },
        });
        await WaitForListPriceAsync("BF-BOB-1", 40);
        var next = await m.SubmitAsync(m.Request("BF/ANPTIC", "internal", vcpu: 1, memoryGib: 2, diskGib: 10));
        Assert.Equal("BF-OUA-1", (await m.WaitForAsync(next.Id, "awaiting_approval")).FacilityCode);

        foreach (var id in new[] { cheap.Id, next.Id })
        {
            await m.RejectIfOpenAsync(id, "op.bf");
        }
        await m.UsageReturnsToAsync(usedBefore);
    }

    private Task WaitForListPriceAsync(string facility, long vcpuHourXof) => Aes.Testing.Eventually.HoldsAsync(async () =>
        (await m.Provisioning.ListCatalogueAsync(new P.ListCatalogueRequest())).FacilityPrices.Any(p => p.FacilityCode == facility && p.UnitPrices.Any(u => u.ResourceClass == "vcpu" && u.UnitPriceXof == vcpuHourXof)),
        TimeSpan.FromSeconds(30), $"provisioning knows {facility}'s price of {vcpuHourXof} XOF per vCPU-hour");

    [Fact]
    public async Task Journey_3_strategic_data_of_niger_waits_with_its_reason_and_nothing_leaves_niger()
    {
        var agencyUsedBefore = await m.AgencyVcpuAsync("NE/ANSI");
        var submitted = await m.SubmitAsync(m.Request("NE/ANSI", "strategic"));

        var waiting = await m.WaitForAsync(submitted.Id, "waiting_for_capacity");
        Assert.Contains("strategic", waiting.StatusReasonEn);
        Assert.Contains("stratégiques", waiting.StatusReasonFr);
        Assert.Contains("NE-NIM-1", waiting.StatusReasonEn); // the planned facility whose opening would unblock it
        Assert.Empty(waiting.FacilityId);
        var decision = await m.Provisioning.GetPlacementDecisionAsync(new P.RequestIdRequest { RequestId = submitted.Id });
        Assert.Equal("waiting", decision.Outcome);
        Assert.All(decision.Considered, c => Assert.False(c.Kept));
        Assert.Contains(decision.Considered, c => c.FacilityCode == "ML-BKO-1" && c.ReasonEn.Contains("never leaves"));
        Assert.Contains(decision.Considered, c => c.FacilityCode == "NE-NIM-1" && c.ReasonEn.Contains("not open"));
        Assert.Equal(agencyUsedBefore, await m.AgencyVcpuAsync("NE/ANSI"));
        Assert.DoesNotContain((await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["NE/ANSI"] })).Vms, v => v.RequestId == submitted.Id);
        // The requester is told it waits, and why (issue 22).
        var told = await m.MailToAsync($"request/{submitted.Id}", "agent.ansi.ne@aes.test", "attend de la capacité");
        Assert.Contains("Motif : ", told.TextBody);
        Assert.Contains("NE-NIM-1", told.TextBody);
    }

    [Fact]
    public async Task Journey_5_a_rejection_with_a_reason_releases_the_holds_and_the_requester_sees_why()
    {
        var usedBefore = await m.UsedVcpuAsync("ML-BKO-1");
        var submitted = await m.SubmitAsync(m.Request("ML/MEF", "internal", count: 2));
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        Assert.Equal(usedBefore + 8, await m.UsedVcpuAsync("ML-BKO-1"));

        var noReason = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("op.ml")).Provisioning.RejectAsync(new P.RejectRequest { RequestId = submitted.Id, }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.Equal("reason", noReason.Trailers.GetValue("aes-field"));
        var otherState = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("op.bf")).Provisioning.RejectAsync(new P.RejectRequest
        {
            RequestId = submitted.Id, Reason = "non",
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, otherState.StatusCode);

        var rejected = await (await m.AsAsync("op.ml")).Provisioning.RejectAsync(new P.RejectRequest { RequestId = submitted.Id, Reason = "Justification insuffisante" });
        Assert.Equal("rejected", rejected.Status);
        Assert.Contains("Justification insuffisante", rejected.StatusReasonFr);
        Assert.Equal("Justification insuffisante", rejected.Approvals.Single().Reason);
        await Aes.Testing.Eventually.HoldsAsync(async () => await m.UsedVcpuAsync("ML-BKO-1") == usedBefore, TimeSpan.FromSeconds(20), "the holds are released");
        var again = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("op.ml")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        // The requester is told, with the operator's reason (issue 22).
        var told = await m.MailToAsync($"request/{submitted.Id}", "agent.mef.ml@aes.test", "est rejetée");
        Assert.Contains("Justification insuffisante", told.TextBody);
    }

    [Fact]
    public async Task A_request_not_yet_approved_is_withdrawn_by_its_submitter_or_an_administrator_only_and_its_holds_are_given_back_at_once()
    {
        var usedBefore = await m.UsedVcpuAsync("ML-BKO-1");
        var mine = await m.SubmitAsync(m.Request("ML/MEF", "internal", count: 2));
        var byAdministrator = m.Request("ML/MEF", "internal");
        byAdministrator.ActorUserId = m.Users["admin.mef.ml"];
        var theirs = await m.SubmitAsync(byAdministrator);
        await m.WaitForAsync(mine.Id, "awaiting_approval");
        await m.WaitForAsync(theirs.Id, "awaiting_approval");
        Assert.Equal(usedBefore + 12, await m.UsedVcpuAsync("ML-BKO-1"));

        // Another member of the agency, and the operator who decides on it, may not withdraw what they did not send.
        foreach (var (id, who) in new[] { (theirs.Id, "agent.mef.ml"), (mine.Id, "op.ml"), (mine.Id, "agent.anptic.bf") })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync(who)).Provisioning.WithdrawRequestAsync(new P.WithdrawRequestRequest
            {
                RequestId = id,
            }).ResponseAsync);
            Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        }
        var tooLong = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("agent.mef.ml")).Provisioning.WithdrawRequestAsync(new P.WithdrawRequestRequest
        {
            RequestId = mine.Id, Reason = new string('x', 1001),
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, tooLong.StatusCode);
        Assert.Equal("reason", tooLong.Trailers.GetValue("aes-field"));
        Assert.Equal("awaiting_approval", (await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = mine.Id })).Status);

        var withdrawn = await (await m.AsAsync("agent.mef.ml")).Provisioning.WithdrawRequestAsync(new P.WithdrawRequestRequest
        {
            RequestId = mine.Id, Reason = "Envoyée par erreur",
        });
        Assert.Equal("withdrawn", withdrawn.Status);
        Assert.Equal("withdrawn by its requester: Envoyée par erreur", withdrawn.StatusReasonEn);
        Assert.StartsWith("retirée par son demandeur", withdrawn.StatusReasonFr);
        await Aes.Testing.Eventually.HoldsAsync(async () => await m.UsedVcpuAsync("ML-BKO-1") == usedBefore + 4, TimeSpan.FromSeconds(10), "the withdrawn request's holds are given back");
        // Asked again, here by an administrator of the agency: once is enough.
        var again = await (await m.AsAsync("admin.mef.ml")).Provisioning.WithdrawRequestAsync(new P.WithdrawRequestRequest { RequestId = mine.Id, });
        Assert.Equal((withdrawn.Status, withdrawn.StatusReasonEn), (again.Status, again.StatusReasonEn));
        var approve = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("op.ml")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = mine.Id, }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, approve.StatusCode);

        // Once decided, a request is no longer the requester's to take back.
        await (await m.AsAsync("op.ml")).Provisioning.RejectAsync(new P.RejectRequest { RequestId = theirs.Id, Reason = "Doublon" });
        var decided = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("admin.mef.ml")).Provisioning.WithdrawRequestAsync(new P.WithdrawRequestRequest
        {
            RequestId = theirs.Id, 
        }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, decided.StatusCode);
        Assert.Contains("rejected", decided.Status.Detail);
        await Aes.Testing.Eventually.HoldsAsync(async () => await m.UsedVcpuAsync("ML-BKO-1") == usedBefore, TimeSpan.FromSeconds(10), "every hold is given back");
    }

    [Fact]
    public async Task Journeys_6_and_8_two_agencies_race_for_the_last_capacity_and_a_decommissioning_places_the_one_that_waits()
    {
        // Each asks for more than half of what is left in Burkina's second facility, so exactly one fits.
        var usedBefore = await m.UsedVcpuAsync("BF-BOB-1", "BF-OUA-1");
        var free = await m.FreeVcpuAsync("BF-BOB-1");
        var size = free / 2 + 1;
        var preferred = m.Facilities["BF-BOB-1"];
        var first = m.Request("BF/ANPTIC", "internal", vcpu: size, memoryGib: 8, diskGib: 50);
        var second = m.Request("BF/ANPTIC", "internal", vcpu: size, memoryGib: 8, diskGib: 50);
        first.PreferredFacilityId = second.PreferredFacilityId = preferred;
        // BF-OUA-1 would take the loser otherwise: fill it first so that the facility's last capacity is what both race for.
        var filler = m.Request("BF/ANPTIC", "internal", vcpu: await m.FreeVcpuAsync("BF-OUA-1"), memoryGib: 8, diskGib: 50);
        filler.PreferredFacilityId = m.Facilities["BF-OUA-1"];
        var fill = await m.SubmitAsync(filler);
        await m.WaitForAsync(fill.Id, "awaiting_approval");

        var submitted = await Task.WhenAll(m.SubmitAsync(first), m.SubmitAsync(second));
        await Aes.Testing.Eventually.HoldsAsync(async () =>
        {
            var states = await Task.WhenAll(submitted.Select(s => m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = s.Id }).ResponseAsync));
            return states.Count(s => s.Status == "awaiting_approval") == 1 && states.Count(s => s.Status == "waiting_for_capacity") == 1;
        }, TimeSpan.FromSeconds(30), "exactly one request is placed and the other waits");
        Assert.True(await m.UsedVcpuAsync("BF-BOB-1") <= 32);
        Assert.True(await m.UsedVcpuAsync("BF-OUA-1") <= 64);
        var states = await Task.WhenAll(submitted.Select(s => m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = s.Id }).ResponseAsync));
        var winner = states.Single(s => s.Status == "awaiting_approval");
        var loser = states.Single(s => s.Status == "waiting_for_capacity");
        Assert.Contains("room", loser.StatusReasonEn);

        // Journey 8: the winner runs, then its VM is decommissioned; the waiting request is placed in the room freed.
        await (await m.AsAsync("op.bf")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = winner.Id, });
        await m.WaitForAsync(winner.Id, "active");
        var vm = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["BF/ANPTIC"] })).Vms.Single(v => v.RequestId == winner.Id);
        var usedWhileActive = await m.UsedVcpuAsync("BF-BOB-1");
        // Billing meters it while it runs; usage counts in whole seconds, so it runs for more than one before it goes.
        await m.MeteredAsync("op.bf", "BF/ANPTIC", vm.Id, TimeSpan.Zero, ended: false);
        var livedTwoSeconds = vm.ActivatedAt.ToDateTime().AddSeconds(2) - DateTime.UtcNow;
        if (livedTwoSeconds > TimeSpan.Zero)
        {
            await Task.Delay(livedTwoSeconds);
        }
        var decommissioning = await (await m.AsAsync("agent.anptic.bf")).Provisioning.DecommissionVmAsync(new P.DecommissionVmRequest { VmId = vm.Id, Reason = "fin du projet" });
        Assert.Equal("decommissioning", decommissioning.Status);

        var ended = await m.WaitForAsync(winner.Id, "decommissioned");
        var gone = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agencies["BF/ANPTIC"], IncludeEnded = true })).Vms.Single(v => v.Id == vm.Id);
        Assert.Equal("decommissioned", gone.Status);
        Assert.NotNull(gone.DecommissionedAt);
        Assert.DoesNotContain((await m.Provisioning.ListFacilityVmsAsync(new P.ListFacilityVmsRequest { FacilityId = preferred })).Vms, f => f.Id == vm.Id);
        var stopped = Assert.Single(await m.OutboxEventsAsync("VmDecommissioned"), e => e.GetProperty("vmId").GetString() == vm.Id);
        Assert.Equal(("BF", "BF"), (stopped.GetProperty("agencyStateCode").GetString(), stopped.GetProperty("facilityStateCode").GetString()));
        Assert.Equal(gone.DecommissionedAt.ToDateTime(), stopped.GetProperty("decommissionedAt").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        // Billing stops at that instant, to the second.
        var metered = await m.MeteredAsync("op.bf", "BF/ANPTIC", vm.Id, TimeSpan.Zero, ended: true);
        Assert.Equal(gone.DecommissionedAt.ToDateTime(), metered[^1].Until.ToDateTime(), TimeSpan.FromSeconds(1));
        Assert.True(metered[^1].Until.ToDateTime() <= gone.DecommissionedAt.ToDateTime());
        var placed = await m.WaitForAsync(loser.Id, "awaiting_approval");
        // On a slow run the filler's holds (30 s) may expire first, and Ouagadougou's room is then as good a place.
        if ((await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = fill.Id })).Status == "awaiting_approval")
        {
            Assert.Equal("BF-BOB-1", placed.FacilityCode);
            Assert.Equal(usedWhileActive, await m.UsedVcpuAsync("BF-BOB-1")); // the freed room went to the request that waited
        }

        foreach (var id in new[] { loser.Id, fill.Id })
        {
            await m.RejectIfOpenAsync(id, "op.bf");
        }
        await m.UsageReturnsToAsync(usedBefore);
    }

    [Fact]
    public async Task A_request_expires_when_its_approval_does_not_come_before_the_holds_expire_and_its_holds_are_released()
    {
        var usedBefore = await m.AgencyVcpuAsync("NE/ANSI");
        var submitted = await m.SubmitAsync(m.Request("NE/ANSI", "public", vcpu: 1, memoryGib: 2, diskGib: 20));
        await m.WaitForAsync(submitted.Id, "awaiting_approval");
        Assert.Equal(usedBefore + 1, await m.AgencyVcpuAsync("NE/ANSI"));

        var expired = await m.WaitForAsync(submitted.Id, "expired", ProvisioningMarketplace.HoldDuration * 2);
        Assert.Contains("approval", expired.StatusReasonEn);
        await Aes.Testing.Eventually.HoldsAsync(async () => await m.AgencyVcpuAsync("NE/ANSI") == usedBefore, TimeSpan.FromSeconds(20), "the holds are released");
        var late = await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync("op.ne")).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
    }

    [Fact]
    public async Task A_waiting_request_expires_at_its_deadline()
    {
        // The requester's token first: on a loaded machine the code flow alone can take longer than the deadline below.
        await m.AsAsync("agent.ansi.ne");
        var request = m.Request("NE/ANSI", "strategic");
        request.Deadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(8));
        var submitted = await m.SubmitAsync(request);
        await m.WaitForAsync(submitted.Id, "waiting_for_capacity");

        var expired = await m.WaitForAsync(submitted.Id, "expired", TimeSpan.FromSeconds(30));

        Assert.Contains("deadline", expired.StatusReasonEn);
        Assert.Contains("échéance", expired.StatusReasonFr);
    }

    public static TheoryData<string> BadRequests => new(
        ["no vms", "zero vcpu", "absurd vcpu", "no memory", "old vcpu field", "unknown flavour", "unknown image", "unknown facility", "unknown classification", "deadline in the past", "zero count"]);

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_are_refused_naming_the_field_and_nothing_is_recorded(string name)
    {
        var request = m.Request("ML/MEF", "internal");
        var field = name switch
        {
            "no vms" => Change(() => request.Vms.Clear(), "vms"),
            "zero vcpu" => Change(() => request.Vms[0].Resources[0].Amount = 0, "vms[0].resources[0].amount"),
            "absurd vcpu" => Change(() => request.Vms[0].Resources[0].Amount = 100_000, "vms[0].resources[0].amount"),
            "no memory" => Change(() => request.Vms[0].Resources.RemoveAt(1), "vms[0].resources"),
            // A client of the version before sends the fixed field (2): the service reads no size, and says which is missing.
            "old vcpu field" => Change(() => request.Vms[0] = P.VmSpec.Parser.ParseFrom(
                (byte[])[0x10, 0x04, 0x18, 0x10, 0x20, 0xC8, 0x01, 0x2A, 0x09, .. "debian-12"u8, 0x30, 0x01]), "vms[0].resources"),
            "unknown flavour" => Change(() => request.Vms[0].Flavour = "x9.huge", "vms[0].flavour"),
            "unknown image" => Change(() => request.Vms[0].Image = "windows-95", "vms[0].image"),
            "unknown facility" => Change(() => request.PreferredFacilityId = Guid.NewGuid().ToString(), "preferred_facility_id"),
            "unknown classification" => Change(() => request.Classification = "secret", "classification"),
            "deadline in the past" => Change(() => request.Deadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddHours(-1)), "deadline"),
            _ => Change(() => request.Vms[0].Count = 0, "vms[0].count"),
        };

        var refused = await Assert.ThrowsAsync<RpcException>(() => m.Provisioning.SubmitRequestAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(field, refused.Trailers.GetValue("aes-field"));
        var lookup = await Assert.ThrowsAsync<RpcException>(() => m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = request.RequestId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);

        static string Change(Action change, string field)
        {
            change();
            return field;
        }
    }

    [Fact]
    public async Task An_auto_approval_policy_approves_small_internal_requests_but_never_strategic_ones()
    {
        static P.ResourceAmount Limit(string resourceClass, long amount) => new() { ResourceClass = resourceClass, Amount = amount };
        async Task<RpcException> RefusedAsync(string user, P.AutoApprovalPolicy policy) =>
            await Assert.ThrowsAsync<RpcException>(async () => await (await m.AsAsync(user)).Provisioning.SetAutoApprovalPolicyAsync(
                new P.SetAutoApprovalPolicyRequest { Policy = policy }).ResponseAsync);

        var strategic = await RefusedAsync("op.ml", new P.AutoApprovalPolicy { StateCode = "ML", Enabled = true, MaxPerRequest = { Limit("vcpu", 8) }, Classifications = { "strategic" } });
        Assert.Equal(StatusCode.InvalidArgument, strategic.StatusCode);
        var foreign = await RefusedAsync("op.bf", new P.AutoApprovalPolicy { StateCode = "ML", Enabled = true, MaxPerRequest = { Limit("vcpu", 8) }, Classifications = { "internal" } });
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        // Limits by class (ADR 052): a 0, an unknown class and a class named twice are refused by field; none of it is kept.
        var before = await m.Provisioning.GetAutoApprovalPolicyAsync(new P.GetAutoApprovalPolicyRequest { StateCode = "ML" });
        foreach (var (limits, field) in new[]
        {
            (new[] { Limit("vcpu", 8), Limit("memory_gib", 0) }, "policy.max_per_request[1].amount"),
            (new[] { Limit("gpu_h200", 1) }, "policy.max_per_request[0].resource_class"),
            (new[] { Limit("vcpu", 8), Limit("vcpu", 4) }, "policy.max_per_request[1].resource_class"),
            (Array.Empty<P.ResourceAmount>(), "policy.max_per_request"), // enabled, and bounding nothing: what a client of the version before, with max_vcpu, would send
        })
        {
            var refused = await RefusedAsync("op.ml", new P.AutoApprovalPolicy { StateCode = "ML", Enabled = true, MaxPerRequest = { limits }, Classifications = { "internal" } });
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Contains(field, refused.Status.Detail);
        }
        Assert.Equal(before, await m.Provisioning.GetAutoApprovalPolicyAsync(new P.GetAutoApprovalPolicyRequest { StateCode = "ML" }));

        var saved = await (await m.AsAsync("op.ml")).Provisioning.SetAutoApprovalPolicyAsync(new P.SetAutoApprovalPolicyRequest
        {
            Policy = new P.AutoApprovalPolicy { StateCode = "ML", Enabled = true, MaxPerRequest = { Limit("vcpu", 8), Limit("memory_gib", 32) }, Classifications = { "internal", "public" } },
        });
        var usedBefore = await m.UsedVcpuAsync("ML-BKO-1");
        try
        {
            Assert.Equal("vcpu:8,memory_gib:32", string.Join(',', saved.MaxPerRequest.Select(l => $"{l.ResourceClass}:{l.Amount}")));
            var small = await m.SubmitAsync(m.Request("ML/MEF", "internal", vcpu: 2, memoryGib: 4, diskGib: 40));
            var big = await m.SubmitAsync(m.Request("ML/MEF", "internal", count: 3, vcpu: 4));
            var memoryHeavy = await m.SubmitAsync(m.Request("ML/MEF", "internal", vcpu: 2, memoryGib: 64, diskGib: 40));
            var secret = await m.SubmitAsync(m.Request("ML/MEF", "strategic", vcpu: 1, memoryGib: 2, diskGib: 20));

            var active = await m.WaitForAsync(small.Id, "active");
            Assert.True(active.Approvals.Single().Automatic);
            Assert.False((await m.WaitForAsync(big.Id, "awaiting_approval")).Approvals.Single().Automatic);
            Assert.False((await m.WaitForAsync(memoryHeavy.Id, "awaiting_approval")).Approvals.Single().Automatic);
            Assert.Equal("pending", (await m.WaitForAsync(secret.Id, "awaiting_approval")).Approvals.Single().Decision);
            foreach (var id in new[] { big.Id, memoryHeavy.Id, secret.Id })
            {
                await m.RejectIfOpenAsync(id, "op.ml");
            }
            // Only the small request's VM keeps its capacity once the rejections are cleaned up.
            await Aes.Testing.Eventually.HoldsAsync(async () => await m.UsedVcpuAsync("ML-BKO-1") == usedBefore + 2, TimeSpan.FromSeconds(20), "the rejected holds are released");
        }
        finally
        {
            await (await m.AsAsync("op.ml")).Provisioning.SetAutoApprovalPolicyAsync(new P.SetAutoApprovalPolicyRequest
            {
                Policy = new P.AutoApprovalPolicy { StateCode = "ML", Enabled = false },
            });
        }
    }
}
