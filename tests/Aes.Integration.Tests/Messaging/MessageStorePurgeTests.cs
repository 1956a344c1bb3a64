using Aes.Messaging;
using Aes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aes.Integration.Tests.Messaging;

/// <summary>
/// Issue 20 point 6: the outbox and the inbox are purged after their retention, on PostgreSQL: sent events past the outbox's
/// retention go, in batches; unsent and parked ones stay whatever their age, as do recent ones; inbox records and kept answers
/// past theirs go.
/// </summary>
public sealed class MessageStorePurgeTests
{
    [Fact]
    public async Task Sent_events_and_inbox_records_past_their_retention_go_and_nothing_else()
    {
        using var host = await ProbeService.StartAsync(await TestInfrastructure.RabbitMqAsync(), await TestInfrastructure.NewPostgresDatabaseAsync("purge"),
            _ => { }, new Dictionary<string, string?> { ["Messaging:OutboxPollInterval"] = "01:00:00" });
        var now = DateTime.UtcNow;
        var old = now.AddDays(-8);
        int oldSent = MessageStorePurge<ProbeDb>.BatchSize + 5; // more than one batch
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ProbeDb>();
            var sql = """
                INSERT INTO outbox_messages (message_id, message_type, body, occurred_at, dispatched_at, attempts, refusals, parked_at)
                SELECT gen_random_uuid(), 'Probe.Sent, Probe', '{{}}', {0}, {0}, 1, 0, NULL FROM generate_series(1, {1});
                INSERT INTO outbox_messages (message_id, message_type, body, occurred_at, dispatched_at, attempts, refusals, parked_at)
                VALUES (gen_random_uuid(), 'Probe.RecentlySent, Probe', '{{}}', {2}, {2}, 1, 0, NULL),
                       (gen_random_uuid(), 'Probe.NeverSent, Probe', '{{}}', {0}, NULL, 40, 0, NULL),
                       (gen_random_uuid(), 'Probe.Parked, Probe', '{{}}', {0}, NULL, 6, 5, {0});
                INSERT INTO inbox_messages (message_id, consumer, processed_at)
                SELECT gen_random_uuid(), 'probe', {3} FROM generate_series(1, 3);
                INSERT INTO inbox_messages (message_id, consumer, processed_at) VALUES (gen_random_uuid(), 'probe', {4});
                INSERT INTO call_replays (method, caller, idempotency_key, fingerprint, response, created_at)
                VALUES ('/probe/Write', 'someone', 'yesterday-1', '', '', {5}), ('/probe/Write', 'someone', 'yesterday-2', '', '', {5}),
                       ('/probe/Write', 'someone', 'this-morning', '', '', {6});
                """;
            await db.Database.ExecuteSqlRawAsync(sql, [old, oldSent, now.AddDays(-1), now.AddDays(-31), now.AddDays(-29), now.AddHours(-25), now.AddHours(-2)],
                TestContext.Current.CancellationToken);
        }

        var (outbox, inbox, replays) = await host.Services.GetRequiredService<MessageStorePurge<ProbeDb>>().PurgeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(oldSent, outbox);
        Assert.Equal(3, inbox);
        Assert.Equal(2, replays);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ProbeDb>();
            Assert.Equal(["Probe.NeverSent, Probe", "Probe.Parked, Probe", "Probe.RecentlySent, Probe"],
                (await db.OutboxMessages.Select(m => m.MessageType).ToListAsync(TestContext.Current.CancellationToken)).Order());
            Assert.Equal(1, await db.InboxMessages.CountAsync(TestContext.Current.CancellationToken));
            Assert.Equal("this-morning", (await db.CallReplays.SingleAsync(TestContext.Current.CancellationToken)).IdempotencyKey);
        }
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
