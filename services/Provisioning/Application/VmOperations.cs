namespace Aes.Provisioning.Application;

/// <summary>An agency's VMs, and their decommissioning (carried out by the workflow).</summary>
public sealed class VmOperations(ProvisioningDbContext db, Access access, WorkflowSignal signal, TimeProvider clock)
{
    public async Task<IReadOnlyList<VmRecord>> ListAsync(Guid agencyId, bool includeEnded, CancellationToken cancellationToken)
    {
        var query = db.Vms.AsNoTracking().Where(v => v.AgencyId == agencyId && v.FacilityId != null);
        query = includeEnded ? query : query.Where(v => v.Status != VmStatus.Decommissioned && v.Status != VmStatus.Removed);
        return await query.OrderBy(v => v.Name).ToListAsync(cancellationToken);
    }

    public Task<VmRecord> DecommissionAsync(Guid vmId, Guid actor, string reason, CancellationToken cancellationToken) =>
        DecisionRetry.OnFreshRowsAsync(db, "Vm", () => DecommissionOnceAsync(vmId, actor, reason, cancellationToken));

    /// <summary>Asks for a new size; the workflow takes it from quota, then from the facility.</summary>
    public Task<VmRecord> ResizeAsync(Guid vmId, Guid actor, long vcpu, long memoryGib, long diskGib, CancellationToken cancellationToken) =>
        DecisionRetry.OnFreshRowsAsync(db, "Vm", () => ResizeOnceAsync(vmId, actor, vcpu, memoryGib, diskGib, cancellationToken));

    private async Task<VmRecord> DecommissionOnceAsync(Guid vmId, Guid actor, string reason, CancellationToken cancellationToken)
    {
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, cancellationToken) ?? throw new NotFoundException("Vm", vmId.ToString());
        await RequireConcernedAsync(vm, actor, cancellationToken);
        await RequireActiveRequestAsync(vm, cancellationToken);
        if (vm.Status is VmStatus.Decommissioning or VmStatus.Decommissioned)
        {
            return vm; // asked twice: once is enough
        }
        if (vm.Status != VmStatus.Active)
        {
            throw new RuleViolationException(new(
                $"La VM est {vm.Status.Code()} : seule une VM active se décommissionne.", $"The VM is {vm.Status.Code()}: only an active VM is decommissioned."));
        }
        vm.Status = VmStatus.Decommissioning;
        vm.DecommissionReason = reason;
        await HandToWorkflowAsync(vm, cancellationToken);
        return vm;
    }

    private async Task<VmRecord> ResizeOnceAsync(Guid vmId, Guid actor, long vcpu, long memoryGib, long diskGib, CancellationToken cancellationToken)
    {
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, cancellationToken) ?? throw new NotFoundException("Vm", vmId.ToString());
        await RequireConcernedAsync(vm, actor, cancellationToken);
        await RequireActiveRequestAsync(vm, cancellationToken);
        if (vm.Status != VmStatus.Active)
        {
            throw new RuleViolationException(new(
                $"La VM est {vm.Status.Code()} : seule une VM active change de taille.", $"The VM is {vm.Status.Code()}: only an active VM is resized."));
        }
        if ((vm.Vcpu, vm.MemoryGib, vm.DiskGib) == (vcpu, memoryGib, diskGib))
        {
            return vm;
        }
        if (diskGib < vm.DiskGib)
        {
            throw new InvalidFieldException("disk_gib", new(
                $"un disque ne rétrécit pas ({vm.DiskGib} Gio aujourd'hui).", $"a disk does not shrink ({vm.DiskGib} GiB today)."));
        }
        (vm.TargetVcpu, vm.TargetMemoryGib, vm.TargetDiskGib, vm.ResizeRefusedReason) = (vcpu, memoryGib, diskGib, null);
        vm.Status = VmStatus.Resizing;
        await HandToWorkflowAsync(vm, cancellationToken);
        return vm;
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
