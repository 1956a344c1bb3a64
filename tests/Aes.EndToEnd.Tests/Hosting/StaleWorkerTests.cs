using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// Issue 20 point 4: a stale worker does nothing. Two provisioning replicas on one PostgreSQL and one broker, each facility call
/// taking longer than a step's lease. Before the lease token and its heartbeat, the second runner took the step from the first
/// in the middle of every call and each runner's save was refused, so the request never became active; and a runner that
/// failed after losing its lease compensated, removing VMs the other runner had built.
/// </summary>
public sealed class StaleWorkerTests(FaultMarketplace m) : IClassFixture<FaultMarketplace>
{
    private const int VmCount = 2;
    private const long VcpuPerVm = 2;

    [Fact]
    public async Task Two_runners_and_a_facility_slower_than_the_lease_build_each_VM_once_and_delete_nothing()
    {
        await m.RestartWithAsync("provisioning",
            "--Simulator:CallLatency=00:00:05", "--Simulator:FailureRate=0", "--Provisioning:StepLease=00:00:03", "--Provisioning:FacilityCallTimeout=00:00:30");
        await m.StartReplicaAsync("provisioning", "provisioning-2");

        var id = Guid.NewGuid().ToString();
        await m.Provisioning.SubmitRequestAsync(new P.SubmitRequestRequest
        {
            RequestId = id, ActorUserId = m.Users["agent.mef.ml"], AgencyId = m.Agency, ProjectId = m.Project, Classification = "internal",
            PreferredFacilityId = m.Facility,
            Vms = { new P.VmSpec { Resources = { ByClassWire.Size<P.ResourceAmount>(VcpuPerVm, 4, 20) }, Image = "debian-12", Count = VmCount } },
            Justification = "deux exécutants, un centre lent", Deadline = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(1)),
        });

        P.HostingRequest request = null!;
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                request = await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = id });
                return request.Status is "active" or "failed" or "expired";
            }, TimeSpan.FromMinutes(4), "the request ends");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The request is still {request.Status} ({request.StatusReasonEn}).\n{m.Output("provisioning")}\n{m.Output("provisioning-2")}");
        }
        Assert.True(request.Status == "active", $"{request.Status}: {request.StatusReasonEn}");

        // One server per VM, each VM active on it; nothing removed.
        var vms = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agency, IncludeEnded = true })).Vms.Where(v => v.RequestId == id).ToList();
        Assert.Equal(VmCount, vms.Count);
        Assert.All(vms, vm => Assert.Equal("active", vm.Status));
        var inFacility = (await m.FacilityVmsAsync()).Select(v => v.Id).ToList();
        Assert.Equal(vms.Select(v => v.Id).Order(), inFacility.Order());
        Assert.Equal(0, await m.ProvisioningEventsAsync("VmDecommissioned"));
        Assert.Equal(VmCount, await m.ProvisioningEventsAsync("VmActivated"));

        // Quota holds each claim once, committed: nothing given back by a runner that thought the request failed.
        var used = (await m.Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Pool, Id = m.Pool })).Lines.Single(l => l.ResourceClass == "vcpu").Used;
        Assert.Equal(VmCount * VcpuPerVm, used);
    }
}
