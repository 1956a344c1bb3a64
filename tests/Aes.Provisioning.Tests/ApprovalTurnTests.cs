using System.Text.Json;
using Aes.Provisioning.Application;
using Aes.Provisioning.Data;
using Aes.Provisioning.Domain;
using Microsoft.EntityFrameworkCore;

namespace Aes.Provisioning.Tests;

/// <summary>
/// Whose turn a placed request waits for, and what notifications are told of it: the home state's operators first, then,
/// across a border, the host's; each turn announced once, with the requester and the holds' expiry.
/// </summary>
public sealed class ApprovalTurnTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 12, 5, 10, 0, 0, DateTimeKind.Utc);
    private readonly ProvisioningSqliteDbContext _db = new(new DbContextOptionsBuilder<ProvisioningSqliteDbContext>().UseSqlite("Data Source=:memory:").Options);

    public void Dispose() => _db.Dispose();

    private static HostingRequest Placed(bool acrossBorder) => new()
    {
        Id = Guid.CreateVersion7(), AgencyId = Guid.NewGuid(), AgencyStateCode = "NE", SubmittedBy = Guid.NewGuid(), Justification = "",
        VmLinesJson = "[]", Status = RequestStatus.Submitted, FacilityId = Guid.NewGuid(), FacilityStateCode = acrossBorder ? "ML" : "NE",
        HostApproval = acrossBorder ? ApprovalState.Pending : ApprovalState.NotNeeded, HoldsExpireAt = Now.AddHours(48),
    };

    private List<JsonElement> Turns() => [.. _db.OutboxMessages.Local
        .Where(m => m.MessageType.StartsWith("Aes.Contracts.Provisioning.ApprovalAwaited,", StringComparison.Ordinal))
        .Select(m => JsonDocument.Parse(m.Body).RootElement)];

    [Fact]
    public void Across_a_border_the_home_state_is_awaited_then_the_host_each_once()
    {
        var request = Placed(acrossBorder: true);
        Approvals.Advance(_db, request, Now);
        Approvals.Advance(_db, request, Now.AddMinutes(1)); // the workflow looks again: same turn, nothing new
        Assert.Equal(["home:NE"], Turns().Select(t => $"{t.GetProperty("role").GetString()}:{t.GetProperty("stateCode").GetString()}"));

        request.HomeApproval = ApprovalState.Approved;
        Approvals.Advance(_db, request, Now.AddMinutes(2));
        var turns = Turns();
        Assert.Equal(["home:NE", "host:ML"], turns.Select(t => $"{t.GetProperty("role").GetString()}:{t.GetProperty("stateCode").GetString()}"));
        Assert.All(turns, t => Assert.Equal(
            (request.SubmittedBy, Now.AddHours(48), request.Id),
            (t.GetProperty("submittedByUserId").GetGuid(), t.GetProperty("holdsExpireAt").GetDateTime().ToUniversalTime(), t.GetProperty("requestId").GetGuid())));
        Assert.Equal(RequestStatus.AwaitingApproval, request.Status);

        request.HostApproval = ApprovalState.Approved;
        Approvals.Advance(_db, request, Now.AddMinutes(3));
        Assert.Equal(2, Turns().Count);
        Assert.Equal(RequestStatus.Approved, request.Status);
    }

    [Fact]
    public void An_approval_given_automatically_is_awaited_from_nobody()
    {
        var request = Placed(acrossBorder: false);
        request.HomeApproval = ApprovalState.Approved;
        Approvals.Advance(_db, request, Now);
        Assert.Empty(Turns());
        Assert.Equal(RequestStatus.Approved, request.Status);
    }
}
