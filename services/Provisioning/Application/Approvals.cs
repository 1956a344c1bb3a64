using Aes.Contracts.Provisioning;

namespace Aes.Provisioning.Application;

/// <summary>Sets the approvals a placed request needs, and gives those that its states' policies allow.</summary>
public sealed class AutoApproval(ProvisioningDbContext db)
{
    public async Task ApplyAsync(HostingRequest request, DateTime now, CancellationToken cancellationToken)
    {
        request.HomeApproval = ApprovalState.Pending;
        request.HostApproval = request.CrossesBorder ? ApprovalState.Pending : ApprovalState.NotNeeded;
        if (await PolicyApprovesAsync(request.AgencyStateCode, request, cancellationToken))
        {
            (request.HomeApproval, request.HomeAutomatic, request.HomeDecidedAt) = (ApprovalState.Approved, true, now);
        }
        if (request.CrossesBorder && await PolicyApprovesAsync(request.FacilityStateCode!, request, cancellationToken))
        {
            (request.HostApproval, request.HostAutomatic, request.HostDecidedAt) = (ApprovalState.Approved, true, now);
        }
        Approvals.Advance(db, request, now);
    }

    private async Task<bool> PolicyApprovesAsync(string stateCode, HostingRequest request, CancellationToken cancellationToken) =>
        await db.AutoApprovalPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.StateCode == stateCode, cancellationToken) is { } policy
        && policy.Approves(request.Classification, request.Total);
}

/// <summary>The approval chain: the home state's operator, then, across a border, the host state's.</summary>
public sealed class Approvals(ProvisioningDbContext db, Access access, WorkflowSignal signal, TimeProvider clock)
{
    public Task<HostingRequest> ApproveAsync(Guid requestId, Guid actor, CancellationToken cancellationToken) =>
        DecisionRetry.OnFreshRowsAsync(db, "HostingRequest", () => ApproveOnceAsync(requestId, actor, cancellationToken));

    public Task<HostingRequest> RejectAsync(Guid requestId, Guid actor, string reason, CancellationToken cancellationToken) =>
        DecisionRetry.OnFreshRowsAsync(db, "HostingRequest", () => RejectOnceAsync(requestId, actor, reason, cancellationToken));

    /// <summary>
    /// The requester takes back a request not yet approved (sent by mistake, or to be edited and sent again): its holds are
    /// given back at once by the workflow and the withdrawal is on its timeline. Its submitter or an administrator of its
    /// agency may; asked twice, once is enough.
    /// </summary>
    public Task<HostingRequest> WithdrawAsync(Guid requestId, Guid actor, string? reason, CancellationToken cancellationToken) =>
        DecisionRetry.OnFreshRowsAsync(db, "HostingRequest", () => WithdrawOnceAsync(requestId, actor, reason, cancellationToken));

    private async Task<HostingRequest> WithdrawOnceAsync(Guid requestId, Guid actor, string? reason, CancellationToken cancellationToken)
    {
        var request = await LoadAsync(requestId, cancellationToken);
        var roles = await access.RolesAsync(actor, cancellationToken);
        if (!Access.OwnsOrAdministers(roles, actor, request.SubmittedBy, request.AgencyId))
        {
            throw new ForbiddenException(new(
                "Seuls le demandeur et les administrateurs de l'organisme peuvent retirer cette demande.",
                "Only the requester and the agency's administrators may withdraw this request."));
        }
        if (request.Status == RequestStatus.Withdrawn)
        {
            return request;
        }
        if (request.Status is not (RequestStatus.Submitted or RequestStatus.WaitingForCapacity or RequestStatus.AwaitingApproval))
        {
            throw new RuleViolationException(new(
                $"La demande est {request.Status.Code()} : seule une demande pas encore approuvée se retire.",
                $"The request is {request.Status.Code()}: only a request not yet approved can be withdrawn."));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var by = request.SubmittedBy == actor ? ("par son demandeur", "by its requester") : ("par un administrateur de l'organisme", "by an administrator of the agency");
        var why = string.IsNullOrWhiteSpace(reason) ? ("", "") : ($" : {reason.Trim()}", $": {reason.Trim()}");
        request.CleanupPending = true;
        request.NextStepAt = now;
        db.MoveTo(request, RequestStatus.Withdrawn, $"retirée {by.Item1}{why.Item1}", $"withdrawn {by.Item2}{why.Item2}", now);
        await SaveAsync(cancellationToken);
        return request;
    }

    private async Task<HostingRequest> ApproveOnceAsync(Guid requestId, Guid actor, CancellationToken cancellationToken)
    {
        var request = await LoadAsync(requestId, cancellationToken);
        var roles = await access.RolesAsync(actor, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var home = Access.OperatesIn(roles, request.AgencyStateCode);
        var host = request.CrossesBorder && Access.OperatesIn(roles, request.FacilityStateCode);
        if (!home && !host)
        {
            throw NotYourState(request);
        }
        RequireAwaitingApproval(request);
        if (request.HoldsExpireAt <= now)
        {
            throw new RuleViolationException(new(
                "Les réservations de cette demande ont expiré : elle ne peut plus être approuvée.",
                "This request's holds have expired: it can no longer be approved."));
        }
        if (home && request.HomeApproval == ApprovalState.Pending)
        {
            (request.HomeApproval, request.HomeDecidedBy, request.HomeDecidedAt) = (ApprovalState.Approved, actor, now);
        }
        else if (host && request.HostApproval == ApprovalState.Pending)
        {
            if (request.HomeApproval != ApprovalState.Approved)
            {
                throw new RuleViolationException(new(
                    $"L'opérateur de {request.AgencyStateCode} approuve d'abord.", $"The operator of {request.AgencyStateCode} approves first."));
            }
            (request.HostApproval, request.HostDecidedBy, request.HostDecidedAt) = (ApprovalState.Approved, actor, now);
        }
        else
        {
            throw new RuleViolationException(new("Votre approbation est déjà donnée.", "Your approval was already given."));
        }
        Advance(db, request, now);
        await SaveAsync(cancellationToken);
        return request;
    }

    private async Task<HostingRequest> RejectOnceAsync(Guid requestId, Guid actor, string reason, CancellationToken cancellationToken)
    {
        var request = await LoadAsync(requestId, cancellationToken);
        var roles = await access.RolesAsync(actor, cancellationToken);
        var home = Access.OperatesIn(roles, request.AgencyStateCode);
        var host = request.CrossesBorder && Access.OperatesIn(roles, request.FacilityStateCode);
        if (!home && !host)
        {
            throw NotYourState(request);
        }
        if (request.Status is not (RequestStatus.AwaitingApproval or RequestStatus.WaitingForCapacity or RequestStatus.Submitted))
        {
            throw new RuleViolationException(new(
                $"La demande est {request.Status.Code()} : elle ne peut plus être rejetée.", $"The request is {request.Status.Code()}: it can no longer be rejected."));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (home && request.HomeApproval == ApprovalState.Pending)
        {
            (request.HomeApproval, request.HomeDecidedBy, request.HomeDecidedAt) = (ApprovalState.Rejected, actor, now);
        }
        else
        {
            (request.HostApproval, request.HostDecidedBy, request.HostDecidedAt) = (ApprovalState.Rejected, actor, now);
        }
        request.RejectionReason = reason;
        request.CleanupPending = true;
        request.NextStepAt = now;
        db.MoveTo(request, RequestStatus.Rejected, $"rejetée : {reason}", $"rejected: {reason}", now);
        await SaveAsync(cancellationToken);
        return request;
    }

    /// <summary>Moves a request whose approvals are all given on to provisioning; otherwise it waits for them until its holds expire.</summary>
    public static void Advance(ProvisioningDbContext db, HostingRequest request, DateTime now)
    {
        if (request.HomeApproval == ApprovalState.Approved && request.HostApproval is ApprovalState.Approved or ApprovalState.NotNeeded)
        {
            db.MoveTo(request, RequestStatus.Approved, "approuvée, création des VM à venir.", "approved, the VMs are about to be created.", now);
            request.NextStepAt = now;
            return;
        }
        var (role, waitingFor) = request.HomeApproval == ApprovalState.Pending ? ("home", request.AgencyStateCode) : ("host", request.FacilityStateCode ?? "");
        if (request.Status != RequestStatus.AwaitingApproval || !request.StatusReasonEn.EndsWith($"{waitingFor}.", StringComparison.Ordinal))
        {
            db.MoveTo(request, RequestStatus.AwaitingApproval, $"en attente de l'approbation de l'opérateur de {waitingFor}.",
                $"awaiting the approval of the operator of {waitingFor}.", now);
            db.AddToOutbox(new ApprovalAwaited(request.Id, request.AgencyId, request.AgencyStateCode, role, waitingFor, request.FacilityId,
                request.SubmittedBy, request.HoldsExpireAt ?? now, now), now);
        }
        request.NextStepAt = request.HoldsExpireAt;
    }

    private async Task<HostingRequest> LoadAsync(Guid requestId, CancellationToken cancellationToken) =>
        await db.Requests.Include(r => r.Vms).FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken)
        ?? throw new NotFoundException("HostingRequest", requestId.ToString());

    private static void RequireAwaitingApproval(HostingRequest request)
    {
        if (request.Status != RequestStatus.AwaitingApproval)
        {
            throw new RuleViolationException(new(
                $"La demande est {request.Status.Code()} : il n'y a rien à approuver.", $"The request is {request.Status.Code()}: there is nothing to approve."));
        }
    }

    private static ForbiddenException NotYourState(HostingRequest request) => new(new(
        $"Seuls les opérateurs de {request.AgencyStateCode}{(request.CrossesBorder ? " et de " + request.FacilityStateCode : "")} décident de cette demande.",
        $"Only the operators of {request.AgencyStateCode}{(request.CrossesBorder ? " and " + request.FacilityStateCode : "")} decide on this request."));

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
    }
}
