using Aes.Contracts;
using Aes.ServiceDefaults.Paging;
using Aes.Provisioning.Drivers;

namespace Aes.Provisioning.Application;

/// <summary>An agency's VMs, their power, size and decommissioning (each carried out by the workflow).</summary>
public sealed class VmOperations(ProvisioningDbContext db, Access access, FacilityDrivers drivers, WorkflowSignal signal, TimeProvider clock)
{
    public const int MaxSnapshotsPerVm = 10;

    /// <summary>
    /// Takes a snapshot of an active or stopped VM, for its requester or an administrator of its agency. The caller's
    /// <paramref name="snapshotId"/> makes a retry the same snapshot. Billing meters it per GiB-month from now (its VM's disk).
    /// </summary>
    public async Task<SnapshotRecord> TakeSnapshotAsync(Guid vmId, Guid actor, Guid snapshotId, string name, CancellationToken cancellationToken)
    {
        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == vmId, cancellationToken) ?? throw new NotFoundException("Vm", vmId.ToString());
        await RequireOwnerAsync(vm, actor, new(
            "Seuls le demandeur de la VM et les administrateurs de son organisme en prennent un instantané.",
            "Only the VM's requester and its agency's administrators take a snapshot of it."), cancellationToken);
        if (await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(x => x.Id == snapshotId, cancellationToken) is { } known)
        {
            return known.VmId == vmId
                ? known
                : throw new InvalidFieldException("snapshot_id", new("déjà utilisé pour une autre VM.", "already used for another VM."));
        }
        await RequireActiveRequestAsync(vm, cancellationToken);
        if (vm.Status is not (VmStatus.Active or VmStatus.Stopped) || vm.FacilityId is not { } facilityId)
        {
            throw new RuleViolationException(new($"La VM est {vm.Status.Code()} : seule une VM active ou éteinte se photographie.",
                $"The VM is {vm.Status.Code()}: only an active or stopped VM is snapshotted."));
        }
        if (await db.Snapshots.CountAsync(x => x.VmId == vmId && x.Status != SnapshotStatus.Removed, cancellationToken) >= MaxSnapshotsPerVm)
        {
            throw new RuleViolationException(new($"{MaxSnapshotsPerVm} instantanés au plus par VM.", $"at most {MaxSnapshotsPerVm} snapshots per VM."));
        }
        var facility = new FacilityTarget(facilityId, vm.FacilityCode!);
        FacilitySnapshot taken;
        try
        {
            taken = await (await drivers.ForAsync(facility, cancellationToken)).TakeSnapshotAsync(facility, vmId, snapshotId, name, cancellationToken);
        }
        catch (FacilityDriverException exception)
        {
            throw new RuleViolationException(new($"{vm.FacilityCode} ne prend pas l'instantané : {exception.Message}",
                $"{vm.FacilityCode} does not take the snapshot: {exception.Message}"));
        }
        var exact = clock.GetUtcNow().UtcDateTime;
        var now = exact.AddTicks(-(exact.Ticks % 10)); // PostgreSQL keeps microseconds: a repeat answers the very same instant
        var snapshot = new SnapshotRecord
        {
            Id = snapshotId, VmId = vmId, AgencyId = vm.AgencyId, AgencyStateCode = vm.AgencyStateCode, FacilityId = facilityId, FacilityCode = vm.FacilityCode!,
            FacilityStateCode = vm.FacilityStateCode!, Name = name, SizeGib = vm.Size[ResourceClasses.StorageGib], Status = StatusOf(taken), ImageId = taken.ImageId, TakenBy = actor, TakenAt = now,
        };
        db.Snapshots.Add(snapshot);
        db.AddToOutbox(new Aes.Contracts.Provisioning.VmSnapshotTaken(snapshotId, vmId, vm.AgencyId, vm.AgencyStateCode, facilityId, vm.FacilityStateCode!,
            vm.Size[ResourceClasses.StorageGib], now), now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (Aes.Messaging.Persistence.DatabaseErrors.IsUniqueViolation(exception, "vm_snapshots"))
        {
            db.ChangeTracker.Clear(); // the same snapshot asked twice at once: the first answer
            return await db.Snapshots.AsNoTracking().SingleAsync(x => x.Id == snapshotId, cancellationToken);
        }
        return snapshot;
    }

    /// <summary>One page of the VM's snapshots, newest first, with the state the facility gives those still being made.</summary>
    public async Task<(IReadOnlyList<SnapshotRecord> Snapshots, string NextPageToken)> ListSnapshotsAsync(Guid vmId, KeysetPage page, CancellationToken cancellationToken)
    {
        var query = db.Snapshots.Where(x => x.VmId == vmId);
        if (!page.IsFirst)
        {
            var (takenAt, id) = (page.Time(0), page.Guid(1));
            query = query.Where(x => x.TakenAt < takenAt || (x.TakenAt == takenAt && x.Id.CompareTo(id) < 0));
        }
        var (snapshots, next) = page.Cut(await query.OrderByDescending(x => x.TakenAt).ThenByDescending(x => x.Id).Take(page.Size + 1).ToListAsync(cancellationToken),
            x => [x.TakenAt, x.Id]);
        if (snapshots.FirstOrDefault(x => x.Status == SnapshotStatus.Creating) is { } creating)
        {
            var facility = new FacilityTarget(creating.FacilityId, creating.FacilityCode);
            try
            {
                var held = (await (await drivers.ForAsync(facility, cancellationToken)).ListSnapshotsAsync(facility, vmId, cancellationToken))
                    .ToDictionary(x => x.SnapshotId);
                foreach (var snapshot in snapshots.Where(x => x.Status == SnapshotStatus.Creating && held.ContainsKey(x.Id)))
                {
                    snapshot.Status = StatusOf(held[snapshot.Id]);
                }
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (FacilityDriverException)
            {
                // the facility cannot say now: the list shows what was last known
            }
        }
        return (snapshots, next);
    }

    private static SnapshotStatus StatusOf(FacilitySnapshot snapshot) => snapshot.Status switch
    {
        "available" => SnapshotStatus.Available,
        "error" => SnapshotStatus.Error,
        _ => SnapshotStatus.Creating,
    };

    /// <summary>Opens the VM's console at its facility, for its requester or an administrator of its agency (the audit trail records each opening).</summary>
    public async Task<(FacilityConsole Console, DateTime OpenedAt)> OpenConsoleAsync(Guid vmId, Guid actor, CancellationToken cancellationToken)
    {
        var vm = await db.Vms.AsNoTracking().FirstOrDefaultAsync(v => v.Id == vmId, cancellationToken) ?? throw new NotFoundException("Vm", vmId.ToString());
        await RequireOwnerAsync(vm, actor, new(
            "Seuls le demandeur de la VM et les administrateurs de son organisme ouvrent sa console.",
            "Only the VM's requester and its agency's administrators open its console."), cancellationToken);
        if (vm.Status != VmStatus.Active || vm.FacilityId is not { } facilityId)
        {
            throw new RuleViolationException(new($"La VM est {vm.Status.Code()} : seule une VM active a une console.",
                $"The VM is {vm.Status.Code()}: only an active VM has a console."));
        }
        var facility = new FacilityTarget(facilityId, vm.FacilityCode!);
        try
        {
            var console = await (await drivers.ForAsync(facility, cancellationToken)).OpenConsoleAsync(facility, vm.Id, cancellationToken);
            return (console, clock.GetUtcNow().UtcDateTime);
        }
        catch (FacilityDriverException exception)
        {
            throw new RuleViolationException(new($"{vm.FacilityCode} n'ouvre pas la console : {exception.Message}",
                $"{vm.FacilityCode} does not open the console: {exception.Message}"));
        }
    }

    /// <summary>An agency's placed VMs, the ended ones too if asked: the list's query, for the caller to filter and page.</summary>
    public IQueryable<VmRecord> Listed(Guid agencyId, bool includeEnded)
    {
        var query = db.Vms.AsNoTracking().Where(v => v.AgencyId == agencyId && v.FacilityId != null);
        return includeEnded ? query : query.Where(v => v.Status != VmStatus.Decommissioned && v.Status != VmStatus.Removed);
    }

    public Task<VmRecord> DecommissionAsync(Guid vmId, Guid actor, string reason, CancellationToken cancellationToken) =>
        DecisionRetry.OnFreshRowsAsync(db, "Vm", () => DecommissionOnceAsync(vmId, actor, reason, cancellationToken));

    /// <summary>Asks for a new size; the workflow takes it from quota, then from the facility.</summary>
    public Task<VmRecord> ResizeAsync(Guid vmId, Guid actor, SizeGiven size, CancellationToken cancellationToken) =>
        DecisionRetry.OnFreshRowsAsync(db, "Vm", () => ResizeOnceAsync(vmId, actor, size, cancellationToken));

    /// <summary>
    /// Stops, starts or reboots a VM, for its request's submitter or an administrator of its agency. The caller's
    /// <paramref name="operationId"/> makes a retry of the VM's latest operation the same operation; a new one that makes no
    /// sense in the VM's state (starting a running VM) is refused with the reason.
    /// </summary>
    public Task<VmRecord> ChangePowerAsync(Guid vmId, Guid actor, Guid operationId, PowerAction action, CancellationToken cancellationToken) =>
        DecisionRetry.OnFreshRowsAsync(db, "Vm", () => ChangePowerOnceAsync(vmId, actor, operationId, action, cancellationToken));

    private async Task<VmRecord> ChangePowerOnceAsync(Guid vmId, Guid actor, Guid operationId, PowerAction action, CancellationToken cancellationToken)
    {
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, cancellationToken) ?? throw new NotFoundException("Vm", vmId.ToString());
        await RequireOwnerAsync(vm, actor, new(
            "Seuls le demandeur de la VM et les administrateurs de son organisme peuvent l'arrêter, la démarrer ou la redémarrer.",
            "Only the VM's requester and its agency's administrators may stop, start or reboot it."), cancellationToken);
        if (vm.PowerOperationId == operationId)
        {
            if (vm.PowerAction != action)
            {
                throw new InvalidFieldException("operation_id", new(
                    "déjà utilisé pour une autre opération sur cette VM.", "already used for another operation on this VM."));
            }
            return vm; // the same operation, asked again
        }
        await RequireActiveRequestAsync(vm, cancellationToken);
        var (from, to) = action switch
        {
            PowerAction.Stop => (VmStatus.Active, VmStatus.Stopping),
            PowerAction.Start => (VmStatus.Stopped, VmStatus.Starting),
            _ => (VmStatus.Active, VmStatus.Rebooting),
        };
        if (vm.Status != from)
        {
            var (fr, en) = action switch
            {
                PowerAction.Stop => ("seule une VM active s'éteint", "only an active VM is stopped"),
                PowerAction.Start => ("seule une VM arrêtée démarre", "only a stopped VM is started"),
                _ => ("seule une VM active redémarre", "only an active VM is rebooted"),
            };
            throw new RuleViolationException(new($"La VM est {vm.Status.Code()} : {fr}.", $"The VM is {vm.Status.Code()}: {en}."));
        }
        (vm.Status, vm.PowerOperationId, vm.PowerAction, vm.PowerAskedAt, vm.PowerRefusedReason) = (to, operationId, action, null, null);
        await HandToWorkflowAsync(vm, cancellationToken);
        return vm;
    }

    private async Task<VmRecord> DecommissionOnceAsync(Guid vmId, Guid actor, string reason, CancellationToken cancellationToken)
    {
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, cancellationToken) ?? throw new NotFoundException("Vm", vmId.ToString());
        await RequireConcernedAsync(vm, actor, cancellationToken);
        await RequireActiveRequestAsync(vm, cancellationToken);
        if (vm.Status is VmStatus.Decommissioning or VmStatus.Decommissioned)
        {
            return vm; // asked twice: once is enough
        }
        if (vm.Status is not (VmStatus.Active or VmStatus.Stopped))
        {
            throw new RuleViolationException(new(
                $"La VM est {vm.Status.Code()} : seule une VM active ou éteinte se décommissionne.",
                $"The VM is {vm.Status.Code()}: only an active or stopped VM is decommissioned."));
        }
        vm.Status = VmStatus.Decommissioning;
        vm.DecommissionReason = reason;
        await HandToWorkflowAsync(vm, cancellationToken);
        return vm;
    }

    private async Task<VmRecord> ResizeOnceAsync(Guid vmId, Guid actor, SizeGiven given, CancellationToken cancellationToken)
    {
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, cancellationToken) ?? throw new NotFoundException("Vm", vmId.ToString());
        await RequireConcernedAsync(vm, actor, cancellationToken);
        await RequireActiveRequestAsync(vm, cancellationToken);
        if (vm.Status != VmStatus.Active)
        {
            throw new RuleViolationException(new(
                $"La VM est {vm.Status.Code()} : seule une VM active change de taille.", $"The VM is {vm.Status.Code()}: only an active VM is resized."));
        }
        var (size, named) = (given.Size, given.Named);
        // A GPU is a device of the host the VM runs on: another count means another host, not a resize. A flavour names
        // every class; a list keeps the VM's GPUs it leaves out.
        var (devices, held) = (size.Accelerators(), vm.Size.Accelerators());
        var accelerators = given.ByFlavour ? devices : ResourceVector.Of(held.NonZero().Where(a => !named.Contains(a.Class)).Concat(devices.NonZero()));
        if (accelerators != held)
        {
            var changed = held.Classes.Concat(accelerators.Classes).First(c => accelerators[c] != held[c]);
            throw new InvalidFieldException(given.FieldOf(changed), new(
                $"un changement de taille garde les accélérateurs de la VM ({held}).", $"a resize keeps the VM's accelerators ({held})."));
        }
        if (named.Contains(ResourceClasses.PublicIpv4) && size[ResourceClasses.PublicIpv4] != vm.Size[ResourceClasses.PublicIpv4])
        {
            throw new InvalidFieldException(given.FieldOf(ResourceClasses.PublicIpv4), new(
                "un changement de taille garde l'adresse publique de la VM, ou son absence.", "a resize keeps the VM's public address, or its absence."));
        }
        var target = vm.Size.Reshaped(size);
        if (target == vm.Size)
        {
            return vm;
        }
        var disk = vm.Size[ResourceClasses.StorageGib];
        if (target[ResourceClasses.StorageGib] < disk)
        {
            throw new InvalidFieldException(given.FieldOf(ResourceClasses.StorageGib), new(
                $"un disque ne rétrécit pas ({disk} Gio aujourd'hui).", $"a disk does not shrink ({disk} GiB today)."));
        }
        (vm.TargetSize, vm.ResizeRefusedReason) = (target, null);
        vm.Status = VmStatus.Resizing;
        await HandToWorkflowAsync(vm, cancellationToken);
        return vm;
    }

    /// <summary>Lets through the VM's requester (who submitted its request) and an administrator of its agency; anyone else gets <paramref name="refusal"/>.</summary>
    private async Task RequireOwnerAsync(VmRecord vm, Guid actor, BilingualMessage refusal, CancellationToken cancellationToken)
    {
        var submitter = await db.Requests.Where(r => r.Id == vm.RequestId).Select(r => r.SubmittedBy).SingleAsync(cancellationToken);
        if (!Access.OwnsOrAdministers(await access.RolesAsync(actor, cancellationToken), actor, submitter, vm.AgencyId))
        {
            throw new ForbiddenException(refusal);
        }
    }

    /// <summary>A VM changes only once its whole request is active: until then the workflow is still building it.</summary>
    private async Task RequireActiveRequestAsync(VmRecord vm, CancellationToken cancellationToken)
    {
        var status = await db.Requests.Where(r => r.Id == vm.RequestId).Select(r => r.Status).SingleAsync(cancellationToken);
        if (status != RequestStatus.Active)
        {
            throw new RuleViolationException(new(
                $"La demande de cette VM est {status.Code()} : ses VM changent une fois toutes actives.",
                $"This VM's request is {status.Code()}: its VMs change once all are active."));
        }
    }

    private async Task RequireConcernedAsync(VmRecord vm, Guid actor, CancellationToken cancellationToken)
    {
        var roles = await access.RolesAsync(actor, cancellationToken);
        if (!Access.ActsFor(roles, vm.AgencyId) && !Access.OperatesIn(roles, vm.AgencyStateCode) && !Access.OperatesIn(roles, vm.FacilityStateCode))
        {
            throw new ForbiddenException(new(
                "Seuls l'organisme et les opérateurs concernés peuvent agir sur cette VM.",
                "Only the agency and the operators concerned may act on this VM."));
        }
    }

    /// <summary>Saves the VM's new state and makes its request's next step due now, in one transaction.</summary>
    private async Task HandToWorkflowAsync(VmRecord vm, CancellationToken cancellationToken)
    {
        var request = await db.Requests.FirstAsync(r => r.Id == vm.RequestId, cancellationToken);
        request.NextStepAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
    }
}
