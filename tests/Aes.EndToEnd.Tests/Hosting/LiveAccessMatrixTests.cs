using Aes.Messaging;
using Aes.Testing;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using A = Aes.Contracts.Audit.V1;
using B = Aes.Contracts.Billing.V1;
using N = Aes.Contracts.Notifications.V1;
using P = Aes.Contracts.Provisioning.V1;
using Q = Aes.Contracts.Quota.V1;
using T = Aes.Contracts.Tenancy.V1;

namespace Aes.EndToEnd.Tests.Hosting;

public sealed class EmbeddedLiveAccessMatrixTests(EmbeddedProvisioningMarketplace m) : LiveAccessMatrixTests<EmbeddedProvisioningMarketplace>(m);

public sealed class PostgresLiveAccessMatrixTests(PostgresProvisioningMarketplace m) : LiveAccessMatrixTests<PostgresProvisioningMarketplace>(m);

/// <summary>
/// The access matrix, run: every method of the four services and their audit trails, called through
/// real tokens by each role, on a resource of the caller's own agency or state and on one of another
/// state. docs/access-matrix.md (which the architecture tests keep equal to the rules) says who may:
/// those calls must pass the check, and every other must end in PermissionDenied.
/// A method added to a service without a line here fails the test.
/// </summary>
public abstract class LiveAccessMatrixTests<TMarketplace>(TMarketplace m) : IClassFixture<TMarketplace> where TMarketplace : ProvisioningMarketplace
{
    /// <summary>The matrix's callers, in its column order: one demo user each, all of Mali.</summary>
    private static readonly string[] Callers = ["agent.mef.ml", "admin.mef.ml", "op.ml", "audit.ml", "audit.aes", "admin.aes"];

    /// <summary>
    /// A request on a resource whose place in the matrix is <paramref name="Code"/> (P a project of the own agency agent.mef.ml works
    /// on, A own agency (for project resources: a project agent.mef.ml does not work on), S own state, o/O another state's, C the confederation).
    /// </summary>
    private sealed record Target(char Code, Func<IMessage> Request);

    private static readonly ServiceDescriptor[] Services =
    [
        T.TenancyService.Descriptor, Q.QuotaService.Descriptor, B.BillingService.Descriptor, P.ProvisioningService.Descriptor,
        N.NotificationService.Descriptor,
    ];

    [Fact]
    public async Task Every_method_lets_in_exactly_the_roles_and_scopes_of_the_reviewed_matrix()
    {
        var f = await FixturesAsync();
        var targets = Targets(f);
        var matrix = ReviewedMatrix();

        var missing = Services.Append(A.AuditTrail.Descriptor).SelectMany(s => s.Methods).Select(method => $"{method.Service.Name}/{method.Name}")
            .Where(name => !targets.ContainsKey(name)).ToList();
        Assert.True(missing.Count == 0, "Methods without a line in the live matrix: " + string.Join(", ", missing));

        var tokens = new Dictionary<string, string>();
        foreach (var caller in Callers)
        {
            tokens[caller] = await m.TokenOfAsync(caller);
        }
        var calls = 0;
        var wrong = new List<string>();
        foreach (var (service, host) in Services.Select(s => (s, HostOf(s))).Concat(ResourceNames.Services.Select(h => (A.AuditTrail.Descriptor, h))))
        {
            foreach (var method in service.Methods)
            {
                var row = matrix[$"{service.FullName}/{method.Name}"];
                foreach (var target in targets[$"{service.Name}/{method.Name}"])
                {
                    for (var column = 0; column < Callers.Length; column++)
                    {
                        var allowed = row[column] == "*" || row[column].Contains(target.Code);
                        var status = await CallAsync(host, method, target.Request(), tokens[Callers[column]]);
                        calls++;
                        // A server fault is never a pass: an allowed call must reach the method and be answered.
                        if (status.StatusCode is StatusCode.Unauthenticated or StatusCode.Internal or StatusCode.Unknown or StatusCode.DataLoss or StatusCode.Unimplemented
                            || (status.StatusCode == StatusCode.PermissionDenied) == allowed)
                        {
                            wrong.Add($"{host}: {method.Name} by {Callers[column]} on {target.Code}: matrix says {(allowed ? "allowed" : "refused")}, got {status.StatusCode} ({status.Detail})");
                        }
                    }
                }
            }
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {calls} calls disagree with docs/access-matrix.md:\n" + string.Join("\n", wrong));
        Assert.True(calls > 700, $"only {calls} calls");

        await EveryRestReadThatTakesAnIdStaysInItsAgencyAsync(f, matrix, tokens);
    }

    /// <summary>
    /// Issue 19, point 7, over REST: every GET of the API description that takes an id (in its path or as a filter) is called with
    /// another state's agency's resource by each caller whose row in the matrix does not reach it, and must answer 403 or 404 as
    /// problem+json, never the data. The routes come from the portal's own OpenAPI document, so a new one cannot escape: a route
    /// whose id this test cannot fill fails it.
    /// </summary>
    private async Task EveryRestReadThatTakesAnIdStaysInItsAgencyAsync(Fixtures f, Dictionary<string, string[]> matrix, Dictionary<string, string> tokens)
    {
        var lastMonth = DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var byName = new Dictionary<string, string>
        {
            ["agencyId"] = f.OtherAgency, ["projectId"] = f.OtherProject, ["requestId"] = f.OtherRequest, ["vmId"] = f.OtherVm,
            ["invoiceId"] = f.OtherInvoice, ["poolId"] = f.OtherPool, ["facilityId"] = f.OtherFacility, ["userId"] = f.OtherUser,
            ["agreementId"] = f.OtherAgreement, ["stateCode"] = "BF", ["code"] = "BF", ["month"] = lastMonth, ["changeId"] = f.OtherQuotaChange,
            ["webhookId"] = f.OtherWebhook, ["campaignId"] = f.OtherCampaign, ["onlyAgencyId"] = f.OtherAgency,
        };
        var byCollection = new Dictionary<string, string>
        {
            ["agencies"] = f.OtherAgency, ["agreements"] = f.OtherAgreement, ["facilities"] = f.OtherFacility, ["pools"] = f.OtherPool,
            ["users"] = f.OtherUser, ["requests"] = f.OtherRequest, ["vms"] = f.OtherVm, ["invoices"] = f.OtherInvoice, ["quota-changes"] = f.OtherQuotaChange,
            ["webhooks"] = f.OtherWebhook, ["campaigns"] = f.OtherCampaign,
        };
        using var anonymous = new HttpClient { BaseAddress = new Uri(m.PortalAddress) };
        var api = System.Text.Json.JsonDocument.Parse(await anonymous.GetStringAsync("/api/v1/openapi.json")).RootElement;
        var unfilled = new List<string>();
        var leaks = new List<string>();
        var checkedReads = 0;
        foreach (var path in api.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("get", out var get) || !get.TryGetProperty("parameters", out var parameters))
            {
                continue;
            }
            var ids = parameters.EnumerateArray()
                .Select(p => (Name: p.GetProperty("name").GetString()!, In: p.GetProperty("in").GetString()!))
                .Where(p => p.In == "path" || (p.In == "query" && (p.Name.EndsWith("Id", StringComparison.Ordinal) || byName.ContainsKey(p.Name))))
                .ToList();
            if (ids.Count == 0)
            {
                continue;
            }
            var operation = get.GetProperty("operationId").GetString()!;
            var row = matrix.Where(r => string.Equals(r.Key[(r.Key.LastIndexOf('/') + 1)..], operation, StringComparison.OrdinalIgnoreCase)
                || operation.EndsWith(r.Key[(r.Key.LastIndexOf('/') + 1)..], StringComparison.OrdinalIgnoreCase)).Select(r => r.Value).FirstOrDefault();
            if (row is null)
            {
                unfilled.Add($"{path.Name} ({operation}): no row of the matrix");
                continue;
            }
            var url = path.Name;
            var query = new List<string>();
            foreach (var (name, place) in ids)
            {
                var segments = path.Name.Split('/');
                var collection = segments.ElementAtOrDefault(Array.IndexOf(segments, $"{{{name}}}") - 1) ?? "";
                var value = name == "id" ? byCollection.GetValueOrDefault(collection) : byName.GetValueOrDefault(name);
                if (value is null)
                {
                    unfilled.Add($"{path.Name}: {name}");
                    continue;
                }
                if (place == "path")
                {
                    url = url.Replace($"{{{name}}}", Uri.EscapeDataString(value));
                }
                else
                {
                    query.Add($"{name}={Uri.EscapeDataString(value)}");
                }
            }
            if (url.Contains('{'))
            {
                continue;
            }
            if (query.Count > 0)
            {
                url += "?" + string.Join('&', query);
            }
            for (var column = 0; column < Callers.Length; column++)
            {
                // Reference data, or a role that reaches another state's agency by design (the confederation's): nothing to keep in.
                if (row[column] == "*" || row[column].Contains('o') || row[column].Contains('O') || row[column].Contains('C'))
                {
                    continue;
                }
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens[Callers[column]]);
                using var answer = await anonymous.SendAsync(request);
                checkedReads++;
                if (answer.StatusCode is not (System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.NotFound)
                    || answer.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    leaks.Add($"GET {url} by {Callers[column]}: {(int)answer.StatusCode} {answer.Content.Headers.ContentType?.MediaType}");
                }
            }
        }
        Assert.True(unfilled.Count == 0, "REST reads this test cannot aim at another agency (add their id): " + string.Join(", ", unfilled));
        Assert.True(leaks.Count == 0, $"{leaks.Count} of {checkedReads} reads of another state's agency were answered:\n" + string.Join("\n", leaks));
        Assert.True(checkedReads > 40, $"only {checkedReads} REST reads");
    }

    private static string HostOf(ServiceDescriptor service) =>
        service == T.TenancyService.Descriptor ? ResourceNames.Tenancy
        : service == Q.QuotaService.Descriptor ? ResourceNames.Quota
        : service == B.BillingService.Descriptor ? ResourceNames.Billing
        : service == N.NotificationService.Descriptor ? ResourceNames.Notifications
        : ResourceNames.Provisioning;

    private async Task<Status> CallAsync(string host, MethodDescriptor method, IMessage request, string token)
    {
        var channel = m.Issuer.Channel($"http://127.0.0.1:{ResourceNames.LocalPorts[host].Shift(m.PortOffset).Grpc}", () => token);
        var call = new Method<IMessage, IMessage>(MethodType.Unary, method.Service.FullName, method.Name,
            Marshallers.Create<IMessage>(message => message.ToByteArray(), bytes => method.InputType.Parser.ParseFrom(bytes)),
            Marshallers.Create<IMessage>(message => message.ToByteArray(), bytes => method.OutputType.Parser.ParseFrom(bytes)));
        try
        {
            await channel.CreateCallInvoker().AsyncUnaryCall(call, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), request);
            return Status.DefaultSuccess;
        }
        catch (RpcException exception)
        {
            return exception.Status;
        }
    }

    /// <summary>docs/access-matrix.md as method → the cells of its row, in the callers' order.</summary>
    private static Dictionary<string, string[]> ReviewedMatrix()
    {
        var rows = new Dictionary<string, string[]>();
        var service = "";
        foreach (var line in File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "access-matrix.md")))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                service = line[3..].Trim();
            }
            else if (line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| method", StringComparison.Ordinal))
            {
                var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
                rows[$"{service}/{cells[0].Replace("*(w)*", "").Replace("*(public)*", "").Trim()}"] = cells[1..];
            }
        }
        return rows;
    }

    private sealed record Fixtures(
        string OwnAgency, string OtherAgency, string OwnProject, string OtherProject, string OwnFacility, string OtherFacility,
        string OwnPool, string OtherPool, string OwnUser, string OtherUser, string OwnRequest, string OtherRequest, string OwnVm, string OtherVm,
        string OwnQuotaChange, string OtherQuotaChange, string OwnInvoice, string OtherInvoice, string OwnAgreement, string OtherAgreement,
        string OwnSpareFacility, string OtherSpareFacility, string TreasuryProject, string TreasuryRequest, string TreasuryVm, string OwnWebhook, string OtherWebhook,
        string OwnCampaign, string OtherCampaign);

    /// <summary>One resource of each kind in Mali's agency MEF (own) and in Burkina's ANPTIC (other).</summary>
    private async Task<Fixtures> FixturesAsync()
    {
        var ownRequest = await m.SubmitAsync(m.Request("ML/MEF", "internal"));
        var otherRequest = await m.SubmitAsync(m.Request("BF/ANPTIC", "internal"));
        var ownVmRequest = await m.SubmitAsync(m.Request("ML/MEF", "internal"));
        var otherVmRequest = await m.SubmitAsync(m.Request("BF/ANPTIC", "internal"));
        // The same agency's other project, which agent.mef.ml does not work on.
        var treasuryProject = m.AgencyProjects["Trésor public"];
        P.SubmitRequestRequest Treasury(P.SubmitRequestRequest request)
        {
            request.ProjectId = treasuryProject;
            request.ActorUserId = m.Users["agent.tresor.mef.ml"];
            return request;
        }
        var treasuryRequest = await m.SubmitAsync(Treasury(m.Request("ML/MEF", "internal")));
        var treasuryVmRequest = await m.SubmitAsync(Treasury(m.Request("ML/MEF", "internal")));
        foreach (var (request, op) in new[] { (ownVmRequest, "op.ml"), (otherVmRequest, "op.bf"), (treasuryVmRequest, "op.ml") })
        {
            await m.WaitForAsync(request.Id, "awaiting_approval");
            await m.Provisioning.ApproveAsync(new P.ApproveRequest { RequestId = request.Id, ActorUserId = m.Users[op] });
        }
        await m.WaitForAsync(ownRequest.Id, "awaiting_approval");
        await m.WaitForAsync(otherRequest.Id, "awaiting_approval");
        var ownVm = (await m.WaitForAsync(ownVmRequest.Id, "active")).VmIds[0];
        var otherVm = (await m.WaitForAsync(otherVmRequest.Id, "active")).VmIds[0];
        await m.WaitForAsync(treasuryRequest.Id, "awaiting_approval");
        var treasuryVm = (await m.WaitForAsync(treasuryVmRequest.Id, "active")).VmIds[0];

        var lastMonth = DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        string ChangeFor(string agency, string admin) => m.Quota.RequestQuotaChange(new Q.RequestQuotaChangeRequest
        {
            ActorUserId = m.Users[admin], AgencyId = m.Agencies[agency], ResourceClass = "vcpu", RequestedLimit = 20_000, Justification = "matrice",
        }).Id;
        string InvoiceFor(string agency, string op) => m.Billing.DraftInvoice(new B.DraftInvoiceRequest { ActorUserId = m.Users[op], AgencyId = m.Agencies[agency], Month = lastMonth }).Id;
        var agreements = (await m.Tenancy.ListAgreementsAsync(new T.ListAgreementsRequest())).Agreements;
        var otherAgreement = await m.Tenancy.DraftAgreementAsync(new T.DraftAgreementRequest
        {
            ActorUserId = m.Users["op.bf"], FacilityId = m.Facilities["BF-OUA-1"], GuestStateCode = "NE",
            SliceByClass = { agreements[0].SliceByClass }, AllowedClassifications = { agreements[0].AllowedClassifications }, PriceTerms = agreements[0].PriceTerms,
            StartsAt = Timestamp.FromDateTime(DateTime.UtcNow.Date.AddDays(30)), EndsAt = Timestamp.FromDateTime(DateTime.UtcNow.Date.AddDays(400)),
        });

        async Task<string> WebhookOf(string agency, string admin) => (await (await m.AsAsync(admin)).Notifications.CreateWebhookAsync(new N.CreateWebhookRequest
        {
            AgencyId = m.Agencies[agency], Url = $"https://hooks.{agency.Replace('/', '.').ToLowerInvariant()}.example/aes", EventTypes = { "invoice_issued" },
        })).Webhook.Id;

        return new Fixtures(
            m.Agencies["ML/MEF"], m.Agencies["BF/ANPTIC"], m.Projects["ML/MEF"], m.Projects["BF/ANPTIC"], m.Facilities["ML-BKO-1"], m.Facilities["BF-OUA-1"],
            m.Pools["ML-BKO-1"], m.Pools["BF-OUA-1"], await NewUserAsync("ML/MEF"), await NewUserAsync("BF/ANPTIC"),
            ownRequest.Id, otherRequest.Id, ownVm, otherVm,
            ChangeFor("ML/MEF", "admin.mef.ml"), ChangeFor("BF/ANPTIC", "admin.anptic.bf"), InvoiceFor("ML/MEF", "op.ml"), InvoiceFor("BF/ANPTIC", "op.bf"),
            agreements.Single(a => a.HostStateCode == "ML").Id, otherAgreement.Id, await SpareFacilityAsync("ML", "Kayes"), await SpareFacilityAsync("BF", "Koudougou"),
            treasuryProject, treasuryRequest.Id, treasuryVm, await WebhookOf("ML/MEF", "admin.mef.ml"), await WebhookOf("BF/ANPTIC", "admin.anptic.bf"),
            await CampaignOf("ML", "ML/MEF", "op.ml"), await CampaignOf("BF", "BF/ANPTIC", "op.bf"));
    }

    /// <summary>A campaign of the agency's state with one workload of that agency, "matrice-1" (what a step is recorded for).</summary>
    private async Task<string> CampaignOf(string state, string agency, string op)
    {
        var id = (await m.Provisioning.CreateCampaignAsync(new P.CreateCampaignRequest
        {
            ActorUserId = m.Users[op], Name = $"Matrice {state}", OwnerStateCode = state, AgencyIds = { m.Agencies[agency] },
        })).Id;
        var file = System.Text.Encoding.UTF8.GetBytes("workload,agency,classification,source_provider,source_region,data_gb,target_date,vcpu,memory_gib,storage_gib\n"
            + $"matrice-1,{agency},internal,cloud-eu,eu-west,1,2027-01-31,1,1,10\n");
        var imported = await m.Provisioning.ImportCampaignWorkloadsAsync(new P.ImportCampaignWorkloadsRequest
        {
            ActorUserId = m.Users[op], CampaignId = id, Format = "csv", FileSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)),
            Parts = 1, Content = ByteString.CopyFrom(file),
        });
        Assert.Equal("imported", imported.Status);
        return id;
    }

    private async Task<string> SpareFacilityAsync(string state, string city) => (await m.Tenancy.RegisterFacilityAsync(new T.RegisterFacilityRequest
    {
        Code = $"{state}-MTX-1", StateCode = state, Name = $"Centre de test de {city}", City = city, Tier = 2, TargetAvailabilityPercent = "99.741",
        InstalledCapacityByClass = { ByClassWire.Size<T.ResourceAmount>(64, 256, 10_000, 4) },
    })).Id;

    /// <summary>A requester of the agency of its own, so that granting and revoking roles leaves the demo users as they are.</summary>
    private async Task<string> NewUserAsync(string agency) => (await m.Tenancy.CreateUserAsync(new T.CreateUserRequest
    {
        UserName = $"matrix.{agency.Replace('/', '.').ToLowerInvariant()}", DisplayName = "Matrice",
        Email = $"matrix.{agency.Replace('/', '.').ToLowerInvariant()}@example.org",
        Roles = { Assignment(agency) },
    })).Id;

    private T.RoleAssignment Assignment(string agency) => new() { Role = T.Role.Requester, StateCode = agency[..2], AgencyId = m.Agencies[agency] };

    /// <summary>For each method, the requests it is called with: own and other where the method has a scope, once where it has none.</summary>
    private Dictionary<string, Target[]> Targets(Fixtures f)
    {
        Target[] Each(Func<string, IMessage> own, Func<string, IMessage> other, char ownCode, char otherCode, string ownValue, string otherValue) =>
            [new(ownCode, () => own(ownValue)), new(otherCode, () => other(otherValue))];
        Target[] Agency(Func<string, IMessage> build, string own, string other) => Each(build, build, 'A', 'o', own, other);
        Target[] State(Func<string, IMessage> build, string own, string other) => Each(build, build, 'S', 'O', own, other);
        // What belongs to a project: in the project agent.mef.ml works on (P), in another project of MEF (A), in another state's agency (o).
        Target[] Project(Func<string, IMessage> build, string member, string notMember, string other) =>
            [new('P', () => build(member)), new('A', () => build(notMember)), new('o', () => build(other))];
        Target[] Request(Func<string, IMessage> build) => Project(build, f.OwnRequest, f.TreasuryRequest, f.OtherRequest);
        Target[] Vm(Func<string, IMessage> build) => Project(build, f.OwnVm, f.TreasuryVm, f.OtherVm);
        Target[] Once(IMessage request, char code = 'C') => [new(code, () => request)];
        var lastMonth = DateTime.UtcNow.AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

        return new Dictionary<string, Target[]>
        {
            ["TenancyService/ListMemberStates"] = Once(new T.ListMemberStatesRequest()),
            ["TenancyService/GetMemberState"] = Once(new T.GetMemberStateRequest { Code = "ML" }),
            ["TenancyService/ListResourceClasses"] = Once(new T.ListResourceClassesRequest()),
            // No code: invalid once past the access check, so no class is added.
            ["TenancyService/DefineResourceClass"] = State(s => new T.DefineResourceClassRequest { StateCode = s }, "ML", "BF"),
            ["TenancyService/RegisterFacility"] = State(s => new T.RegisterFacilityRequest { StateCode = s }, "ML", "BF"),
            ["TenancyService/GetFacility"] = Once(new T.GetFacilityRequest { Id = f.OwnFacility }),
            ["TenancyService/ListFacilities"] = Once(new T.ListFacilitiesRequest()),
            // Facilities of their own: closing the demo ones would stop the placements other lines need.
            ["TenancyService/OpenFacility"] = State(id => new T.ChangeFacilityStatusRequest { Id = id }, f.OwnSpareFacility, f.OtherSpareFacility),
            ["TenancyService/CloseFacility"] = State(id => new T.ChangeFacilityStatusRequest { Id = id }, f.OwnSpareFacility, f.OtherSpareFacility),
            // No capacity: invalid once past the access check, so nothing changes.
            ["TenancyService/SetFacilityCapacity"] = State(id => new T.SetFacilityCapacityRequest { Id = id }, f.OwnSpareFacility, f.OtherSpareFacility),
            ["TenancyService/RegisterAgency"] = State(s => new T.RegisterAgencyRequest { StateCode = s }, "ML", "BF"),
            ["TenancyService/GetAgency"] = Once(new T.GetAgencyRequest { Id = f.OwnAgency }),
            ["TenancyService/ListAgencies"] = Once(new T.ListAgenciesRequest()),
            ["TenancyService/CreateProject"] = Agency(id => new T.CreateProjectRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["TenancyService/ListProjects"] = Agency(id => new T.ListProjectsRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            // No user: invalid once past the access check, so nobody joins or leaves.
            ["TenancyService/AddProjectMember"] = Agency(id => new T.AddProjectMemberRequest { ProjectId = id }, f.OwnProject, f.OtherProject),
            ["TenancyService/RemoveProjectMember"] = Agency(id => new T.RemoveProjectMemberRequest { ProjectId = id }, f.OwnProject, f.OtherProject),
            ["TenancyService/ListProjectMembers"] = Agency(id => new T.ListProjectMembersRequest { ProjectId = id }, f.OwnProject, f.OtherProject),
            ["TenancyService/CreateUser"] = Each(_ => new T.CreateUserRequest { Roles = { Assignment("ML/MEF") } }, _ => new T.CreateUserRequest { Roles = { Assignment("BF/ANPTIC") } }, 'A', 'o', "", ""),
            ["TenancyService/GetUser"] = Agency(id => new T.GetUserRequest { Id = id }, f.OwnUser, f.OtherUser),
            ["TenancyService/GetSignedInUser"] = Once(new T.GetSignedInUserRequest()),
            ["TenancyService/ListUsers"] = Agency(id => new T.ListUsersRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["TenancyService/AssignRole"] = Each(id => new T.AssignRoleRequest { UserId = id, Assignment = Assignment("ML/MEF") },
                id => new T.AssignRoleRequest { UserId = id, Assignment = Assignment("BF/ANPTIC") }, 'A', 'o', f.OwnUser, f.OtherUser),
            ["TenancyService/RevokeRole"] = Each(id => new T.RevokeRoleRequest { UserId = id, Assignment = Assignment("ML/MEF") },
                id => new T.RevokeRoleRequest { UserId = id, Assignment = Assignment("BF/ANPTIC") }, 'A', 'o', f.OwnUser, f.OtherUser),
            ["TenancyService/CreateAutomationClient"] = Each(_ => new T.CreateAutomationClientRequest { Assignment = Assignment("ML/MEF") },
                _ => new T.CreateAutomationClientRequest { Assignment = Assignment("BF/ANPTIC") }, 'A', 'o', "", ""),
            // Demo users who keep their role throughout (the matrix's own users lose theirs to RevokeRole above).
            ["TenancyService/LinkExternalIdentity"] = Agency(id => new T.LinkExternalIdentityRequest { UserId = id }, m.Users["agent.mef.ml"], m.Users["agent.anptic.bf"]),
            ["TenancyService/UnlinkExternalIdentity"] = Agency(id => new T.UnlinkExternalIdentityRequest { UserId = id }, m.Users["agent.mef.ml"], m.Users["agent.anptic.bf"]),
            ["TenancyService/ListExternalIdentityLinks"] = State(s => new T.ListExternalIdentityLinksRequest { StateCode = s }, "ML", "BF"),
            ["TenancyService/DraftAgreement"] = State(id => new T.DraftAgreementRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["TenancyService/GetAgreement"] = State(id => new T.GetAgreementRequest { Id = id }, f.OwnAgreement, f.OtherAgreement),
            ["TenancyService/ListAgreements"] = State(s => new T.ListAgreementsRequest { StateCode = s }, "ML", "BF"),
            ["TenancyService/SignAgreement"] = State(id => new T.SignAgreementRequest { AgreementId = id }, f.OwnAgreement, f.OtherAgreement),
            ["TenancyService/TerminateAgreement"] = State(id => new T.TerminateAgreementRequest { AgreementId = id, Reason = "matrice" }, f.OwnAgreement, f.OtherAgreement),

            ["QuotaService/ListKnownFacilities"] = Once(new Q.ListKnownFacilitiesRequest()),
            ["QuotaService/CreatePool"] = State(id => new Q.CreatePoolRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["QuotaService/SetInventory"] = State(id => new Q.SetInventoryRequest { PoolId = id }, f.OwnPool, f.OtherPool),
            ["QuotaService/GetPool"] = State(id => new Q.GetPoolRequest { Id = id }, f.OwnPool, f.OtherPool),
            ["QuotaService/ListPools"] = State(id => new Q.ListPoolsRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["QuotaService/SetStateDefaultQuota"] = State(s => new Q.SetStateDefaultQuotaRequest { StateCode = s }, "ML", "BF"),
            ["QuotaService/GetAgencyQuota"] = Agency(id => new Q.GetAgencyQuotaRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["QuotaService/RequestQuotaChange"] = Agency(id => new Q.RequestQuotaChangeRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["QuotaService/DecideQuotaChange"] = Agency(id => new Q.DecideQuotaChangeRequest { RequestId = id }, f.OwnQuotaChange, f.OtherQuotaChange),
            ["QuotaService/ListQuotaChangeRequests"] = Agency(id => new Q.ListQuotaChangeRequestsRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["QuotaService/ListQuotaHistory"] = Agency(id => new Q.ListQuotaHistoryRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["QuotaService/Hold"] = Once(new Q.HoldRequest { AgencyId = f.OwnAgency, PoolId = f.OwnPool }),
            ["QuotaService/Commit"] = Once(new Q.ClaimIdRequest { ClaimId = Guid.NewGuid().ToString() }),
            ["QuotaService/Release"] = Once(new Q.ReleaseRequest { ClaimId = Guid.NewGuid().ToString() }),
            ["QuotaService/Resize"] = Once(new Q.ResizeRequest { ClaimId = Guid.NewGuid().ToString() }),
            ["QuotaService/GetClaim"] = Once(new Q.ClaimIdRequest { ClaimId = Guid.NewGuid().ToString() }),
            ["QuotaService/GetUsage"] = Agency(id => new Q.GetUsageRequest { Scope = Q.UsageScope.Agency, Id = id }, f.OwnAgency, f.OtherAgency),
            ["QuotaService/GetAllocationHistory"] = State(id => new Q.GetAllocationHistoryRequest { PoolId = id }, f.OwnPool, f.OtherPool),
            ["QuotaService/GetPlanningCapacity"] = Once(new Q.GetPlanningCapacityRequest { AgencyIds = { f.OwnAgency } }),
            ["QuotaService/ListCandidates"] = Agency(id => new Q.ListCandidatesRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),

            ["BillingService/ListAccounts"] = State(s => new B.ListAccountsRequest { StateCode = s }, "ML", "BF"),
            ["BillingService/SetPriceCatalogue"] = State(id => new B.SetPriceCatalogueRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["BillingService/ListPriceCatalogues"] = Once(new B.ListPriceCataloguesRequest()),
            ["BillingService/ListUsage"] = Agency(id => new B.ListUsageRequest { AgencyId = id, Month = lastMonth }, f.OwnAgency, f.OtherAgency),
            ["BillingService/DraftInvoice"] = Agency(id => new B.DraftInvoiceRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["BillingService/DraftInvoices"] = State(s => new B.DraftInvoicesRequest { StateCode = s }, "ML", "BF"),
            ["BillingService/GetInvoice"] = Agency(id => new B.GetInvoiceRequest { InvoiceId = id }, f.OwnInvoice, f.OtherInvoice),
            ["BillingService/ListInvoices"] = Agency(id => new B.ListInvoicesRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["BillingService/IssueInvoice"] = Agency(id => new B.InvoiceActionRequest { InvoiceId = id }, f.OwnInvoice, f.OtherInvoice),
            ["BillingService/PayInvoice"] = Agency(id => new B.InvoiceActionRequest { InvoiceId = id }, f.OwnInvoice, f.OtherInvoice),
            ["BillingService/CancelInvoice"] = Agency(id => new B.CancelInvoiceRequest { InvoiceId = id }, f.OwnInvoice, f.OtherInvoice),
            ["BillingService/IssueCreditNote"] = Agency(id => new B.IssueCreditNoteRequest { InvoiceId = id }, f.OwnInvoice, f.OtherInvoice),
            ["BillingService/ExportInvoices"] = State(s => new B.ExportInvoicesRequest { StateCode = s, Month = lastMonth }, "ML", "BF"),
            ["BillingService/RenderInvoice"] = Agency(id => new B.RenderInvoiceRequest { InvoiceId = id }, f.OwnInvoice, f.OtherInvoice),
            ["BillingService/CloseSettlement"] = Once(new B.CloseSettlementRequest()),
            // Settlements and the ledger concern every state alike: as the caller's own state.
            ["BillingService/GetSettlement"] = Once(new B.GetSettlementRequest { Month = lastMonth }, 'S'),
            ["BillingService/AuditLedger"] = Once(new B.AuditLedgerRequest(), 'S'),
            ["BillingService/ListLedgerBalances"] = Once(new B.ListLedgerBalancesRequest(), 'S'),

            ["ProvisioningService/ListAgreementsInForce"] = Once(new P.ListAgreementsInForceRequest { GuestStateCode = "NE" }),
            ["ProvisioningService/ListCatalogue"] = Once(new P.ListCatalogueRequest()),
            // A project and nothing else: invalid once past the access check, so nothing is asked for.
            ["ProvisioningService/SubmitRequest"] = Project(project => new P.SubmitRequestRequest
                { AgencyId = project == f.OtherProject ? f.OtherAgency : f.OwnAgency, ProjectId = project }, f.OwnProject, f.TreasuryProject, f.OtherProject),
            ["ProvisioningService/GetRequest"] = Request(id => new P.RequestIdRequest { RequestId = id }),
            ["ProvisioningService/ListRequests"] = Agency(id => new P.ListRequestsRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["ProvisioningService/GetPlacementDecision"] = Request(id => new P.RequestIdRequest { RequestId = id }),
            ["ProvisioningService/PreviewPlacement"] = Agency(id => new P.PreviewPlacementRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["ProvisioningService/Approve"] = Agency(id => new P.ApproveRequest { RequestId = id }, f.OwnRequest, f.OtherRequest),
            ["ProvisioningService/Reject"] = Agency(id => new P.RejectRequest { RequestId = id, Reason = "matrice" }, f.OwnRequest, f.OtherRequest),
            // Invalid once past the access check (as DecommissionVm's and ResizeVm's), so the matrix changes nothing.
            ["ProvisioningService/WithdrawRequest"] = Request(id => new P.WithdrawRequestRequest { RequestId = id, Reason = new string('x', 1001) }),
            ["ProvisioningService/SetAutoApprovalPolicy"] = State(s => new P.SetAutoApprovalPolicyRequest { Policy = new P.AutoApprovalPolicy { StateCode = s } }, "ML", "BF"),
            ["ProvisioningService/GetAutoApprovalPolicy"] = State(s => new P.GetAutoApprovalPolicyRequest { StateCode = s }, "ML", "BF"),
            ["ProvisioningService/ListVms"] = Agency(id => new P.ListVmsRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["ProvisioningService/DecommissionVm"] = Vm(id => new P.DecommissionVmRequest { VmId = id }),
            ["ProvisioningService/ResizeVm"] = Vm(id => new P.ResizeVmRequest { VmId = id }),
            ["ProvisioningService/StopVm"] = Vm(id => new P.VmPowerRequest { VmId = id }),
            ["ProvisioningService/StartVm"] = Vm(id => new P.VmPowerRequest { VmId = id }),
            ["ProvisioningService/RebootVm"] = Vm(id => new P.RebootVmRequest { VmId = id }),
            ["ProvisioningService/OpenVmConsole"] = Vm(id => new P.OpenVmConsoleRequest { VmId = id }),
            // No snapshot id: invalid once past the access check, so the matrix takes no snapshot.
            ["ProvisioningService/TakeVmSnapshot"] = Vm(id => new P.TakeVmSnapshotRequest { VmId = id }),
            ["ProvisioningService/ListVmSnapshots"] = Vm(id => new P.ListVmSnapshotsRequest { VmId = id }),
            // No name and no key id: invalid once past the access check, so the matrix registers and removes nothing.
            ["ProvisioningService/RegisterSshKey"] = Agency(id => new P.RegisterSshKeyRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["ProvisioningService/ListSshKeys"] = Agency(id => new P.ListSshKeysRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["ProvisioningService/DeleteSshKey"] = Agency(id => new P.DeleteSshKeyRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["ProvisioningService/GetProjectFirewall"] = Project(id => new P.GetProjectFirewallRequest { ProjectId = id }, f.OwnProject, f.TreasuryProject, f.OtherProject),
            // A protocol and a range that do not exist: invalid once past the access check, so nothing changes.
            ["ProvisioningService/SetProjectFirewall"] = Agency(id => new P.SetProjectFirewallRequest { ProjectId = id, Rules = { new P.FirewallRule { Protocol = "matrice" } } },
                f.OwnProject, f.OtherProject),
            ["ProvisioningService/SetAgencySshAccess"] = Agency(id => new P.SetAgencySshAccessRequest { AgencyId = id, SourceCidrs = { "matrice" } }, f.OwnAgency, f.OtherAgency),
            ["ProvisioningService/ListFacilityVms"] = State(id => new P.ListFacilityVmsRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["ProvisioningService/ConnectFacility"] = State(id => new P.ConnectFacilityRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["ProvisioningService/GetFacilityConnection"] = State(id => new P.FacilityIdRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["ProvisioningService/TestFacilityConnection"] = State(id => new P.FacilityIdRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["ProvisioningService/GetFacilityCatalogue"] = State(id => new P.FacilityIdRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["ProvisioningService/RefreshFacilityCatalogue"] = State(id => new P.RefreshFacilityCatalogueRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["ProvisioningService/MapFacilityFlavour"] = State(id => new P.MapFacilityCatalogueRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["ProvisioningService/MapFacilityImage"] = State(id => new P.MapFacilityCatalogueRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["ProvisioningService/ListReconciliationFindings"] = State(id => new P.ListReconciliationFindingsRequest { FacilityId = id }, f.OwnFacility, f.OtherFacility),
            ["ProvisioningService/GetFacilityAvailability"] = Once(new P.FacilityIdRequest { FacilityId = f.OwnFacility }),
            ["ProvisioningService/CreateCampaign"] = State(s => new P.CreateCampaignRequest
            {
                Name = "Matrice", OwnerStateCode = s, AgencyIds = { m.Agencies[s == "ML" ? "ML/MEF" : "BF/ANPTIC"] },
            }, "ML", "BF"),
            ["ProvisioningService/GetCampaign"] = State(id => new P.CampaignIdRequest { CampaignId = id }, f.OwnCampaign, f.OtherCampaign),
            ["ProvisioningService/ListCampaigns"] = [.. State(s => new P.ListCampaignsRequest { StateCode = s }, "ML", "BF"),
                .. Agency(id => new P.ListCampaignsRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency)],
            // A file whose parts do not match its SHA-256: refused by the method, after the access check.
            ["ProvisioningService/ImportCampaignWorkloads"] = State(id => new P.ImportCampaignWorkloadsRequest
            {
                CampaignId = id, Format = "csv", FileSha256 = new string('0', 64), Parts = 1, Content = Google.Protobuf.ByteString.CopyFromUtf8("x"),
            }, f.OwnCampaign, f.OtherCampaign),
            ["ProvisioningService/PlanCampaign"] = State(id => new P.PlanCampaignRequest { CampaignId = id }, f.OwnCampaign, f.OtherCampaign),
            ["ProvisioningService/ListCampaignWorkloads"] = [.. State(id => new P.ListCampaignWorkloadsRequest { CampaignId = id }, f.OwnCampaign, f.OtherCampaign),
                .. Agency(id => new P.ListCampaignWorkloadsRequest { CampaignId = id == f.OwnAgency ? f.OwnCampaign : f.OtherCampaign, OnlyAgencyId = id }, f.OwnAgency, f.OtherAgency)],
            // The matrix's campaigns have no wave: a launch let in is refused by field, and submits nothing.
            ["ProvisioningService/LaunchCampaignWave"] = State(id => new P.LaunchCampaignWaveRequest { CampaignId = id, Wave = 1 }, f.OwnCampaign, f.OtherCampaign),
            // The own campaign's workload is MEF's: a transfer without its checksum, refused by field once let in.
            ["ProvisioningService/RecordCampaignStep"] = Agency(id => new P.RecordCampaignStepRequest { CampaignId = id, Workload = "matrice-1", Step = "data_transferred" },
                f.OwnCampaign, f.OtherCampaign),

            // The caller's own preferences and messages: everyone, about themselves (the token says who).
            ["NotificationService/GetMyPreferences"] = Once(new N.GetMyPreferencesRequest()),
            ["NotificationService/SetMyPreferences"] = Once(new N.SetMyPreferencesRequest()),
            ["NotificationService/ListMyMessages"] = Once(new N.ListMyMessagesRequest()),
            // No address: invalid once past the access check, so no webhook is added.
            ["NotificationService/CreateWebhook"] = Agency(id => new N.CreateWebhookRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["NotificationService/ListWebhooks"] = Agency(id => new N.ListWebhooksRequest { AgencyId = id }, f.OwnAgency, f.OtherAgency),
            ["NotificationService/ListWebhookDeliveries"] = Agency(id => new N.ListWebhookDeliveriesRequest { WebhookId = id }, f.OwnWebhook, f.OtherWebhook),
            ["NotificationService/RotateWebhookSecret"] = Agency(id => new N.RotateWebhookSecretRequest { Id = id }, f.OwnWebhook, f.OtherWebhook),
            // The first caller let through deletes it; the next find it gone (NotFound), still past the check: a deleted webhook stays its owner's.
            ["NotificationService/DeleteWebhook"] = Agency(id => new N.DeleteWebhookRequest { Id = id }, f.OwnWebhook, f.OtherWebhook),

            ["AuditTrail/ListEntries"] = Once(new A.ListAuditEntriesRequest(), 'S'),
            ["AuditTrail/Verify"] = Once(new A.VerifyAuditTrailRequest(), 'S'),
        };
    }
}
