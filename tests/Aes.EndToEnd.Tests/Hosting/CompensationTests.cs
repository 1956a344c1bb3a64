using System.Globalization;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using B = Aes.Contracts.Billing.V1;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// Issue 20 point 7: undoing a partly built request, deterministically. The facility fails the build of the second of a
/// request's three VMs (<c>Simulator:FailBuildsNamed</c>) while the first is built; the request fails, every hold goes back to
/// quota, the first VM's server is removed, and billing is never told of a VM of it. On PostgreSQL and RabbitMQ, the
/// services as processes.
/// </summary>
public sealed class CompensationTests(FaultMarketplace m) : IClassFixture<FaultMarketplace>
{
    private const long VcpuPerVm = 2;

    [Fact]
    public async Task A_facility_failing_the_second_of_three_VMs_leaves_no_hold_no_server_and_nothing_billed()
    {
        // VM names end in -<line>-<n>: the second line's VM fails, once the first line's is built.
        await m.RestartWithAsync("provisioning", "--Simulator:FailureRate=0", "--Simulator:FailBuildsNamed=-2-1$");
        var usedBefore = await PoolVcpuAsync();

        var id = Guid.NewGuid().ToString();
        await m.Provisioning.SubmitRequestAsync(new P.SubmitRequestRequest
        {
            RequestId = id, ActorUserId = m.Users["agent.mef.ml"], AgencyId = m.Agency, ProjectId = m.Project, Classification = "internal",
            PreferredFacilityId = m.Facility,
            Vms =
            {
                Enumerable.Range(1, 3).Select(line => new P.VmSpec { Resources = { ByClassWire.Size<P.ResourceAmount>(VcpuPerVm, 4, 20 + line) }, Image = "debian-12", Count = 1 }),
            },
            Justification = "une VM sur trois échoue", Deadline = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(1)),
        });

        P.HostingRequest request = null!;
        await Eventually.HoldsAsync(async () =>
        {
            request = await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = id });
            return request.Status is "failed" or "active";
        }, TimeSpan.FromSeconds(90), "the request ends");
        Assert.True(request.Status == "failed", $"{request.Status}: {request.StatusReasonEn}");
        Assert.Contains("-2-1", request.StatusReasonEn);

        // The compensation comes back until the facility has removed every server: then each VM is removed.
        List<P.Vm> vms = [];
        await Eventually.HoldsAsync(async () =>
        {
            vms = [.. (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = m.Agency, IncludeEnded = true })).Vms.Where(v => v.RequestId == id)];
            return vms.Count == 3 && vms.All(v => v.Status == "removed");
        }, TimeSpan.FromSeconds(60), "every VM of the request is removed");
        var first = vms.Single(v => v.Name.EndsWith("-1-1", StringComparison.Ordinal));
        Assert.NotEmpty(first.ServerId); // the facility had built it
        var inFacility = (await m.FacilityVmsAsync()).Select(v => v.Id).ToHashSet();
        Assert.DoesNotContain(vms, vm => inFacility.Contains(vm.Id));

        // Every hold back in quota.
        Assert.Equal(usedBefore, await PoolVcpuAsync());

        // Billing meters only what provisioning announced as activated, and provisioning announced nothing of this request.
        Assert.Equal(0, await m.ProvisioningEventsAsync("VmActivated", id));
        Assert.Equal(0, await m.ProvisioningEventsAsync("VmDecommissioned", id));
        var month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var periods = (await m.Billing.ListUsageAsync(new B.ListUsageRequest { ActorUserId = m.Users["op.ml"], AgencyId = m.Agency, Month = month })).Periods;
        Assert.DoesNotContain(periods, period => vms.Any(vm => vm.Id == period.VmId));
    }

    private async Task<long> PoolVcpuAsync() =>
        (await m.Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Pool, Id = m.Pool })).Lines.Single(l => l.ResourceClass == "vcpu").Used;
}
