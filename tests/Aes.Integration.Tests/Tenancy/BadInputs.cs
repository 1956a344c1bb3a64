using Aes.Contracts.Tenancy.V1;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Aes.Integration.Tests.Tenancy;

/// <summary>A refused request; <see cref="Prepare"/> sets up what it needs and returns the call itself.</summary>
public sealed record BadInput(StatusCode Status, string? Field, Func<TenancyServiceFixture, Task<Func<Task>>> Prepare)
{
    public BadInput(StatusCode status, string? field, Func<TenancyServiceFixture, Task> call)
        : this(status, field, tenancy => Task.FromResult<Func<Task>>(() => call(tenancy)))
    {
    }
}

/// <summary>Requests that must be refused: each with the status and the field the refusal must name.</summary>
public static class BadInputs
{
    private static RegisterFacilityRequest Facility(Action<RegisterFacilityRequest>? change = null)
    {
        var request = new RegisterFacilityRequest
        {
            Code = "ML-KYS-1", StateCode = "ML", Name = "Centre de Kayes", City = "Kayes", Tier = 3,
            TargetAvailabilityPercent = "99.982",
            InstalledCapacityByClass = { ByClassWire.Size<ResourceAmount>(512, 2048, 10_000, 16) },
        };
        change?.Invoke(request);
        return request;
    }

    private static DraftAgreementRequest Agreement(TenancyServiceFixture tenancy, Action<DraftAgreementRequest>? change = null)
    {
        var start = DateTime.UtcNow.AddDays(10);
        var request = new DraftAgreementRequest
        {
            ActorUserId = tenancy.UserIds["admin.aes"],
            FacilityId = tenancy.Facilities["ML-BKO-1"].Id,
            GuestStateCode = "BF",
            SliceByClass = { ByClassWire.Size<ResourceAmount>(16, 64, 1000) },
            AllowedClassifications = { DataClassification.Internal },
            StartsAt = Timestamp.FromDateTime(start),
            EndsAt = Timestamp.FromDateTime(start.AddMonths(6)),
        };
        change?.Invoke(request);
        return request;
    }

    public static readonly Dictionary<string, BadInput> Cases = new()
    {
        ["facility with an empty name"] = new(StatusCode.InvalidArgument, "name",
            t => t.Client.RegisterFacilityAsync(Facility(r => r.Name = "  ")).ResponseAsync),
        ["facility with an oversized name"] = new(StatusCode.InvalidArgument, "name",
            t => t.Client.RegisterFacilityAsync(Facility(r => r.Name = new string('é', 201))).ResponseAsync),
        ["facility in an unknown state"] = new(StatusCode.InvalidArgument, "state_code",
            t => t.Client.RegisterFacilityAsync(Facility(r => r.StateCode = "XX")).ResponseAsync),
        ["facility code of another state"] = new(StatusCode.InvalidArgument, "code",
            t => t.Client.RegisterFacilityAsync(Facility(r => r.Code = "BF-KYS-1")).ResponseAsync),
        ["facility with tier 7"] = new(StatusCode.InvalidArgument, "tier",
            t => t.Client.RegisterFacilityAsync(Facility(r => r.Tier = 7)).ResponseAsync),
        ["facility with availability of 120 %"] = new(StatusCode.InvalidArgument, "target_availability_percent",
            t => t.Client.RegisterFacilityAsync(Facility(r => r.TargetAvailabilityPercent = "120")).ResponseAsync),
        ["facility with negative memory"] = new(StatusCode.InvalidArgument, "installed_capacity_by_class[1].amount",
            t => t.Client.RegisterFacilityAsync(Facility(r => r.InstalledCapacityByClass[1].Amount = -1)).ResponseAsync),
        ["facility in an unknown time zone"] = new(StatusCode.InvalidArgument, "time_zone",
            t => t.Client.RegisterFacilityAsync(Facility(r => r.TimeZone = "Mars/Olympus")).ResponseAsync),
        ["agency code with spaces"] = new(StatusCode.InvalidArgument, "code",
            t => t.Client.RegisterAgencyAsync(new RegisterAgencyRequest { StateCode = "ML", Code = "M E F", Name = "Ministère" }).ResponseAsync),
        ["agency with a control character"] = new(StatusCode.InvalidArgument, "name",
            t => t.Client.RegisterAgencyAsync(new RegisterAgencyRequest { StateCode = "ML", Code = "MINT", Name = "Minist\u0007ère" }).ResponseAsync),
        ["agreement ending before it starts"] = new(StatusCode.InvalidArgument, "ends_at",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.EndsAt = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(1)))).ResponseAsync),
        ["agreement slice larger than the facility"] = new(StatusCode.InvalidArgument, "slice_by_class[0].amount",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.SliceByClass[0].Amount = 100_000)).ResponseAsync),
        ["agreement slice without vCPU"] = new(StatusCode.InvalidArgument, "slice_by_class[0].amount",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.SliceByClass[0].Amount = 0)).ResponseAsync),
        ["agreement without a slice"] = new(StatusCode.InvalidArgument, "slice_by_class",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.SliceByClass.Clear())).ResponseAsync),
        ["agreement slice naming a class not in the catalogue"] = new(StatusCode.InvalidArgument, "slice_by_class[3].resource_class",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.SliceByClass.Add(new ResourceAmount { ResourceClass = "gpu_h100_94g", Amount = 1 }))).ResponseAsync),
        ["agreement slice naming vCPU twice"] = new(StatusCode.InvalidArgument, "slice_by_class[3].resource_class",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.SliceByClass.Add(new ResourceAmount { ResourceClass = "vcpu", Amount = 1 }))).ResponseAsync),
        ["facility without installed capacity"] = new(StatusCode.InvalidArgument, "installed_capacity_by_class",
            t => t.Client.RegisterFacilityAsync(Facility(r => r.InstalledCapacityByClass.Clear())).ResponseAsync),
        ["installed capacity naming a class not in the catalogue"] = new(StatusCode.InvalidArgument, "installed_capacity_by_class[2].resource_class",
            t => t.Client.SetFacilityCapacityAsync(new SetFacilityCapacityRequest
            {
                Id = t.Facilities["ML-BKO-1"].Id,
                InstalledCapacityByClass =
                {
                    new ResourceAmount { ResourceClass = "vcpu", Amount = 4096 }, new ResourceAmount { ResourceClass = "memory_gib", Amount = 16_384 },
                    new ResourceAmount { ResourceClass = "gpu_h100_94g", Amount = 8 },
                },
            }).ResponseAsync),
        ["installed capacity without memory"] = new(StatusCode.InvalidArgument, "installed_capacity_by_class",
            t => t.Client.SetFacilityCapacityAsync(new SetFacilityCapacityRequest
            {
                Id = t.Facilities["ML-BKO-1"].Id, InstalledCapacityByClass = { new ResourceAmount { ResourceClass = "vcpu", Amount = 4096 } },
            }).ResponseAsync),
        ["agreement on a planned facility"] = new(StatusCode.FailedPrecondition, null,
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.FacilityId = t.Facilities["NE-NIM-1"].Id)).ResponseAsync),
        ["agreement for strategic data"] = new(StatusCode.InvalidArgument, "allowed_classifications",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.AllowedClassifications.Add(DataClassification.Strategic))).ResponseAsync),
        ["agreement with the host as guest"] = new(StatusCode.InvalidArgument, "guest_state_code",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.GuestStateCode = "ML")).ResponseAsync),
        ["agreement drafted by a requester"] = new(StatusCode.PermissionDenied, null,
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.ActorUserId = t.UserIds["agent.mef.ml"])).ResponseAsync),
        ["agreement with fixed prices all at zero"] = new(StatusCode.InvalidArgument, "price_terms",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.PriceTerms = new PriceTerms { FacilityListPrice = false })).ResponseAsync),
        ["agreement on an unknown facility"] = new(StatusCode.NotFound, null,
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.FacilityId = Guid.NewGuid().ToString())).ResponseAsync),
        ["agreement without a start"] = new(StatusCode.InvalidArgument, "starts_at",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.StartsAt = null)).ResponseAsync),
        ["agreement with an idempotency key of 201 characters"] = new(StatusCode.InvalidArgument, "idempotency_key",
            t => t.Client.DraftAgreementAsync(Agreement(t, r => r.IdempotencyKey = new string('k', 201))).ResponseAsync),
        ["an idempotency key used again for another agreement"] = new(StatusCode.InvalidArgument, "idempotency_key", async t =>
        {
            var first = Agreement(t, r => { r.SliceByClass[0].Amount = 1; r.IdempotencyKey = "accord-unique"; });
            await t.Client.DraftAgreementAsync(first);
            var other = first.Clone();
            other.SliceByClass[0].Amount = 2; // the same in every other field, to the microsecond
            return () => t.Client.DraftAgreementAsync(other).ResponseAsync;
        }),
        ["unknown facility id"] = new(StatusCode.NotFound, null,
            t => t.Client.GetFacilityAsync(new GetFacilityRequest { Id = Guid.NewGuid().ToString() }).ResponseAsync),
        ["malformed agency id"] = new(StatusCode.InvalidArgument, "id",
            t => t.Client.GetAgencyAsync(new GetAgencyRequest { Id = "not-a-guid" }).ResponseAsync),
        ["opening an open facility"] = new(StatusCode.FailedPrecondition, null,
            t => t.Client.OpenFacilityAsync(new ChangeFacilityStatusRequest { Id = t.Facilities["ML-BKO-1"].Id }).ResponseAsync),
        ["signing a terminated agreement"] = new(StatusCode.FailedPrecondition, null, async t =>
        {
            var agreement = await t.Client.DraftAgreementAsync(Agreement(t, r => r.SliceByClass[0].Amount = 1));
            await t.Client.TerminateAgreementAsync(new TerminateAgreementRequest
            {
                AgreementId = agreement.Id, ActorUserId = t.UserIds["admin.aes"], Reason = "Annulé",
            });
            return () => t.Client.SignAgreementAsync(new SignAgreementRequest { AgreementId = agreement.Id, ActorUserId = t.UserIds["op.ml"] }).ResponseAsync;
        }),
        ["requester without an agency"] = new(StatusCode.InvalidArgument, "roles[0].agency_id", t =>
            t.Client.CreateUserAsync(new CreateUserRequest
            {
                UserName = "nouvel.agent", DisplayName = "Nouvel agent", Roles = { new RoleAssignment { Role = Role.Requester } },
            }).ResponseAsync),
        ["user name with spaces"] = new(StatusCode.InvalidArgument, "user_name", t =>
            t.Client.CreateUserAsync(new CreateUserRequest { UserName = "jean dupont", DisplayName = "Jean" }).ResponseAsync),
        ["list agreements with an unknown status"] = new(StatusCode.InvalidArgument, "status",
            t => t.Client.ListAgreementsAsync(new ListAgreementsRequest { Status = (AgreementStatus)42 }).ResponseAsync),
        ["resource class with a spaced code"] = new(StatusCode.InvalidArgument, "code",
            t => t.Client.DefineResourceClassAsync(ResourceClass(r => r.Code = "gpu a100")).ResponseAsync),
        ["resource class with no metering"] = new(StatusCode.InvalidArgument, "metering",
            t => t.Client.DefineResourceClassAsync(ResourceClass(r => r.Metering = ResourceMetering.Unspecified)).ResponseAsync),
        ["resource class in an unknown state"] = new(StatusCode.InvalidArgument, "state_code",
            t => t.Client.DefineResourceClassAsync(ResourceClass(r => r.StateCode = "ZZ")).ResponseAsync),
        ["a standard class defined again with other terms"] = new(StatusCode.FailedPrecondition, null,
            t => t.Client.DefineResourceClassAsync(ResourceClass(r => (r.Code, r.Unit) = ("vcpu", "coeur"))).ResponseAsync),
    };

    private static DefineResourceClassRequest ResourceClass(Action<DefineResourceClassRequest> change)
    {
        var request = new DefineResourceClassRequest
        {
            StateCode = "ML", Code = "gpu_l40s", Unit = "gpu", NameFr = "GPU L40S", NameEn = "L40S GPU",
            Metering = ResourceMetering.Hourly, Consumption = ResourceConsumption.Count,
        };
        change(request);
        return request;
    }
}
