using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aes.Testing;
using Google.Protobuf;
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

    /// <summary>
    /// Issue 22, webhooks: Niger's ANSI administrator registers one for the agency's requests and is shown its secret once; the
    /// receiver, a real HTTP server in this process, gets each step of a request as a signed body whose id is the event's; the
    /// administrator reads each delivery and its attempts. A requester, another agency's administrator and bad addresses are refused.
    /// </summary>
    [Fact]
    public async Task An_agencys_webhook_receives_its_requests_steps_signed_and_its_owner_reads_each_attempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = (await m.AsAsync("admin.ansi.ne")).Notifications;
        var agency = m.Agencies["NE/ANSI"];
        var created = await admin.CreateWebhookAsync(new N.CreateWebhookRequest
        {
            AgencyId = agency, Url = receiver.Url, EventTypes = { "request_status" }, Description = "Chaîne de déploiement",
        });
        try
        {
            Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
            Assert.Equal(("NE", agency, "request_status"), (created.Webhook.StateCode, created.Webhook.AgencyId, created.Webhook.EventTypes.Single()));
            // Shown once: the list carries no secret.
            var listed = await admin.ListWebhooksAsync(new N.ListWebhooksRequest { AgencyId = agency });
            Assert.Equal(created.Webhook.Id, listed.Webhooks.Single().Id);
            Assert.DoesNotContain(created.Secret, listed.ToByteString().ToStringUtf8(), StringComparison.Ordinal);
            Assert.Equal(["invoice_issued", "quota_change_decided", "request_status"], listed.EventTypes.Select(t => t.Code).Order(StringComparer.Ordinal));

            // The attacker: a requester, another agency's administrator, another state's operator; addresses that reach inside.
            var requester = (await m.AsAsync("agent.ansi.ne")).Notifications;
            var stranger = (await m.AsAsync("admin.mef.ml")).Notifications;
            var foreignOperator = (await m.AsAsync("op.ml")).Notifications;
            foreach (var call in new Func<Task>[]
            {
                async () => await requester.CreateWebhookAsync(new N.CreateWebhookRequest { AgencyId = agency, Url = "https://hooks.ansi.ne/aes", EventTypes = { "request_status" } }),
                async () => await stranger.CreateWebhookAsync(new N.CreateWebhookRequest { AgencyId = agency, Url = "https://hooks.mef.ml/aes", EventTypes = { "request_status" } }),
                async () => await stranger.ListWebhooksAsync(new N.ListWebhooksRequest { AgencyId = agency }),
                async () => await stranger.ListWebhookDeliveriesAsync(new N.ListWebhookDeliveriesRequest { WebhookId = created.Webhook.Id }),
                async () => await stranger.RotateWebhookSecretAsync(new N.RotateWebhookSecretRequest { Id = created.Webhook.Id }),
                async () => await foreignOperator.DeleteWebhookAsync(new N.DeleteWebhookRequest { Id = created.Webhook.Id }),
            })
            {
                Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);
            }
            foreach (var (url, types, field) in new[]
            {
                ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "request_status", "url"),
                ("http://[fd00:ec2::254]/latest/meta-data/", "request_status", "url"),
                ("ftp://hooks.ansi.ne/aes", "request_status", "url"),
                ("https://10.0.0.5/aes", "request_status", "url"),
                ("https://hooks.ansi.ne/aes", "pool_threshold", "event_types[0]"),
            })
            {
                var refused = await Assert.ThrowsAsync<RpcException>(async () => await admin.CreateWebhookAsync(new N.CreateWebhookRequest
                {
                    AgencyId = agency, Url = url, EventTypes = { types },
                }));
                Assert.Equal((StatusCode.InvalidArgument, field), (refused.StatusCode, refused.Trailers.GetValue("aes-field")));
            }
            // Naming no owner, or no webhook, is refused by field, not as a forbidden call.
            var noOwner = await Assert.ThrowsAsync<RpcException>(async () => await admin.CreateWebhookAsync(new N.CreateWebhookRequest
            {
                Url = "https://hooks.ansi.ne/aes", EventTypes = { "request_status" },
            }));
            Assert.Equal((StatusCode.InvalidArgument, "agency_id"), (noOwner.StatusCode, noOwner.Trailers.GetValue("aes-field")));
            var noWebhook = await Assert.ThrowsAsync<RpcException>(async () => await admin.ListWebhookDeliveriesAsync(new N.ListWebhookDeliveriesRequest()));
            Assert.Equal((StatusCode.InvalidArgument, "webhook_id"), (noWebhook.StatusCode, noWebhook.Trailers.GetValue("aes-field")));
            Assert.Single((await admin.ListWebhooksAsync(new N.ListWebhooksRequest { AgencyId = agency })).Webhooks);

            // A request of the agency, rejected by Niger's operator: the receiver hears each step, signed.
            var submitted = await m.SubmitAsync(m.Request("NE/ANSI", "internal", vcpu: 1, memoryGib: 2, diskGib: 10));
            await m.WaitForAsync(submitted.Id, "awaiting_approval");
            await (await m.AsAsync("op.ne")).Provisioning.RejectAsync(new P.RejectRequest { RequestId = submitted.Id, Reason = "Budget épuisé" });
            await m.WaitForAsync(submitted.Id, "rejected");
            List<(JsonElement Body, WebhookReceiver.Received Raw)> steps = [];
            await Eventually.HoldsAsync(() =>
            {
                steps = receiver.Requests.Select(r => (JsonDocument.Parse(r.Body).RootElement, r))
                    .Where(x => x.Item1.GetProperty("object").GetProperty("id").GetString() == submitted.Id).ToList();
                return Task.FromResult(steps.Any(x => x.Body.GetProperty("object").GetProperty("status").GetString() == "rejected"));
            }, TimeSpan.FromSeconds(60), "the receiver got the request's rejection");
            Assert.Contains(steps, x => x.Body.GetProperty("object").GetProperty("status").GetString() == "awaiting_approval");
            var rejected = steps.Single(x => x.Body.GetProperty("object").GetProperty("status").GetString() == "rejected");
            Assert.Contains("Budget épuisé", rejected.Body.GetProperty("object").GetProperty("reasonFr").GetString(), StringComparison.Ordinal);
            foreach (var (body, raw) in steps)
            {
                Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(created.Secret), Encoding.UTF8.GetBytes(raw.Body))),
                    raw.Headers["X-Aes-Signature"]);
                Assert.Equal((body.GetProperty("id").GetString(), "request_status"), (raw.Headers["X-Aes-Event-Id"], body.GetProperty("type").GetString()));
            }
            Assert.Equal(steps.Count, steps.Select(x => x.Body.GetProperty("id").GetString()).Distinct().Count());

            // The owner, and Niger's auditor, read each delivery with its attempt.
            foreach (var reader in new[] { admin, (await m.AsAsync("audit.ne")).Notifications })
            {
                var deliveries = (await reader.ListWebhookDeliveriesAsync(new N.ListWebhookDeliveriesRequest { WebhookId = created.Webhook.Id }))
                    .Deliveries.Where(d => d.ObjectId == submitted.Id).ToList();
                var logged = deliveries.Single(d => d.Id == rejected.Body.GetProperty("id").GetString());
                Assert.Equal(("delivered", "delivered", 200, rejected.Raw.Body), (logged.Status, logged.Attempts.Single().Outcome, logged.Attempts.Single().StatusCode, logged.Body));
            }

            // A new secret signs what follows; the old one is gone.
            var rotated = await admin.RotateWebhookSecretAsync(new N.RotateWebhookSecretRequest { Id = created.Webhook.Id });
            Assert.NotEqual(created.Secret, rotated.Secret);
        }
        finally
        {
            await admin.DeleteWebhookAsync(new N.DeleteWebhookRequest { Id = created.Webhook.Id });
        }
        Assert.Empty((await admin.ListWebhooksAsync(new N.ListWebhooksRequest { AgencyId = agency })).Webhooks);
    }
}
