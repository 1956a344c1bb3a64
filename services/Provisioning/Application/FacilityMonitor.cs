using System.Text.Json;
using Aes.Contracts.Provisioning;
using Aes.Messaging.Audit;
using Aes.Provisioning.Drivers;

namespace Aes.Provisioning.Application;

/// <summary>
/// Watches every open facility on its own clock: its APIs are probed (the measured availability and its outages),
/// its catalogue is read again, and its servers are compared with the marketplace's VMs (reconciliation). Each
/// replica runs it; a facility's turn is taken by one replica only (a conditional update on its watch row).
/// </summary>
public sealed partial class FacilityMonitor(IServiceScopeFactory scopes, ProvisioningSettings settings, TimeProvider clock, ILogger<FacilityMonitor> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private bool _declaredPending = true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueAsync(stoppingToken);
                await Task.Delay(Tick, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A facility or a database that fails one pass must not stop the watch of the others.
                LogPassFailed(exception);
                try { await Task.Delay(settings.StepRetryDelay, clock, stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        if (_declaredPending)
        {
            // A declared connection waits until tenancy's events have made its facility known here.
            await using var scope = scopes.CreateAsyncScope();
            _declaredPending = !await scope.ServiceProvider.GetRequiredService<DeclaredConnections>().ApplyAsync(cancellationToken);
        }
        List<KnownFacility> facilities;
        await using (var scope = scopes.CreateAsyncScope())
        {
            facilities = await scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>().Facilities.AsNoTracking()
                .Where(f => f.Status == "open").ToListAsync(cancellationToken);
        }
        foreach (var facility in facilities)
        {
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var watches = services.GetRequiredService<FacilityWatches>();
            var target = new FacilityTarget(facility.FacilityId, facility.Code);
            if (await watches.TakeTurnAsync(facility.FacilityId, FacilityWatches.Turn.Probe, settings.ProbeInterval, cancellationToken))
            {
                await watches.ProbeAsync(target, cancellationToken);
            }
            if (await watches.TakeTurnAsync(facility.FacilityId, FacilityWatches.Turn.Catalogue, settings.CatalogueRefreshInterval, cancellationToken))
            {
                await services.GetRequiredService<FacilityCatalogues>().RefreshAsync(target, cancellationToken);
            }
            if (await watches.TakeTurnAsync(facility.FacilityId, FacilityWatches.Turn.Reconcile, settings.ReconcileInterval, cancellationToken))
            {
                await services.GetRequiredService<Reconciliation>().RunAsync(target, cancellationToken);
                await services.GetRequiredService<Firewalls>().RetryFailedAsync(target.FacilityId, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A facility watch pass failed; tried again shortly")]
    private partial void LogPassFailed(Exception exception);
}

/// <summary>Each facility's watch: whose turn it is, and its probes turned into outages.</summary>
public sealed class FacilityWatches(ProvisioningDbContext db, FacilityDrivers drivers, TimeProvider clock)
{
    public enum Turn { Probe, Catalogue, Reconcile }

    /// <summary>True when this replica takes the facility's <paramref name="turn"/> now (none took it within <paramref name="every"/>).</summary>
    public async Task<bool> TakeTurnAsync(Guid facilityId, Turn turn, TimeSpan every, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.InsertIfAbsentAsync(new FacilityWatch
        {
            FacilityId = facilityId, Since = now, LastProbeAt = DateTime.MinValue, LastCatalogueAt = DateTime.MinValue, LastReconcileAt = DateTime.MinValue,
            LastReachable = true,
        }, cancellationToken);
        var due = now - every;
        var rows = turn switch
        {
            Turn.Probe => await db.Watches.Where(w => w.FacilityId == facilityId && w.LastProbeAt <= due)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.LastProbeAt, now), cancellationToken),
            Turn.Catalogue => await db.Watches.Where(w => w.FacilityId == facilityId && w.LastCatalogueAt <= due)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.LastCatalogueAt, now), cancellationToken),
            _ => await db.Watches.Where(w => w.FacilityId == facilityId && w.LastReconcileAt <= due)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.LastReconcileAt, now), cancellationToken),
        };
        return rows == 1;
    }

    /// <summary>Probes the facility; a failed probe opens an outage (if none is open), a passed one ends it.</summary>
    public async Task ProbeAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        var health = await (await drivers.ForAsync(facility, cancellationToken)).ProbeAsync(facility, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var watch = await db.Watches.FirstAsync(w => w.FacilityId == facility.FacilityId, cancellationToken);
        (watch.LastReachable, watch.LastLatencyMs) = (health.Reachable, health.Latency.TotalMilliseconds);
        var open = await db.Outages.FirstOrDefaultAsync(o => o.FacilityId == facility.FacilityId && o.EndedAt == null, cancellationToken);
        if (!health.Reachable && open is null)
        {
            db.Outages.Add(new FacilityOutage { FacilityId = facility.FacilityId, StartedAt = now, CauseFr = Cut(health.DetailFr), CauseEn = Cut(health.DetailEn) });
        }
        else if (health.Reachable && open is not null)
        {
            open.EndedAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string Cut(string text) => text.Length <= 1000 ? text : text[..1000];
}

/// <summary>
/// Compares a facility's servers with the marketplace's VMs there, and records each difference once, as a finding,
/// an event and an entry of the audit trail: a server gone behind the marketplace's back (its VM is lost: its claim
/// freed, its usage stopped at the time it was seen gone), a server carrying our metadata that we do not run (an
/// orphan: reported, never deleted), and a server whose state or size differs from the record.
/// </summary>
public sealed partial class Reconciliation(
    ProvisioningDbContext db, FacilityDrivers drivers, Aes.Contracts.Quota.V1.QuotaService.QuotaServiceClient quota, IServiceScopeFactory scopes,
    TimeProvider clock, ILogger<Reconciliation> logger)
{
    /// <summary>VM states in which the facility must have the server; in the others the workflow is building or removing it.</summary>
    private static readonly VmStatus[] Running = [VmStatus.Active, VmStatus.Resizing, VmStatus.Stopping, VmStatus.Stopped, VmStatus.Starting, VmStatus.Rebooting];

    public async Task RunAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        IReadOnlyList<FacilityServer> servers;
        try
        {
            servers = await (await drivers.ForAsync(facility, cancellationToken)).ListAsync(facility, cancellationToken);
        }
        catch (FacilityDriverException exception)
        {
            LogUnreachable(facility.FacilityCode, exception.Message); // no finding from a facility we cannot see: the probe records the outage
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var byVm = servers.ToDictionary(s => s.VmId);
        var vms = await db.Vms.Where(v => v.FacilityId == facility.FacilityId && v.Status != VmStatus.Pending).ToListAsync(cancellationToken);
        var known = vms.ToDictionary(v => v.Id);
        var open = await db.Findings.Where(f => f.FacilityId == facility.FacilityId && f.ClearedAt == null).ToListAsync(cancellationToken);
        var seen = new HashSet<long>();

        foreach (var vm in vms.Where(v => Running.Contains(v.Status)))
        {
            if (!byVm.TryGetValue(vm.Id, out var server))
            {
                await LoseAsync(vm, facility, now, cancellationToken);
                continue;
            }
            vm.Addresses = string.Join(",", server.Addresses) is { Length: <= 500 } addresses ? addresses : vm.Addresses;
            vm.PublicAddress = server.PublicAddress ?? vm.PublicAddress;
            var differs = server.State switch
            {
                ServerState.Error => ($"le serveur {server.ServerId} est en erreur dans {facility.FacilityCode} : {server.Fault}",
                    $"server {server.ServerId} is in error in {facility.FacilityCode}: {server.Fault}"),
                // Powered off or on behind the marketplace's back (a guest's own shutdown, the facility's operators).
                ServerState.Stopped when vm.Status == VmStatus.Active =>
                    ($"le serveur {server.ServerId} est éteint dans {facility.FacilityCode} ; la place de marché le compte actif",
                     $"server {server.ServerId} is stopped in {facility.FacilityCode}; the marketplace counts it active"),
                ServerState.Active when vm.Status == VmStatus.Stopped =>
                    ($"le serveur {server.ServerId} tourne dans {facility.FacilityCode} ; la place de marché le compte éteint",
                     $"server {server.ServerId} is running in {facility.FacilityCode}; the marketplace counts it stopped"),
                _ when vm.Status is VmStatus.Active or VmStatus.Stopped && server.State is ServerState.Active or ServerState.Stopped
                    && server.Shape != vm.Size.ServerShape() =>
                    ($"le serveur {server.ServerId} a {server.Shape.Describe().Fr} ; la place de marché compte {vm.Size.Describe().Fr}",
                     $"server {server.ServerId} has {server.Shape.Describe().En}; the marketplace counts {vm.Size.Describe().En}"),
                _ => ((string, string)?)null,
            };
            if (differs is { } detail)
            {
                seen.Add(await FindAsync(open, facility, FindingKind.StateDiffers, vm.Id, server.ServerId, vm.AgencyId, detail.Item1, detail.Item2, now, cancellationToken));
            }
        }
        foreach (var server in servers)
        {
            if (!known.TryGetValue(server.VmId, out var vm) || vm.Status is VmStatus.Decommissioned or VmStatus.Removed or VmStatus.Lost)
            {
                seen.Add(await FindAsync(open, facility, FindingKind.Orphan, server.VmId, server.ServerId, vm?.AgencyId,
                    $"le serveur {server.ServerId} ({server.Name}) porte l'identifiant de VM {server.VmId}, que la place de marché ne fait pas tourner : il est laissé en place.",
                    $"server {server.ServerId} ({server.Name}) carries VM id {server.VmId}, which the marketplace does not run: it is left in place.", now, cancellationToken));
            }
        }
        foreach (var finding in open.Where(f => f.Kind != FindingKind.Lost && !seen.Contains(f.Id)))
        {
            finding.ClearedAt = now; // no longer seen: back in step, or removed by the facility's own operators
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A VM whose server is gone: no longer counted (its claim released) nor billed (usage stops now), and its request ends if nothing else runs.</summary>
    private async Task LoseAsync(VmRecord vm, FacilityTarget facility, DateTime now, CancellationToken cancellationToken)
    {
        var request = await db.Requests.Include(r => r.Vms).FirstAsync(r => r.Id == vm.RequestId, cancellationToken);
        vm = request.Vms.Single(v => v.Id == vm.Id);
        await Placement.ReleaseClaimAsync(quota, vm.ClaimId!.Value, "lost", cancellationToken);
        (vm.Status, vm.LostAt, vm.DecommissionedAt) = (VmStatus.Lost, now, now);
        (vm.TargetSize, vm.ResizeGrown, vm.ResizeAskedAt) = (null, false, null);
        db.AddToOutbox(new VmDecommissioned(vm.Id, request.Id, vm.AgencyId, vm.AgencyStateCode, facility.FacilityId, request.FacilityStateCode!,
            vm.Size.ToList(), vm.ActivatedAt ?? now, now), now);
        if (request.Status == RequestStatus.Active && request.Vms.All(v => v.Status is VmStatus.Decommissioned or VmStatus.Removed or VmStatus.Lost))
        {
            db.MoveTo(request, RequestStatus.Decommissioned, "toutes les VM sont perdues ou décommissionnées.", "every VM is lost or decommissioned.", now);
        }
        await FindAsync([], facility, FindingKind.Lost, vm.Id, vm.ServerId, vm.AgencyId,
            $"le serveur de la VM {vm.Name} a disparu de {facility.FacilityCode} sans que la place de marché le demande : la VM est perdue, sa facturation s'arrête à {now:yyyy-MM-dd HH:mm:ss} UTC.",
            $"the server of VM {vm.Name} is gone from {facility.FacilityCode} without the marketplace asking: the VM is lost, its billing stops at {now:yyyy-MM-dd HH:mm:ss} UTC.",
            now, cancellationToken);
    }

    /// <summary>Records the finding unless it is already open; returns its id.</summary>
    private async Task<long> FindAsync(List<ReconciliationFinding> open, FacilityTarget facility, FindingKind kind, Guid? vmId, string? serverId, Guid? agencyId,
        string detailFr, string detailEn, DateTime now, CancellationToken cancellationToken)
    {
        if (open.FirstOrDefault(f => f.Kind == kind && f.VmId == vmId && f.ServerId == serverId) is { } existing)
        {
            return existing.Id;
        }
        var finding = new ReconciliationFinding
        {
            FacilityId = facility.FacilityId, FacilityCode = facility.FacilityCode, Kind = kind, VmId = vmId, ServerId = serverId, AgencyId = agencyId,
            DetailFr = detailFr, DetailEn = detailEn, FoundAt = now,
        };
        db.Findings.Add(finding);
        db.AddToOutbox(new FacilityDifferenceFound(facility.FacilityId, facility.FacilityCode, kind.Code(), vmId, serverId, agencyId, detailFr, detailEn, now), now);
        await db.SaveChangesAsync(cancellationToken);
        // The trail keeps its own transaction and context: the pass's tracked VMs stay as they are.
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuditTrail<ProvisioningDbContext>>().AppendAsync(new AuditRecord("provisioning", "réconciliation / reconciliation", "", "Reconciliation/" + kind.Code(),
            JsonSerializer.Serialize(new { facility = facility.FacilityCode, vmId, serverId, detail = detailEn }), "facility-monitor"), cancellationToken);
        LogFinding(facility.FacilityCode, kind.Code(), detailEn);
        return finding.Id;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciliation of {Facility} skipped: {Reason}")]
    private partial void LogUnreachable(string facility, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciliation of {Facility} found {Kind}: {Detail}")]
    private partial void LogFinding(string facility, string kind, string detail);
}
