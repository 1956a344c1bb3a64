using System.Net;
using System.Text.Json;
using Aes.Testing;
using P = Aes.Contracts.Provisioning.V1;

namespace Aes.EndToEnd.Tests.Hosting;

public sealed class EmbeddedProjectBoundaryTests(EmbeddedProvisioningMarketplace m) : ProjectBoundaryTests<EmbeddedProvisioningMarketplace>(m);

public sealed class PostgresProjectBoundaryTests(PostgresProvisioningMarketplace m) : ProjectBoundaryTests<PostgresProvisioningMarketplace>(m);

/// <summary>
/// Projects as boundaries, through the REST API with real tokens: agent.mef.ml works on MEF's "Budget de l'État" only,
/// agent.tresor.mef.ml on "Trésor public". Each attack on the other project is refused and changes nothing; the
/// administrator's membership changes open and close the project again.
/// </summary>
public abstract class ProjectBoundaryTests<TMarketplace>(TMarketplace m) : IClassFixture<TMarketplace> where TMarketplace : ProvisioningMarketplace
{
    private string Agency => m.Agencies["ML/MEF"];
    private string Treasury => m.AgencyProjects["Trésor public"];
    private string Budget => m.AgencyProjects["Budget de l'État"];

    private P.SubmitRequestRequest TreasuryRequest()
    {
        var request = m.Request("ML/MEF", "internal");
        request.ProjectId = Treasury;
        request.ActorUserId = m.Users["agent.tresor.mef.ml"];
        return request;
    }

    private static List<string> Ids(JsonElement body, string list) => body.GetProperty(list).EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();

    private async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(string user, HttpMethod method, string path, object? body = null) =>
        await RestCalls.SendAsync(await RestCalls.ApiAsAsync(m, user), method, path, body);

    [Fact]
    public async Task A_requester_sees_and_acts_only_on_their_projects_and_the_administrator_opens_and_closes_a_project_to_them()
    {
        var vmRequest = await m.SubmitAsync(TreasuryRequest());
        await m.WaitForAsync(vmRequest.Id, "awaiting_approval");
        await m.Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = vmRequest.Id, ActorUserId = m.Users["op.ml"] });
        var vmId = (await m.WaitForAsync(vmRequest.Id, "active")).VmIds[0];
        var pending = await m.SubmitAsync(TreasuryRequest());
        await m.WaitForAsync(pending.Id, "awaiting_approval");
        var own = await m.SubmitAsync(m.Request("ML/MEF", "internal"));

        // Lists: Awa sees her project's requests and VMs only; the administrator and the state's auditor the whole agency.
        await Eventually.HoldsAsync(async () => Ids((await SendAsync("agent.mef.ml", HttpMethod.Get, $"api/v1/requests?agencyId={Agency}")).Body, "requests").Contains(own.Id),
            TimeSpan.FromSeconds(30), "provisioning knows Awa works on the budget");
        var awasRequests = Ids((await SendAsync("agent.mef.ml", HttpMethod.Get, $"api/v1/requests?agencyId={Agency}")).Body, "requests");
        Assert.Contains(own.Id, awasRequests);
        Assert.DoesNotContain(vmRequest.Id, awasRequests);
        Assert.DoesNotContain(pending.Id, awasRequests);
        foreach (var reader in new[] { "admin.mef.ml", "audit.ml" })
        {
            var all = Ids((await SendAsync(reader, HttpMethod.Get, $"api/v1/requests?agencyId={Agency}")).Body, "requests");
            Assert.Contains(vmRequest.Id, all);
            Assert.Contains(own.Id, all);
        }
        Assert.DoesNotContain(vmId, Ids((await SendAsync("agent.mef.ml", HttpMethod.Get, $"api/v1/vms?agencyId={Agency}")).Body, "vms"));
        Assert.Contains(vmId, Ids((await SendAsync("admin.mef.ml", HttpMethod.Get, $"api/v1/vms?agencyId={Agency}")).Body, "vms"));
        Assert.Equal([Budget], Ids((await SendAsync("agent.mef.ml", HttpMethod.Get, $"api/v1/agencies/{Agency}/projects")).Body, "projects"));
        Assert.Equal(2, Ids((await SendAsync("admin.mef.ml", HttpMethod.Get, $"api/v1/agencies/{Agency}/projects")).Body, "projects").Count);

        // Awa attacks the treasury's request, VM and firewall, and asks for hosting in its name: each refused, in both languages, nothing changes.
        var attacks = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"api/v1/requests/{vmRequest.Id}", null),
            (HttpMethod.Get, $"api/v1/requests/{vmRequest.Id}/placement", null),
            (HttpMethod.Post, $"api/v1/requests/{pending.Id}/withdraw", new { reason = "erreur" }),
            (HttpMethod.Post, $"api/v1/vms/{vmId}/stop", new { }),
            (HttpMethod.Post, $"api/v1/vms/{vmId}/console", new { }),
            (HttpMethod.Post, $"api/v1/vms/{vmId}/decommission", new { reason = "erreur" }),
            (HttpMethod.Get, $"api/v1/projects/{Treasury}/firewall", null),
            (HttpMethod.Post, "api/v1/requests", new
            {
                agencyId = Agency, projectId = Treasury, classification = "internal", justification = "Pas mon projet",
                deadline = DateTimeOffset.UtcNow.AddDays(7), vms = new[] { new { image = "debian-12", count = 1, resources = new[] { new { resourceClass = "vcpu", amount = 2 }, new { resourceClass = "memory_gib", amount = 4 }, new { resourceClass = "storage_gib", amount = 20 } } } },
            }),
        };
        var before = (await m.Provisioning.ListRequestsAsync(new P.ListRequestsRequest { AgencyId = Agency })).Requests.Count;
        foreach (var (method, path, body) in attacks)
        {
            var refused = await SendAsync("agent.mef.ml", method, path, body);
            Assert.True(refused.Response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {refused.Response.StatusCode} {refused.Body}");
            RestCalls.AssertProblem(HttpStatusCode.Forbidden, refused);
            Assert.Contains("membre du projet", refused.Body.GetProperty("detailFr").GetString());
        }
        Assert.Equal(before, (await m.Provisioning.ListRequestsAsync(new P.ListRequestsRequest { AgencyId = Agency })).Requests.Count);
        Assert.Equal("awaiting_approval", (await m.Provisioning.GetRequestAsync(new P.RequestIdRequest { RequestId = pending.Id })).Status);
        Assert.Equal("active", (await m.Provisioning.ListVmsAsync(new P.ListVmsRequest { AgencyId = Agency })).Vms.Single(v => v.Id == vmId).Status);

        // Only the administrator manages members: Awa cannot add herself.
        var awa = m.Users["agent.mef.ml"];
        RestCalls.AssertProblem(HttpStatusCode.Forbidden, await SendAsync("agent.mef.ml", HttpMethod.Post, $"api/v1/projects/{Treasury}/members", new { userId = awa }));
        // Someone of another agency never joins.
        RestCalls.AssertProblem(HttpStatusCode.BadRequest,
            await SendAsync("admin.mef.ml", HttpMethod.Post, $"api/v1/projects/{Treasury}/members", new { userId = m.Users["agent.anptic.bf"] }), "userId");

        // The administrator adds Awa: she sees the treasury's request, and its VM in her list.
        var added = await SendAsync("admin.mef.ml", HttpMethod.Post, $"api/v1/projects/{Treasury}/members", new { userId = awa });
        Assert.Equal(HttpStatusCode.OK, added.Response.StatusCode);
        Assert.Contains(awa, added.Body.GetProperty("members").EnumerateArray().Select(e => e.GetProperty("userId").GetString()));
        await Eventually.HoldsAsync(async () => (await SendAsync("agent.mef.ml", HttpMethod.Get, $"api/v1/requests/{vmRequest.Id}")).Response.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "provisioning learns that Awa joined the treasury");
        var seen = (await SendAsync("agent.mef.ml", HttpMethod.Get, $"api/v1/vms?agencyId={Agency}")).Body.GetProperty("vms").EnumerateArray()
            .Single(vm => vm.GetProperty("id").GetString() == vmId);
        // Its owner and project come with it, so a page can tell a member's own VMs from the project's others.
        Assert.Equal((m.Users["agent.tresor.mef.ml"], Treasury), (seen.GetProperty("ownerUserId").GetString(), seen.GetProperty("projectId").GetString()));
        Assert.Contains(Treasury, Ids((await SendAsync("agent.mef.ml", HttpMethod.Get, $"api/v1/agencies/{Agency}/projects")).Body, "projects"));

        // And removes her: the project closes again.
        var removed = await SendAsync("admin.mef.ml", HttpMethod.Post, $"api/v1/projects/{Treasury}/members/{awa}/remove", new { });
        Assert.Equal(HttpStatusCode.OK, removed.Response.StatusCode);
        Assert.DoesNotContain(awa, removed.Body.GetProperty("members").EnumerateArray().Select(e => e.GetProperty("userId").GetString()));
        await Eventually.HoldsAsync(async () => (await SendAsync("agent.mef.ml", HttpMethod.Get, $"api/v1/requests/{vmRequest.Id}")).Response.StatusCode == HttpStatusCode.Forbidden,
            TimeSpan.FromSeconds(30), "provisioning learns that Awa left the treasury");
        Assert.DoesNotContain(vmId, Ids((await SendAsync("agent.mef.ml", HttpMethod.Get, $"api/v1/vms?agencyId={Agency}")).Body, "vms"));
    }
}
