using Aes.Contracts.Tenancy;
using Aes.ServiceDefaults.Errors;
using Aes.Tenancy.Application;
using Aes.Tenancy.Data;
using Aes.Tenancy.Domain;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using V1 = Aes.Contracts.Tenancy.V1;

namespace Aes.Tenancy.Tests;

/// <summary>Who works on a project: only people of its agency join, each change is announced with a growing revision.</summary>
public sealed class ProjectMembershipTests() : TenancyDatabaseTests(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero))
{
    private ProjectMemberships _memberships = null!;
    private Agency _mef = null!, _dnec = null!;
    private Project _budget = null!, _treasury = null!;
    private User _admin = null!;

    protected override async Task SeedAsync()
    {
        _memberships = new ProjectMemberships(_db, _clock);
        await _operations.RegisterMemberStateAsync(new MemberState { Code = "ML", NameFr = "Mali", NameEn = "Mali", TimeZone = "Africa/Bamako" }, default);
        _mef = await _operations.RegisterAgencyAsync(new V1.RegisterAgencyRequest { StateCode = "ML", Code = "MEF", Name = "MEF" }, default);
        _dnec = await _operations.RegisterAgencyAsync(new V1.RegisterAgencyRequest { StateCode = "ML", Code = "DNEC", Name = "DNEC" }, default);
        _budget = await _operations.CreateProjectAsync(new V1.CreateProjectRequest { AgencyId = _mef.Id.ToString(), Name = "Budget" }, default);
        _treasury = await _operations.CreateProjectAsync(new V1.CreateProjectRequest { AgencyId = _mef.Id.ToString(), Name = "Trésor" }, default);
        _admin = await MemberAsync("admin.mef", V1.Role.AgencyAdministrator, _mef);
    }

    private Task<User> MemberAsync(string name, V1.Role role, Agency agency) => _operations.CreateUserAsync(new V1.CreateUserRequest
    {
        UserName = name, DisplayName = name, Roles = { new V1.RoleAssignment { Role = role, AgencyId = agency.Id.ToString() } },
    }, default);

    private V1.AddProjectMemberRequest Add(Project project, User user) =>
        new() { ActorUserId = _admin.Id.ToString(), ProjectId = project.Id.ToString(), UserId = user.Id.ToString() };

    [Fact]
    public async Task A_requester_joins_once_and_leaves_each_change_announced_with_a_higher_revision()
    {
        var awa = await MemberAsync("agent.mef", V1.Role.Requester, _mef);

        var joined = await _memberships.AddAsync(Add(_budget, awa), default);
        await _memberships.AddAsync(Add(_budget, awa), default);

        var member = Assert.Single(joined.Members);
        Assert.Equal((awa.Id.ToString(), "agent.mef", _admin.Id.ToString()), (member.UserId, member.UserName, member.AddedByUserId));
        Assert.Equal(_mef.Id.ToString(), joined.AgencyId);
        Assert.Equal([_budget.Id], await _memberships.ProjectsOfAsync(awa.Id, _mef.Id, default));

        var left = await _memberships.RemoveAsync(new V1.RemoveProjectMemberRequest { ProjectId = _budget.Id.ToString(), UserId = awa.Id.ToString() }, default);

        Assert.Empty(left.Members);
        Assert.Empty(await _memberships.ProjectsOfAsync(awa.Id, _mef.Id, default));
        Assert.Equal([(true, 1L), (false, 2L)], (await AnnouncedAsync<ProjectMembershipChanged>()).Select(e => (e.IsMember, e.Revision)));
        Assert.All(await AnnouncedAsync<ProjectMembershipChanged>(), e => Assert.Equal((_budget.Id, _mef.Id, awa.Id), (e.ProjectId, e.AgencyId, e.UserId)));
    }

    [Fact]
    public async Task Only_people_of_the_projects_agency_join_and_a_refusal_changes_nothing()
    {
        var otherAgency = await MemberAsync("agent.dnec", V1.Role.Requester, _dnec);
        var nobody = await _operations.CreateUserAsync(new V1.CreateUserRequest { UserName = "sans.role", DisplayName = "Sans rôle" }, default);

        Assert.Equal("user_id", (await Assert.ThrowsAsync<InvalidFieldException>(() => _memberships.AddAsync(Add(_budget, otherAgency), default))).Field);
        Assert.Equal("user_id", (await Assert.ThrowsAsync<InvalidFieldException>(() => _memberships.AddAsync(Add(_budget, nobody), default))).Field);
        Assert.Equal("project_id", (await Assert.ThrowsAsync<InvalidFieldException>(() =>
            _memberships.AddAsync(new V1.AddProjectMemberRequest { ProjectId = "budget", UserId = otherAgency.Id.ToString() }, default))).Field);
        await Assert.ThrowsAsync<NotFoundException>(() =>
            _memberships.AddAsync(new V1.AddProjectMemberRequest { ProjectId = Guid.NewGuid().ToString(), UserId = otherAgency.Id.ToString() }, default));
        Assert.Equal("user_id", (await Assert.ThrowsAsync<InvalidFieldException>(() => _memberships.RemoveAsync(
            new V1.RemoveProjectMemberRequest { ProjectId = _budget.Id.ToString(), UserId = otherAgency.Id.ToString() }, default))).Field);

        Assert.Empty(await _db.ProjectMemberships.ToListAsync());
        Assert.Empty(await AnnouncedAsync<ProjectMembershipChanged>());
    }

    [Fact]
    public async Task Losing_the_last_role_in_the_agency_leaves_its_projects_and_another_role_keeps_them()
    {
        var awa = await MemberAsync("agent.mef", V1.Role.Requester, _mef);
        await _operations.AssignRoleAsync(new V1.AssignRoleRequest
        {
            UserId = awa.Id.ToString(), Assignment = new V1.RoleAssignment { Role = V1.Role.AgencyAdministrator, AgencyId = _mef.Id.ToString() },
        }, default);
        await _memberships.AddAsync(Add(_budget, awa), default);
        await _memberships.AddAsync(Add(_treasury, awa), default);

        await _operations.RevokeRoleAsync(new V1.RevokeRoleRequest
        {
            UserId = awa.Id.ToString(), Assignment = new V1.RoleAssignment { Role = V1.Role.Requester, AgencyId = _mef.Id.ToString() },
        }, default);
        Assert.Equal(2, (await _memberships.ProjectsOfAsync(awa.Id, _mef.Id, default)).Count);

        await _operations.RevokeRoleAsync(new V1.RevokeRoleRequest
        {
            UserId = awa.Id.ToString(), Assignment = new V1.RoleAssignment { Role = V1.Role.AgencyAdministrator, AgencyId = _mef.Id.ToString() },
        }, default);
        Assert.Empty(await _memberships.ProjectsOfAsync(awa.Id, _mef.Id, default));
        Assert.Equal(2, (await AnnouncedAsync<ProjectMembershipChanged>()).Count(e => !e.IsMember && e.UserId == awa.Id));
    }

    [Fact]
    public async Task The_demo_password_goes_to_the_users_the_seed_creates_in_that_run_and_never_to_a_later_namesake()
    {
        IConfiguration configuration = new ConfigurationBuilder().Build();
        // An installation that was not seeded, whose operator happens to be called as a demo user, then started with the seed on.
        var namesake = await _operations.CreateUserAsync(new V1.CreateUserRequest { UserName = "op.ml", DisplayName = "Opérateur réel" }, default);
        var seeder = new Aes.Tenancy.Seed.DemoSeeder(_db, _operations, _memberships, configuration, NullLogger<Aes.Tenancy.Seed.DemoSeeder>.Instance);

        Assert.False(await seeder.SeedAsync(default));
        Assert.Equal("", (await _db.Users.AsNoTracking().SingleAsync(u => u.Id == namesake.Id)).PasswordHash);

        // A fresh installation: every user the seed makes gets it.
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var fresh = new TenancySqliteDbContext(new DbContextOptionsBuilder<TenancySqliteDbContext>().UseSqlite(connection).Options);
        await fresh.Database.MigrateAsync();
        var freshOperations = new TenancyOperations(fresh, _clock);
        Assert.True(await new Aes.Tenancy.Seed.DemoSeeder(fresh, freshOperations, new ProjectMemberships(fresh, _clock), configuration,
            NullLogger<Aes.Tenancy.Seed.DemoSeeder>.Instance).SeedAsync(default));
        var seeded = await fresh.Users.AsNoTracking().ToListAsync();
        Assert.All(seeded, user => Assert.True(Aes.Tenancy.Identity.Passwords.Verify(user, Aes.Tenancy.Seed.DemoSeeder.DefaultDemoPassword), user.UserName));
        var awa = seeded.Single(u => u.UserName == "agent.mef.ml");
        var mef = await fresh.Agencies.SingleAsync(a => a.Code == "MEF");
        Assert.Equal(["Budget de l'État"], await fresh.Projects.Where(p => fresh.ProjectMemberships.Any(m => m.ProjectId == p.Id && m.UserId == awa.Id && m.IsMember))
            .Select(p => p.Name).ToListAsync());
        Assert.Equal(2, await fresh.Projects.CountAsync(p => p.AgencyId == mef.Id));
    }

    [Fact]
    public async Task An_installation_from_before_project_members_keeps_every_requester_on_all_their_agencys_projects()
    {
        var awa = await MemberAsync("agent.mef", V1.Role.Requester, _mef);
        var other = await MemberAsync("agent.dnec", V1.Role.Requester, _dnec);
        _db.ReferenceAnnouncements.Add(new ReferenceAnnouncement { Generation = 2, AnnouncedAt = _clock.GetUtcNow().UtcDateTime });
        await _db.SaveChangesAsync();

        await new ReferenceAnnouncer(_db, _memberships, new ExternalIdentities(_db, new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), _clock), _clock, NullLogger<ReferenceAnnouncer>.Instance).AnnounceIfBehindAsync(default);

        Assert.Equal(new[] { _budget.Id, _treasury.Id }.Order(), (await _memberships.ProjectsOfAsync(awa.Id, _mef.Id, default)).Order());
        Assert.Empty(await _db.ProjectMemberships.Where(m => m.UserId == other.Id || m.UserId == _admin.Id).ToListAsync());
        Assert.Equal(2, (await AnnouncedAsync<ProjectMembershipChanged>()).Where(e => e.IsMember && e.UserId == awa.Id).Select(e => e.ProjectId).Distinct().Count());
    }
}
