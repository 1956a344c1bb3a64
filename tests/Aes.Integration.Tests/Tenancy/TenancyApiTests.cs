using Aes.Contracts.Tenancy.V1;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Aes.Integration.Tests.Tenancy;

public sealed class TenancyApiTests(TenancyServiceFixture tenancy) : IClassFixture<TenancyServiceFixture>
{
    private TenancyService.TenancyServiceClient Client => tenancy.Client;

    private DraftAgreementRequest BurkinaToNiger(long vcpu = 512, DateTime? startsAt = null, string facility = "BF-OUA-1")
    {
        var start = startsAt ?? DateTime.UtcNow.AddSeconds(2);
        return new DraftAgreementRequest
        {
            ActorUserId = tenancy.UserIds["admin.aes"],
            FacilityId = tenancy.Facilities[facility].Id,
            GuestStateCode = "NE",
            // Sized from the vCPU so the tests sharing this tenancy never add up past a facility's capacity by accident.
            SliceByClass = { ByClassWire.Size<ResourceAmount>(vcpu, vcpu * 4, vcpu * 100, 8) },
            AllowedClassifications = { DataClassification.Internal, DataClassification.Public },
            PriceTerms = new PriceTerms { FacilityListPrice = true },
            StartsAt = Timestamp.FromDateTime(start),
            EndsAt = Timestamp.FromDateTime(start.AddYears(1)),
        };
    }

    private Task<Agreement> SignAsync(Agreement agreement, string user) =>
        Client.SignAgreementAsync(new SignAgreementRequest { AgreementId = agreement.Id, ActorUserId = tenancy.UserIds[user] }).ResponseAsync;

    [Fact]
    public async Task The_demo_seed_holds_the_states_facilities_and_users_of_the_domain_brief()
    {
        var states = await Client.ListMemberStatesAsync(new ListMemberStatesRequest());
        Assert.Equal(["BF", "ML", "NE"], states.States.Select(s => s.Code));
        Assert.Equal("Africa/Niamey", states.States.Single(s => s.Code == "NE").TimeZone);

        var bamako = tenancy.Facilities["ML-BKO-1"];
        Assert.Equal(FacilityStatus.Open, bamako.Status);
        Assert.Equal(3, bamako.Tier);
        Assert.Equal("99.982", bamako.TargetAvailabilityPercent);
        Assert.Equal(2, tenancy.Facilities.Values.Count(f => f.StateCode == "BF" && f.Status == FacilityStatus.Open));
        Assert.DoesNotContain(tenancy.Facilities.Values, f => f.StateCode == "NE" && f.Status == FacilityStatus.Open);
        Assert.Contains("op.ml", tenancy.UserIds.Keys);
        Assert.Contains("audit.aes", tenancy.UserIds.Keys);
    }

    [Fact]
    public async Task Journey_7_an_agreement_is_drafted_signed_by_both_operators_and_activates_at_its_start()
    {
        var draft = await Client.DraftAgreementAsync(BurkinaToNiger());
        Assert.Equal(AgreementStatus.Draft, draft.Status);
        Assert.Equal("BF", draft.HostStateCode);

        var byHost = await SignAsync(draft, "op.bf");
        Assert.Equal(AgreementStatus.SignedByHost, byHost.Status);
        var byGuest = await SignAsync(draft, "op.ne");
        Assert.Equal(AgreementStatus.SignedByGuest, byGuest.Status);
        Assert.Equal(tenancy.UserIds["op.ne"], byGuest.GuestSignature.UserId);

        await Eventually.HoldsAsync(async () =>
                (await Client.GetAgreementAsync(new GetAgreementRequest { Id = draft.Id })).Status == AgreementStatus.Active,
            TimeSpan.FromSeconds(20), "the agreement activated at its start date");

        // The activation left through the outbox to the real broker.
        await Eventually.HoldsAsync(async () =>
                (await tenancy.OutboxAsync("AgreementActivated")).Any(m => m.Body.Contains(draft.Id) && m.Dispatched),
            TimeSpan.FromSeconds(20), "AgreementActivated was relayed to RabbitMQ");

        var terminated = await Client.TerminateAgreementAsync(new TerminateAgreementRequest
        {
            AgreementId = draft.Id, ActorUserId = tenancy.UserIds["op.bf"], Reason = "Fin de l'exercice",
        });
        Assert.Equal(AgreementStatus.Terminated, terminated.Status);
        Assert.Contains((await tenancy.OutboxAsync("AgreementEnded")), m => m.Body.Contains(draft.Id) && m.Body.Contains("terminated"));
    }

    [Fact]
    public async Task The_host_signs_first_and_only_the_right_operators_sign()
    {
        var draft = await Client.DraftAgreementAsync(BurkinaToNiger(vcpu: 8, startsAt: DateTime.UtcNow.AddDays(30)));

        var guestFirst = await Assert.ThrowsAsync<RpcException>(() => SignAsync(draft, "op.ne"));
        Assert.Equal(StatusCode.FailedPrecondition, guestFirst.StatusCode);
        var stranger = await Assert.ThrowsAsync<RpcException>(() => SignAsync(draft, "op.ml"));
        Assert.Equal(StatusCode.PermissionDenied, stranger.StatusCode);

        await SignAsync(draft, "op.bf");
        var hostTwice = await Assert.ThrowsAsync<RpcException>(() => SignAsync(draft, "op.bf"));
        Assert.Equal(StatusCode.PermissionDenied, hostTwice.StatusCode);
        var signed = await SignAsync(draft, "op.ne");
        Assert.Equal(AgreementStatus.SignedByGuest, signed.Status); // starts in 30 days: not active yet
    }

    [Fact]
    public async Task Concurrent_signatures_of_one_draft_record_exactly_one()
    {
        var draft = await Client.DraftAgreementAsync(BurkinaToNiger(vcpu: 4, startsAt: DateTime.UtcNow.AddDays(60)));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            try { await SignAsync(draft, "op.bf"); return StatusCode.OK; }
            catch (RpcException exception) { return exception.StatusCode; }
        }));

        Assert.Equal(1, attempts.Count(code => code == StatusCode.OK));
        Assert.All(attempts.Where(code => code != StatusCode.OK),
            code => Assert.Contains(code, new[] { StatusCode.Aborted, StatusCode.PermissionDenied }));
        var signatures = (await tenancy.OutboxAsync("AgreementSigned")).Count(m => m.Body.Contains(draft.Id));
        Assert.Equal(1, signatures);
    }

    [Fact]
    public async Task Slices_on_one_facility_never_add_up_past_its_installed_capacity()
    {
        // BF-BOB-1 has 1024 vCPU installed.
        await Client.DraftAgreementAsync(BurkinaToNiger(vcpu: 1000, facility: "BF-BOB-1", startsAt: DateTime.UtcNow.AddDays(90)));
        var before = await tenancy.SnapshotAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            Client.DraftAgreementAsync(BurkinaToNiger(vcpu: 100, facility: "BF-BOB-1", startsAt: DateTime.UtcNow.AddDays(90))).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("1100", refused.Status.Detail);
        Assert.Equal(before, await tenancy.SnapshotAsync());
    }

    [Fact]
    public async Task Concurrent_drafts_on_one_facility_never_exceed_its_installed_capacity()
    {
        var bamako = tenancy.Facilities["ML-BKO-1"]; // 2048 vCPU installed
        var drafts = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            var request = BurkinaToNiger(vcpu: 400, facility: "ML-BKO-1", startsAt: DateTime.UtcNow.AddDays(120));
            request.ActorUserId = tenancy.UserIds["op.ml"];
            try { await Client.DraftAgreementAsync(request); return StatusCode.OK; }
            catch (RpcException exception) { return exception.StatusCode; }
        }));

        Assert.Contains(StatusCode.OK, drafts);
        Assert.All(drafts, code => Assert.Contains(code, new[] { StatusCode.OK, StatusCode.Aborted, StatusCode.FailedPrecondition }));
        var inForce = (await Client.ListAgreementsAsync(new ListAgreementsRequest { StateCode = "ML" })).Agreements
            .Where(a => a.FacilityId == bamako.Id && a.Status is not (AgreementStatus.Expired or AgreementStatus.Terminated));
        Assert.True(inForce.Sum(a => a.SliceByClass.Of("vcpu")) <= bamako.InstalledCapacityByClass.Of("vcpu"));
    }

    [Fact]
    public async Task Each_role_change_and_each_facility_status_is_announced_with_a_growing_revision()
    {
        var user = await Client.CreateUserAsync(new CreateUserRequest
        {
            UserName = $"op.{Guid.NewGuid():N}"[..20], DisplayName = "Opératrice", Roles = { new RoleAssignment { Role = Role.StateOperator, StateCode = "BF" } },
        });
        var auditor = new RoleAssignment { Role = Role.Auditor, StateCode = "BF" };
        await Client.AssignRoleAsync(new AssignRoleRequest { UserId = user.Id, Assignment = auditor });
        await Client.RevokeRoleAsync(new RevokeRoleRequest { UserId = user.Id, Assignment = auditor });

        var changes = (await tenancy.OutboxAsync("RoleAssigned")).Concat(await tenancy.OutboxAsync("RoleRevoked"))
            .Where(m => m.Body.Contains(user.Id)).Select(m => System.Text.Json.JsonDocument.Parse(m.Body).RootElement)
            .Select(e => (Role: e.GetProperty("role").GetString(), Revision: e.GetProperty("revision").GetInt64())).OrderBy(c => c.Revision).ToList();
        Assert.Equal([("state-operator", 1L), ("auditor", 2L), ("auditor", 3L)], changes); // created, assigned, revoked

        var facility = await Client.RegisterFacilityAsync(new RegisterFacilityRequest
        {
            Code = $"BF-V{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}-1", StateCode = "BF", Name = "Centre versionné", City = "Koudougou", Tier = 3,
            TargetAvailabilityPercent = "99.982", InstalledCapacityByClass = { ByClassWire.Size<ResourceAmount>(64, 256, 1000, 2) },
        });
        await Client.OpenFacilityAsync(new ChangeFacilityStatusRequest { Id = facility.Id });
        await Client.CloseFacilityAsync(new ChangeFacilityStatusRequest { Id = facility.Id });
        long VersionIn(List<(string Type, string Body, bool Dispatched)> rows) =>
            System.Text.Json.JsonDocument.Parse(rows.Single(m => m.Body.Contains(facility.Id)).Body).RootElement.GetProperty("version").GetInt64();
        var opened = VersionIn(await tenancy.OutboxAsync("FacilityOpened"));
        var closed = VersionIn(await tenancy.OutboxAsync("FacilityClosed"));
        Assert.True(opened > 0 && closed > opened, $"opened at version {opened}, closed at {closed}");
    }

    [Fact]
    public async Task Concurrent_assignments_of_one_role_leave_it_once()
    {
        var user = await Client.CreateUserAsync(new CreateUserRequest { UserName = $"audit.{Guid.NewGuid():N}"[..20], DisplayName = "Auditeur" });
        var assignment = new RoleAssignment { Role = Role.Auditor, StateCode = "BF" };

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try { await Client.AssignRoleAsync(new AssignRoleRequest { UserId = user.Id, Assignment = assignment }); }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.Aborted or StatusCode.FailedPrecondition) { }
        }));

        var roles = (await Client.GetUserAsync(new GetUserRequest { Id = user.Id })).Roles;
        Assert.Single(roles, r => r.Role == Role.Auditor && r.StateCode == "BF");
        var assigned = (await tenancy.OutboxAsync("RoleAssigned")).Count(m => m.Body.Contains(user.Id));
        Assert.Equal(1, assigned);
    }

    [Fact]
    public async Task A_keyed_agreement_draft_or_automation_client_asked_for_twice_is_made_once_and_answered_alike()
    {
        var draft = BurkinaToNiger(vcpu: 2, startsAt: DateTime.UtcNow.AddYears(2));
        draft.IdempotencyKey = "accord-bf-ne-2028";
        var agreementsBefore = (await Client.ListAgreementsAsync(new ListAgreementsRequest())).Agreements.Count;

        var first = await Client.DraftAgreementAsync(draft);
        var again = await Client.DraftAgreementAsync(draft);

        Assert.Equal(first, again);
        Assert.Equal(agreementsBefore + 1, (await Client.ListAgreementsAsync(new ListAgreementsRequest())).Agreements.Count);
        Assert.Equal(1L, await tenancy.ScalarAsync($"SELECT count(*) FROM audit_entries WHERE action LIKE '%/DraftAgreement' AND details LIKE '%{draft.IdempotencyKey}%'"));

        var mef = (await Client.ListAgenciesAsync(new ListAgenciesRequest())).Agencies.Single(a => a.Code == "MEF").Id;
        var automation = new CreateAutomationClientRequest
        {
            ActorUserId = tenancy.UserIds["admin.aes"], DisplayName = "Chaîne demandée deux fois",
            Assignment = new RoleAssignment { Role = Role.Requester, AgencyId = mef }, IdempotencyKey = "chaine-budget-1",
        };
        var created = await Client.CreateAutomationClientAsync(automation);
        var repeated = await Client.CreateAutomationClientAsync(automation);

        Assert.Equal((created.ClientId, created.UserId, created.DisplayName), (repeated.ClientId, repeated.UserId, repeated.DisplayName));
        Assert.Equal(64, created.ClientSecret.Length);
        Assert.Empty(repeated.ClientSecret); // shown once: never kept in clear, not even for a replay
        Assert.Single((await Client.ListUsersAsync(new ListUsersRequest())).Users, u => u.DisplayName == automation.DisplayName);
        Assert.Equal(0L, await tenancy.ScalarAsync($"SELECT count(*) FROM call_replays WHERE position('{created.ClientSecret}' in encode(response, 'escape')) > 0"));
    }

    [Fact]
    public async Task Operators_adding_one_accelerator_at_once_add_it_once_and_it_pages_after_the_standard_classes()
    {
        var a100 = new DefineResourceClassRequest
        {
            StateCode = "ML", Code = "gpu_h200_141g", Unit = "gpu", NameFr = "GPU H200 141 Go", NameEn = "H200 141 GB GPU",
            Metering = ResourceMetering.Hourly, Consumption = ResourceConsumption.Count,
        };

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Client.DefineResourceClassAsync(a100).ResponseAsync));

        Assert.Single(answers.Distinct());
        Assert.Equal(("gpu-hour", "ML", false), (answers[0].BillingUnit, answers[0].DefinedByStateCode, answers[0].Standard));
        Assert.Single(await tenancy.OutboxAsync("ResourceClassDefined"), message => message.Body.Contains("gpu_h200_141g", StringComparison.Ordinal));
        var pages = new List<string[]>();
        var token = "";
        do
        {
            var page = await Client.ListResourceClassesAsync(new ListResourceClassesRequest { PageSize = 2, PageToken = token });
            pages.Add(page.Classes.Select(c => c.Code).ToArray());
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Equal(["vcpu", "memory_gib"], pages[0]);
        Assert.Equal(["storage_gib", "public_ipv4"], pages[1]);
        Assert.Contains("gpu_h200_141g", pages.Skip(2).SelectMany(p => p));
        Assert.Equal(1, pages.SelectMany(p => p).Count(code => code == "gpu_h200_141g"));
        Assert.Contains("gpu_a100_80g", pages.Skip(2).SelectMany(p => p)); // the demo's
    }

    public static TheoryData<string> BadRequests => new(BadInputs.Cases.Keys);

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_refused_with_the_right_status_and_field_and_changes_nothing(string name)
    {
        var bad = BadInputs.Cases[name];
        var call = await bad.Prepare(tenancy);
        var before = await tenancy.SnapshotAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(call);

        Assert.Equal(bad.Status, refused.StatusCode);
        if (bad.Field is not null)
        {
            Assert.Equal(bad.Field, refused.Trailers.GetValue("aes-field"));
        }
        Assert.Contains(" / ", refused.Status.Detail); // French, then English
        Assert.NotNull(refused.Trailers.GetValueBytes("aes-message-fr-bin"));
        Assert.Equal(before, await tenancy.SnapshotAsync());
    }
}
