using System.Diagnostics;
using System.Diagnostics.Metrics;
using Aes.ServiceDefaults;

namespace Aes.Provisioning.Application;

/// <summary>
/// Provisioning's traces and metrics. A request's workflow steps run later, in the background: each
/// resumes the submission's trace, so one trace shows a request from the portal to its running VMs.
/// </summary>
public static class ProvisioningTelemetry
{
    public static readonly Histogram<double> TimeToActive = Telemetry.Meter.CreateHistogram<double>(
        "aes.provisioning.request.time_to_active", unit: "s",
        description: "Time from a hosting request's submission to its VMs being active.");

    public static Activity? StartStep(HostingRequest request)
    {
        ActivityContext.TryParse(request.TraceParent, null, out var submission);
        var step = Telemetry.ActivitySource.StartActivity($"provisioning step {request.Status.Code()}", ActivityKind.Internal, submission);
        step?.SetTag("aes.request.id", request.Id);
        step?.SetTag("aes.request.status", request.Status.Code());
        return step;
    }

    public static void RecordActive(HostingRequest request, DateTime activeAt) =>
        TimeToActive.Record((activeAt - request.SubmittedAt).TotalSeconds,
            new KeyValuePair<string, object?>("aes.agency.state", request.AgencyStateCode),
            new KeyValuePair<string, object?>("aes.facility.state", request.FacilityStateCode),
            new KeyValuePair<string, object?>("aes.classification", request.Classification.Code()));
}

/// <summary>Hosting requests by the agency's state and status, and the approvals each state owes.</summary>
public sealed class ProvisioningGauges(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<ProvisioningGauges> logger)
    : SnapshotGaugeRefresher(scopes, configuration, logger)
{
    private static readonly SnapshotGauge Requests = new("aes.provisioning.requests", "{request}",
        "Hosting requests by the agency's state and by status.");
    private static readonly SnapshotGauge PendingApprovals = new("aes.provisioning.approvals.pending", "{approval}",
        "Approvals awaited, by the state whose operators owe them and by turn (home, host).");

    protected override async Task RefreshAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var db = services.GetRequiredService<ProvisioningDbContext>();
        var byStatus = await db.Requests.AsNoTracking().GroupBy(r => new { r.AgencyStateCode, r.Status })
            .Select(g => new { g.Key.AgencyStateCode, g.Key.Status, Count = g.LongCount() }).ToListAsync(cancellationToken);
        Requests.Set(byStatus.Select(g => SnapshotGauge.Value(g.Count, ("aes.agency.state", g.AgencyStateCode), ("aes.request.status", g.Status.Code()))));

        var awaiting = await db.Requests.AsNoTracking().Where(r => r.Status == RequestStatus.AwaitingApproval)
            .GroupBy(r => new { r.AgencyStateCode, r.FacilityStateCode, r.HomeApproval, r.HostApproval })
            .Select(g => new { g.Key.AgencyStateCode, g.Key.FacilityStateCode, g.Key.HomeApproval, g.Key.HostApproval, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        PendingApprovals.Set(awaiting
            .Select(g => g.HomeApproval == ApprovalState.Pending ? (State: g.AgencyStateCode, Turn: "home", g.Count)
                : g.HostApproval == ApprovalState.Pending ? (State: g.FacilityStateCode ?? "", Turn: "host", g.Count)
                : (State: "", Turn: "", Count: 0L))
            .Where(g => g.Count > 0)
            .GroupBy(g => (g.State, g.Turn))
            .Select(g => SnapshotGauge.Value(g.Sum(x => x.Count), ("aes.approver.state", g.Key.State), ("aes.approval.turn", g.Key.Turn))));
    }
}
