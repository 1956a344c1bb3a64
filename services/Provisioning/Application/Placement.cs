using Aes.Contracts;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Q = Aes.Contracts.Quota.V1;

namespace Aes.Provisioning.Application;

/// <summary>One facility placement looked at; <see cref="EstimatedMonthlyXof"/> is what the request would cost there a month, when a price is known.</summary>
public sealed record ConsideredFacility(Guid FacilityId, string FacilityCode, string StateCode, bool Kept, string ReasonFr, string ReasonEn,
    Guid? AgreementId, long VmsThatFit, long? EstimatedMonthlyXof = null);

/// <summary>Where a request would go, for a preview: outcome "placed" or "waiting", with every facility considered.</summary>
public sealed record PlacementPreview(string Outcome, Guid? FacilityId, Guid? PoolId, Guid? AgreementId, string ReasonFr, string ReasonEn,
    IReadOnlyList<ConsideredFacility> Considered);

/// <summary>
/// Places a request: the facilities the residency rules allow, the pools quota says can take it, ranked
/// (preferred first, then the agency's own state, then headroom), and holds taken on the first pool that
/// grants them all. Every attempt is recorded as a decision with every facility considered.
/// </summary>
public sealed partial class Placement(
    ProvisioningDbContext db, Q.QuotaService.QuotaServiceClient quota, FacilityCatalogues catalogues, StepLease lease, ProvisioningSettings settings,
    TimeProvider clock, ILogger<Placement> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const int PoolsTriedPerAttempt = 3;
    private static readonly (string Fr, string En) NoRoom = ("aucun centre autorisé n'a la place pour cette demande.", "no allowed facility has room for this request.");

    /// <summary>Tries to place <paramref name="request"/> (tracked, with its VMs); the caller saves. True when holds were taken.</summary>
    public async Task<bool> PlaceAsync(HostingRequest request, CancellationToken cancellationToken)
    {
        await ReleaseUnfinishedAttemptAsync(request, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        request.PlacementAttempts++;

        var options = await EvaluateAsync(request, now, cancellationToken);
        if (options.WaitReason is { } reason)
        {
            Wait(request, now, options.Considered, reason.Fr, reason.En);
            return false;
        }
        foreach (var (candidate, facility, agreementId) in options.Ranked.Take(PoolsTriedPerAttempt))
        {
            var poolId = Guid.Parse(candidate.PoolId);
            if (await TryHoldAsync(request, facility, poolId, agreementId, now, cancellationToken))
            {
                Record(request, now, "placed", options.Considered, facility.FacilityId, poolId, agreementId,
                    $"placée dans {facility.Code} (réserve {candidate.PoolName}).", $"placed in {facility.Code} (pool {candidate.PoolName}).");
                return true;
            }
        }
        Wait(request, now, options.Considered, NoRoom.Fr, NoRoom.En);
        return false;
    }

    /// <summary>
    /// Where <paramref name="request"/> would go now, without taking anything: the same evaluation as a
    /// placement attempt, for a request that is not submitted (nor saved). Nothing is recorded.
    /// </summary>
    public async Task<PlacementPreview> PreviewAsync(HostingRequest request, CancellationToken cancellationToken)
    {
        var options = await EvaluateAsync(request, clock.GetUtcNow().UtcDateTime, cancellationToken);
        if (options.Ranked.Count == 0)
        {
            var (fr, en) = options.WaitReason ?? NoRoom;
            return new PlacementPreview("waiting", null, null, null, fr, en, options.Considered);
        }
        var (best, facility, agreementId) = options.Ranked[0];
        return new PlacementPreview("placed", facility.FacilityId, Guid.Parse(best.PoolId), agreementId,
            $"Irait dans {facility.Code} (réserve {best.PoolName}).", $"Would go to {facility.Code} (pool {best.PoolName}).", options.Considered);
    }

    private sealed record PlacementOptions(
        List<ConsideredFacility> Considered, List<(Q.Candidate Candidate, KnownFacility Facility, Guid? AgreementId)> Ranked, (string Fr, string En)? WaitReason);

    /// <summary>Every facility judged under the residency rules, then the pools quota says can take the request, best first.</summary>
    private async Task<PlacementOptions> EvaluateAsync(HostingRequest request, DateTime now, CancellationToken cancellationToken)
    {
        var facilities = await db.Facilities.AsNoTracking().OrderBy(f => f.Code).ToListAsync(cancellationToken);
        var agreements = await PriceBook.AgreementTermsAsync(db, request.AgencyStateCode, cancellationToken);
        var verdicts = facilities.ToDictionary(f => f.FacilityId, f => (Facility: f, Verdict: Residency.Evaluate(request.Classification, request.AgencyStateCode, f, agreements)));
        var residencyAllows = verdicts.Values.Any(v => v.Verdict.Allowed);
        // Where residency allows it, the facility must also offer the request's images and sizes (its own catalogue).
        var lines = RequestTransitions.Lines(request);
        foreach (var (id, (facility, verdict)) in verdicts.Where(v => v.Value.Verdict.Allowed).ToList())
        {
            var offer = await catalogues.OfferAsync(new Drivers.FacilityTarget(facility.FacilityId, facility.Code), cancellationToken);
            if (offer.Check(facility.Code, lines) is { Fits: false } missing)
            {
                verdicts[id] = (facility, new ResidencyVerdict(false, null, missing.Fr, missing.En));
            }
        }
        var costs = await MonthlyCostsAsync(request, verdicts.Values.Select(v => (v.Facility.FacilityId, v.Verdict.AgreementId)), now, cancellationToken);
        // GPUs are placed only where they can be billed: billing refuses usage of a class no price covers.
        if (!request.Total.Accelerators().IsZero)
        {
            var devices = string.Join(", ", request.Total.Accelerators().Classes);
            foreach (var (id, (facility, verdict)) in verdicts.Where(v => v.Value.Verdict.Allowed && costs.GetValueOrDefault(v.Key) is null).ToList())
            {
                verdicts[id] = (facility, new ResidencyVerdict(false, verdict.AgreementId,
                    $"{facility.Code} n'a pas de prix en vigueur pour {devices}.", $"{facility.Code} has no price in force for {devices}."));
            }
        }
        var allowed = verdicts.Values.Where(v => v.Verdict.Allowed).ToList();
        if (allowed.Count == 0)
        {
            return new PlacementOptions(verdicts.Values.Select(v => Considered(v.Facility, v.Verdict, 0, costs)).ToList(), [],
                residencyAllows
                    ? ("aucun centre autorisé n'offre les images, gabarits et GPU demandés à un prix connu (voir les centres examinés).",
                       "no allowed facility offers the images, flavours and GPUs asked for at a known price (see the facilities considered).")
                    : Residency.NoFacilityAllowed(request.Classification, request.AgencyStateCode, facilities));
        }

        var candidates = await quota.ListCandidatesAsync(new Q.ListCandidatesRequest
        {
            AgencyId = request.AgencyId.ToString(),
            VmByClass = { QuotaAmounts.Of(request.Total) },
            Count = 1,
            FacilityIds = { allowed.Select(a => a.Facility.FacilityId.ToString()) },
            Limit = 50,
        }, cancellationToken: cancellationToken);
        var fitByFacility = candidates.Candidates.GroupBy(c => Guid.Parse(c.FacilityId)).ToDictionary(g => g.Key, g => g.Max(c => (long)c.VmsThatFit));
        var considered = verdicts.Values.Select(v => v.Verdict.Allowed && !fitByFacility.ContainsKey(v.Facility.FacilityId)
                ? new ConsideredFacility(v.Facility.FacilityId, v.Facility.Code, v.Facility.StateCode, false,
                    "autorisé, mais aucun pool n'a la place.", "allowed, but no pool has room.", v.Verdict.AgreementId, 0,
                    costs.GetValueOrDefault(v.Facility.FacilityId))
                : Considered(v.Facility, v.Verdict, fitByFacility.GetValueOrDefault(v.Facility.FacilityId), costs))
            .ToList();
        if (!candidates.QuotaFits)
        {
            return new PlacementOptions(considered, [], QuotaShort(request.Total, QuotaAmounts.From(candidates.QuotaHeadroomByClass)));
        }

        var ranked = candidates.Candidates
            .Select(c => (Candidate: c, Facility: verdicts[Guid.Parse(c.FacilityId)]))
            .OrderByDescending(c => request.PreferredFacilityId == c.Facility.Facility.FacilityId)
            .ThenByDescending(c => request.PreferredStateCode == c.Facility.Facility.StateCode)
            .ThenByDescending(c => c.Facility.Facility.StateCode == request.AgencyStateCode)
            .ThenBy(c => costs.GetValueOrDefault(c.Facility.Facility.FacilityId) ?? long.MaxValue)
            .ThenBy(c => HoldsOtherAccelerators(c.Candidate, request.Total.Accelerators()))
            .ThenByDescending(c => c.Candidate.VmsThatFit)
            .ThenBy(c => c.Facility.Facility.Code)
            .Select(c => (c.Candidate, c.Facility.Facility, c.Facility.Verdict.AgreementId))
            .ToList();
        return new PlacementOptions(considered, ranked, null);
    }

    /// <summary>
    /// Gives back the holds of an attempt a crash interrupted (claim ids are saved before quota is asked,
    /// so they are known); releasing a claim that was never taken is harmless.
    /// </summary>
    public async Task ReleaseUnfinishedAttemptAsync(HostingRequest request, CancellationToken cancellationToken)
    {
        foreach (var vm in request.Vms.Where(v => v.ClaimId is not null && v.Status is VmStatus.Pending or VmStatus.Held))
        {
            await lease.HoldAsync(cancellationToken);
            await ReleaseClaimAsync(quota, vm.ClaimId!.Value, "placement interrupted", cancellationToken);
            vm.ClaimId = null;
            vm.Status = VmStatus.Pending;
        }
        request.PoolId = null;
        request.FacilityId = null;
        request.FacilityCode = null;
        request.FacilityStateCode = null;
        request.AgreementId = null;
    }

    private async Task<bool> TryHoldAsync(HostingRequest request, KnownFacility facility, Guid poolId, Guid? agreementId, DateTime now, CancellationToken cancellationToken)
    {
        // The claim ids are saved before quota is asked: after a crash, the runner knows what to give back.
        foreach (var vm in request.Vms)
        {
            vm.ClaimId = Guid.CreateVersion7();
        }
        request.PoolId = poolId;
        await db.SaveChangesAsync(cancellationToken);

        var expiresAt = now + settings.HoldDuration;
        try
        {
            foreach (var vm in request.Vms)
            {
                await lease.HoldAsync(cancellationToken);
                await quota.HoldAsync(new Q.HoldRequest
                {
                    ClaimId = vm.ClaimId!.Value.ToString(), AgencyId = request.AgencyId.ToString(), PoolId = poolId.ToString(),
                    AgreementId = agreementId?.ToString() ?? "",
                    AmountsByClass = { QuotaAmounts.Of(vm.Size) },
                    ExpiresAt = Timestamp.FromDateTime(expiresAt), Reference = $"request {request.Id}",
                    ActorUserId = request.SubmittedBy.ToString(),
                }, cancellationToken: cancellationToken);
                vm.Status = VmStatus.Held;
            }
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.ResourceExhausted or StatusCode.FailedPrecondition)
        {
            LogPoolRefused(request.Id, facility.Code, exception.Status.Detail);
            await ReleaseUnfinishedAttemptAsync(request, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            return false;
        }

        request.FacilityId = facility.FacilityId;
        request.FacilityCode = facility.Code;
        request.FacilityStateCode = facility.StateCode;
        request.AgreementId = agreementId;
        request.HoldsExpireAt = expiresAt;
        foreach (var vm in request.Vms)
        {
            vm.FacilityId = facility.FacilityId;
            vm.FacilityCode = facility.Code;
            vm.FacilityStateCode = facility.StateCode;
        }
        return true;
    }

    public static async Task ReleaseClaimAsync(Q.QuotaService.QuotaServiceClient quota, Guid claimId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await quota.ReleaseAsync(new Q.ReleaseRequest { ClaimId = claimId.ToString(), Reason = reason }, cancellationToken: cancellationToken);
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition)
        {
            // Never taken, refused, or already ended: nothing is held.
        }
    }

    private void Wait(HostingRequest request, DateTime now, List<ConsideredFacility> considered, string reasonFr, string reasonEn)
    {
        Record(request, now, "waiting", considered, null, null, null, reasonFr, reasonEn);
        request.HoldsExpireAt = null;
        if (request.Status != RequestStatus.WaitingForCapacity || request.StatusReasonEn != reasonEn)
        {
            db.MoveTo(request, RequestStatus.WaitingForCapacity, reasonFr, reasonEn, now);
        }
        var retry = now + settings.WaitingRetryInterval;
        request.NextStepAt = retry < request.Deadline ? retry : request.Deadline;
    }

    private void Record(HostingRequest request, DateTime now, string outcome, List<ConsideredFacility> considered, Guid? facilityId, Guid? poolId,
        Guid? agreementId, string reasonFr, string reasonEn) =>
        db.Decisions.Add(new PlacementDecisionRecord
        {
            RequestId = request.Id, Attempt = request.PlacementAttempts, DecidedAt = now, Outcome = outcome, FacilityId = facilityId, PoolId = poolId,
            AgreementId = agreementId, ReasonFr = reasonFr, ReasonEn = reasonEn, ConsideredJson = JsonSerializer.Serialize(considered, Json),
        });

    public static IReadOnlyList<ConsideredFacility> ReadConsidered(PlacementDecisionRecord decision) =>
        JsonSerializer.Deserialize<List<ConsideredFacility>>(decision.ConsideredJson, Json) ?? [];

    private static ConsideredFacility Considered(KnownFacility facility, ResidencyVerdict verdict, long vmsThatFit, IReadOnlyDictionary<Guid, long?> costs) =>
        new(facility.FacilityId, facility.Code, facility.StateCode, verdict.Allowed && vmsThatFit > 0, verdict.ReasonFr, verdict.ReasonEn, verdict.AgreementId, vmsThatFit,
            costs.GetValueOrDefault(facility.FacilityId));

    /// <summary>
    /// What the whole request would cost a month in each facility: at the agreement's own prices for a
    /// guest when it has them, else at the facility's list price in force now; null when no price is known yet.
    /// </summary>
    private async Task<IReadOnlyDictionary<Guid, long?>> MonthlyCostsAsync(
        HostingRequest request, IEnumerable<(Guid FacilityId, Guid? AgreementId)> facilities, DateTime now, CancellationToken cancellationToken)
    {
        var prices = await PriceBook.LoadAsync(db, now, cancellationToken);
        var size = request.Total;
        return facilities.ToDictionary(f => f.FacilityId, f => prices.MonthlyXof(f.FacilityId, f.AgreementId, size));
    }

    /// <summary>A pool with room in a GPU class the request does not use: a plain VM goes there only when no other pool takes it, to keep GPU hosts for GPU work.</summary>
    private static bool HoldsOtherAccelerators(Q.Candidate candidate, ResourceVector wanted) =>
        candidate.HeadroomByClass.Any(h => h.Amount > 0 && !ResourceClasses.IsStandard(h.ResourceClass) && wanted[h.ResourceClass] == 0);

    /// <summary>Why the agency's quota does not take the request: each class it asks for more of than is left, with what is left.</summary>
    public static (string Fr, string En) QuotaShort(ResourceVector asked, ResourceVector headroom)
    {
        var exceeding = asked.Exceeding(headroom).ToList();
        var fr = string.Join(", ", exceeding.Select(s => $"{s.Class} : {s.Amount} demandé, {s.Limit} restant"));
        var en = string.Join(", ", exceeding.Select(s => $"{s.Class}: {s.Amount} asked, {s.Limit} left"));
        return ($"quota de l'organisme insuffisant ({fr}).", $"the agency's quota is short ({en}).");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: pool in {Facility} refused the holds: {Detail}")]
    private partial void LogPoolRefused(Guid requestId, string facility, string detail);
}

/// <summary>
/// The prices in force at one moment, read once: what a size costs a month in a facility, at the agreement's own prices for a
/// guest when it has them, else at the facility's list price; null when no price is known. Placement and a campaign's plan
/// both rank by it.
/// </summary>
public sealed class PriceBook(IReadOnlyDictionary<Guid, KnownPrice> listPrices, IReadOnlyDictionary<string, ResourceMetering> metering,
    IReadOnlyDictionary<Guid, ResourceVector> agreementPrices)
{
    public static async Task<PriceBook> LoadAsync(ProvisioningDbContext db, DateTime now, CancellationToken cancellationToken) => new(
        await db.PricesInForceAsync(now, cancellationToken),
        await db.ResourceClasses.AsNoTracking().ToDictionaryAsync(c => c.Code, c => c.Metering, cancellationToken),
        await db.AgreementsInForce.AsNoTracking().Where(a => !a.FacilityListPrice).ToDictionaryAsync(a => a.AgreementId, a => a.UnitPrices, cancellationToken));

    /// <summary>The agreements in force as residency reads them, for one guest state or (null) all.</summary>
    public static async Task<List<AgreementTerms>> AgreementTermsAsync(ProvisioningDbContext db, string? guestStateCode, CancellationToken cancellationToken) =>
        (await db.AgreementsInForce.AsNoTracking().Where(a => guestStateCode == null || a.GuestStateCode == guestStateCode).ToListAsync(cancellationToken))
            .Select(a => new AgreementTerms(a.AgreementId, a.FacilityId, a.GuestStateCode,
                a.AllowedClassifications.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Codes.ParseClassification).OfType<Classification>().ToList()))
            .ToList();

    public long? MonthlyXof(Guid facilityId, Guid? agreementId, ResourceVector size)
    {
        var list = listPrices.TryGetValue(facilityId, out var known) ? known.UnitPrices : null;
        var prices = agreementId is { } agreement && agreementPrices.TryGetValue(agreement, out var terms) ? MonthlyCost.UnderAgreement(terms, list) : list;
        return prices is null ? null : MonthlyCost.Xof(size, prices, metering);
    }
}
