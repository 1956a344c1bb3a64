using Aes.ServiceDefaults.Identity;
using Aes.Contracts;
using Aes.Contracts.Tenancy;
using Aes.Quota.Application;
using Aes.Quota.Consumers;
using Aes.Quota.Data;
using Aes.Quota.Domain;
using Aes.Testing;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aes.Quota.Tests;

/// <summary>
/// Quota's consumers filling the same rows at once, on a real PostgreSQL and with no retry to hide a
/// collision: the first agencies of a state offering its default quotas together, a facility's status
/// overtaking its registration, the same agency announced twice, an agreement activated and ended together.
/// Every message is handled the first time, none faults, and each row is there once.
/// </summary>
public sealed class ProjectionRaceTests
{
    [Fact]
    public async Task Consumers_racing_on_the_same_projection_rows_never_collide_and_leave_each_row_once()
    {
        var connectionString = await TestInfrastructure.NewPostgresDatabaseAsync("quota_race");
        await using var services = await QuotaProjectionHost.StartAsync(connectionString, demo: true, bus =>
            {
                bus.AddConsumer<AgencyRegisteredConsumer>();
                bus.AddConsumer<FacilityRegisteredConsumer>();
                bus.AddConsumer<FacilityOpenedConsumer>();
                bus.AddConsumer<AgreementActivatedConsumer>();
                bus.AddConsumer<AgreementEndedConsumer>();
                bus.AddConfigureEndpointsCallback((_, endpoint) => endpoint.ConcurrentMessageLimit = 16);
            });
        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();

        var agencies = Enumerable.Range(0, 16).Select(_ => Guid.NewGuid()).ToList();
        var facilities = new[] { "ML-BKO-1", "BF-OUA-1", "BF-BOB-1" }.Select(code => (Id: Guid.NewGuid(), Code: code, State: code[..2])).ToList();
        var agreement = Guid.NewGuid();
        var slice = ResourceVector.Standard(64, 256, 1000, 2).ToList();
        var now = DateTime.UtcNow;
        var messages = new List<object>();
        // Sixteen agencies of Burkina register at once: each offers the state's demo defaults; one is announced twice.
        messages.AddRange(agencies.Select(id => new AgencyRegistered(id, "BF", $"A{id:N}"[..8], "Agence", now)));
        messages.Add(new AgencyRegistered(agencies[0], "BF", "again", "Agence", now));
        // Each demo facility's opening races its registration.
        foreach (var (id, code, state) in facilities)
        {
            messages.Add(new FacilityOpened(id, code, state, now));
            messages.Add(new FacilityRegistered(id, code, state, code, "Ville", 3, 99.982m, "planned", "Africa/Bamako", slice));
        }
        messages.Add(new AgreementEnded(agreement, "ML", facilities[0].Id, "NE", "terminated", now));
        messages.Add(new AgreementActivated(agreement, "ML-NE-1", "ML", facilities[0].Id, "NE", slice, ["internal", "public"],
            new AgreementPriceTerms(true, []), now.AddDays(-1), now.AddYears(1)));
        await Task.WhenAll(messages.Select(message => harness.Bus.Publish(message)));

        Assert.True(await harness.InactivityTask.WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(t => t.IsCompletedSuccessfully), "every message consumed");
        Assert.False(await harness.Published.Any<Fault>(), "a consumer faulted: " + string.Join("; ",
            harness.Published.Select<Fault>().Select(f => string.Join(", ", ((Fault)f.MessageObject).Exceptions.Select(e => e.Message)))));

        await using var check = services.CreateAsyncScope();
        var db = check.ServiceProvider.GetRequiredService<QuotaDbContext>();
        Assert.Equal(ResourceClasses.Standard.Count, await db.StateDefaults.CountAsync(d => d.StateCode == "BF"));
        Assert.Equal(16, await db.Agencies.CountAsync());
        Assert.Equal(16 * ResourceClasses.Standard.Count, await db.AgencyAllocations.CountAsync());
        Assert.All(await db.AgencyAllocations.Where(a => a.Class == ResourceClasses.Vcpu).ToListAsync(), a => Assert.Equal(256, a.Limit));
        Assert.All(await db.Facilities.ToListAsync(), f => Assert.Equal("open", f.Status));
        Assert.Equal(3, await db.Facilities.CountAsync());
        Assert.Equal(4, await db.Pools.CountAsync()); // the demo pools of each, whichever event recorded the facility (Bamako has a GPU pool too)
        Assert.False((await db.Agreements.SingleAsync()).Active);
        await harness.Stop();
    }
}
