using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aes.Testing;
using Aes.Testing.Otlp;
using P = Aes.Contracts.Provisioning.V1;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// OpenTelemetry end to end, on the distributed run: each service is its own process exporting OTLP
/// under its own name, so a trace that spans several services really crossed process boundaries.
/// </summary>
public sealed partial class PostgresJourneyTests
{
    private const int ConsumerKind = 5;

    [Fact]
    public async Task One_trace_follows_a_portal_request_through_grpc_the_bus_the_workflow_and_billing()
    {
        // The caller starts the trace, as a browser or a gateway would: the portal continues it.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var agent = new HttpClient { BaseAddress = new Uri(Marketplace.PortalAddress) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Marketplace.TokenOfAsync("agent.mef.ml"));
        using var submit = new HttpRequestMessage(HttpMethod.Post, "/api/v1/requests")
        {
            Content = JsonContent.Create(new
            {
                agencyId = Marketplace.Agencies["ML/MEF"], projectId = Marketplace.Projects["ML/MEF"], classification = "internal",
                justification = "Traçabilité de bout en bout", deadline = DateTimeOffset.UtcNow.AddDays(7),
                vms = new[] { new { flavour = "", image = "debian-12", count = 1, resources = new[] { new { resourceClass = "vcpu", amount = 1 }, new { resourceClass = "memory_gib", amount = 2 }, new { resourceClass = "storage_gib", amount = 20 } } } },
            }),
        };
        submit.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await agent.SendAsync(submit);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await Marketplace.WaitForAsync(id, "awaiting_approval");
        await Marketplace.Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = id, ActorUserId = Marketplace.Users["op.ml"] });
        await Marketplace.WaitForAsync(id, "active");

        string[] services = ["Aes.Portal", "Aes.Provisioning", "Aes.Quota", "Aes.Billing"];
        IReadOnlyList<ReceivedSpan> trace = [];
        await Eventually.HoldsAsync(() =>
            {
                trace = Marketplace.Telemetry.SpansOf(traceId);
                return Task.FromResult(MissingFrom(trace).Count == 0);
            },
            TimeSpan.FromSeconds(60),
            () => "the trace reaches portal, provisioning, quota and billing; still missing: " + string.Join("; ", MissingFrom(Marketplace.Telemetry.SpansOf(traceId))));

        Assert.True(trace.Select(s => s.Service).Distinct().Count() >= 4, string.Join(", ", trace.Select(s => s.Service).Distinct()));
        // The portal's gRPC call, the workflow's steps run later in the background, its calls to quota, and the bus.
        Assert.Contains(trace, s => s.Service == "Aes.Provisioning" && s.Name == "provisioning step submitted");
        Assert.Contains(trace, s => s.Service == "Aes.Provisioning" && s.Name == "provisioning step approved");
        Assert.Contains(trace, s => s.Service == "Aes.Quota" && s.Name.Contains("QuotaService/Hold", StringComparison.Ordinal));
        Assert.Contains(trace, s => s.Service == "Aes.Billing" && s.Kind == ConsumerKind && s.Scope == "MassTransit");
        // Every span hangs from another of the same trace, except the caller's, which the test made up.
        var spanIds = trace.Select(s => s.SpanId).ToHashSet();
        Assert.All(trace.Where(s => s.Service == "Aes.Billing" || s.Service == "Aes.Quota"), s => Assert.Contains(s.ParentSpanId, spanIds));

        // Each process exports in its own batches: the step that made the VMs active may arrive after billing's consumer,
        // so wait until the spans that quota's and billing's hang from have come too (or the assertions above say which not).
        List<string> MissingFrom(IReadOnlyList<ReceivedSpan> spans) =>
        [
            .. services.Where(service => !spans.Any(s => s.Service == service)).Select(service => $"a span of {service}"),
            .. spans.Any(s => s.Service == "Aes.Billing" && s.Kind == ConsumerKind) ? Array.Empty<string>() : ["billing's consumer span"],
            .. spans.Any(s => s.Name == "provisioning step approved") ? Array.Empty<string>() : ["the approved step's span"],
            .. spans.Where(s => s.Service is "Aes.Billing" or "Aes.Quota" && !spans.Any(parent => parent.SpanId == s.ParentSpanId))
                .Select(s => $"the parent of {s.Service}'s '{s.Name}'"),
        ];
    }

    [Fact]
    public async Task Metrics_show_requests_by_state_and_status_pending_approvals_active_holds_pool_use_and_time_to_active()
    {
        var submitted = await Marketplace.SubmitAsync(Marketplace.Request("ML/MEF", "internal", vcpu: 2, memoryGib: 4, diskGib: 40));
        await Marketplace.WaitForAsync(submitted.Id, "awaiting_approval");
        var used = await Marketplace.UsedVcpuAsync("ML-BKO-1");

        await Eventually.HoldsAsync(() => Task.FromResult(
                Latest("aes.provisioning.requests", ("aes.agency.state", "ML"), ("aes.request.status", "awaiting_approval")) >= 1
                && Latest("aes.provisioning.approvals.pending", ("aes.approver.state", "ML"), ("aes.approval.turn", "home")) >= 1
                && Latest("aes.quota.holds.active", ("aes.facility", "ML-BKO-1")) >= 1
                && Latest("aes.quota.pool.used", ("aes.facility", "ML-BKO-1"), ("aes.pool", "general"), ("aes.resource_class", "vcpu")) == used
                && Latest("aes.quota.pool.capacity", ("aes.facility", "ML-BKO-1"), ("aes.pool", "general"), ("aes.resource_class", "vcpu")) > 0),
            TimeSpan.FromSeconds(30), "the gauges count the request waiting for ML's operator and its hold in ML-BKO-1");

        await Marketplace.Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = submitted.Id, ActorUserId = Marketplace.Users["op.ml"] });
        await Marketplace.WaitForAsync(submitted.Id, "active");
        await Eventually.HoldsAsync(() => Task.FromResult(
                Latest("aes.provisioning.requests", ("aes.agency.state", "ML"), ("aes.request.status", "active")) >= 1
                && Latest("aes.provisioning.request.time_to_active", ("aes.agency.state", "ML"), ("aes.classification", "internal")) >= 1),
            TimeSpan.FromSeconds(30), "the active request is counted, and its time from submission to active recorded");
    }

    /// <summary>The last value the collector received for a metric point whose attributes include these; -1 if none.</summary>
    private double Latest(string metric, params (string Key, string Value)[] attributes) =>
        Marketplace.Telemetry.Latest(metric, attributes) ?? -1;
}
