using Aes.Contracts;
using Aes.Contracts.Billing.V1;
using Aes.Contracts.Provisioning;
using Aes.Contracts.Tenancy;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MassTransit;

namespace Aes.Integration.Tests.Billing;

public sealed class PostgresBillingTests(PostgresBillingService billing) : BillingTests<PostgresBillingService>(billing);

public sealed class SqliteBillingTests(SqliteBillingService billing) : BillingTests<SqliteBillingService>(billing);

/// <summary>
/// Billing on a real broker and a real database: the test publishes provisioning's lifecycle events
/// (each 1 to 3 times, at once, in any order) and checks invoices, settlement and ledger to the franc.
/// Each test uses its own agencies and month, so they share the service without seeing each other.
/// </summary>
public abstract class BillingTests<TFixture>(TFixture billing) : IClassFixture<TFixture> where TFixture : BillingServiceFixture
{
    private static readonly StandardSize Journey2Size = new(4, 16, 200, 0);

    private static DateTime Utc(int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(2026, month, day, hour, minute, second, DateTimeKind.Utc);

    private sealed record Vm(Guid Id, Guid Agency, string AgencyState, Guid Facility, string FacilityState)
    {
        public VmActivated Activated(StandardSize size, DateTime at) => new(Id, Guid.Empty, Agency, AgencyState, Facility, FacilityState, size.ByClass(), at);
        public VmResized Resized(StandardSize from, StandardSize to, DateTime at) =>
            new(Id, Agency, AgencyState, Facility, FacilityState, from.ByClass(), to.ByClass(), at);
        public VmDecommissioned Decommissioned(StandardSize size, DateTime activatedAt, DateTime at) =>
            new(Id, Guid.Empty, Agency, AgencyState, Facility, FacilityState, size.ByClass(), activatedAt, at);
    }

    private Vm NewVm(Guid agency, string agencyState, bool inMali = true) =>
        new(Guid.NewGuid(), agency, agencyState, inMali ? billing.MaliFacility : billing.BurkinaFacility, inMali ? "ML" : "BF");

    private async Task WaitForUsageAsync(Guid actor, Guid agency, string month, int periods, int ended)
    {
        await Eventually.HoldsAsync(async () =>
        {
            var usage = await billing.Client.ListUsageAsync(new ListUsageRequest { ActorUserId = actor.ToString(), AgencyId = agency.ToString(), Month = month });
            return usage.Periods.Count == periods && usage.Periods.Count(p => p.Until is not null) == ended;
        }, TimeSpan.FromSeconds(60), $"billing metered {periods} periods ({ended} ended) for {month}");
    }

    [Fact]
    public async Task Journey_2_ends_in_a_settlement_line_of_niger_owing_mali_to_the_franc()
    {
        var agency = await billing.NewAgencyAsync("NE", "Agence nationale pour la société de l'information");
        var vm = NewVm(agency, "NE");
        var late = NewVm(agency, "NE");
        var small = new StandardSize(2, 0, 0, 0);
        await billing.ReplayAsync(
        [
            vm.Activated(Journey2Size, Utc(8, 5, 10)), vm.Decommissioned(Journey2Size, Utc(8, 5, 10), Utc(8, 25, 10)),
            // 22:00Z on 31 August is 23:00 in Niamey (UTC+1): one hour of August, then September.
            late.Activated(small, Utc(8, 31, 22)), late.Decommissioned(small, Utc(8, 31, 22), Utc(9, 1, 2)),
        ], seed: 2);
        await WaitForUsageAsync(billing.NigerOperator, agency, "2026-08", periods: 2, ended: 2);

        var draft = await billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = billing.NigerOperator.ToString(), AgencyId = agency.ToString(), Month = "2026-08" });

        // By hand, at the agreement's prices (20 XOF/vCPU-h, 4 XOF/GiB-h, 50 XOF/GiB-month), for the Niger month
        // 31 July 23:00Z → 31 August 23:00Z (31 days):
        //   vCPU:    4 × 480 h × 20 = 38,400, plus the late VM's 2 × 1 h × 20 = 40   → 38,440
        //   memory: 16 × 480 h × 4                                                   → 30,720
        //   storage: 200 GiB × 20/31 month × 50 = 6,451.61                           →  6,452
        Assert.Equal(new long[] { 38_440, 30_720, 6_452 }, draft.Lines.OrderBy(l => l.Resource == "vcpu" ? 0 : l.Resource == "memory" ? 1 : 2).Select(l => l.AmountXof));
        // A line keeps the name lines always had (v1 readers), and names its catalogue class beside it.
        Assert.All(draft.Lines, l => Assert.Equal(l.Resource switch { "memory" => "memory_gib", "storage" => "storage_gib", var same => same }, l.ResourceClass));
        Assert.All(draft.Lines, l => Assert.Equal(("agreement", "ML"), (l.PriceSource, l.FacilityStateCode)));
        Assert.Equal(75_612, draft.TotalXof);
        Assert.Equal(Utc(7, 31, 23), draft.PeriodFrom.ToDateTime());

        var issued = await billing.Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = billing.NigerOperator.ToString(), InvoiceId = draft.Id });
        Assert.Equal(("issued", 75_612L), (issued.Status, issued.TotalXof));
        Assert.Matches(@"^F-NE-2026-\d{6}$", issued.Number);

        // A draft that is cancelled instead of issued was never owed: it stays out of the settlement.
        var other = await billing.NewAgencyAsync("NE", "Ministère de la Santé publique");
        var dropped = NewVm(other, "NE");
        await billing.ReplayAsync([dropped.Activated(Journey2Size, Utc(8, 10)), dropped.Decommissioned(Journey2Size, Utc(8, 10), Utc(8, 11))], seed: 9);
        await WaitForUsageAsync(billing.NigerOperator, other, "2026-08", periods: 1, ended: 1);
        var droppedDraft = await billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = billing.NigerOperator.ToString(), AgencyId = other.ToString(), Month = "2026-08" });
        Assert.True(droppedDraft.TotalXof > 0);
        await billing.Client.CancelInvoiceAsync(new CancelInvoiceRequest { ActorUserId = billing.NigerOperator.ToString(), InvoiceId = droppedDraft.Id, Reason = "Doublon" });

        var settlement = await billing.Client.CloseSettlementAsync(new CloseSettlementRequest { ActorUserId = billing.Confederation.ToString(), Month = "2026-08" });
        var owed = Assert.Single(settlement.Statements, s => s.DebtorStateCode == "NE" && s.CreditorStateCode == "ML");
        Assert.Equal((75_612L, 3), (owed.AmountXof, owed.InvoiceLines));
        Assert.Equal(6, settlement.Statements.Count);
        Assert.All(settlement.Statements.Where(s => s != owed), s => Assert.Equal(0, s.AmountXof));
        Assert.Equal(0, settlement.Positions.Sum(p => p.NetXof));
        Assert.Equal(75_612, settlement.Positions.Single(p => p.StateCode == "ML").NetXof);
        Assert.Equal(-75_612, settlement.Positions.Single(p => p.StateCode == "NE").NetXof);

        var audit = await billing.AuditAsync();
        Assert.True(audit.Balanced, string.Join("; ", audit.Problems));
        Assert.Empty(audit.Problems);
        // What Niger collected for Mali and what Mali was owed by Niger are both cleared by the settlement.
        Assert.Equal(0, await billing.BalanceAsync("NE:payable:ML"));
        Assert.Equal(0, await billing.BalanceAsync("ML:receivable:NE"));
        Assert.Equal(75_612, await billing.BalanceAsync($"NE:agency:{agency:N}:receivable"));

        // Both reach the rest of the system through the outbox.
        await Eventually.HoldsAsync(() => Task.FromResult(
            billing.Received.OfType<Aes.Contracts.Billing.InvoiceIssued>().Any(e => e.Number == issued.Number && e.TotalXof == 75_612)
            && billing.Received.OfType<Aes.Contracts.Billing.SettlementClosed>().Any(e => e.Month == "2026-08"
                && e.Statements.Single(s => s.DebtorStateCode == "NE" && s.CreditorStateCode == "ML").AmountXof == 75_612 && e.NetPositions.Values.Sum() == 0)),
            TimeSpan.FromSeconds(30), "InvoiceIssued and SettlementClosed were published");

        var again = await Assert.ThrowsAsync<RpcException>(() =>
            billing.Client.CloseSettlementAsync(new CloseSettlementRequest { ActorUserId = billing.Confederation.ToString(), Month = "2026-08" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task A_class_added_at_run_time_is_priced_metered_invoiced_and_settled_with_no_code_for_it()
    {
        const string L40s = "gpu_l40s";
        var facility = await billing.NewFacilityAsync("ML", "ML-GPU-1", billing.MaliOperator);
        var agreement = Guid.NewGuid();
        // Niger's agencies are guests there at fixed prices that name the standard classes only: the GPU stays at the list price.
        await billing.PublishAsync(new AgreementActivated(agreement, "AES-ML-NE-GPU", "ML", facility, "NE", ResourceVector.Standard(64, 256, 1000, 0).ToList(),
            ["internal"], BillingServiceFixture.NigerInMali, Utc(1, 1), Utc(12, 31)));
        SetPriceCatalogueRequest Catalogue(long gpuHourXof) => new()
        {
            ActorUserId = billing.MaliOperator.ToString(), FacilityId = facility.ToString(), EffectiveFrom = Timestamp.FromDateTime(Utc(10, 1)),
            UnitPrices =
            {
                new Aes.Contracts.Billing.V1.ResourcePrice { ResourceClass = "vcpu", UnitPriceXof = 25 }, new Aes.Contracts.Billing.V1.ResourcePrice { ResourceClass = "memory_gib", UnitPriceXof = 5 },
                new Aes.Contracts.Billing.V1.ResourcePrice { ResourceClass = "storage_gib", UnitPriceXof = 60 }, new Aes.Contracts.Billing.V1.ResourcePrice { ResourceClass = "public_ipv4", UnitPriceXof = 2500 },
                new Aes.Contracts.Billing.V1.ResourcePrice { ResourceClass = L40s, UnitPriceXof = gpuHourXof },
            },
        };

        // Before the catalogue defines it, billing refuses to price it, by field.
        var unknown = await Assert.ThrowsAsync<RpcException>(() => billing.Client.SetPriceCatalogueAsync(Catalogue(1_200)).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "unit_prices[4].resource_class"), (unknown.StatusCode, unknown.Trailers.GetValue("aes-field")));

        // Tenancy defines it (an operator's form, no code): billing learns its unit and metering from the event.
        await billing.PublishAsync(new ResourceClassDefined(L40s, "gpu", "GPU L40S 48 Go", "L40S 48 GB GPU", ResourceMetering.Hourly, ResourceConsumption.Count, "ML", DateTime.UtcNow));
        PriceCatalogue? catalogue = null;
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                catalogue = await billing.Client.SetPriceCatalogueAsync(Catalogue(1_200));
                return true;
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.InvalidArgument)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "billing learnt the class");
        Assert.Equal([("vcpu", 25L), ("memory_gib", 5L), ("storage_gib", 60L), ("public_ipv4", 2500L), (L40s, 1_200L)],
            catalogue!.UnitPrices.Select(p => (p.ResourceClass, p.UnitPriceXof)));

        // A Niger VM with two L40S for ten hours of November (Niamey), as provisioning announces it: every class in the list.
        var agency = await billing.NewAgencyAsync("NE", "Agence de l'intelligence artificielle");
        var vm = new Vm(Guid.NewGuid(), agency, "NE", facility, "ML");
        IReadOnlyList<Aes.Contracts.ResourceAmount> byClass = [new("vcpu", 8), new("memory_gib", 64), new(L40s, 2)];
        await billing.ReplayAsync(
        [
            new VmActivated(vm.Id, Guid.Empty, agency, "NE", facility, "ML", byClass, Utc(11, 10, 8)),
            new VmDecommissioned(vm.Id, Guid.Empty, agency, "NE", facility, "ML", byClass, Utc(11, 10, 8), Utc(11, 10, 18)),
        ], seed: 21);
        await WaitForUsageAsync(billing.NigerOperator, agency, "2026-11", periods: 1, ended: 1);
        var usage = await billing.Client.ListUsageAsync(new ListUsageRequest { ActorUserId = billing.NigerOperator.ToString(), AgencyId = agency.ToString(), Month = "2026-11" });
        Assert.Equal([("vcpu", 8L), ("memory_gib", 64L), (L40s, 2L)], usage.Periods.Single().Resources.Select(r => (r.ResourceClass, r.Amount)));

        var draft = await billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = billing.NigerOperator.ToString(), AgencyId = agency.ToString(), Month = "2026-11" });
        // 8 vCPU × 10 h × 20 (agreed) = 1,600; 64 GiB × 10 h × 4 (agreed) = 2,560; 2 GPU × 10 h × 1,200 (list) = 24,000.
        Assert.Equal([("vcpu", "vcpu-hour", 1_600L), ("memory", "gib-hour", 2_560L), (L40s, "gpu-hour", 24_000L)],
            draft.Lines.Select(l => (l.Resource, l.Unit, l.AmountXof)));
        var gpu = draft.Lines[^1];
        Assert.Equal((L40s, "20.000000", 1_200L, "agreement", agreement.ToString()), (gpu.ResourceClass, gpu.Quantity, gpu.UnitPriceXof, gpu.PriceSource, gpu.PriceSourceId));
        var printed = await billing.Client.RenderInvoiceAsync(new RenderInvoiceRequest { ActorUserId = billing.NigerOperator.ToString(), InvoiceId = draft.Id, Language = "fr" });
        Assert.Contains("GPU L40S 48 Go (heure)", printed.Content);

        await billing.Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = billing.NigerOperator.ToString(), InvoiceId = draft.Id });
        var settlement = await billing.Client.CloseSettlementAsync(new CloseSettlementRequest { ActorUserId = billing.Confederation.ToString(), Month = "2026-11" });
        var owed = Assert.Single(settlement.Statements, s => s.DebtorStateCode == "NE" && s.CreditorStateCode == "ML");
        Assert.Equal((28_160L, 3), (owed.AmountXof, owed.InvoiceLines));
        var audit = await billing.AuditAsync();
        Assert.True(audit.Balanced, string.Join("; ", audit.Problems));
        Assert.Empty(audit.Problems);
    }

    [Fact]
    public async Task Every_event_replayed_one_to_three_times_at_once_is_metered_once_and_billed_once()
    {
        var agency = await billing.NewAgencyAsync("ML", "Direction nationale de l'état civil");
        var operatorId = billing.MaliOperator.ToString();
        // A new price from 16 September 00:00 in Bamako: each resource gets a line per price.
        var change = Utc(9, 16);
        var raised = new StandardPrices(30, 6, 90, 3000);
        await billing.SetPricesAsync(billing.MaliOperator, billing.MaliFacility, change, null, raised);

        var events = new List<object>();
        var periods = new List<(DateTime From, DateTime Until, StandardSize Size)>();
        var monthEnd = Utc(10, 1);
        var ended = 0;
        for (var i = 0; i < 12; i++)
        {
            var vm = NewVm(agency, "ML");
            var size = new StandardSize(1 + i % 4, 2 * (1 + i % 3), 20 * (i + 1), i % 5 == 0 ? 1 : 0);
            var start = Utc(9, 1, i, i).AddSeconds(7 * i).AddMilliseconds(250);
            var from = new DateTime(start.Ticks - start.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
            events.Add(vm.Activated(size, start));
            var current = size;
            if (i % 3 == 0)
            {
                var bigger = size with { Vcpu = size.Vcpu * 2, StorageGib = size.StorageGib + 100 };
                var at = Utc(9, 10, 12, i);
                events.Add(vm.Resized(size, bigger, at));
                periods.Add((from, at, size));
                (from, current) = (at, bigger);
            }
            if (i % 4 == 0)
            {
                var at = Utc(9, 20, 3).AddSeconds(13 * i);
                events.Add(vm.Decommissioned(current, start, at));
                periods.Add((from, at, current));
                ended++;
            }
            else
            {
                periods.Add((from, monthEnd, current));
            }
        }
        await billing.ReplayAsync(events, seed: 7);
        await WaitForUsageAsync(billing.MaliOperator, agency, "2026-09", periods.Count, ended + 4);

        var draft = await billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = operatorId, AgencyId = agency.ToString(), Month = "2026-09" });
        var expected = ExpectedLines(periods, change, monthEnd, BillingServiceFixture.MaliList, raised);
        Assert.Equal(expected.Select(e => (e.Resource, e.From, e.Amount)).Order(),
            draft.Lines.Select(l => (l.ResourceClass, l.PeriodFrom.ToDateTime(), l.AmountXof)).Order());
        Assert.Equal(expected.Sum(e => e.Amount), draft.TotalXof);

        var issued = await billing.Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = operatorId, InvoiceId = draft.Id });
        Assert.Equal(draft.TotalXof, issued.TotalXof);

        // Everything again, once more: nothing is metered, billed or posted twice.
        await billing.AllConsumedAsync(await billing.ReplayAsync(events, seed: 8));
        await WaitForUsageAsync(billing.MaliOperator, agency, "2026-09", periods.Count, ended + 4);
        var after = await billing.Client.GetInvoiceAsync(new GetInvoiceRequest { ActorUserId = operatorId, InvoiceId = draft.Id });
        Assert.Equal(issued.ToString(), after.ToString());
        Assert.Equal(issued.TotalXof, await billing.BalanceAsync($"ML:agency:{agency:N}:receivable"));
        var audit = await billing.AuditAsync();
        Assert.True(audit.Balanced && audit.Problems.Count == 0, string.Join("; ", audit.Problems));
    }

    /// <summary>The test's own arithmetic: exact resource-seconds per resource and price, then one rounding per line, halves up.</summary>
    private static List<(string Resource, DateTime From, long Amount)> ExpectedLines(
        List<(DateTime From, DateTime Until, StandardSize Size)> periods, DateTime change, DateTime monthEnd, StandardPrices before, StandardPrices after)
    {
        var monthSeconds = (decimal)(monthEnd - Utc(9, 1)).TotalSeconds;
        (string Name, Func<StandardSize, long> Quantity, Func<StandardPrices, long> Price, decimal Divisor)[] resources =
        [
            ("vcpu", s => s.Vcpu, p => p.VcpuHourXof, 3600m),
            ("memory_gib", s => s.MemoryGib, p => p.MemoryGibHourXof, 3600m),
            ("storage_gib", s => s.StorageGib, p => p.StorageGibMonthXof, monthSeconds),
            ("public_ipv4", s => s.PublicIpv4, p => p.PublicIpv4MonthXof, monthSeconds),
        ];
        var lines = new List<(string, DateTime, long)>();
        foreach (var (name, quantity, price, divisor) in resources)
        {
            foreach (var (from, until, prices) in new[] { (Utc(9, 1), change, before), (change, monthEnd, after) })
            {
                var resourceSeconds = periods.Sum(p =>
                {
                    var start = p.From > from ? p.From : from;
                    var end = p.Until < until ? p.Until : until;
                    return end > start ? quantity(p.Size) * (long)(end - start).TotalSeconds : 0;
                });
                if (periods.Any(p => quantity(p.Size) > 0 && p.From < until && p.Until > from))
                {
                    lines.Add((name, from, (long)Math.Round(resourceSeconds * price(prices) / divisor, MidpointRounding.AwayFromZero)));
                }
            }
        }
        return lines;
    }

    [Fact]
    public async Task An_invoice_goes_draft_issued_then_paid_with_a_credit_note_and_never_changes_once_issued()
    {
        var agency = await billing.NewAgencyAsync("ML", "Ministère de l'Économie et des Finances");
        var actor = billing.MaliOperator.ToString();
        var facility = await billing.NewFacilityAsync("ML", "ML-KYS-1", billing.MaliOperator);
        var vm = new Vm(Guid.NewGuid(), agency, "ML", facility, "ML");
        var size = new StandardSize(1, 2, 10, 1);
        await billing.ReplayAsync([vm.Activated(size, Utc(6, 20)), vm.Decommissioned(size, Utc(6, 20), Utc(8, 1))], seed: 3);
        await WaitForUsageAsync(billing.MaliOperator, agency, "2026-07", 1, 1);

        var draft = await billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = actor, AgencyId = agency.ToString(), Month = "2026-07" });
        // July in full at list price: 744 h × 25 + 2 × 744 h × 5 + 10 × 60 + 2,500.
        Assert.Equal(18_600 + 7_440 + 600 + 2_500, draft.TotalXof);
        Assert.Equal(draft.TotalXof, draft.Lines.Sum(l => l.AmountXof));
        Assert.Equal("draft", draft.Status);

        var issued = await billing.Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = actor, InvoiceId = draft.Id });
        var twice = await Assert.ThrowsAsync<RpcException>(() => billing.Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = actor, InvoiceId = draft.Id }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);
        var redraft = await Assert.ThrowsAsync<RpcException>(() =>
            billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = actor, AgencyId = agency.ToString(), Month = "2026-07" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, redraft.StatusCode);
        // A new price may not reach back into an invoiced period.
        var backdated = await Assert.ThrowsAsync<RpcException>(() =>
            billing.SetPricesAsync(billing.MaliOperator, facility, Utc(7, 15), null, BillingServiceFixture.MaliList));
        Assert.Equal(StatusCode.FailedPrecondition, backdated.StatusCode);

        var credited = await billing.Client.IssueCreditNoteAsync(new IssueCreditNoteRequest
        {
            ActorUserId = actor, InvoiceId = draft.Id, AmountXof = 1_000, Reason = "Indisponibilité de 2 heures / 2-hour outage",
        });
        Assert.Equal((1_000L, issued.TotalXof), (credited.CreditedXof, credited.TotalXof));
        Assert.Matches(@"^AV-ML-2026-\d{6}$", Assert.Single(credited.CreditNotes).Number);
        Assert.Equal(issued.Lines.ToString(), credited.Lines.ToString());

        var paid = await billing.Client.PayInvoiceAsync(new InvoiceActionRequest { ActorUserId = actor, InvoiceId = draft.Id });
        Assert.Equal("paid", paid.Status);
        Assert.Equal(0, await billing.BalanceAsync($"ML:agency:{agency:N}:receivable"));
        var cancelPaid = await Assert.ThrowsAsync<RpcException>(() =>
            billing.Client.CancelInvoiceAsync(new CancelInvoiceRequest { ActorUserId = actor, InvoiceId = draft.Id, Reason = "erreur" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, cancelPaid.StatusCode);

        var csv = await billing.Client.ExportInvoicesAsync(new ExportInvoicesRequest { ActorUserId = actor, StateCode = "ML", Month = "2026-07" });
        var rows = csv.Content.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where(r => r.Contains(issued.Number, StringComparison.Ordinal)).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal(issued.TotalXof, rows.Sum(r => long.Parse(r.Split(',')[^2], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.StartsWith("text/csv", csv.ContentType);

        var french = await billing.Client.RenderInvoiceAsync(new RenderInvoiceRequest { ActorUserId = actor, InvoiceId = draft.Id });
        var english = await billing.Client.RenderInvoiceAsync(new RenderInvoiceRequest { ActorUserId = actor, InvoiceId = draft.Id, Language = "en" });
        Assert.Contains("<html lang=\"fr\">", french.Content);
        Assert.Contains($"Facture {issued.Number}", french.Content);
        Assert.Contains("Minist&#232;re de l&#39;&#201;conomie et des Finances", french.Content);
        Assert.Contains("29,140 XOF", english.Content);
        Assert.Contains("Net due", english.Content);

        var stranger = await Assert.ThrowsAsync<RpcException>(() =>
            billing.Client.GetInvoiceAsync(new GetInvoiceRequest { ActorUserId = billing.Stranger.ToString(), InvoiceId = draft.Id }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, stranger.StatusCode);

        var audit = await billing.AuditAsync();
        Assert.True(audit.Balanced && audit.Problems.Count == 0, string.Join("; ", audit.Problems));
    }

    [Fact]
    public async Task A_user_acts_with_the_roles_their_token_carries_and_not_with_billings_copy_of_them()
    {
        var agency = await billing.NewAgencyAsync("ML", "Direction nationale des domaines");
        var vm = NewVm(agency, "ML");
        var size = new StandardSize(1, 2, 0, 0);
        await billing.ReplayAsync([vm.Activated(size, Utc(3, 2, 8)), vm.Decommissioned(size, Utc(3, 2, 8), Utc(3, 2, 20))], seed: 6);
        await WaitForUsageAsync(billing.MaliOperator, agency, "2026-03", 1, 1);

        // Mali's new operator, of whom billing has heard nothing yet, drafts and reads the invoice: their token says operator of Mali.
        var newcomer = billing.MaliNewcomer.ToString();
        var draft = await billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = newcomer, AgencyId = agency.ToString(), Month = "2026-03" });
        Assert.Equal(12 * 25 + 2 * 12 * 5, draft.TotalXof);
        Assert.Contains((await billing.Client.ListInvoicesAsync(new ListInvoicesRequest { ActorUserId = newcomer, StateCode = "ML", Month = "2026-03" })).Invoices,
            invoice => invoice.Id == draft.Id);

        // A former operator whom billing's copy still lists as Mali's, but whose token no longer grants it, gets nothing
        // (refused by the method's rule already: the copy gives back no role the token does not carry).
        var former = billing.FormerMaliOperator.ToString();
        var issue = await Assert.ThrowsAsync<RpcException>(() =>
            billing.Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = former, InvoiceId = draft.Id }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, issue.StatusCode);
        Assert.Equal("draft", (await billing.Client.GetInvoiceAsync(new GetInvoiceRequest { ActorUserId = newcomer, InvoiceId = draft.Id })).Status);
    }

    [Fact]
    public async Task An_agreement_whose_end_is_consumed_before_its_activation_still_ends_there()
    {
        var facility = await billing.NewFacilityAsync("ML", "ML-SGU-1", billing.MaliOperator);
        var agreement = Guid.NewGuid();
        var endedAt = Utc(10, 10);
        // The end overtakes the activation (queues of their own): billing has consumed it before the activation arrives.
        var end = NewId.NextGuid();
        await billing.PublishAsync(new AgreementEnded(agreement, "ML", facility, "NE", "dénoncé", endedAt), end);
        await Eventually.HoldsAsync(() => billing.ConsumedAsync(end), TimeSpan.FromSeconds(30), "billing consumed the end");
        var activation = NewId.NextGuid();
        await billing.PublishAsync(new AgreementActivated(agreement, "AES-ML-NE-077", "ML", facility, "NE", ResourceVector.Standard(64, 256, 1000, 4).ToList(),
            ["internal"], BillingServiceFixture.NigerInMali, BillingServiceFixture.AgreementStart, new DateTime(2028, 1, 31, 0, 0, 0, DateTimeKind.Utc)), activation);
        await Eventually.HoldsAsync(() => billing.ConsumedAsync(activation), TimeSpan.FromSeconds(30), "billing consumed the activation");

        var agency = await billing.NewAgencyAsync("NE", "Office de radiodiffusion et télévision");
        var vm = new Vm(Guid.NewGuid(), agency, "NE", facility, "ML");
        var size = new StandardSize(1, 0, 0, 0);
        await billing.ReplayAsync([vm.Activated(size, Utc(10, 9, 12)), vm.Decommissioned(size, Utc(10, 9, 12), Utc(10, 10, 12))], seed: 8);
        await WaitForUsageAsync(billing.NigerOperator, agency, "2026-10", 1, 1);

        var draft = await billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = billing.NigerOperator.ToString(), AgencyId = agency.ToString(), Month = "2026-10" });
        // 12 h at the agreement's 20 XOF/vCPU-h until its end, then 12 h at the facility's list price of 25.
        var vcpu = draft.Lines.Where(l => l.Resource == "vcpu").ToList();
        Assert.Equal(12 * 20, vcpu.Where(l => l.PriceSource == "agreement").Sum(l => l.AmountXof));
        Assert.Equal(12 * 25, vcpu.Where(l => l.PriceSource != "agreement").Sum(l => l.AmountXof));
    }

    [Fact]
    public async Task Cancelling_an_issued_invoice_credits_it_whole_and_a_cancelled_invoice_cannot_be_paid()
    {
        var agency = await billing.NewAgencyAsync("ML", "Agence des technologies de l'information");
        var actor = billing.MaliOperator.ToString();
        var vm = NewVm(agency, "ML", inMali: false);
        var size = new StandardSize(2, 4, 0, 0);
        await billing.ReplayAsync([vm.Activated(size, Utc(5, 2, 8)), vm.Decommissioned(size, Utc(5, 2, 8), Utc(5, 3, 8))], seed: 4);
        await WaitForUsageAsync(billing.MaliOperator, agency, "2026-05", 1, 1);

        var draft = await billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = actor, AgencyId = agency.ToString(), Month = "2026-05" });
        Assert.Equal(2 * 24 * 25 + 4 * 24 * 5, draft.TotalXof); // Burkina's list price, no agreement with Mali
        await billing.Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = actor, InvoiceId = draft.Id });
        var cancelled = await billing.Client.CancelInvoiceAsync(new CancelInvoiceRequest { ActorUserId = actor, InvoiceId = draft.Id, Reason = "Facturé par erreur" });
        Assert.Equal(("cancelled", draft.TotalXof), (cancelled.Status, cancelled.CreditedXof));

        var pay = await Assert.ThrowsAsync<RpcException>(() => billing.Client.PayInvoiceAsync(new InvoiceActionRequest { ActorUserId = actor, InvoiceId = draft.Id }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, pay.StatusCode);
        Assert.Equal(0, await billing.BalanceAsync($"ML:agency:{agency:N}:receivable"));
        Assert.Equal(cancelled.ToString(), (await billing.Client.GetInvoiceAsync(new GetInvoiceRequest { ActorUserId = actor, InvoiceId = draft.Id })).ToString());

        // The month can be invoiced again, as a new invoice.
        var again = await billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = actor, AgencyId = agency.ToString(), Month = "2026-05" });
        Assert.NotEqual(draft.Id, again.Id);
        Assert.Equal(draft.TotalXof, again.TotalXof);
    }

    [Fact]
    public async Task Concurrent_drafts_and_issues_of_one_month_make_one_invoice_posted_once()
    {
        var agency = await billing.NewAgencyAsync("ML", "Institut national de la statistique");
        var actor = billing.MaliOperator.ToString();
        var vm = NewVm(agency, "ML");
        var size = new StandardSize(3, 6, 30, 0);
        await billing.ReplayAsync([vm.Activated(size, Utc(4, 10)), vm.Decommissioned(size, Utc(4, 10), Utc(4, 12))], seed: 5);
        await WaitForUsageAsync(billing.MaliOperator, agency, "2026-04", 1, 1);

        var drafts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Outcome(() =>
            billing.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = actor, AgencyId = agency.ToString(), Month = "2026-04" }).ResponseAsync)));
        Assert.Contains(drafts, d => d.Invoice is not null);
        Assert.All(drafts, d => Assert.True(d.Invoice is not null || d.Status is StatusCode.Aborted or StatusCode.FailedPrecondition, d.Status.ToString()));
        var invoices = await billing.Client.ListInvoicesAsync(new ListInvoicesRequest { ActorUserId = actor, AgencyId = agency.ToString(), Month = "2026-04" });
        var invoice = Assert.Single(invoices.Invoices);

        var issues = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Outcome(() =>
            billing.Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = actor, InvoiceId = invoice.Id }).ResponseAsync)));
        Assert.Single(issues, i => i.Invoice is not null);
        Assert.All(issues.Where(i => i.Invoice is null), i => Assert.True(i.Status is StatusCode.Aborted or StatusCode.FailedPrecondition, i.Status.ToString()));
        Assert.Equal(invoice.TotalXof, await billing.BalanceAsync($"ML:agency:{agency:N}:receivable"));
        var audit = await billing.AuditAsync();
        Assert.True(audit.Balanced && audit.Problems.Count == 0, string.Join("; ", audit.Problems));
    }

    private static async Task<(Invoice? Invoice, StatusCode Status)> Outcome(Func<Task<Invoice>> call)
    {
        try
        {
            return (await call(), StatusCode.OK);
        }
        catch (RpcException exception)
        {
            return (null, exception.StatusCode);
        }
    }

    public static TheoryData<string> BadInputs => new(BadInput.All.Keys);

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_refused_with_the_reason_and_changes_nothing(string name)
    {
        var (call, status, field) = BadInput.All[name];
        var before = await billing.Client.ListPriceCataloguesAsync(new ListPriceCataloguesRequest { FacilityId = billing.MaliFacility.ToString() });
        var invoicesBefore = await billing.Client.ListInvoicesAsync(new ListInvoicesRequest { ActorUserId = billing.Confederation.ToString() });

        var exception = await Assert.ThrowsAsync<RpcException>(() => call(billing));

        Assert.Equal(status, exception.StatusCode);
        if (field is not null)
        {
            Assert.Equal(field, exception.Trailers.GetValue("aes-field"));
        }
        Assert.NotNull(exception.Trailers.GetValueBytes("aes-message-fr-bin"));
        Assert.Equal(before.ToString(), (await billing.Client.ListPriceCataloguesAsync(new ListPriceCataloguesRequest { FacilityId = billing.MaliFacility.ToString() })).ToString());
        var invoicesAfter = await billing.Client.ListInvoicesAsync(new ListInvoicesRequest { ActorUserId = billing.Confederation.ToString() });
        Assert.Equal(invoicesBefore.Invoices.Count, invoicesAfter.Invoices.Count);
    }
}

internal static class BadInput
{
    /// <summary>A catalogue for Mali's facility from 2030 given by class.</summary>
    private static Task ByClass(BillingServiceFixture billing, params (string Class, long Price)[] prices) =>
        billing.Client.SetPriceCatalogueAsync(new SetPriceCatalogueRequest
        {
            ActorUserId = billing.MaliOperator.ToString(), FacilityId = billing.MaliFacility.ToString(),
            EffectiveFrom = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            UnitPrices = { prices.Select(p => new Aes.Contracts.Billing.V1.ResourcePrice { ResourceClass = p.Class, UnitPriceXof = p.Price }) },
        }).ResponseAsync;

    public static readonly Dictionary<string, (Func<BillingServiceFixture, Task> Call, StatusCode Status, string? Field)> All = new()
    {
        ["negative price"] = (b => b.SetPricesAsync(b.MaliOperator, b.MaliFacility, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), null,
            BillingServiceFixture.MaliList with { VcpuHourXof = -5 }), StatusCode.InvalidArgument, "unit_prices[0].unit_price_xof"),
        ["zero price"] = (b => b.SetPricesAsync(b.MaliOperator, b.MaliFacility, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), null,
            BillingServiceFixture.MaliList with { StorageGibMonthXof = 0 }), StatusCode.InvalidArgument, "unit_prices[2].unit_price_xof"),
        ["currency other than XOF"] = (b => b.SetPricesAsync(b.MaliOperator, b.MaliFacility, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), null,
            BillingServiceFixture.MaliList, "EUR"), StatusCode.InvalidArgument, "currency"),
        ["overlapping effective periods"] = (b => b.SetPricesAsync(b.MaliOperator, b.MaliFacility, new DateTime(2025, 12, 1, 0, 0, 0, DateTimeKind.Utc),
            new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc), BillingServiceFixture.MaliList), StatusCode.InvalidArgument, "effective_from"),
        ["period ending before it starts"] = (b => b.SetPricesAsync(b.MaliOperator, b.MaliFacility, new DateTime(2030, 2, 1, 0, 0, 0, DateTimeKind.Utc),
            new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), BillingServiceFixture.MaliList), StatusCode.InvalidArgument, "effective_until"),
        ["period ending beyond any calendar"] = (b => b.Client.SetPriceCatalogueAsync(new SetPriceCatalogueRequest
        {
            ActorUserId = b.MaliOperator.ToString(), FacilityId = b.MaliFacility.ToString(),
            EffectiveFrom = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            EffectiveUntil = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = long.MaxValue, Nanos = 1 }, UnitPrices = { BillingServiceFixture.MaliList.ByClass() }, Currency = "XOF",
        }).ResponseAsync, StatusCode.InvalidArgument, "effective_until"),
        ["a class priced twice"] = (b => ByClass(b, ("vcpu", 25), ("memory_gib", 5), ("storage_gib", 60), ("public_ipv4", 2500), ("vcpu", 30)),
            StatusCode.InvalidArgument, "unit_prices[4].resource_class"),
        ["a class priced at zero"] = (b => ByClass(b, ("vcpu", 25), ("memory_gib", 0), ("storage_gib", 60), ("public_ipv4", 2500)),
            StatusCode.InvalidArgument, "unit_prices[1].unit_price_xof"),
        ["a malformed class"] = (b => ByClass(b, ("vcpu", 25), ("memory_gib", 5), ("storage_gib", 60), ("public_ipv4", 2500), ("GPU A100!", 900)),
            StatusCode.InvalidArgument, "unit_prices[4].resource_class"),
        ["a standard class left unpriced"] = (b => ByClass(b, ("vcpu", 25), ("memory_gib", 5), ("storage_gib", 60)),
            StatusCode.InvalidArgument, "unit_prices"),
        ["no prices"] = (b => ByClass(b), StatusCode.InvalidArgument, "unit_prices"),
        ["prices of another state's facility"] = (b => b.SetPricesAsync(b.BurkinaOperator, b.MaliFacility, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc), null,
            BillingServiceFixture.MaliList), StatusCode.PermissionDenied, null),
        ["month that does not exist"] = (b => b.Client.DraftInvoicesAsync(new DraftInvoicesRequest { ActorUserId = b.MaliOperator.ToString(), StateCode = "ML", Month = "2026-13" }).ResponseAsync,
            StatusCode.InvalidArgument, "month"),
        ["malformed agency id"] = (b => b.Client.DraftInvoiceAsync(new DraftInvoiceRequest { ActorUserId = b.MaliOperator.ToString(), AgencyId = "ministère", Month = "2026-07" }).ResponseAsync,
            StatusCode.InvalidArgument, "agency_id"),
        ["unknown invoice"] = (b => b.Client.IssueInvoiceAsync(new InvoiceActionRequest { ActorUserId = b.MaliOperator.ToString(), InvoiceId = Guid.NewGuid().ToString() }).ResponseAsync,
            StatusCode.NotFound, null),
        ["settlement closed by a state operator"] = (b => b.Client.CloseSettlementAsync(new CloseSettlementRequest { ActorUserId = b.MaliOperator.ToString(), Month = "2026-01" }).ResponseAsync,
            StatusCode.PermissionDenied, null),
        ["invoice in german"] = (b => b.Client.RenderInvoiceAsync(new RenderInvoiceRequest { ActorUserId = b.MaliOperator.ToString(), InvoiceId = Guid.NewGuid().ToString(), Language = "de" }).ResponseAsync,
            StatusCode.InvalidArgument, "language"),
    };
}
