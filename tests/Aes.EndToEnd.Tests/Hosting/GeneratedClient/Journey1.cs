// Compiled by GeneratedClientTests together with the client Kiota generates from the portal's OpenAPI
// document, not with the test project: it uses only what that generator made of the document.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Aes.Generated;
using Aes.Generated.Api.V1.Invoices;
using Aes.Generated.Api.V1.Requests;
using Aes.Generated.Models.Provisioning.V1;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace Aes.Generated.Journeys;

public static class Journey1
{
    /// <summary>
    /// DOMAIN.md's journey 1 through the generated client: a Malian ministry asks for three VMs (4 vCPU, 16 GiB,
    /// 200 GiB) for sensitive data, they are placed in ML-BKO-1, Mali's operator approves, they become active and
    /// their usage is on the agency's invoice. Returns what happened, for the test to check.
    /// </summary>
    public static async Task<Dictionary<string, string>> RunAsync(string portal, Func<string, Task<string>> signIn, string agencyId, string projectId)
    {
        try
        {
            return await StepsAsync(portal, signIn, agencyId, projectId);
        }
        catch (Aes.Generated.Models.Problem problem)
        {
            throw new InvalidOperationException($"{problem.Status} {problem.Field}: {problem.DetailEn}");
        }
    }

    private static async Task<Dictionary<string, string>> StepsAsync(string portal, Func<string, Task<string>> signIn, string agencyId, string projectId)
    {
        var agent = Client(portal, await signIn("agent.mef.ml"));
        var op = Client(portal, await signIn("op.ml"));
        var facts = new Dictionary<string, string>();

        var submitted = await agent.Api.V1.Requests.PostAsync(new RequestsPostRequestBody
        {
            AgencyId = agencyId, ProjectId = projectId, Classification = "sensitive", Justification = "Plateforme e-finances (client généré)",
            Deadline = DateTimeOffset.UtcNow.AddDays(30),
            Vms =
            [
                new VmSpec
                {
                    Flavour = "", Image = "debian-12", Count = 3,
                    Resources =
                    [
                        new ResourceAmount { ResourceClass = "vcpu", Amount = 4 }, new ResourceAmount { ResourceClass = "memory_gib", Amount = 16 },
                        new ResourceAmount { ResourceClass = "storage_gib", Amount = 200 },
                    ],
                },
            ],
        });
        var id = submitted!.Id!;
        facts["submitted"] = submitted.Status!;

        await UntilAsync(agent, id, status => status != "submitted"); // placement follows the submission
        var placement = await agent.Api.V1.Requests[id].Placement.GetAsync();
        facts["placedIn"] = placement!.FacilityCode!;
        facts["outcome"] = placement.Outcome!;

        await op.Api.V1.Requests[id].Approve.PostAsync();
        var request = await UntilAsync(agent, id, status => status == "active");
        facts["status"] = request.Status!;
        long? Amount(VmSpec line, string resourceClass) => line.Resources!.SingleOrDefault(r => r.ResourceClass == resourceClass)?.Amount;
        facts["vmsAsked"] = string.Join(",", request.Vms!.Select(v => $"{v.Count}x{Amount(v, "vcpu")}/{Amount(v, "memory_gib")}/{Amount(v, "storage_gib")}"));

        var vms = await agent.Api.V1.Vms.GetAsync(config => config.QueryParameters.AgencyId = agencyId);
        facts["activeVms"] = vms!.Vms!.Count(v => v.RequestId == id && v.Status == "active").ToString();

        var invoice = await op.Api.V1.Invoices.PostAsync(new InvoicesPostRequestBody { AgencyId = agencyId, Month = DateTime.UtcNow.ToString("yyyy-MM") });
        facts["invoiceFacilities"] = string.Join(",", invoice!.Lines!.Select(l => l.FacilityCode).Distinct());
        facts["invoiceTotal"] = invoice.TotalXof!.Value.ToString();
        return facts;
    }

    private static async Task<HostingRequest> UntilAsync(AesClient client, string id, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var request = (await client.Api.V1.Requests[id].GetAsync())!;
            if (done(request.Status!) || DateTime.UtcNow > deadline)
            {
                return request;
            }
            await Task.Delay(300);
        }
    }

    private static AesClient Client(string portal, string token) =>
        new(new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new Token(token))) { BaseUrl = portal });

    private sealed class Token(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(token);
    }
}
