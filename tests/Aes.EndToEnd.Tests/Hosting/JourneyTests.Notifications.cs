using Aes.Testing;
using Grpc.Core;
using N = Aes.Contracts.Notifications.V1;
using P = Aes.Contracts.Provisioning.V1;

namespace Aes.EndToEnd.Tests.Hosting;

public abstract partial class JourneyTests<TMarketplace>
{
    /// <summary>
    /// Issue 22, preferences: each person is told in the language they chose and not of what they turned off; an operator
    /// cannot turn off the approvals waiting on them; bad preferences are refused by field and change nothing. Burkina Faso's
    /// people, so the journeys' French messages elsewhere are not disturbed; their preferences are put back at the end.
    /// </summary>
    [Fact]
    public async Task People_are_told_in_their_language_and_not_of_what_they_turned_off_but_operators_always_of_approvals()
    {
        var operatorBf = (await m.AsAsync("op.bf")).Notifications;
        var requester = (await m.AsAsync("agent.anptic.bf")).Notifications;
        try
        {
            var before = await operatorBf.GetMyPreferencesAsync(new N.GetMyPreferencesRequest());
            Assert.Equal(("fr", "op.bf@aes.test"), (before.Language, before.Email));
            Assert.True(before.Kinds.Single(k => k.Code == "approval_awaited").AlwaysSent);

            // Refused by field, nothing changed: an operator muting approvals, an unknown language, an unknown kind.
            var mute = await Assert.ThrowsAsync<RpcException>(async () => await operatorBf.SetMyPreferencesAsync(new N.SetMyPreferencesRequest
            {
                Language = "en", MutedTypes = { "invoice_issued", "approval_awaited" },
            }).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, "muted_types[1]"), (mute.StatusCode, mute.Trailers.GetValue("aes-field")));
            var german = await Assert.ThrowsAsync<RpcException>(async () => await operatorBf.SetMyPreferencesAsync(new N.SetMyPreferencesRequest { Language = "de" }).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, "language"), (german.StatusCode, german.Trailers.GetValue("aes-field")));
            var unknown = await Assert.ThrowsAsync<RpcException>(async () => await requester.SetMyPreferencesAsync(new N.SetMyPreferencesRequest
            {
                Language = "fr", MutedTypes = { "everything" },
            }).ResponseAsync);
            Assert.Equal("muted_types[0]", unknown.Trailers.GetValue("aes-field"));
            Assert.Equal(before, await operatorBf.GetMyPreferencesAsync(new N.GetMyPreferencesRequest()));

            // Burkina's operator reads English; its requester turns off news of their requests.
            Assert.Equal("en", (await operatorBf.SetMyPreferencesAsync(new N.SetMyPreferencesRequest { Language = "en" })).Language);
            Assert.Equal(["request_status"], (await requester.SetMyPreferencesAsync(new N.SetMyPreferencesRequest
            {
                Language = "fr", MutedTypes = { "request_status" },
            })).MutedTypes);

            var submitted = await m.SubmitAsync(m.Request("BF/ANPTIC", "internal", vcpu: 1, memoryGib: 2, diskGib: 10));
            await m.WaitForAsync(submitted.Id, "awaiting_approval");
            var reference = Guid.Parse(submitted.Id).ToString("N")[^8..].ToUpperInvariant();
            var told = await m.MailToAsync($"request/{submitted.Id}", "op.bf@aes.test", $"Request {reference} awaits your approval");
            Assert.Equal("en", told.Body?.Headers["Content-Language"]);
            Assert.Contains("as an operator of its home state (Burkina Faso)", told.TextBody);
            await (await m.AsAsync("op.bf")).Provisioning.RejectAsync(new P.RejectRequest { RequestId = submitted.Id, Reason = "Hors budget" });
            await m.WaitForAsync(submitted.Id, "rejected");

            // The operator's own list shows the message, sent; the requester's shows nothing of this request, and no mail came.
            await Eventually.HoldsAsync(async () => (await operatorBf.ListMyMessagesAsync(new N.ListMyMessagesRequest()))
                .Messages.Any(x => x.ObjectId == submitted.Id && x.Status == "sent" && x.Subject == told.Subject && x.Language == "en"),
                TimeSpan.FromSeconds(30), "the operator's Notifications list shows the message as sent");
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.DoesNotContain((await requester.ListMyMessagesAsync(new N.ListMyMessagesRequest())).Messages, x => x.ObjectId == submitted.Id);
            Assert.DoesNotContain(m.MailAbout($"request/{submitted.Id}"), x => x.To.Mailboxes.Single().Address == "agent.anptic.bf@aes.test");
        }
        finally
        {
            await operatorBf.SetMyPreferencesAsync(new N.SetMyPreferencesRequest { Language = "fr" });
            await requester.SetMyPreferencesAsync(new N.SetMyPreferencesRequest { Language = "fr" });
        }
    }
}
