using Aes.Contracts.Provisioning.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Aes.Portal.Api;

/// <summary>
/// The public REST API (/api/v1): JSON over the same gRPC methods the portal uses, called with the
/// caller's own token, so each service decides with the caller's rights.
/// </summary>
public static class ApiEndpoints
{
    public const string RateLimitPolicy = "per-user";

    public static RouteGroupBuilder MapApiV1(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireRateLimiting(RateLimitPolicy).WithTags("v1");
        api.MapGet("/me", Me).WithSummary("Qui suis-je / who am I");
        api.MapGet("/requests", ListRequestsAsync).WithSummary("Demandes d'hébergement / hosting requests");
        api.MapPost("/requests", SubmitAsync).AddEndpointFilter<IdempotencyFilter>().WithSummary("Soumettre une demande / submit a request");
        api.MapGet("/requests/{id}", GetRequestAsync).WithSummary("Une demande / one request");
        api.MapGet("/requests/{id}/placement", PlacementAsync).WithSummary("Où et pourquoi / where and why");
        api.MapPost("/requests/{id}/approve", ApproveAsync).AddEndpointFilter<IdempotencyFilter>().WithSummary("Approuver / approve");
        api.MapPost("/requests/{id}/reject", RejectAsync).AddEndpointFilter<IdempotencyFilter>().WithSummary("Rejeter avec un motif / reject with a reason");
        api.MapGet("/vms", ListVmsAsync).WithSummary("Machines virtuelles d'un organisme / an agency's VMs");
        api.MapPost("/vms/{id}/decommission", DecommissionAsync).AddEndpointFilter<IdempotencyFilter>().WithSummary("Arrêter définitivement / decommission");
        return api.MapServiceRoutes();
    }

    public sealed record MeView(string UserId, string Name, IReadOnlyList<string> Grants);

    private static MeView Me(HttpContext http) => new(
        http.User.FindFirst("sub")?.Value ?? "", http.User.FindFirst("name")?.Value ?? "",
        http.User.FindAll("aes_grant").Select(c => c.Value).ToList());

    private static Task<IResult> ListRequestsAsync(ProvisioningService.ProvisioningServiceClient provisioning, string? agencyId, string? stateCode, string? status,
        int? pageSize, string? pageToken) =>
        CallAsync(async () =>
        {
            var page = await provisioning.ListRequestsAsync(new ListRequestsRequest
            {
                AgencyId = agencyId ?? "", StateCode = stateCode ?? "", Status = status ?? "", PageSize = pageSize ?? 0, PageToken = pageToken ?? "",
            });
            return Results.Ok(new HostingRequestList(page.Requests.Select(ToView).ToList(), page.NextPageToken.Length == 0 ? null : page.NextPageToken));
        });

    private static Task<IResult> SubmitAsync(ProvisioningService.ProvisioningServiceClient provisioning, HttpContext http, SubmitRequestBody body) =>
        CallAsync(async () =>
        {
            var request = new SubmitRequestRequest
            {
                RequestId = RequestIdFor(http).ToString(), AgencyId = body.AgencyId ?? "", ProjectId = body.ProjectId ?? "",
                Classification = body.Classification ?? "", Justification = body.Justification ?? "",
                PreferredStateCode = body.PreferredStateCode ?? "", PreferredFacilityId = body.PreferredFacilityId ?? "",
                Deadline = body.Deadline is { } deadline ? Timestamp.FromDateTimeOffset(deadline) : null,
            };
            request.Vms.AddRange((body.Vms ?? []).Select(vm => new VmSpec
            {
                Flavour = vm.Flavour ?? "", Vcpu = vm.Vcpu, MemoryGib = vm.MemoryGib, DiskGib = vm.DiskGib, Image = vm.Image ?? "", Count = vm.Count, PublicIpv4 = vm.PublicIpv4,
            }));
            var submitted = await provisioning.SubmitRequestAsync(request);
            return Results.Created($"/api/v1/requests/{submitted.Id}", ToView(submitted));
        });

    private static Task<IResult> GetRequestAsync(ProvisioningService.ProvisioningServiceClient provisioning, string id) =>
        CallAsync(async () => Results.Ok(ToView(await provisioning.GetRequestAsync(new RequestIdRequest { RequestId = id }))));

    private static Task<IResult> PlacementAsync(ProvisioningService.ProvisioningServiceClient provisioning, string id) =>
        CallAsync(async () =>
        {
            var decision = await provisioning.GetPlacementDecisionAsync(new RequestIdRequest { RequestId = id });
            return Results.Ok(new PlacementView(decision.RequestId, decision.Outcome, decision.Considered.Select(c =>
                new ConsideredFacilityView(c.FacilityCode, c.StateCode, c.Kept, c.ReasonFr, c.ReasonEn, c.EstimatedMonthlyXof)).ToList()));
        });

    private static Task<IResult> ApproveAsync(ProvisioningService.ProvisioningServiceClient provisioning, string id) =>
        CallAsync(async () => Results.Ok(ToView(await provisioning.ApproveAsync(new ApproveRequest { RequestId = id }))));

    private static Task<IResult> RejectAsync(ProvisioningService.ProvisioningServiceClient provisioning, string id, ReasonBody body) =>
        CallAsync(async () => Results.Ok(ToView(await provisioning.RejectAsync(new RejectRequest { RequestId = id, Reason = body.Reason ?? "" }))));

    private static Task<IResult> ListVmsAsync(ProvisioningService.ProvisioningServiceClient provisioning, string? agencyId, bool? includeEnded) =>
        CallAsync(async () => Results.Ok(new VmList((await provisioning.ListVmsAsync(new ListVmsRequest
        {
            AgencyId = agencyId ?? "", IncludeEnded = includeEnded ?? false,
        })).Vms.Select(ToView).ToList())));

    private static Task<IResult> DecommissionAsync(ProvisioningService.ProvisioningServiceClient provisioning, string id, ReasonBody body) =>
        CallAsync(async () => Results.Ok(ToView(await provisioning.DecommissionVmAsync(new DecommissionVmRequest { VmId = id, Reason = body.Reason ?? "" }))));

    /// <summary>With an Idempotency-Key, the request's id follows from it, so that provisioning also sees a retry as the same request.</summary>
    private static Guid RequestIdFor(HttpContext http)
    {
        var key = http.Request.Headers[IdempotencyFilter.Header].ToString();
        if (key.Length == 0)
        {
            return Guid.CreateVersion7();
        }
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{http.User.FindFirst("sub")?.Value}\n{key}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    private static async Task<IResult> CallAsync(Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException exception)
        {
            return ApiProblems.From(exception);
        }
    }

    private static DateTimeOffset? At(Timestamp? timestamp) => timestamp is null ? null : timestamp.ToDateTimeOffset();

    private static HostingRequestView ToView(HostingRequest r) => new(
        r.Id, r.AgencyId, r.AgencyStateCode, r.ProjectId, r.Classification, r.Status, r.StatusReasonFr, r.StatusReasonEn,
        Empty(r.FacilityId), Empty(r.FacilityCode), Empty(r.FacilityStateCode),
        r.Approvals.Select(a => new ApprovalView(a.Role, a.StateCode, a.Decision, Empty(a.DecidedByUserId), a.Automatic, Empty(a.Reason), At(a.DecidedAt))).ToList(),
        r.VmIds.ToList(), r.SubmittedByUserId, At(r.SubmittedAt) ?? default, At(r.UpdatedAt) ?? default);

    private static VmView ToView(Vm v) => new(
        v.Id, v.RequestId, v.AgencyId, v.FacilityCode, v.Name, v.Vcpu, v.MemoryGib, v.DiskGib, v.PublicIpv4, v.Image, v.Status,
        At(v.ActivatedAt), At(v.DecommissionedAt));

    private static string? Empty(string value) => value.Length == 0 ? null : value;
}
