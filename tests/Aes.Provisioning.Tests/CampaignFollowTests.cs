using Aes.Contracts;
using Aes.Contracts.Provisioning;
using Aes.Messaging.Audit;
using Aes.Provisioning.Application;
using Aes.Provisioning.Data;
using Aes.Provisioning.Domain;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Aes.Provisioning.Tests;

/// <summary>A launched workload follows its request's events: to hosting active, back to planned when the request ends without VMs, never backwards on a late event.</summary>
public sealed class CampaignFollowTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private ProvisioningSqliteDbContext _db = null!;
    private static readonly Guid Request = Guid.CreateVersion7(), Facility = Guid.CreateVersion7();
    private static readonly DateTime Start = new(2027, 3, 1, 8, 0, 0, DateTimeKind.Utc);
    private Guid _workload;

    public async ValueTask InitializeAsync()
    {
        await _connection.OpenAsync();
        _db = new ProvisioningSqliteDbContext(new DbContextOptionsBuilder<ProvisioningSqliteDbContext>().UseSqlite(_connection).Options);
        await _db.Database.MigrateAsync();
        _db.Facilities.Add(new KnownFacility { FacilityId = Facility, Code = "ML-BKO-1", StateCode = "ML", Status = "open" });
        var campaign = Guid.CreateVersion7();
        var workload = new CampaignWorkload
        {
            Id = Guid.CreateVersion7(), CampaignId = campaign, Key = "etat-civil-1", AgencyStateCode = "ML", Project = "", SourceProvider = "cloud-eu",
            SourceRegion = "eu-west", Image = "", Step = CampaignSteps.HostingRequested, Count = 1, Resources = ResourceVector.Standard(2, 4, 50, 0),
            RequestId = Request, LaunchAttempts = 1,
        };
        _db.CampaignWorkloads.Add(workload);
        await _db.SaveChangesAsync();
        _workload = workload.Id;
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private async Task<CampaignWorkload> FollowAsync(string status, int minutes, Guid? requestId = null)
    {
        await using var transaction = await _db.Database.BeginTransactionAsync();
        await CampaignExecution.FollowAsync(_db, new AuditTrail<ProvisioningDbContext>(_db, TimeProvider.System),
            new HostingRequestStatusChanged(requestId ?? Request, Guid.Empty, "ML", status, "", "", Facility, Start.AddMinutes(minutes)), default);
        await _db.SaveChangesAsync();
        await transaction.CommitAsync();
        _db.ChangeTracker.Clear();
        return await _db.CampaignWorkloads.AsNoTracking().SingleAsync(w => w.Id == _workload);
    }

    private Task<List<string>> TrailAsync() => _db.AuditEntries.AsNoTracking().OrderBy(e => e.Position).Select(e => e.Action).ToListAsync();

    [Fact]
    public async Task Active_moves_the_workload_to_hosting_active_where_its_request_is_hosted_and_says_so_in_the_trail()
    {
        Assert.Equal(CampaignSteps.HostingRequested, (await FollowAsync("awaiting_approval", 1)).Step);
        var active = await FollowAsync("active", 5);
        Assert.Equal((CampaignSteps.HostingActive, "ML-BKO-1", Start.AddMinutes(5), "active"), (active.Step, active.HostedFacilityCode, active.HostingActiveAt!.Value, active.RequestStatus));
        Assert.Equal(["Campaign/hosting_active"], await TrailAsync());
        Assert.True((await new AuditTrail<ProvisioningDbContext>(_db, TimeProvider.System).VerifyAsync(0, "", 100, default)).Intact);
    }

    [Fact]
    public async Task An_event_older_than_the_last_one_applied_changes_nothing()
    {
        await FollowAsync("active", 5);
        var late = await FollowAsync("awaiting_approval", 2);
        Assert.Equal((CampaignSteps.HostingActive, "active"), (late.Step, late.RequestStatus));
    }

    [Theory]
    [InlineData("rejected")]
    [InlineData("expired")]
    [InlineData("failed")]
    [InlineData("withdrawn")]
    public async Task A_request_that_ends_without_vms_returns_its_workload_to_planned_for_the_next_launch(string status)
    {
        var ended = await FollowAsync(status, 3);
        Assert.Equal((CampaignSteps.Planned, status, 1), (ended.Step, ended.RequestStatus, ended.LaunchAttempts));
        Assert.Equal(["Campaign/planned"], await TrailAsync());
    }

    [Fact]
    public async Task Another_request_or_a_later_step_is_left_alone()
    {
        Assert.Equal(CampaignSteps.HostingRequested, (await FollowAsync("active", 1, Guid.CreateVersion7())).Step);
        await FollowAsync("active", 2);
        // Decommissioned after the data came home: the workload's proof stays where people took it.
        var workload = await _db.CampaignWorkloads.SingleAsync(w => w.Id == _workload);
        workload.Step = CampaignSteps.CutOver;
        await _db.SaveChangesAsync();
        Assert.Equal(CampaignSteps.CutOver, (await FollowAsync("decommissioned", 9)).Step);
        Assert.Equal(["Campaign/hosting_active"], await TrailAsync());
    }
}
