using Aes.Contracts;
using Aes.Contracts.Provisioning;
using Aes.Provisioning.Drivers;
using Grpc.Core;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.Provisioning.Application;

/// <summary>
/// The durable workflow of a hosting request. Its state is the request row; each step reads it, acts
/// on quota and the facility with ids fixed beforehand (so a repeated step has the effect of one),
/// saves the next state with its events in one transaction, and says when to look again. A crash at any
/// point leaves a state from which the same step is simply taken again.
/// </summary>
public sealed partial class Workflow(
    ProvisioningDbContext db, Placement placement, AutoApproval autoApproval, FacilityDrivers drivers, FacilityCatalogues catalogues, Firewalls firewalls,
    Q.QuotaService.QuotaServiceClient quota, StepLease lease, ProvisioningSettings settings, TimeProvider clock, ILogger<Workflow> logger)
{
    public async Task StepAsync(Guid requestId, CancellationToken cancellationToken)
    {
        var request = await db.Requests.Include(r => r.Vms).FirstAsync(r => r.Id == requestId, cancellationToken);
        if (lease.Token is { } token && request.LeaseToken != token)
        {
            throw new LeaseLostException(requestId); // taken from this runner between its lease and its read
        }
        using var step = ProvisioningTelemetry.StartStep(request);
        var now = clock.GetUtcNow().UtcDateTime;
        // The step stays due until it is done: a crash between two of its saves leaves it to be taken again.
        var due = request.NextStepAt;
        request.LeasedUntil = now + settings.StepLease;
        switch (request.Status)
        {
            case RequestStatus.Submitted or RequestStatus.WaitingForCapacity when now >= request.Deadline:
                await placement.ReleaseUnfinishedAttemptAsync(request, cancellationToken);
                db.MoveTo(request, RequestStatus.Expired, "l'échéance est passée avant qu'un centre ait la place.", "the deadline passed before any facility had room.", now);
                break;
            case RequestStatus.Submitted or RequestStatus.WaitingForCapacity:
                if (await placement.PlaceAsync(request, cancellationToken))
                {
                    await autoApproval.ApplyAsync(request, now, cancellationToken);
                }
                break;
            case RequestStatus.AwaitingApproval when request.HoldsExpireAt <= now:
                request.CleanupPending = true;
                db.MoveTo(request, RequestStatus.Expired, "l'approbation n'a pas été donnée avant l'expiration des réservations.",
                    "approval was not given before the holds expired.", now);
                break;
            case RequestStatus.AwaitingApproval when request.NextStepAt != request.HoldsExpireAt:
                request.NextStepAt = request.HoldsExpireAt;
                break;
            case RequestStatus.Approved or RequestStatus.Provisioning:
                await ProvisionAsync(request, now, cancellationToken);
                break;
            case RequestStatus.Active:
                await ChangePowerAsync(request, now, cancellationToken);
                await ResizeAsync(request, now, cancellationToken);
                await DecommissionAsync(request, now, cancellationToken);
                break;
        }
        if (request.CleanupPending)
        {
            await CleanUpAsync(request, now, cancellationToken);
        }
        if (request.NextStepAt == due)
        {
            request.NextStepAt = null; // done, and nothing else scheduled
        }
        (request.LeasedUntil, request.LeaseToken) = (null, null);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Saves a step's progress and keeps the lease on its request.</summary>
    private Task SaveProgressAsync(HostingRequest request, CancellationToken cancellationToken)
    {
        request.LeasedUntil = clock.GetUtcNow().UtcDateTime + settings.StepLease;
        return db.SaveChangesAsync(cancellationToken);
    }

    private static FacilityTarget FacilityOf(HostingRequest request) => new(request.FacilityId!.Value, request.FacilityCode!);

    /// <summary>Comes back to the request when the facility has had time to move (a build, a resize, a removal under way).</summary>
    private void LookAgainSoon(HostingRequest request, DateTime now) => request.NextStepAt = now + settings.FacilityPollInterval;

    /// <summary>
    /// Asks the facility for every VM, then comes back until all are built; only then are their claims committed and their
    /// usage started, so a request is delivered whole or undone whole: one VM in error, or still building past
    /// <see cref="ProvisioningSettings.BuildTimeout"/>, fails the request, which compensates, and nothing of it was billed.
    /// A facility that cannot be reached leaves the step to be taken again.
    /// </summary>
    private async Task ProvisionAsync(HostingRequest request, DateTime now, CancellationToken cancellationToken)
    {
        if (request.Status == RequestStatus.Approved)
        {
            db.MoveTo(request, RequestStatus.Provisioning, "création des VM en cours.", "creating the VMs.", now);
            await SaveProgressAsync(request, cancellationToken);
        }
        var facility = FacilityOf(request);
        var building = false;
        var built = new List<VmRecord>();
        try
        {
            var driver = await drivers.ForAsync(facility, cancellationToken);
            var firewall = await firewalls.EffectiveRulesAsync(request.ProjectId, cancellationToken);
            foreach (var vm in request.Vms.Where(v => v.Status is VmStatus.Held or VmStatus.Creating))
            {
                if (vm.Status == VmStatus.Held)
                {
                    vm.Status = VmStatus.Creating;
                    await SaveProgressAsync(request, cancellationToken);
                }
                var (flavour, image) = await catalogues.NativeIdsAsync(facility, vm.Size, vm.Flavour, vm.Image, cancellationToken);
                var keys = request.SshPublicKeys?.Split('\n') ?? [];
                await lease.HoldAsync(cancellationToken);
                var server = await driver.EnsureCreatedAsync(
                    new FacilityVmSpec(vm.Id, facility, vm.Name, vm.Size, flavour, image, vm.AgencyId, request.Id, keys, request.UserData,
                        request.ProjectId, firewall),
                    cancellationToken);
                (vm.ServerId, vm.Addresses, vm.PublicAddress) = (server.ServerId, Addresses(server), server.PublicAddress ?? vm.PublicAddress);
                // The build's time runs from when the facility took it: an outage before that (Keystone down) only delays it.
                vm.BuildDeadline ??= now + settings.BuildTimeout;
                switch (server.State)
                {
                    case ServerState.Active when vm.Size.HasPublicAddress() && vm.PublicAddress is null:
                        building = true; // its public address comes once it runs
                        break;
                    case ServerState.Active:
                        built.Add(vm);
                        break;
                    case ServerState.Error:
                        throw new FacilityDriverException($"{request.FacilityCode} could not build {vm.Name}: {server.Fault}");
                    case var _ when now >= vm.BuildDeadline:
                        throw new FacilityDriverException(
                            $"{vm.Name} is still {server.State.ToString().ToLowerInvariant()} in {request.FacilityCode} after {settings.BuildTimeout}: the facility is stuck");
                    default:
                        building = true;
                        break;
                }
            }
            // None is activated before all are built: a request is delivered whole, or undone whole and never billed.
            if (!building)
            {
                foreach (var vm in built)
                {
                    await lease.HoldAsync(cancellationToken);
                    await quota.CommitAsync(new Q.ClaimIdRequest { ClaimId = vm.ClaimId!.Value.ToString() }, cancellationToken: cancellationToken);
                    var activatedAt = clock.GetUtcNow().UtcDateTime;
                    vm.Status = VmStatus.Active;
                    vm.ActivatedAt = activatedAt;
                    db.AddToOutbox(new VmActivated(vm.Id, request.Id, vm.AgencyId, vm.AgencyStateCode, request.FacilityId!.Value, request.FacilityStateCode!,
                        vm.Size.ToList(), activatedAt), activatedAt);
                    await SaveProgressAsync(request, cancellationToken); // each VM's activation is durable on its own
                }
            }
        }
        catch (Exception exception) when (exception is FacilityDriverException { Fault: FacilityFault.Refused } || exception is RpcException { StatusCode: StatusCode.FailedPrecondition })
        {
            LogProvisioningFailed(exception, request.Id);
            request.CleanupPending = true;
            var detail = exception is RpcException rpc ? rpc.Status.Detail : exception.Message;
            db.MoveTo(request, RequestStatus.Failed, $"échec de la création des VM : {detail}", $"creating the VMs failed: {detail}", clock.GetUtcNow().UtcDateTime);
            return;
        }
        if (building)
        {
            LookAgainSoon(request, now);
            return;
        }
        await firewalls.RecordAsync(request.ProjectId, facility, FirewallRules.Digest(await firewalls.EffectiveRulesAsync(request.ProjectId, cancellationToken)),
            null, cancellationToken);
        var active = clock.GetUtcNow().UtcDateTime;
        db.MoveTo(request, RequestStatus.Active, "les VM sont actives.", "the VMs are active.", active);
        ProvisioningTelemetry.RecordActive(request, active);
    }

    private static string Addresses(FacilityServer server)
    {
        var joined = string.Join(",", server.Addresses);
        return joined.Length <= 500 ? joined : joined[..500];
    }

    /// <summary>
    /// Resizes the VMs asked for in three moves, each repeatable after a crash: quota grows the claim to
    /// the larger of the two sizes per class (the only move that can be refused), the facility resizes
    /// the VM (asked, confirmed, or reverted when it cannot be confirmed), and quota shrinks the claim to
    /// the new size. Undoing after a facility's refusal is then a pure shrink, which quota cannot refuse.
    /// <see cref="VmRecord.ResizeGrown"/> records the first move, <see cref="VmRecord.ResizeAskedAt"/> the second's start.
    /// </summary>
    private async Task ResizeAsync(HostingRequest request, DateTime now, CancellationToken cancellationToken)
    {
        var facility = FacilityOf(request);
        var driver = await drivers.ForAsync(facility, cancellationToken);
        var underWay = false;
        foreach (var vm in request.Vms.Where(v => v.Status == VmStatus.Resizing))
        {
            var (target, old) = (vm.TargetSize!, vm.Size);
            if (!vm.ResizeGrown)
            {
                try
                {
                    await ResizeClaimAsync(vm, old.Combine(target, Math.Max), cancellationToken);
                }
                catch (RpcException exception) when (exception.StatusCode is StatusCode.ResourceExhausted or StatusCode.FailedPrecondition)
                {
                    RefuseResize(vm, exception.Status.Detail);
                    await SaveProgressAsync(request, cancellationToken);
                    continue;
                }
                vm.ResizeGrown = true;
                vm.ResizeAskedAt ??= now;
                await SaveProgressAsync(request, cancellationToken);
            }
            ResizeProgress progress;
            try
            {
                var (flavour, _) = await catalogues.NativeIdsAsync(facility, target, null, vm.Image, cancellationToken);
                await lease.HoldAsync(cancellationToken);
                progress = await driver.EnsureResizedAsync(facility, vm.Id, target.ServerShape(), flavour, vm.ResizeAskedAt ?? now, cancellationToken);
            }
            catch (FacilityDriverException exception) when (exception.Fault == FacilityFault.Refused)
            {
                progress = ResizeProgress.Failed(exception.Message);
            }
            if (!progress.Done)
            {
                underWay = true;
                continue;
            }
            if (progress.FailedReason is { } reason)
            {
                await ResizeClaimAsync(vm, old, cancellationToken);
                RefuseResize(vm, reason);
                await SaveProgressAsync(request, cancellationToken);
                continue;
            }
            await ResizeClaimAsync(vm, target, cancellationToken);
            var at = clock.GetUtcNow().UtcDateTime;
            vm.Size = target;
            (vm.TargetSize, vm.ResizeGrown, vm.ResizeAskedAt) = (null, false, null);
            vm.Status = VmStatus.Active;
            db.AddToOutbox(new VmResized(vm.Id, vm.AgencyId, vm.AgencyStateCode, request.FacilityId!.Value, request.FacilityStateCode!,
                old.ToList(), vm.Size.ToList(), at), at);
            await SaveProgressAsync(request, cancellationToken);
        }
        if (underWay)
        {
            LookAgainSoon(request, now);
        }
    }

    /// <summary>
    /// Stops, starts or reboots the VMs asked for: the facility is asked once (<see cref="VmRecord.PowerAskedAt"/> records it), then
    /// read until the server is where it was asked to go. A facility's refusal, a server in error, or a change unfinished after
    /// <see cref="ProvisioningSettings.BuildTimeout"/> leaves the VM as it was, with the reason. Billing is unchanged: a stopped VM keeps
    /// its allocation, and allocation is what is billed.
    /// </summary>
    private async Task ChangePowerAsync(HostingRequest request, DateTime now, CancellationToken cancellationToken)
    {
        var changing = request.Vms.Where(v => v.Status is VmStatus.Stopping or VmStatus.Starting or VmStatus.Rebooting).ToList();
        if (changing.Count == 0)
        {
            return;
        }
        var facility = FacilityOf(request);
        var driver = await drivers.ForAsync(facility, cancellationToken);
        var underWay = false;
        foreach (var vm in changing)
        {
            var (before, after, wanted) = vm.Status switch
            {
                VmStatus.Stopping => (VmStatus.Active, VmStatus.Stopped, ServerState.Stopped),
                VmStatus.Starting => (VmStatus.Stopped, VmStatus.Active, ServerState.Active),
                _ => (VmStatus.Active, VmStatus.Active, ServerState.Active),
            };
            FacilityServer? server;
            if (vm.PowerAskedAt is null)
            {
                await lease.HoldAsync(cancellationToken);
                try
                {
                    server = vm.PowerAction switch
                    {
                        PowerAction.Stop => await driver.StopAsync(facility, vm.Id, cancellationToken),
                        PowerAction.Start => await driver.StartAsync(facility, vm.Id, cancellationToken),
                        var action => await driver.RebootAsync(facility, vm.Id, action == PowerAction.HardReboot, cancellationToken),
                    };
                }
                catch (FacilityDriverException exception) when (exception.Fault == FacilityFault.Refused)
                {
                    // Asked before a crash (or before a save that lost a race), the facility refuses a second ask while it is
                    // on its way or already there: then it was asked, not refused, and the reading below says when it is done.
                    server = await driver.FindAsync(facility, vm.Id, cancellationToken);
                    var onItsWay = vm.Status switch
                    {
                        VmStatus.Stopping => server?.State is ServerState.Stopping or ServerState.Stopped,
                        VmStatus.Starting => server?.State is ServerState.Starting or ServerState.Active,
                        _ => server?.State is ServerState.Rebooting or ServerState.Active,
                    };
                    if (!onItsWay)
                    {
                        EndPowerChange(vm, before, exception.Message);
                        await SaveProgressAsync(request, cancellationToken);
                        continue;
                    }
                }
                vm.PowerAskedAt = now;
                await SaveProgressAsync(request, cancellationToken);
                server = await driver.FindAsync(facility, vm.Id, cancellationToken);
            }
            else
            {
                server = await driver.FindAsync(facility, vm.Id, cancellationToken);
            }
            switch (server)
            {
                case null:
                    EndPowerChange(vm, before, $"the server of {vm.Name} is no longer in {request.FacilityCode}");
                    break;
                case { State: ServerState.Error }:
                    EndPowerChange(vm, before, $"{request.FacilityCode} put {vm.Name} in error: {server.Fault}");
                    break;
                case var _ when server.State == wanted:
                    vm.Addresses = Addresses(server);
                    EndPowerChange(vm, after, null);
                    break;
                case var _ when now - vm.PowerAskedAt >= settings.BuildTimeout:
                    EndPowerChange(vm, before, $"{vm.Name} is still {server.State.ToString().ToLowerInvariant()} in {request.FacilityCode} after {settings.BuildTimeout}");
                    break;
                default:
                    underWay = true;
                    continue;
            }
            await SaveProgressAsync(request, cancellationToken);
        }
        if (underWay)
        {
            LookAgainSoon(request, now);
        }
    }

    private static void EndPowerChange(VmRecord vm, VmStatus status, string? refusedReason)
    {
        vm.Status = status;
        vm.PowerAskedAt = null;
        vm.PowerRefusedReason = refusedReason is null ? null : refusedReason.Length <= 1000 ? refusedReason : refusedReason[..1000];
    }

    /// <summary>The VM's claim at <paramref name="size"/>, every class.</summary>
    private async Task ResizeClaimAsync(VmRecord vm, ResourceVector size, CancellationToken cancellationToken)
    {
        await lease.HoldAsync(cancellationToken);
        await quota.ResizeAsync(new Q.ResizeRequest { ClaimId = vm.ClaimId!.Value.ToString(), AmountsByClass = { QuotaAmounts.Of(size) } },
            cancellationToken: cancellationToken);
    }

    private static void RefuseResize(VmRecord vm, string reason)
    {
        vm.ResizeRefusedReason = reason.Length <= 1000 ? reason : reason[..1000];
        (vm.TargetSize, vm.ResizeGrown, vm.ResizeAskedAt) = (null, false, null);
        vm.Status = VmStatus.Active;
    }

    /// <summary>
    /// Removes the VMs marked for decommissioning: once the facility has none left of one, its claim is freed and its
    /// usage stops; the request ends when none is left.
    /// </summary>
    private async Task DecommissionAsync(HostingRequest request, DateTime now, CancellationToken cancellationToken)
    {
        var facility = FacilityOf(request);
        var driver = await drivers.ForAsync(facility, cancellationToken);
        var underWay = false;
        foreach (var vm in request.Vms.Where(v => v.Status == VmStatus.Decommissioning))
        {
            await lease.HoldAsync(cancellationToken);
            if (!await driver.EnsureDeletedAsync(facility, vm.Id, cancellationToken))
            {
                underWay = true;
                continue;
            }
            await lease.HoldAsync(cancellationToken);
            await Placement.ReleaseClaimAsync(quota, vm.ClaimId!.Value, vm.DecommissionReason ?? "decommissioned", cancellationToken);
            var at = clock.GetUtcNow().UtcDateTime;
            vm.Status = VmStatus.Decommissioned;
            vm.DecommissionedAt = at;
            db.AddToOutbox(new VmDecommissioned(vm.Id, request.Id, vm.AgencyId, vm.AgencyStateCode, request.FacilityId!.Value, request.FacilityStateCode!,
                vm.Size.ToList(), vm.ActivatedAt ?? at, at), at);
            // Its snapshots went with its server: their storage is no longer billed.
            foreach (var snapshot in await db.Snapshots.Where(x => x.VmId == vm.Id && x.Status != SnapshotStatus.Removed).ToListAsync(cancellationToken))
            {
                (snapshot.Status, snapshot.RemovedAt) = (SnapshotStatus.Removed, at);
                db.AddToOutbox(new VmSnapshotRemoved(snapshot.Id, vm.Id, snapshot.AgencyId, snapshot.AgencyStateCode, snapshot.FacilityId, snapshot.FacilityStateCode,
                    snapshot.SizeGib, snapshot.TakenAt, at), at);
            }
            await SaveProgressAsync(request, cancellationToken);
        }
        if (underWay)
        {
            LookAgainSoon(request, now);
            return;
        }
        await ReleaseProjectNetworkIfUnusedAsync(request, facility, driver, cancellationToken);
        if (request.Vms.All(v => v.Status is VmStatus.Decommissioned or VmStatus.Removed or VmStatus.Lost))
        {
            db.MoveTo(request, RequestStatus.Decommissioned, "toutes les VM sont décommissionnées.", "every VM is decommissioned.", clock.GetUtcNow().UtcDateTime);
        }
    }

    /// <summary>
    /// Compensation: gives every claim back, stops the usage of what billing saw start, and removes what a facility
    /// built; it comes back until the facility has removed every server.
    /// </summary>
    private async Task CleanUpAsync(HostingRequest request, DateTime now, CancellationToken cancellationToken)
    {
        var facility = request.FacilityCode is null ? null : FacilityOf(request);
        var driver = facility is null ? null : await drivers.ForAsync(facility, cancellationToken);
        var removing = false;
        foreach (var vm in request.Vms.Where(v => v.Status is not (VmStatus.Removed or VmStatus.Decommissioned or VmStatus.Lost)))
        {
            await lease.HoldAsync(cancellationToken);
            if (vm.ClaimId is { } claimId)
            {
                await Placement.ReleaseClaimAsync(quota, claimId, request.Status.Code(), cancellationToken);
            }
            if (vm.ActivatedAt is not null && vm.DecommissionedAt is null)
            {
                // Billing saw it start: it must see it stop.
                var at = clock.GetUtcNow().UtcDateTime;
                db.AddToOutbox(new VmDecommissioned(vm.Id, request.Id, vm.AgencyId, vm.AgencyStateCode, request.FacilityId!.Value,
                    request.FacilityStateCode!, vm.Size.ToList(), vm.ActivatedAt ?? at, at), at);
                vm.DecommissionedAt = at;
            }
            // Whatever the record says, the facility may hold the VM (a crash can fall between its creation and our save).
            await lease.HoldAsync(cancellationToken);
            if (driver is not null && vm.FacilityId is not null && !await driver.EnsureDeletedAsync(facility!, vm.Id, cancellationToken))
            {
                removing = true;
                continue;
            }
            vm.Status = VmStatus.Removed;
        }
        request.CleanupPending = removing;
        if (removing)
        {
            LookAgainSoon(request, now);
        }
        else if (driver is not null)
        {
            await ReleaseProjectNetworkIfUnusedAsync(request, facility!, driver, cancellationToken);
        }
    }

    /// <summary>
    /// Once the project has no VM left in the facility (none held, building, running or leaving), its network and security group
    /// there go too. A facility that still sees a server on them keeps them; the next VM of the project uses them again.
    /// </summary>
    private async Task ReleaseProjectNetworkIfUnusedAsync(HostingRequest request, FacilityTarget facility, IFacilityDriver driver, CancellationToken cancellationToken)
    {
        var others = await db.Vms.AnyAsync(v => v.FacilityId == facility.FacilityId
            && v.Status != VmStatus.Decommissioned && v.Status != VmStatus.Removed && v.Status != VmStatus.Lost && v.Status != VmStatus.Pending
            && db.Requests.Any(r => r.Id == v.RequestId && r.ProjectId == request.ProjectId), cancellationToken);
        if (others)
        {
            return;
        }
        await lease.HoldAsync(cancellationToken);
        if (!await driver.RemoveProjectNetworkAsync(facility, request.ProjectId, cancellationToken))
        {
            return;
        }
        await db.FirewallApplications.Where(a => a.ProjectId == request.ProjectId && a.FacilityId == facility.FacilityId).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: provisioning failed, compensating")]
    private partial void LogProvisioningFailed(Exception exception, Guid requestId);
}

/// <summary>Runs the due workflow steps, one request at a time, woken by a signal or every poll interval.</summary>
public sealed partial class WorkflowRunner(
    IServiceScopeFactory scopes, WorkflowSignal signal, ProvisioningSettings settings, TimeProvider clock, ILogger<WorkflowRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await RunDueStepsAsync(stoppingToken) > 0)
                {
                }
                await signal.WaitAsync(settings.WorkflowPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogRunnerFailed(exception);
                try { await Task.Delay(settings.StepRetryDelay, stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Takes every step that is due now, up to <see cref="ProvisioningSettings.WorkflowConcurrency"/> at once; returns how many it took.</summary>
    public async Task<int> RunDueStepsAsync(CancellationToken cancellationToken)
    {
        var concurrency = Math.Max(1, settings.WorkflowConcurrency ?? 1);
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var now = clock.GetUtcNow().UtcDateTime;
            due = await scope.ServiceProvider.GetRequiredService<ProvisioningDbContext>().Requests.AsNoTracking()
                .Where(r => r.NextStepAt != null && r.NextStepAt <= now && (r.LeasedUntil == null || r.LeasedUntil < now))
                .OrderBy(r => r.NextStepAt).Select(r => r.Id).Take(Math.Max(50, concurrency * 4)).ToListAsync(cancellationToken);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (requestId, token) => await StepOneAsync(requestId, token));
        return due.Count;
    }

    private async Task StepOneAsync(Guid requestId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var lease = scope.ServiceProvider.GetRequiredService<StepLease>();
        if (!await lease.TakeAsync(requestId, cancellationToken))
        {
            return; // another runner (another replica) has it
        }
        try
        {
            await using var kept = lease.KeepAlive(cancellationToken);
            await scope.ServiceProvider.GetRequiredService<Workflow>().StepAsync(requestId, kept.Token);
        }
        catch (Exception exception) when (lease.Lost || exception is LeaseLostException)
        {
            // Another runner holds the step now: whatever this one was doing, it leaves it all to that one.
            LogStepAbandoned(exception, requestId);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another writer (an approval, a wake-up) moved it first: give the lease back, read it afresh next time.
            await lease.ReleaseAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is RpcException or DbUpdateException or FacilityDriverException or HttpRequestException
            || Aes.ServiceDefaults.Errors.DatabaseOutage.Is(exception))
        {
            LogStepFailed(exception, requestId);
            await lease.PostponeAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The workflow runner failed; it starts again shortly")]
    private partial void LogRunnerFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: step failed, tried again shortly")]
    private partial void LogStepFailed(Exception exception, Guid requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: this runner lost the step's lease and left the step to the runner that holds it")]
    private partial void LogStepAbandoned(Exception exception, Guid requestId);
}
