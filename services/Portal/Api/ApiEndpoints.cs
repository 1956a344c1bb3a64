using Aes.Contracts.Provisioning.V1;

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
        var api = app.MapGroup("/api/v1").RequireRateLimiting(RateLimitPolicy);
        api.MapGet("/me", Me).WithName("me").WithTags(ApiTags.Organisation).WithSummary("Qui suis-je / who am I")
            .Produces<MeView>();

        var requests = api.MapGroup("").WithTags(ApiTags.Requests);
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, ListRequestsRequest, ListRequestsResponse>("GET", "/requests", (c, r, o) => c.ListRequestsAsync(r, o),
            "Demandes d'hébergement, les plus récentes d'abord / hosting requests, newest first");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, SubmitRequestRequest, HostingRequest>("POST", "/requests", (c, r, o) => c.SubmitRequestAsync(r, o),
            "Soumettre une demande / submit a request", created: true, filled: ["request_id"], fill: (http, request) => request.RequestId = RequestIdFor(http).ToString());
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, PreviewPlacementRequest, PlacementDecision>("POST", "/requests/preview", (c, r, o) => c.PreviewPlacementAsync(r, o),
            "Où irait une demande, sans la soumettre / where a request would go, without submitting it");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, RequestIdRequest, HostingRequest>("GET", "/requests/{requestId}", (c, r, o) => c.GetRequestAsync(r, o),
            "Une demande / one request");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, RequestIdRequest, PlacementDecision>("GET", "/requests/{requestId}/placement", (c, r, o) => c.GetPlacementDecisionAsync(r, o),
            "Où et pourquoi / where and why");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, ApproveRequest, HostingRequest>("POST", "/requests/{requestId}/approve", (c, r, o) => c.ApproveAsync(r, o),
            "Approuver / approve");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, RejectRequest, HostingRequest>("POST", "/requests/{requestId}/reject", (c, r, o) => c.RejectAsync(r, o),
            "Rejeter avec un motif / reject with a reason");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, WithdrawRequestRequest, HostingRequest>("POST", "/requests/{requestId}/withdraw", (c, r, o) => c.WithdrawRequestAsync(r, o),
            "Retirer une demande pas encore approuvée / withdraw a request not yet approved");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, ListVmsRequest, ListVmsResponse>("GET", "/vms", (c, r, o) => c.ListVmsAsync(r, o),
            "Machines virtuelles d'un organisme / an agency's VMs");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, DecommissionVmRequest, Vm>("POST", "/vms/{vmId}/decommission", (c, r, o) => c.DecommissionVmAsync(r, o),
            "Arrêter définitivement / decommission");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, VmPowerRequest, Vm>("POST", "/vms/{vmId}/stop", (c, r, o) => c.StopVmAsync(r, o),
            "Éteindre une VM / stop a VM", filled: ["operation_id"], fill: (http, request) => request.OperationId = RequestIdFor(http).ToString());
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, VmPowerRequest, Vm>("POST", "/vms/{vmId}/start", (c, r, o) => c.StartVmAsync(r, o),
            "Démarrer une VM arrêtée / start a stopped VM", filled: ["operation_id"], fill: (http, request) => request.OperationId = RequestIdFor(http).ToString());
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, RebootVmRequest, Vm>("POST", "/vms/{vmId}/reboot", (c, r, o) => c.RebootVmAsync(r, o),
            "Redémarrer une VM (hard : coupure) / reboot a VM (hard: power cycle)", filled: ["operation_id"], fill: (http, request) => request.OperationId = RequestIdFor(http).ToString());
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, TakeVmSnapshotRequest, VmSnapshot>("POST", "/vms/{vmId}/snapshots", (c, r, o) => c.TakeVmSnapshotAsync(r, o),
            "Prendre un instantané (facturé au Gio-mois) / take a snapshot (billed per GiB-month)", created: true, filled: ["snapshot_id"],
            fill: (http, request) => request.SnapshotId = RequestIdFor(http).ToString());
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, ListVmSnapshotsRequest, ListVmSnapshotsResponse>("GET", "/vms/{vmId}/snapshots", (c, r, o) => c.ListVmSnapshotsAsync(r, o),
            "Les instantanés d'une VM / a VM's snapshots");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, OpenVmConsoleRequest, VmConsole>("POST", "/vms/{vmId}/console", (c, r, o) => c.OpenVmConsoleAsync(r, o),
            "Ouvrir la console d'une VM (journalisé) / open a VM's console (audited)");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, ListSshKeysRequest, ListSshKeysResponse>("GET", "/ssh-keys", (c, r, o) => c.ListSshKeysAsync(r, o),
            "Mes clés SSH publiques / my public SSH keys");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, RegisterSshKeyRequest, SshKey>("POST", "/ssh-keys", (c, r, o) => c.RegisterSshKeyAsync(r, o),
            "Enregistrer une clé SSH publique (ed25519, ou RSA ≥ 3072 bits) / register a public SSH key (ed25519, or RSA ≥ 3072 bits)", created: true);
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, DeleteSshKeyRequest, SshKey>("POST", "/ssh-keys/{keyId}/remove", (c, r, o) => c.DeleteSshKeyAsync(r, o),
            "Retirer une clé SSH / remove an SSH key");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, GetProjectFirewallRequest, ProjectFirewall>("GET", "/projects/{projectId}/firewall", (c, r, o) => c.GetProjectFirewallAsync(r, o),
            "Pare-feu d'un projet et où il s'applique / a project's firewall and where it applies");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, SetProjectFirewallRequest, ProjectFirewall>("PUT", "/projects/{projectId}/firewall", (c, r, o) => c.SetProjectFirewallAsync(r, o),
            "Règles entrantes du projet (administrateur de l'organisme) / the project's inbound rules (agency administrator)");
        requests.MapRpc<ProvisioningService.ProvisioningServiceClient, SetAgencySshAccessRequest, AgencySshAccess>("PUT", "/agencies/{agencyId}/ssh-access", (c, r, o) => c.SetAgencySshAccessAsync(r, o),
            "Plages d'où SSH entre (administrateur de l'organisme) / the ranges SSH comes from (agency administrator)");
        return api.MapServiceRoutes();
    }

    public sealed record MeView(string UserId, string Name, IReadOnlyList<string> Grants);

    private static MeView Me(HttpContext http) => new(
        http.User.FindFirst("sub")?.Value ?? "", http.User.FindFirst("name")?.Value ?? "",
        http.User.FindAll("aes_grant").Select(c => c.Value).ToList());

    /// <summary>With an Idempotency-Key, the request's (or operation's) id follows from it, so that provisioning also sees a retry as the same one.</summary>
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
}
