using Aes.Messaging;
using Aes.Testing;
using Billing = Aes.Contracts.Billing.V1;
using Provisioning = Aes.Contracts.Provisioning.V1;
using Quota = Aes.Contracts.Quota.V1;
using Tenancy = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests;

public sealed class EmbeddedRunTests : IDisposable
{
    private readonly string _data = Infra.NewTempFolder("aes-embedded");

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task The_run_command_starts_every_service_seeds_the_demo_and_stops_cleanly_on_ctrl_c()
    {
        await using var marketplace = await EmbeddedMarketplace.StartAsync(_data, EmbeddedMarketplace.FreePortOffset());
        using var http = new HttpClient();

        foreach (var service in ResourceNames.LocalPorts.Keys)
        {
            Assert.Contains(marketplace.HttpAddress(service), marketplace.Process.Output);
            var ready = await http.GetAsync($"{marketplace.HttpAddress(service)}/health/ready");
            Assert.True(ready.IsSuccessStatusCode, $"{service} is ready");
        }

        // Tenancy seeded the demo; the others learnt it from tenancy's events on the in-memory bus.
        var quota = new Quota.QuotaService.QuotaServiceClient(marketplace.Channel(ResourceNames.Quota));
        // Registration and opening travel as two events, on queues of their own: wait for both.
        await Eventually.HoldsAsync(async () => (await quota.ListKnownFacilitiesAsync(new Quota.ListKnownFacilitiesRequest())).Facilities
                .Count(f => f.Status == "open") == 3,
            TimeSpan.FromSeconds(30), "quota knows the demo facilities, three of them open");
        var facilities = (await quota.ListKnownFacilitiesAsync(new Quota.ListKnownFacilitiesRequest())).Facilities;
        Assert.Equal("open", facilities.Single(f => f.Code == "ML-BKO-1").Status);
        Assert.Equal("planned", facilities.Single(f => f.StateCode == "NE").Status);

        // The demo comes with capacity, so that a request made in the portal is placed: a pool per open
        // facility, Bamako's GPU pool of 8 A100 beside its general one, and each state's default quotas (no GPU).
        await Eventually.HoldsAsync(async () => (await quota.ListPoolsAsync(new Quota.ListPoolsRequest())).Pools.Count == 4,
            TimeSpan.FromSeconds(30), "quota created the demo pools");
        var bamako = (await quota.ListPoolsAsync(new Quota.ListPoolsRequest { StateCode = "ML" })).Pools.ToDictionary(p => p.Name);
        Assert.Equal(1024 * 4 - 64, bamako["general"].Inventories.Single(i => i.ResourceClass == "vcpu").Capacity);
        Assert.Equal(8, bamako["gpu"].Inventories.Single(i => i.ResourceClass == "gpu_a100_80g").Capacity);
        Assert.DoesNotContain(bamako["general"].Inventories, i => i.ResourceClass == "gpu_a100_80g");
        var tenancy = new Tenancy.TenancyService.TenancyServiceClient(marketplace.Channel(ResourceNames.Tenancy));
        var mef = (await tenancy.ListAgenciesAsync(new Tenancy.ListAgenciesRequest { StateCode = "ML" })).Agencies.Single(a => a.Code == "MEF");
        await Eventually.HoldsAsync(async () => (await quota.GetAgencyQuotaAsync(new Quota.GetAgencyQuotaRequest { AgencyId = mef.Id })).Lines
                .Single(l => l.ResourceClass == "vcpu").Limit == 256,
            TimeSpan.FromSeconds(30), "MEF has Mali's demo default quota");
        await Eventually.HoldsAsync(async () => (await quota.GetAgencyQuotaAsync(new Quota.GetAgencyQuotaRequest { AgencyId = mef.Id })).Lines
                .SingleOrDefault(l => l.ResourceClass == "gpu_a100_80g")?.Limit == 0,
            TimeSpan.FromSeconds(30), "MEF's quota names the demo's GPU class, at 0 until Mali grants some");

        var billing = new Billing.BillingService.BillingServiceClient(marketplace.Channel(ResourceNames.Billing));
        await Eventually.HoldsAsync(async () => (await billing.ListAccountsAsync(new Billing.ListAccountsRequest())).Accounts.Count == 5,
            TimeSpan.FromSeconds(30), "billing opened an account per demo agency");

        var provisioning = new Provisioning.ProvisioningService.ProvisioningServiceClient(marketplace.Channel(ResourceNames.Provisioning));
        await Eventually.HoldsAsync(async () => (await provisioning.ListAgreementsInForceAsync(
                new Provisioning.ListAgreementsInForceRequest { GuestStateCode = "NE" })).Agreements.Count == 1,
            TimeSpan.FromSeconds(30), "provisioning knows the demo ML→NE agreement");
        var preview = new Provisioning.PreviewPlacementRequest { AgencyId = mef.Id, Classification = "sensitive" };
        preview.Vms.Add(new Provisioning.VmSpec { Flavour = "s1.large", Image = "debian-12", Count = 3 });
        var decision = await provisioning.PreviewPlacementAsync(preview);
        Assert.Equal(("placed", "ML-BKO-1"), (decision.Outcome, decision.Considered.Single(c => c.Kept).FacilityCode));

        // The portal reads tenancy over gRPC and speaks French first.
        var page = await http.GetStringAsync(marketplace.HttpAddress(ResourceNames.Portal));
        Assert.Contains("ML-BKO-1", page);
        Assert.Contains("99,982 %", page);
        Assert.Contains("Centres de données", page);
        Assert.Contains("Datacenters", await http.GetStringAsync(marketplace.HttpAddress(ResourceNames.Portal) + "/?lang=en"));

        Assert.Equal(0, await marketplace.Process.InterruptAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Marketplace stopped", marketplace.Process.Output);
    }

    [Fact]
    public async Task A_second_run_keeps_the_data_of_the_first()
    {
        string agencyId;
        await using (var first = await EmbeddedMarketplace.StartAsync(_data, EmbeddedMarketplace.FreePortOffset()))
        {
            var tenancy = new Tenancy.TenancyService.TenancyServiceClient(first.Channel(ResourceNames.Tenancy));
            agencyId = (await tenancy.RegisterAgencyAsync(new Tenancy.RegisterAgencyRequest
            {
                StateCode = "BF", Code = "DGI", Name = "Direction générale des impôts",
            })).Id;
            var billing = new Billing.BillingService.BillingServiceClient(first.Channel(ResourceNames.Billing));
            await Eventually.HoldsAsync(async () => (await billing.ListAccountsAsync(new Billing.ListAccountsRequest())).Accounts.Any(a => a.AgencyId == agencyId),
                TimeSpan.FromSeconds(30), "billing opened the new agency's account");
            Assert.Equal(0, await first.Process.InterruptAsync(TimeSpan.FromSeconds(30)));
        }

        await using var second = await EmbeddedMarketplace.StartAsync(_data, EmbeddedMarketplace.FreePortOffset());
        var tenancyAgain = new Tenancy.TenancyService.TenancyServiceClient(second.Channel(ResourceNames.Tenancy));
        Assert.Equal("DGI", (await tenancyAgain.GetAgencyAsync(new Tenancy.GetAgencyRequest { Id = agencyId })).Code);
        Assert.Equal(4, (await tenancyAgain.ListFacilitiesAsync(new Tenancy.ListFacilitiesRequest())).Facilities.Count); // seeded once
        var accounts = (await new Billing.BillingService.BillingServiceClient(second.Channel(ResourceNames.Billing))
            .ListAccountsAsync(new Billing.ListAccountsRequest())).Accounts;
        Assert.Equal(6, accounts.Count);
        Assert.Equal(0, await second.Process.InterruptAsync(TimeSpan.FromSeconds(30)));
    }
}
