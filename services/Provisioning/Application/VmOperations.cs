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

    public async Task<VmRecord> DecommissionAsync(Guid vmId, Guid actor, string reason, CancellationToken cancellationToken)
    {
        var vm = await db.Vms.FirstOrDefaultAsync(v => v.Id == vmId, cancellationToken) ?? throw new NotFoundException("Vm", vmId.ToString());
        var roles = await access.RolesAsync(actor, cancellationToken);
        if (!Access.ActsFor(roles, vm.AgencyId) && !Access.OperatesIn(roles, vm.AgencyStateCode) && !Access.OperatesIn(roles, vm.FacilityStateCode))
        {
            throw new ForbiddenException(new(
                "Seuls l'organisme et les opérateurs concernés peuvent décommissionner cette VM.",
                "Only the agency and the operators concerned may decommission this VM."));
        }
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
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Requests.Where(r => r.Id == vm.RequestId).ExecuteUpdateAsync(set => set.SetProperty(r => r.NextStepAt, now).SetProperty(r => r.Version, r => r.Version + 1), cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrentChangeException("Vm");
        }
        signal.Notify();
        return vm;
    }
}
