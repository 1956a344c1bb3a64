using Aes.Contracts;
using Aes.ServiceDefaults.Identity;
using Aes.Provisioning.Application;
using Aes.Provisioning.Drivers;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = Aes.Contracts.Provisioning.V1;
using Aes.ServiceDefaults.Paging;

namespace Aes.Provisioning.Grpc;

public sealed partial class ProvisioningGrpcService(
    ProvisioningDbContext db, RequestIntake intake, Placement placement, Approvals approvals, VmOperations vms, Access access, FacilityDrivers drivers,
    Facilities facilities, SshKeyRegistry sshKeys, Firewalls firewalls, FlavourOffer flavourOffer, Campaigns campaigns, CampaignExecution campaignExecution,
    TimeProvider clock)
    : V1.ProvisioningService.ProvisioningServiceBase
{
    private static readonly TimeSpan MaxDeadline = TimeSpan.FromDays(366);

    public override async Task<V1.ListAgreementsInForceResponse> ListAgreementsInForce(V1.ListAgreementsInForceRequest request, ServerCallContext context)
    {
        var query = db.AgreementsInForce.AsNoTracking();
        if (Validate.OptionalStateCode(request.GuestStateCode, "guest_state_code") is { } guest)
        {
            query = query.Where(a => a.GuestStateCode == guest);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        if (!page.IsFirst)
        {
            var (startsAt, id) = (page.Time(0), page.Guid(1));
            query = query.Where(a => a.StartsAt > startsAt || (a.StartsAt == startsAt && a.AgreementId.CompareTo(id) > 0));
        }
        var (agreements, next) = page.Cut(await query.OrderBy(a => a.StartsAt).ThenBy(a => a.AgreementId).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            a => [a.StartsAt, a.AgreementId]);
        return new V1.ListAgreementsInForceResponse
        {
            NextPageToken = next,
            Agreements =
            {
                agreements.Select(a => new V1.AgreementInForce
                {
                    AgreementId = a.AgreementId.ToString(),
                    HostStateCode = a.HostStateCode,
                    FacilityId = a.FacilityId.ToString(),
                    GuestStateCode = a.GuestStateCode,
                    AllowedClassifications = { a.AllowedClassifications.Split(',', StringSplitOptions.RemoveEmptyEntries) },
                }),
            },
        };
    }

    public override async Task<V1.Catalogue> ListCatalogue(V1.ListCatalogueRequest request, ServerCallContext context)
    {
        var prices = await db.PricesInForceAsync(clock.GetUtcNow().UtcDateTime, context.CancellationToken);
        var codes = await db.Facilities.AsNoTracking().ToDictionaryAsync(f => f.FacilityId, f => f.Code, context.CancellationToken);
        return new V1.Catalogue
        {
            Flavours =
            {
                (await flavourOffer.ListAsync(context.CancellationToken)).Select(o => new V1.Flavour
                {
                    Code = o.Flavour.Code,
                    Resources = { VmSpecs.ToMessages(o.Flavour.Size(publicIpv4: false)) },
                    FacilityCodes = { o.FacilityCodes },
                }),
            },
            Images = { Catalogue.Images.Select(i => new V1.Image { Code = i.Code, Name = i.Name }) },
            FacilityPrices =
            {
                prices.Values.OrderBy(p => codes.GetValueOrDefault(p.FacilityId)).Select(p => new V1.FacilityPrice
                {
                    FacilityId = p.FacilityId.ToString(), FacilityCode = codes.GetValueOrDefault(p.FacilityId) ?? "",
                    EffectiveFrom = Timestamp.FromDateTime(p.From),
                    UnitPrices =
                    {
                        p.UnitPrices.NonZero().InDisplayOrder(price => price.Class)
                            .Select(price => new V1.ResourcePrice { ResourceClass = price.Class, UnitPriceXof = price.Amount }),
                    },
                }),
            },
        };
    }

    public override async Task<V1.HostingRequest> SubmitRequest(V1.SubmitRequestRequest request, ServerCallContext context)
    {
        var command = new SubmitCommand(
            Validate.Id(request.RequestId, "request_id"),
            Validate.Id(request.ActorUserId, "actor_user_id"),
            Validate.Id(request.AgencyId, "agency_id"),
            Validate.Id(request.ProjectId, "project_id"),
            VmSpecs.Lines(request.Vms, await KnownClassesAsync(context.CancellationToken)),
            ParseClassification(request.Classification),
            Validate.OptionalStateCode(request.PreferredStateCode, "preferred_state_code"),
            Validate.OptionalId(request.PreferredFacilityId, "preferred_facility_id"),
            Validate.Name(request.Justification, "justification", 2000),
            Deadline(request.Deadline),
            request.SshKeyIds.Select((id, i) => Validate.Id(id, $"ssh_key_ids[{i}]")).ToList(),
            UserData.Validate(request.UserData, "user_data"));
        return ToMessage(await intake.SubmitAsync(command, context.CancellationToken));
    }

    public override async Task<V1.SshKey> RegisterSshKey(V1.RegisterSshKeyRequest request, ServerCallContext context) =>
        ToMessage(await sshKeys.RegisterAsync(Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.AgencyId, "agency_id"),
            Validate.Name(request.Name, "name", 64), request.PublicKey, context.CancellationToken));

    public override async Task<V1.ListSshKeysResponse> ListSshKeys(V1.ListSshKeysRequest request, ServerCallContext context)
    {
        var (keys, next) = await sshKeys.ListAsync(Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.AgencyId, "agency_id"),
            KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2), context.CancellationToken);
        return new() { Keys = { keys.Select(ToMessage) }, NextPageToken = next };
    }

    public override async Task<V1.SshKey> DeleteSshKey(V1.DeleteSshKeyRequest request, ServerCallContext context) =>
        ToMessage(await sshKeys.DeleteAsync(Validate.Id(request.ActorUserId, "actor_user_id"), Validate.Id(request.AgencyId, "agency_id"), Validate.Id(request.KeyId, "key_id"),
            context.CancellationToken));

    public override async Task<V1.VmSnapshot> TakeVmSnapshot(V1.TakeVmSnapshotRequest request, ServerCallContext context) =>
        ToMessage(await vms.TakeSnapshotAsync(Validate.Id(request.VmId, "vm_id"), Validate.Id(request.ActorUserId, "actor_user_id"),
            Validate.Id(request.SnapshotId, "snapshot_id"), Validate.Name(request.Name, "name", 100), context.CancellationToken));

    public override async Task<V1.ListVmSnapshotsResponse> ListVmSnapshots(V1.ListVmSnapshotsRequest request, ServerCallContext context)
    {
        var (snapshots, next) = await vms.ListSnapshotsAsync(Validate.Id(request.VmId, "vm_id"), KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2),
            context.CancellationToken);
        return new() { Snapshots = { snapshots.Select(ToMessage) }, NextPageToken = next };
    }

    private static V1.VmSnapshot ToMessage(SnapshotRecord snapshot) => new()
    {
        Id = snapshot.Id.ToString(), VmId = snapshot.VmId.ToString(), Name = snapshot.Name, Status = snapshot.Status.ToString().ToLowerInvariant(),
        SizeGib = snapshot.SizeGib, TakenAt = Timestamp.FromDateTime(DateTime.SpecifyKind(snapshot.TakenAt, DateTimeKind.Utc)),
        RemovedAt = snapshot.RemovedAt is { } removed ? Timestamp.FromDateTime(DateTime.SpecifyKind(removed, DateTimeKind.Utc)) : null,
        TakenByUserId = snapshot.TakenBy.ToString(),
    };

    public override async Task<V1.VmConsole> OpenVmConsole(V1.OpenVmConsoleRequest request, ServerCallContext context)
    {
        var vmId = Validate.Id(request.VmId, "vm_id");
        var (console, openedAt) = await vms.OpenConsoleAsync(vmId, Validate.Id(request.ActorUserId, "actor_user_id"), context.CancellationToken);
        return new V1.VmConsole { VmId = vmId.ToString(), Url = console.Url, Kind = console.Kind, OpenedAt = Timestamp.FromDateTime(openedAt) };
    }

    public override async Task<V1.ProjectFirewall> GetProjectFirewall(V1.GetProjectFirewallRequest request, ServerCallContext context) =>
        await FirewallMessageAsync(Validate.Id(request.ProjectId, "project_id"), context.CancellationToken);

    public override async Task<V1.ProjectFirewall> SetProjectFirewall(V1.SetProjectFirewallRequest request, ServerCallContext context)
    {
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var projectId = Validate.Id(request.ProjectId, "project_id");
        var rules = FirewallRules.Validate(request.Rules.Select(r => (r.Protocol, r.PortMin, r.PortMax, r.SourceCidr)).ToList(), request.ConfirmOpenToInternet);
        await firewalls.SetProjectRulesAsync(actor, projectId, rules, context.CancellationToken);
        return await FirewallMessageAsync(projectId, context.CancellationToken);
    }

    public override async Task<V1.AgencySshAccess> SetAgencySshAccess(V1.SetAgencySshAccessRequest request, ServerCallContext context)
    {
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var agencyId = Validate.Id(request.AgencyId, "agency_id");
        var cidrs = FirewallRules.ValidateSshRanges(request.SourceCidrs, request.ConfirmOpenToInternet);
        await firewalls.SetSshRangesAsync(actor, agencyId, cidrs, context.CancellationToken);
        return new V1.AgencySshAccess { AgencyId = agencyId.ToString(), SourceCidrs = { cidrs } };
    }

    private async Task<V1.ProjectFirewall> FirewallMessageAsync(Guid projectId, CancellationToken cancellationToken)
    {
        var (own, ssh, applied) = await firewalls.GetAsync(projectId, cancellationToken);
        var effective = await firewalls.EffectiveRulesAsync(projectId, cancellationToken);
        var digest = FirewallRules.Digest(effective);
        var agencyId = await db.Projects.Where(p => p.ProjectId == projectId).Select(p => p.AgencyId).SingleAsync(cancellationToken);
        return new V1.ProjectFirewall
        {
            ProjectId = projectId.ToString(), AgencyId = agencyId.ToString(), SshSourceCidrs = { Firewalls.SshRangesOf(ssh) },
            Rules = { (own is null ? [] : Firewalls.RulesOf(own)).Select(ToMessage) }, EffectiveRules = { effective.Select(ToMessage) },
            Facilities =
            {
                applied.Select(a => new V1.FirewallFacility
                {
                    FacilityId = a.FacilityId.ToString(), FacilityCode = a.FacilityCode, Applied = a.Error is null && a.Digest == digest, Error = a.Error ?? "",
                    AppliedAt = a.AppliedAt is { } at ? Timestamp.FromDateTime(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
                }),
            },
        };
    }

    private static V1.FirewallRule ToMessage(FirewallRule rule) => new()
    {
        Protocol = rule.Protocol, PortMin = rule.PortMin, PortMax = rule.PortMax, SourceCidr = rule.SourceCidr,
    };

    private static V1.SshKey ToMessage(SshKeyRecord key) => new()
    {
        Id = key.Id.ToString(), UserId = key.UserId.ToString(), AgencyId = key.AgencyId.ToString(), Name = key.Name, Algorithm = key.Algorithm, Bits = key.Bits, Fingerprint = key.Fingerprint,
        PublicKey = key.PublicKey, CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(key.CreatedAt, DateTimeKind.Utc)),
    };

    public override async Task<V1.HostingRequest> GetRequest(V1.RequestIdRequest request, ServerCallContext context) =>
        ToMessage(await FindAsync(Validate.Id(request.RequestId, "request_id"), context.CancellationToken));

    public override async Task<V1.ListRequestsResponse> ListRequests(V1.ListRequestsRequest request, ServerCallContext context)
    {
        var query = db.Requests.AsNoTracking().Include(r => r.Vms).AsQueryable();
        if (Validate.OptionalId(request.AgencyId, "agency_id") is { } agencyId)
        {
            query = query.Where(r => r.AgencyId == agencyId);
            if (await ProjectsVisibleToCallerAsync(agencyId, context) is { } projects)
            {
                query = query.Where(r => projects.Contains(r.ProjectId));
            }
        }
        if (Validate.OptionalStateCode(request.StateCode, "state_code") is { } state)
        {
            query = query.Where(r => r.AgencyStateCode == state || r.FacilityStateCode == state);
        }
        if (!string.IsNullOrWhiteSpace(request.Status))
        {
            var status = System.Enum.GetValues<RequestStatus>().FirstOrDefault(s => s.Code() == request.Status.Trim());
            if (status == 0)
            {
                throw new InvalidFieldException("status", new("statut inconnu.", "unknown status."));
            }
            query = query.Where(r => r.Status == status);
        }
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        if (!page.IsFirst)
        {
            var (submittedAt, id) = (page.Time(0), page.Guid(1));
            query = query.Where(r => r.SubmittedAt < submittedAt || (r.SubmittedAt == submittedAt && r.Id.CompareTo(id) > 0));
        }
        // Newest first; ties on the submission time are ordered by id.
        var (requests, next) = page.Cut(await query.OrderByDescending(r => r.SubmittedAt).ThenBy(r => r.Id).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            r => [r.SubmittedAt, r.Id]);
        return new V1.ListRequestsResponse { Requests = { requests.Select(ToMessage) }, NextPageToken = next };
    }

    public override async Task<V1.PlacementDecision> GetPlacementDecision(V1.RequestIdRequest request, ServerCallContext context)
    {
        var requestId = Validate.Id(request.RequestId, "request_id");
        var decision = await db.Decisions.AsNoTracking().Where(d => d.RequestId == requestId).OrderByDescending(d => d.Id).FirstOrDefaultAsync(context.CancellationToken)
            ?? throw new NotFoundException("PlacementDecision", requestId.ToString());
        var message = new V1.PlacementDecision
        {
            RequestId = requestId.ToString(), Attempt = decision.Attempt, DecidedAt = Timestamp.FromDateTime(decision.DecidedAt), Outcome = decision.Outcome,
            FacilityId = decision.FacilityId?.ToString() ?? "", PoolId = decision.PoolId?.ToString() ?? "", AgreementId = decision.AgreementId?.ToString() ?? "",
            ReasonFr = decision.ReasonFr, ReasonEn = decision.ReasonEn,
            Considered = { Placement.ReadConsidered(decision).Select(ToMessage) },
        };
        message.FacilityCode = message.Considered.FirstOrDefault(c => c.FacilityId == message.FacilityId)?.FacilityCode ?? "";
        return message;
    }

    public override async Task<V1.PlacementDecision> PreviewPlacement(V1.PreviewPlacementRequest request, ServerCallContext context)
    {
        var agencyId = Validate.Id(request.AgencyId, "agency_id");
        var lines = VmSpecs.Lines(request.Vms, await KnownClassesAsync(context.CancellationToken));
        var classification = ParseClassification(request.Classification);
        var agency = await db.Agencies.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == agencyId, context.CancellationToken)
            ?? throw new NotFoundException("Agency", agencyId.ToString());
        var preview = await placement.PreviewAsync(new HostingRequest
        {
            AgencyId = agency.AgencyId, AgencyStateCode = agency.StateCode, Classification = classification, Justification = "",
            VmLinesJson = RequestTransitions.Serialize(lines),
            PreferredStateCode = Validate.OptionalStateCode(request.PreferredStateCode, "preferred_state_code"),
            PreferredFacilityId = Validate.OptionalId(request.PreferredFacilityId, "preferred_facility_id"),
            Total = RequestTransitions.Total(lines),
        }, context.CancellationToken);
        return new V1.PlacementDecision
        {
            DecidedAt = Timestamp.FromDateTime(clock.GetUtcNow().UtcDateTime), Outcome = preview.Outcome,
            FacilityId = preview.FacilityId?.ToString() ?? "", PoolId = preview.PoolId?.ToString() ?? "", AgreementId = preview.AgreementId?.ToString() ?? "",
            ReasonFr = preview.ReasonFr, ReasonEn = preview.ReasonEn,
            Considered = { preview.Considered.Select(ToMessage) },
            FacilityCode = preview.Considered.FirstOrDefault(c => c.FacilityId == preview.FacilityId)?.FacilityCode ?? "",
        };
    }

    private static Classification ParseClassification(string code) => Codes.ParseClassification(code) ?? throw new InvalidFieldException("classification", new(
        "doit être strategic, sensitive, internal ou public.", "must be strategic, sensitive, internal or public."));

    private static V1.ConsideredFacility ToMessage(ConsideredFacility c) => new()
    {
        FacilityId = c.FacilityId.ToString(), FacilityCode = c.FacilityCode, StateCode = c.StateCode, Kept = c.Kept,
        ReasonFr = c.ReasonFr, ReasonEn = c.ReasonEn, AgreementId = c.AgreementId?.ToString() ?? "", VmsThatFit = c.VmsThatFit,
        EstimatedMonthlyXof = c.EstimatedMonthlyXof ?? -1,
    };

    public override async Task<V1.HostingRequest> Approve(V1.ApproveRequest request, ServerCallContext context) =>
        ToMessage(await approvals.ApproveAsync(Validate.Id(request.RequestId, "request_id"), Validate.Id(request.ActorUserId, "actor_user_id"), context.CancellationToken));

    public override async Task<V1.HostingRequest> Reject(V1.RejectRequest request, ServerCallContext context) =>
        ToMessage(await approvals.RejectAsync(Validate.Id(request.RequestId, "request_id"), Validate.Id(request.ActorUserId, "actor_user_id"),
            Validate.Name(request.Reason, "reason", 1000), context.CancellationToken));

    public override async Task<V1.HostingRequest> WithdrawRequest(V1.WithdrawRequestRequest request, ServerCallContext context) =>
        ToMessage(await approvals.WithdrawAsync(Validate.Id(request.RequestId, "request_id"), Validate.Id(request.ActorUserId, "actor_user_id"),
            Validate.Optional(request.Reason, "reason", 1000) is { Length: > 0 } reason ? reason : null, context.CancellationToken));

    public override async Task<V1.AutoApprovalPolicy> SetAutoApprovalPolicy(V1.SetAutoApprovalPolicyRequest request, ServerCallContext context)
    {
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var given = request.Policy ?? throw new InvalidFieldException("policy", new("est obligatoire.", "is required."));
        var state = Validate.StateCode(given.StateCode, "policy.state_code");
        var classifications = given.Classifications.Select((c, i) => Codes.ParseClassification(c) ?? throw new InvalidFieldException($"policy.classifications[{i}]",
            new("doit être sensitive, internal ou public.", "must be sensitive, internal or public."))).Distinct().ToList();
        if (classifications.Contains(Classification.Strategic))
        {
            throw new InvalidFieldException("policy.classifications", new(
                "les données stratégiques ne sont jamais approuvées automatiquement.", "strategic data is never approved automatically."));
        }
        var maxPerRequest = ApprovalLimits(given.MaxPerRequest, await KnownClassesAsync(context.CancellationToken));
        if (given.Enabled && maxPerRequest.IsZero)
        {
            // A request of any size approved without a person is never what a state means; it is also what a client of the
            // version before would set, whose max_vcpu this version does not read (ADR 052).
            throw new InvalidFieldException("policy.max_per_request", new(
                "une politique active limite au moins une classe.", "an enabled policy bounds at least one class."));
        }
        await access.RequireOperatorAsync(actor, state, context.CancellationToken);
        var policy = await db.AutoApprovalPolicies.FirstOrDefaultAsync(p => p.StateCode == state, context.CancellationToken);
        if (policy is null)
        {
            policy = new AutoApprovalPolicy { StateCode = state };
            db.AutoApprovalPolicies.Add(policy);
        }
        policy.Enabled = given.Enabled;
        policy.MaxPerRequest = maxPerRequest;
        policy.Classifications = string.Join(',', classifications.Select(c => c.Code()));
        policy.UpdatedBy = actor;
        policy.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(context.CancellationToken);
        return ToMessage(policy);
    }

    public override async Task<V1.AutoApprovalPolicy> GetAutoApprovalPolicy(V1.GetAutoApprovalPolicyRequest request, ServerCallContext context)
    {
        var state = Validate.StateCode(request.StateCode, "state_code");
        var policy = await db.AutoApprovalPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.StateCode == state, context.CancellationToken);
        return ToMessage(policy ?? new AutoApprovalPolicy { StateCode = state });
    }

    /// <summary>Null when the caller sees the whole agency; otherwise (a requester) the projects they work on.</summary>
    private async Task<List<Guid>?> ProjectsVisibleToCallerAsync(Guid agencyId, ServerCallContext context)
    {
        var caller = context.GetHttpContext().User;
        var state = await db.Agencies.Where(a => a.AgencyId == agencyId).Select(a => a.StateCode).FirstOrDefaultAsync(context.CancellationToken);
        if (state is not null && ProjectVisibility.SeesWholeAgency(caller, state, agencyId))
        {
            return null;
        }
        var user = ProjectVisibility.UserOf(caller);
        return await db.ProjectMembers.Where(m => m.UserId == user && m.IsMember).Select(m => m.ProjectId).ToListAsync(context.CancellationToken);
    }

    public override async Task<V1.ListVmsResponse> ListVms(V1.ListVmsRequest request, ServerCallContext context)
    {
        var agencyId = Validate.Id(request.AgencyId, "agency_id");
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        var query = vms.Listed(agencyId, request.IncludeEnded);
        if (await ProjectsVisibleToCallerAsync(agencyId, context) is { } projects)
        {
            query = query.Where(vm => db.Requests.Any(r => r.Id == vm.RequestId && projects.Contains(r.ProjectId)));
        }
        if (!page.IsFirst)
        {
            var (name, id) = (page.Text(0), page.Guid(1));
            query = query.Where(vm => string.Compare(vm.Name, name) > 0 || (vm.Name == name && vm.Id.CompareTo(id) > 0));
        }
        var (list, next) = page.Cut(await query.OrderBy(vm => vm.Name).ThenBy(vm => vm.Id).Take(page.Size + 1).ToListAsync(context.CancellationToken),
            vm => [vm.Name, vm.Id]);
        var listedIds = list.Select(vm => vm.Id).ToList();
        var snapshots = await db.Snapshots.Where(x => x.AgencyId == agencyId && listedIds.Contains(x.VmId) && x.Status != SnapshotStatus.Removed).GroupBy(x => x.VmId)
            .Select(g => new { VmId = g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.VmId, x => x.Count, context.CancellationToken);
        var requestIds = list.Select(vm => vm.RequestId).Distinct().ToList();
        var requests = await db.Requests.Where(r => requestIds.Contains(r.Id)).Select(r => new { r.Id, r.SubmittedBy, r.ProjectId })
            .ToDictionaryAsync(r => r.Id, context.CancellationToken);
        return new V1.ListVmsResponse
        {
            NextPageToken = next,
            Vms =
            {
                list.Select(vm =>
                {
                    var message = ToMessage(vm);
                    message.Snapshots = snapshots.GetValueOrDefault(vm.Id);
                    if (requests.TryGetValue(vm.RequestId, out var request))
                    {
                        message.OwnerUserId = request.SubmittedBy.ToString();
                        message.ProjectId = request.ProjectId.ToString();
                    }
                    return message;
                }),
            },
        };
    }

    public override async Task<V1.Vm> DecommissionVm(V1.DecommissionVmRequest request, ServerCallContext context) =>
        ToMessage(await vms.DecommissionAsync(Validate.Id(request.VmId, "vm_id"), Validate.Id(request.ActorUserId, "actor_user_id"),
            Validate.Name(request.Reason, "reason", 500), context.CancellationToken));

    public override async Task<V1.Vm> ResizeVm(V1.ResizeVmRequest request, ServerCallContext context)
    {
        var vmId = Validate.Id(request.VmId, "vm_id");
        var actor = Validate.Id(request.ActorUserId, "actor_user_id");
        var size = VmSpecs.Size(request.Flavour, request.Resources, "", await KnownClassesAsync(context.CancellationToken));
        return ToMessage(await vms.ResizeAsync(vmId, actor, size, context.CancellationToken));
    }

    public override Task<V1.Vm> StopVm(V1.VmPowerRequest request, ServerCallContext context) =>
        ChangePowerAsync(request.VmId, request.ActorUserId, request.OperationId, PowerAction.Stop, context);

    public override Task<V1.Vm> StartVm(V1.VmPowerRequest request, ServerCallContext context) =>
        ChangePowerAsync(request.VmId, request.ActorUserId, request.OperationId, PowerAction.Start, context);

    public override Task<V1.Vm> RebootVm(V1.RebootVmRequest request, ServerCallContext context) =>
        ChangePowerAsync(request.VmId, request.ActorUserId, request.OperationId, request.Hard ? PowerAction.HardReboot : PowerAction.Reboot, context);

    private async Task<V1.Vm> ChangePowerAsync(string vmId, string actorUserId, string operationId, PowerAction action, ServerCallContext context) =>
        ToMessage(await vms.ChangePowerAsync(Validate.Id(vmId, "vm_id"), Validate.Id(actorUserId, "actor_user_id"), Validate.Id(operationId, "operation_id"),
            action, context.CancellationToken));

    public override async Task<V1.ListFacilityVmsResponse> ListFacilityVms(V1.ListFacilityVmsRequest request, ServerCallContext context)
    {
        var facilityId = Validate.Id(request.FacilityId, "facility_id");
        var page = KeysetPage.Of(request.PageSize, request.PageToken, keyParts: 2);
        var facility = await db.Facilities.AsNoTracking().FirstOrDefaultAsync(f => f.FacilityId == facilityId, context.CancellationToken)
            ?? throw new InvalidFieldException("facility_id", new("centre inconnu.", "unknown facility."));
        var target = new FacilityTarget(facilityId, facility.Code);
        IReadOnlyList<FacilityServer> list;
        try
        {
            list = await (await drivers.ForAsync(target, context.CancellationToken)).ListAsync(target, context.CancellationToken);
        }
        catch (FacilityDriverException exception)
        {
            throw new RuleViolationException(new($"{facility.Code} ne répond pas : {exception.Message}", $"{facility.Code} does not answer: {exception.Message}"));
        }
        // The driver reads the facility's own list in bounded calls (Nova's marker and limit); the answer is paged here by name and VM id.
        IEnumerable<FacilityServer> ordered = list.OrderBy(v => v.Name, StringComparer.Ordinal).ThenBy(v => v.VmId);
        if (!page.IsFirst)
        {
            var (name, id) = (page.Text(0), page.Guid(1));
            ordered = ordered.Where(v => string.CompareOrdinal(v.Name, name) > 0 || (v.Name == name && v.VmId.CompareTo(id) > 0));
        }
        var (listed, next) = page.Cut(ordered.Take(page.Size + 1).ToList(), v => [v.Name, v.VmId]);
        return new V1.ListFacilityVmsResponse
        {
            NextPageToken = next,
            Vms =
            {
                listed.Select(v => new V1.FacilityVm
                {
                    Id = v.VmId.ToString(), Name = v.Name, Image = v.NativeImage,
                    Resources = { VmSpecs.ToMessages(v.Shape) },
                    PowerState = v.State.ToString().ToLowerInvariant(), CreatedAt = v.CreatedAt is { } at ? Timestamp.FromDateTime(at) : null,
                }),
            },
        };
    }

    private async Task<HostingRequest> FindAsync(Guid requestId, CancellationToken cancellationToken) =>
        await db.Requests.AsNoTracking().Include(r => r.Vms).FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken)
        ?? throw new NotFoundException("HostingRequest", requestId.ToString());

    private async Task<IReadOnlySet<string>> KnownClassesAsync(CancellationToken cancellationToken) =>
        (await db.ResourceClasses.AsNoTracking().Select(c => c.Code).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);

    private DateTime Deadline(Timestamp? deadline) =>
        Validate.FutureInstant(deadline, "deadline", clock.GetUtcNow().UtcDateTime, MaxDeadline, "au plus un an.", "at most one year ahead.");

    private static V1.HostingRequest ToMessage(HostingRequest r)
    {
        var message = new V1.HostingRequest
        {
            Id = r.Id.ToString(), AgencyId = r.AgencyId.ToString(), AgencyStateCode = r.AgencyStateCode, ProjectId = r.ProjectId.ToString(),
            Classification = r.Classification.Code(), PreferredStateCode = r.PreferredStateCode ?? "", PreferredFacilityId = r.PreferredFacilityId?.ToString() ?? "",
            Justification = r.Justification, Deadline = Timestamp.FromDateTime(r.Deadline), Status = r.Status.Code(),
            StatusReasonFr = r.StatusReasonFr, StatusReasonEn = r.StatusReasonEn, FacilityId = r.FacilityId?.ToString() ?? "",
            FacilityCode = r.FacilityCode ?? "", FacilityStateCode = r.FacilityStateCode ?? "", PoolId = r.PoolId?.ToString() ?? "",
            AgreementId = r.AgreementId?.ToString() ?? "", SubmittedAt = Timestamp.FromDateTime(r.SubmittedAt), SubmittedByUserId = r.SubmittedBy.ToString(), UpdatedAt = Timestamp.FromDateTime(r.UpdatedAt),
            HoldsExpireAt = r.HoldsExpireAt is { } expiry ? Timestamp.FromDateTime(expiry) : null,
            SshKeyFingerprints = { (r.SshKeyFingerprints ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries) },
            UserDataBytes = r.UserData is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(r.UserData),
        };
        message.Vms.AddRange(r.Lines().Select(l => new V1.VmSpec
        {
            Flavour = l.Flavour ?? "", Image = l.Image, Count = l.Count,
            Resources = { VmSpecs.ToMessages(l.SizePerVm) },
        }));
        message.VmIds.AddRange(r.Vms.OrderBy(v => v.Name).Select(v => v.Id.ToString()));
        message.Approvals.Add(Approval("home", r.AgencyStateCode, r.HomeApproval, r.HomeDecidedBy, r.HomeAutomatic, r.HomeDecidedAt, r.HomeApproval == ApprovalState.Rejected ? r.RejectionReason : null));
        if (r.HostApproval != ApprovalState.NotNeeded)
        {
            message.Approvals.Add(Approval("host", r.FacilityStateCode ?? "", r.HostApproval, r.HostDecidedBy, r.HostAutomatic, r.HostDecidedAt,
                r.HostApproval == ApprovalState.Rejected ? r.RejectionReason : null));
        }
        return message;
    }

    private static V1.Approval Approval(string role, string state, ApprovalState decision, Guid? by, bool automatic, DateTime? at, string? reason) => new()
    {
        Role = role, StateCode = state, Decision = decision.Code(), DecidedByUserId = by?.ToString() ?? "", Automatic = automatic, Reason = reason ?? "",
        DecidedAt = at is { } when ? Timestamp.FromDateTime(when) : null,
    };

    /// <summary>A policy's limits by class: classes known here, each named once and at least 1 (a class left out is how it is not bounded, ADR 052).</summary>
    private static ResourceVector ApprovalLimits(IReadOnlyList<V1.ResourceAmount> limits, IReadOnlySet<string> knownClasses)
    {
        const string field = "policy.max_per_request";
        var given = ByClassInput.Given(limits.Select(l => ((string?)l.ResourceClass, l.Amount)).ToList(), field, "amount", 100_000);
        for (var i = 0; i < given.Count; i++)
        {
            if (!knownClasses.Contains(given[i].Class))
            {
                throw new InvalidFieldException($"{field}[{i}].resource_class", new(
                    $"classe inconnue du catalogue : {given[i].Class}.", $"no such class in the catalogue: {given[i].Class}."));
            }
            if (given[i].Amount < 1)
            {
                throw new InvalidFieldException($"{field}[{i}].amount", new(
                    "au moins 1 : omettez la classe plutôt que d'écrire 0.", "at least 1: leave the class out rather than write 0."));
            }
        }
        return ResourceVector.Of(given);
    }

    private static V1.AutoApprovalPolicy ToMessage(AutoApprovalPolicy policy) => new()
    {
        StateCode = policy.StateCode, Enabled = policy.Enabled, MaxPerRequest = { VmSpecs.ToMessages(policy.MaxPerRequest) },
        Classifications = { policy.Classifications.Split(',', StringSplitOptions.RemoveEmptyEntries) }, UpdatedByUserId = policy.UpdatedBy?.ToString() ?? "",
    };

    private static V1.Vm ToMessage(VmRecord vm) => new()
    {
        Id = vm.Id.ToString(), RequestId = vm.RequestId.ToString(), AgencyId = vm.AgencyId.ToString(), FacilityId = vm.FacilityId?.ToString() ?? "",
        FacilityCode = vm.FacilityCode ?? "", Name = vm.Name,
        Image = vm.Image, Status = vm.Status.Code(),
        ActivatedAt = vm.ActivatedAt is { } activated ? Timestamp.FromDateTime(activated) : null,
        DecommissionedAt = vm.DecommissionedAt is { } ended ? Timestamp.FromDateTime(ended) : null,
        ResizeRefusedReason = vm.ResizeRefusedReason ?? "",
        ServerId = vm.ServerId ?? "",
        Addresses = { (vm.Addresses ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries) },
        LostAt = vm.LostAt is { } lost ? Timestamp.FromDateTime(lost) : null,
        PowerRefusedReason = vm.PowerRefusedReason ?? "",
        PublicIpv4Address = vm.PublicAddress ?? "",
        Resources = { VmSpecs.ToMessages(vm.Size) },
    };
}

