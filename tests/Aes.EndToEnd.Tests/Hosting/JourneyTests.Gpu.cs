using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using B = Aes.Contracts.Billing.V1;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests.Hosting;

public abstract partial class JourneyTests<TMarketplace>
{
    /// <summary>
    /// Issue 21's proof that a class is data: an accelerator defined while the marketplace runs is granted, priced, requested,
    /// placed on the one pool that holds it, approved by both states, built, metered and invoiced, then given back, with no
    /// code naming it. (Settling a month needs the month over: billing's integration test settles the same events.)
    /// </summary>
    [Fact]
    public async Task A_gpu_class_added_at_run_time_is_requested_placed_where_a_pool_holds_it_approved_built_metered_and_invoiced()
    {
        var gpu = $"gpu_r{Guid.NewGuid():N}"[..14];
        var operatorMl = await m.AsAsync("op.ml");
        await operatorMl.Tenancy.DefineResourceClassAsync(new T.DefineResourceClassRequest
        {
            StateCode = "ML", Code = gpu, Unit = "gpu", NameFr = "GPU de recherche", NameEn = "Research GPU",
            Metering = T.ResourceMetering.Hourly, Consumption = T.ResourceConsumption.Count,
        });
        var ansi = m.Agencies["NE/ANSI"];
        P.SubmitRequestRequest GpuRequest()
        {
            var request = m.Request("NE/ANSI", "sensitive");
            request.Vms[0] = new P.VmSpec { Image = "debian-12", Count = 1 };
            request.Vms[0].Resources.AddRange(new[] { ("vcpu", 8L), ("memory_gib", 32L), ("storage_gib", 100L), (gpu, 1L) }
                .Select(a => new P.ResourceAmount { ResourceClass = a.Item1, Amount = a.Item2 }));
            return request;
        }

        // A class the catalogue does not hold is refused by field, and nothing is recorded.
        var nowhere = GpuRequest();
        nowhere.Vms[0].Resources[3].ResourceClass = "gpu_nowhere";
        var refused = await Assert.ThrowsAsync<RpcException>(() => m.SubmitAsync(nowhere));
        Assert.Equal((StatusCode.InvalidArgument, "vms[0].resources[3].resource_class"), (refused.StatusCode, refused.Trailers.GetValue("aes-field")));
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() =>
            m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = nowhere.RequestId }).ResponseAsync)).StatusCode);

        // Mali's operators give a pool in Bamako 4 of them (and 2 A100); Niger's give their agencies a quota of 2.
        var pool = await m.Quota.CreatePoolAsync(new Q.CreatePoolRequest { ActorUserId = m.Users["op.ml"], FacilityId = m.Facilities["ML-BKO-1"], Name = gpu.Replace("_", "-", StringComparison.Ordinal) });
        foreach (var (resourceClass, total) in new[] { ("vcpu", 64L), ("memory_gib", 512L), ("storage_gib", 10_000L), (gpu, 4L), ("gpu_a100_80g", 2L) })
        {
            await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    await m.Quota.SetInventoryAsync(new Q.SetInventoryRequest { ActorUserId = m.Users["op.ml"], PoolId = pool.Id, ResourceClass = resourceClass, Total = total, AllocationRatio = "1.0" });
                    return true;
                }
                catch (RpcException unknown) when (unknown.StatusCode == StatusCode.InvalidArgument) { return false; }
            }, TimeSpan.FromSeconds(30), $"quota learnt {resourceClass}");
        }
        await m.Quota.SetStateDefaultQuotaAsync(new Q.SetStateDefaultQuotaRequest
        {
            ActorUserId = m.Users["op.ne"], StateCode = "NE", LimitsByClass = { new Q.ResourceAmount { ResourceClass = gpu, Amount = 2 } },
        });

        T.Agreement? agreement = null;
        try
        {
            // The A100 flavours are offered where a pool holds A100s, and only there.
            var flavours = (await m.Provisioning.ListCatalogueAsync(new P.ListCatalogueRequest())).Flavours;
            var a100 = flavours.Single(f => f.Code == "g1.a100");
            Assert.Contains("ML-BKO-1", a100.FacilityCodes);
            Assert.DoesNotContain(a100.FacilityCodes, code => code.StartsWith("BF-", StringComparison.Ordinal));
            Assert.Contains(a100.Resources, r => r.ResourceClass == "gpu_a100_80g" && r.Amount == 1);
            Assert.Empty(flavours.Single(f => f.Code == "s1.small").FacilityCodes);

            // Bamako declares the 4 it installed; Mali hosts Niger's sensitive data under an agreement whose slice holds 2 of them, at fixed prices: 1,000 XOF per GPU-hour.
            var bamako = await operatorMl.Tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = m.Facilities["ML-BKO-1"] });
            var installed = new T.SetFacilityCapacityRequest { Id = bamako.Id };
            installed.InstalledCapacityByClass.AddRange(bamako.InstalledCapacityByClass.Append(new T.ResourceAmount { ResourceClass = gpu, Amount = 4 }));
            await operatorMl.Tenancy.SetFacilityCapacityAsync(installed);
            agreement = await operatorMl.Tenancy.DraftAgreementAsync(new T.DraftAgreementRequest
            {
                ActorUserId = m.Users["op.ml"], FacilityId = m.Facilities["ML-BKO-1"], GuestStateCode = "NE",
                SliceByClass =
                {
                    new[] { ("vcpu", 32L), ("memory_gib", 128L), ("storage_gib", 1_000L), (gpu, 2L) }
                        .Select(a => new T.ResourceAmount { ResourceClass = a.Item1, Amount = a.Item2 }),
                },
                AllowedClassifications = { T.DataClassification.Sensitive },
                PriceTerms = new T.PriceTerms
                {
                    UnitPrices =
                    {
                        new[] { ("vcpu", 20L), ("memory_gib", 4L), ("storage_gib", 50L), (gpu, 1_000L) }
                            .Select(p => new T.ResourcePrice { ResourceClass = p.Item1, UnitPriceXof = p.Item2 }),
                    },
                },
                StartsAt = Timestamp.FromDateTime(DateTime.UtcNow.AddSeconds(1)), EndsAt = Timestamp.FromDateTime(DateTime.UtcNow.AddYears(1)),
            });
            // Issue 22: both states' operators are asked to sign; once Mali has signed, Niger is asked again, and nobody after that.
            var awaited = $"Accord {agreement.Reference} en attente de votre signature";
            int AskedOf(string address) => m.MailAbout($"agreement/{agreement.Id}").Count(x => x.To.Mailboxes.Single().Address == address);
            await m.MailToAsync($"agreement/{agreement.Id}", "op.ml@aes.test", awaited);
            await m.MailToAsync($"agreement/{agreement.Id}", "op.ne@aes.test", awaited);
            Assert.Contains("(État hôte : Mali ; État invité : Niger)", m.MailAbout($"agreement/{agreement.Id}")[0].TextBody);
            await (await m.AsAsync("op.ml")).Tenancy.SignAgreementAsync(new T.SignAgreementRequest { AgreementId = agreement.Id, ActorUserId = m.Users["op.ml"] });
            await Eventually.HoldsAsync(() => Task.FromResult(AskedOf("op.ne@aes.test") == 2), TimeSpan.FromSeconds(60), "Niger's operator is asked again");
            await (await m.AsAsync("op.ne")).Tenancy.SignAgreementAsync(new T.SignAgreementRequest { AgreementId = agreement.Id, ActorUserId = m.Users["op.ne"] });
            await Eventually.HoldsAsync(async () =>
                (await m.Provisioning.ListAgreementsInForceAsync(new P.ListAgreementsInForceRequest { GuestStateCode = "NE" })).Agreements.Any(a => a.AgreementId == agreement.Id),
                TimeSpan.FromSeconds(60), "provisioning learnt the GPU agreement");
            Assert.Equal((1, 2), (AskedOf("op.ml@aes.test"), AskedOf("op.ne@aes.test")));

            P.HostingRequest submitted = null!;
            await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    submitted = await m.SubmitAsync(GpuRequest());
                    return true;
                }
                catch (RpcException unknown) when (unknown.StatusCode == StatusCode.InvalidArgument && unknown.Trailers.GetValue("aes-field") == "vms[0].resources[3].resource_class")
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), "provisioning learnt the class");
            Assert.Contains(submitted.Vms[0].Resources, r => r.ResourceClass == gpu && r.Amount == 1);

            // Placed on the pool that holds the class, in Bamako, under that agreement; the estimate counts the GPU per hour.
            var placed = await m.WaitForAsync(submitted.Id, "awaiting_approval");
            Assert.Equal(("ML-BKO-1", pool.Id, agreement.Id), (placed.FacilityCode, placed.PoolId, placed.AgreementId));
            var decision = await m.Provisioning.GetPlacementDecisionAsync(new P.RequestIdRequest { RequestId = submitted.Id });
            // (8 vCPU × 20 + 32 GiB × 4 + 1 GPU × 1,000) × 730 h + 100 GiB × 50 (the address is not asked for).
            Assert.Equal(1_288L * 730 + 5_000, decision.Considered.Single(c => c.FacilityCode == "ML-BKO-1").EstimatedMonthlyXof);
            var slice = (await m.Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Agreement, Id = agreement.Id })).Lines.Single(l => l.ResourceClass == gpu);
            Assert.Equal((1L, 2L), (slice.Used, slice.Limit));

            foreach (var approver in new[] { "op.ne", "op.ml" })
            {
                await (await m.AsAsync(approver)).Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id });
            }
            await m.WaitForAsync(submitted.Id, "active");
            var vm = (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = ansi })).Vms.Single(v => v.RequestId == submitted.Id);
            Assert.Contains(vm.Resources, r => r.ResourceClass == gpu && r.Amount == 1);
            var activated = (await m.OutboxEventsAsync("VmActivated")).Single(e => e.GetProperty("vmId").GetString() == vm.Id);
            Assert.Contains(activated.GetProperty("resources").EnumerateArray(), r => r.GetProperty("class").GetString() == gpu && r.GetProperty("amount").GetInt64() == 1);
            Assert.Equal(8, activated.Amount("resources", "vcpu"));

            // Billing meters the GPU from the activation and invoices it per GPU-hour at the agreement's price, to Niger's agency, in Mali.
            var period = Assert.Single(await m.MeteredAsync("op.ne", "NE/ANSI", vm.Id, TimeSpan.FromHours(1), ended: false));
            Assert.Contains(period.Resources, r => r.ResourceClass == gpu && r.Amount == 1);
            var month = (DateTime.UtcNow + TimeSpan.FromHours(1)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
            var invoice = await (await m.AsAsync("op.ne")).Billing.DraftInvoiceAsync(new B.DraftInvoiceRequest { AgencyId = ansi, Month = month });
            var line = Assert.Single(invoice.Lines, l => l.ResourceClass == gpu);
            Assert.Equal(("ML", "gpu-hour", 1_000L, "agreement", agreement.Id), (line.FacilityStateCode, line.Unit, line.UnitPriceXof, line.PriceSource, line.PriceSourceId));

            // A resize changes the vCPU, memory or disk and keeps the GPU, in quota and in the event billing meters from; another GPU count is not a resize.
            var requester = (await m.AsAsync("agent.ansi.ne")).Provisioning;
            var otherCount = await Assert.ThrowsAsync<RpcException>(() => requester.ResizeVmAsync(new P.ResizeVmRequest { VmId = vm.Id, Flavour = "g1.a100" }).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, "flavour"), (otherCount.StatusCode, otherCount.Trailers.GetValue("aes-field")));
            var otherListed = await Assert.ThrowsAsync<RpcException>(() => requester.ResizeVmAsync(new P.ResizeVmRequest
            {
                VmId = vm.Id, Resources = { ByClassWire.Size<P.ResourceAmount>(10, 32, 100), ByClassWire.Amount<P.ResourceAmount>(gpu, 2) },
            }).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, "resources[3].amount"), (otherListed.StatusCode, otherListed.Trailers.GetValue("aes-field")));
            await requester.ResizeVmAsync(new P.ResizeVmRequest { VmId = vm.Id, Resources = { ByClassWire.Size<P.ResourceAmount>(10, 32, 100) } });
            await Eventually.HoldsAsync(async () => (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = ansi })).Vms.Single(v => v.Id == vm.Id) is { Status: "active" } resizedVm
                && resizedVm.Resources.Of("vcpu") == 10,
                TimeSpan.FromSeconds(30), "the VM was resized");
            var resized = (await m.OutboxEventsAsync("VmResized")).Single(e => e.GetProperty("vmId").GetString() == vm.Id);
            Assert.Contains(resized.GetProperty("newResources").EnumerateArray(), r => r.GetProperty("class").GetString() == gpu && r.GetProperty("amount").GetInt64() == 1);
            var sliceAfter = (await m.Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Agreement, Id = agreement.Id })).Lines;
            Assert.Equal((1L, 10L), (sliceAfter.Single(l => l.ResourceClass == gpu).Used, sliceAfter.Single(l => l.ResourceClass == "vcpu").Used));

            // Given back: the claim frees the GPU and metering stops, the GPU in the ending event too.
            await requester.DecommissionVmAsync(new P.DecommissionVmRequest { VmId = vm.Id, ActorUserId = m.Users["agent.ansi.ne"], Reason = "fin du test" });
            await Eventually.HoldsAsync(async () => (await m.Quota.GetUsageAsync(new Q.GetUsageRequest { Scope = Q.UsageScope.Pool, Id = pool.Id }))
                .Lines.Single(l => l.ResourceClass == gpu).Used == 0, TimeSpan.FromSeconds(30), "the GPU was given back to the pool");
            // Billing bills whole seconds: a period before the resize, unless the resize fell in the activation's own second, and one after,
            // with the GPU; both ended. Read directly, so that a slow bus on loaded cores gets the whole minute and a half.
            static DateTime Second(DateTime at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
            var expectedPeriods = Second(resized.GetProperty("resizedAt").GetDateTime().ToUniversalTime()) > Second(vm.ActivatedAt.ToDateTime()) ? 2 : 1;
            List<B.UsagePeriod> periods = [];
            await Eventually.HoldsAsync(async () =>
            {
                periods = (await m.Billing.ListUsageAsync(new B.ListUsageRequest { ActorUserId = m.Users["op.ne"], AgencyId = ansi, Month = month }))
                    .Periods.Where(p => p.VmId == vm.Id).ToList();
                return periods.Count == expectedPeriods && periods.All(p => p.Until is not null);
            }, TimeSpan.FromSeconds(90), () => $"billing metered the VM in {expectedPeriods} ended period(s) around its resize; it has [{string.Join(", ", periods)}]");
            Assert.Equal((10L, 1L), (periods[^1].Resources.Of("vcpu"), periods[^1].Resources.Single(r => r.ResourceClass == gpu).Amount));
            var decommissioned = (await m.OutboxEventsAsync("VmDecommissioned")).Single(e => e.GetProperty("vmId").GetString() == vm.Id);
            Assert.Contains(decommissioned.GetProperty("resources").EnumerateArray(), r => r.GetProperty("class").GetString() == gpu);
        }
        finally
        {
            // The pool goes back to holding nothing, so that the other journeys' requests find the facility as they left it.
            foreach (var resourceClass in new[] { "vcpu", "memory_gib", "storage_gib", gpu, "gpu_a100_80g" })
            {
                await m.Quota.SetInventoryAsync(new Q.SetInventoryRequest { ActorUserId = m.Users["op.ml"], PoolId = pool.Id, ResourceClass = resourceClass, Total = 0, AllocationRatio = "1.0" });
            }
            if (agreement is not null)
            {
                await operatorMl.Tenancy.TerminateAgreementAsync(new T.TerminateAgreementRequest { AgreementId = agreement.Id, ActorUserId = m.Users["op.ml"], Reason = "fin du test" });
            }
        }
    }
}
