using Aes.ServiceDefaults.Errors;
using Aes.Tenancy.Application;
using Aes.Tenancy.Data;
using Aes.Tenancy.Domain;
using Aes.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Tests;

/// <summary>Tenancy's rules on an in-memory SQLite database built from the SQLite migrations, with a fake clock.</summary>
public sealed class TenancyOperationsTests() : TenancyDatabaseTests(new DateTimeOffset(2026, 2, 1, 8, 0, 0, TimeSpan.Zero))
{

    protected override async Task SeedAsync()
    {
        foreach (var (code, zone) in new[] { ("ML", "Africa/Bamako"), ("BF", "Africa/Ouagadougou"), ("NE", "Africa/Niamey") })
        {
            await _operations.RegisterMemberStateAsync(new MemberState { Code = code, NameFr = code, NameEn = code, TimeZone = zone }, default);
        }
    }

    private Task<Facility> RegisterAsync(string code = "BF-OUA-1", long vcpu = 1536) => _operations.RegisterFacilityAsync(new V1.RegisterFacilityRequest
    {
        Code = code, StateCode = code[..2], Name = "Centre", City = "Ouagadougou", Tier = 3, TargetAvailabilityPercent = "99.982",
        InstalledCapacityByClass = { ByClassWire.Size<V1.ResourceAmount>(vcpu, 6144, 1000, 8) },
    }, default);

    /// <summary>Agreements are drafted on open facilities only.</summary>
    private async Task<Facility> OpenedAsync(string code = "BF-OUA-1", long vcpu = 1536)
    {
        var facility = await RegisterAsync(code, vcpu);
        await _operations.OpenFacilityAsync(facility.Id.ToString(), default);
        return facility;
    }

    private async Task<User> UserAsync(string name, V1.Role role, string state = "") => await _operations.CreateUserAsync(new V1.CreateUserRequest
    {
        UserName = name, DisplayName = name, Roles = { new V1.RoleAssignment { Role = role, StateCode = state } },
    }, default);

    private V1.DraftAgreementRequest Draft(Facility facility, User actor, long vcpu = 512) => new()
    {
        ActorUserId = actor.Id.ToString(), FacilityId = facility.Id.ToString(), GuestStateCode = "NE",
        SliceByClass = { ByClassWire.Size<V1.ResourceAmount>(vcpu, 1024, 100) },
        AllowedClassifications = { V1.DataClassification.Internal, V1.DataClassification.Public },
        StartsAt = Timestamp.FromDateTime(new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc)),
        EndsAt = Timestamp.FromDateTime(new DateTime(2027, 3, 1, 0, 0, 0, DateTimeKind.Utc)),
    };

    private async Task<List<string>> EventTypesAsync() =>
        (await _db.OutboxMessages.AsNoTracking().OrderBy(m => m.Sequence).Select(m => m.MessageType).ToListAsync())
        .Select(type => type.Split(',')[0].Split('.').Last()).ToList();

    [Fact]
    public async Task Registering_and_opening_a_facility_saves_it_with_its_events()
    {
        var facility = await RegisterAsync();
        await _operations.OpenFacilityAsync(facility.Id.ToString(), default);

        Assert.Equal(FacilityStatus.Open, facility.Status);
        Assert.Equal("Africa/Ouagadougou", facility.TimeZone); // the state's zone by default
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, facility.OpenedAt);
        Assert.Equal(["FacilityRegistered", "FacilityOpened"], (await EventTypesAsync()).Skip(3));
    }

    [Fact]
    public async Task The_agreement_clock_activates_at_the_start_and_expires_at_the_end_with_events()
    {
        var facility = await OpenedAsync();
        var admin = await UserAsync("admin.aes", V1.Role.ConfederalAdministrator);
        var host = await UserAsync("op.bf", V1.Role.StateOperator, "BF");
        var guest = await UserAsync("op.ne", V1.Role.StateOperator, "NE");
        var agreement = await _operations.DraftAgreementAsync(Draft(facility, admin), default);
        await _operations.SignAgreementAsync(new V1.SignAgreementRequest { AgreementId = agreement.Id.ToString(), ActorUserId = host.Id.ToString() }, default);
        await _operations.SignAgreementAsync(new V1.SignAgreementRequest { AgreementId = agreement.Id.ToString(), ActorUserId = guest.Id.ToString() }, default);

        await _operations.AdvanceAgreementsAsync(default);
        Assert.Equal(AgreementStatus.SignedByGuest, agreement.Status);

        _clock.SetUtcNow(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await _operations.AdvanceAgreementsAsync(default);
        Assert.Equal(AgreementStatus.Active, agreement.Status);

        _clock.SetUtcNow(new DateTimeOffset(2027, 3, 1, 0, 0, 1, TimeSpan.Zero));
        await _operations.AdvanceAgreementsAsync(default);
        Assert.Equal(AgreementStatus.Expired, agreement.Status);

        var events = await EventTypesAsync();
        Assert.Equal(1, events.Count(e => e == "AgreementActivated"));
        Assert.Equal(1, events.Count(e => e == "AgreementEnded"));
        Assert.Equal(2, events.Count(e => e == "AgreementSigned"));
    }

    [Fact]
    public async Task An_agreement_signed_after_its_start_activates_at_once()
    {
        _clock.SetUtcNow(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var facility = await OpenedAsync();
        var host = await UserAsync("op.bf", V1.Role.StateOperator, "BF");
        var guest = await UserAsync("op.ne", V1.Role.StateOperator, "NE");
        var agreement = await _operations.DraftAgreementAsync(Draft(facility, host), default);
        await _operations.SignAgreementAsync(new V1.SignAgreementRequest { AgreementId = agreement.Id.ToString(), ActorUserId = host.Id.ToString() }, default);

        var signed = await _operations.SignAgreementAsync(new V1.SignAgreementRequest { AgreementId = agreement.Id.ToString(), ActorUserId = guest.Id.ToString() }, default);

        Assert.Equal(AgreementStatus.Active, signed.Status);
    }

    [Fact]
    public async Task A_slice_larger_than_the_facility_names_the_resource_class()
    {
        var facility = await OpenedAsync(vcpu: 100);
        var admin = await UserAsync("admin.aes", V1.Role.ConfederalAdministrator);

        var refused = await Assert.ThrowsAsync<InvalidFieldException>(() => _operations.DraftAgreementAsync(Draft(facility, admin, vcpu: 101), default));

        Assert.Equal("slice_by_class[0].amount", refused.Field);
        Assert.Contains("101", refused.Bilingual.English);
        Assert.Contains("100", refused.Bilingual.French);
    }

    [Fact]
    public async Task Agreements_on_one_facility_may_not_add_up_past_its_capacity()
    {
        var facility = await OpenedAsync(vcpu: 600);
        var admin = await UserAsync("admin.aes", V1.Role.ConfederalAdministrator);
        await _operations.DraftAgreementAsync(Draft(facility, admin, vcpu: 500), default);

        await Assert.ThrowsAsync<RuleViolationException>(() => _operations.DraftAgreementAsync(Draft(facility, admin, vcpu: 101), default));
        await _operations.DraftAgreementAsync(Draft(facility, admin, vcpu: 100), default);
    }

    [Fact]
    public async Task A_slice_without_vcpu_and_an_agreement_on_a_facility_not_yet_open_are_refused_with_the_reason()
    {
        var admin = await UserAsync("admin.aes", V1.Role.ConfederalAdministrator);
        var planned = await RegisterAsync("BF-KDG-1");
        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => _operations.DraftAgreementAsync(Draft(planned, admin), default));
        Assert.Contains("planned", refused.Message);

        var open = await OpenedAsync();
        var noVcpu = Draft(open, admin);
        noVcpu.SliceByClass[0].Amount = 0;
        Assert.Equal("slice_by_class[0].amount", (await Assert.ThrowsAsync<InvalidFieldException>(() => _operations.DraftAgreementAsync(noVcpu, default))).Field);
        Assert.Empty(_db.Agreements);
    }

    [Fact]
    public async Task A_terminated_agreement_frees_its_share_of_the_facility()
    {
        var facility = await OpenedAsync(vcpu: 600);
        var admin = await UserAsync("admin.aes", V1.Role.ConfederalAdministrator);
        var first = await _operations.DraftAgreementAsync(Draft(facility, admin, vcpu: 500), default);
        await _operations.TerminateAgreementAsync(new V1.TerminateAgreementRequest
        {
            AgreementId = first.Id.ToString(), ActorUserId = admin.Id.ToString(), Reason = "Remplacé",
        }, default);

        var second = await _operations.DraftAgreementAsync(Draft(facility, admin, vcpu: 500), default);

        Assert.Equal(AgreementStatus.Draft, second.Status);
    }

    [Theory]
    [InlineData("", "name")]
    [InlineData("ML-BKO-1", "state_code")]
    [InlineData("BF-", "code")]
    public async Task Facility_input_errors_name_their_field_and_save_nothing(string code, string field)
    {
        var before = await _db.OutboxMessages.CountAsync();
        var request = new V1.RegisterFacilityRequest
        {
            Code = code.Length == 0 ? "BF-OUA-2" : code, StateCode = field == "state_code" ? "ZZ" : "BF",
            Name = field == "name" ? "" : "Centre", City = "Ouaga", Tier = 3, TargetAvailabilityPercent = "99.982",
            InstalledCapacityByClass = { ByClassWire.Size<V1.ResourceAmount>(1, 1) },
        };

        var refused = await Assert.ThrowsAsync<InvalidFieldException>(() => _operations.RegisterFacilityAsync(request, default));

        Assert.Equal(field, refused.Field);
        Assert.Equal(before, await _db.OutboxMessages.CountAsync());
        Assert.Empty(await _db.Facilities.ToListAsync());
    }

    [Fact]
    public async Task Duplicate_codes_are_refused()
    {
        await RegisterAsync();
        await Assert.ThrowsAsync<RuleViolationException>(() => RegisterAsync());
        await _operations.RegisterAgencyAsync(new V1.RegisterAgencyRequest { StateCode = "ML", Code = "mef", Name = "Finances" }, default);
        await Assert.ThrowsAsync<RuleViolationException>(() =>
            _operations.RegisterAgencyAsync(new V1.RegisterAgencyRequest { StateCode = "ML", Code = "MEF", Name = "Autre" }, default));
    }

    [Fact]
    public async Task Roles_take_the_scope_their_kind_requires()
    {
        var agency = await _operations.RegisterAgencyAsync(new V1.RegisterAgencyRequest { StateCode = "NE", Code = "ANSI", Name = "ANSI" }, default);

        var requester = await _operations.CreateUserAsync(new V1.CreateUserRequest
        {
            UserName = "agent.ansi", DisplayName = "Agent",
            Roles = { new V1.RoleAssignment { Role = V1.Role.Requester, AgencyId = agency.Id.ToString() } },
        }, default);

        Assert.Equal(new RoleAssignment(Role.Requester, "NE", agency.Id), Assert.Single(requester.Roles));
        var wrongState = await Assert.ThrowsAsync<InvalidFieldException>(() => _operations.CreateUserAsync(new V1.CreateUserRequest
        {
            UserName = "agent.x", DisplayName = "X",
            Roles = { new V1.RoleAssignment { Role = V1.Role.Requester, AgencyId = agency.Id.ToString(), StateCode = "ML" } },
        }, default));
        Assert.Equal("roles[0].state_code", wrongState.Field);
        var operatorWithAgency = await Assert.ThrowsAsync<InvalidFieldException>(() => _operations.CreateUserAsync(new V1.CreateUserRequest
        {
            UserName = "op.x", DisplayName = "X",
            Roles = { new V1.RoleAssignment { Role = V1.Role.StateOperator, StateCode = "NE", AgencyId = agency.Id.ToString() } },
        }, default));
        Assert.Equal("roles[0].agency_id", operatorWithAgency.Field);
        var stateboundAdmin = await Assert.ThrowsAsync<InvalidFieldException>(() => UserAsync("admin.x", V1.Role.ConfederalAdministrator, "ML"));
        Assert.Equal("roles[0].state_code", stateboundAdmin.Field);
    }

    [Fact]
    public async Task A_confederation_auditor_has_no_state_and_a_state_auditor_has_one()
    {
        var confederal = await UserAsync("audit.aes", V1.Role.Auditor);
        var national = await UserAsync("audit.ml", V1.Role.Auditor, "ml");

        Assert.Null(Assert.Single(confederal.Roles).StateCode);
        Assert.Equal("ML", Assert.Single(national.Roles).StateCode);
    }

    [Theory]
    [InlineData("99.982", true)]
    [InlineData("99.9825", false)]
    [InlineData("100", false)]
    [InlineData("89.9", false)]
    [InlineData("99,982", false)]
    [InlineData("abc", false)]
    public async Task Target_availability_is_a_percentage_with_at_most_three_decimals(string value, bool accepted)
    {
        var request = new V1.RegisterFacilityRequest
        {
            Code = "ML-BKO-2", StateCode = "ML", Name = "Centre", City = "Bamako", Tier = 3, TargetAvailabilityPercent = value,
            InstalledCapacityByClass = { ByClassWire.Size<V1.ResourceAmount>(1, 1) },
        };
        if (accepted)
        {
            Assert.Equal(99.982m, (await _operations.RegisterFacilityAsync(request, default)).TargetAvailabilityPercent);
        }
        else
        {
            Assert.Equal("target_availability_percent",
                (await Assert.ThrowsAsync<InvalidFieldException>(() => _operations.RegisterFacilityAsync(request, default))).Field);
        }
    }

    [Fact]
    public async Task An_installation_from_before_the_current_generation_announces_its_reference_data_once_and_a_fresh_one_announces_nothing()
    {
        var facility = await RegisterAsync();
        await UserAsync("op.bf", V1.Role.StateOperator, "BF");
        var before = await _db.OutboxMessages.CountAsync();
        var announcer = new ReferenceAnnouncer(_db, new ProjectMemberships(_db, _clock), new ExternalIdentities(_db, new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), _clock), _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<ReferenceAnnouncer>.Instance);

        await announcer.AnnounceIfBehindAsync(default);

        var announced = (await EventTypesAsync()).Skip(before).ToList();
        Assert.Equal(3, announced.Count(t => t.Contains("MemberStateRegistered", StringComparison.Ordinal)));
        Assert.Equal(1, announced.Count(t => t.Contains("FacilityRegistered", StringComparison.Ordinal)));
        Assert.Equal(1, announced.Count(t => t.Contains("UserCreated", StringComparison.Ordinal)));
        Assert.Equal(1, announced.Count(t => t.Contains("RoleAssigned", StringComparison.Ordinal)));
        Assert.Contains(await _db.OutboxMessages.Select(m => m.Body).ToListAsync(), b => b.Contains(facility.Id.ToString(), StringComparison.Ordinal));

        var after = await _db.OutboxMessages.CountAsync();
        await announcer.AnnounceIfBehindAsync(default);
        Assert.Equal(after, await _db.OutboxMessages.CountAsync());

        await using var fresh = new SqliteConnection("Data Source=:memory:");
        await fresh.OpenAsync();
        await using var empty = new TenancySqliteDbContext(new DbContextOptionsBuilder<TenancySqliteDbContext>().UseSqlite(fresh).Options);
        await empty.Database.MigrateAsync();
        await new ReferenceAnnouncer(empty, new ProjectMemberships(empty, _clock), new ExternalIdentities(empty, new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), _clock), _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<ReferenceAnnouncer>.Instance).AnnounceIfBehindAsync(default);
        Assert.Equal(0, await empty.OutboxMessages.CountAsync());
        Assert.Equal(ReferenceAnnouncer.Generation, await empty.ReferenceAnnouncements.MaxAsync(a => a.Generation));
    }
}
