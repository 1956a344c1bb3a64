using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Aes.Contracts;

namespace Aes.Provisioning.Drivers.OpenStack;

/// <summary>
/// A facility running OpenStack, driven through its public APIs: Keystone v3 for the token and the
/// catalogue, Nova (compute, microversion <see cref="OpenStackApi.ComputeMicroversion"/>) for servers,
/// Glance for images, Neutron for each project's network, router, security group and floating IPs. A server is named <c>aes-&lt;VM id&gt;</c> and
/// carries the VM id in its metadata (<c>aes_vm_id</c>), so a retry finds it and reconciliation recognises
/// ours. Nothing here waits for a server: each call asks or reads, and the workflow comes back.
/// </summary>
public sealed class OpenStackFacilityDriver(
    IHttpClientFactory httpClients, IConfiguration configuration, FacilityAccounts accounts, TimeProvider clock) : IFacilityDriver
{
    public const string HttpClientName = "openstack";
    public const string VmIdKey = "aes_vm_id";
    private readonly ConcurrentDictionary<Guid, (OpenStackAccount Account, OpenStackApi Api)> _apis = new();
    private readonly ConcurrentDictionary<(Guid, string), string> _networks = new();
    private readonly ConcurrentDictionary<(Guid Facility, Guid Project), string> _projectNetworks = new();
    private readonly ConcurrentDictionary<(Guid Facility, Guid Project), string> _securityGroups = new();
    private readonly ConcurrentDictionary<(Guid Facility, Guid Project), SemaphoreSlim> _projectLocks = new();
    /// <summary>
    /// Each VM's server id once seen, so that reading a server is one GET by id rather than a list filtered by name, which
    /// costs Nova far more and is what the workflow's polling would otherwise ask every second of every build. Only a hint:
    /// each use checks the server still carries the VM's id, and falls back to the name.
    /// </summary>
    private readonly ConcurrentDictionary<(Guid Facility, Guid Vm), string> _serverIds = new();

    public static string ServerName(Guid vmId) => $"aes-{vmId}";

    public async Task<FacilityServer> EnsureCreatedAsync(FacilityVmSpec spec, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(spec.Facility, cancellationToken);
        if (await FindJsonAsync(api, spec.Facility.FacilityId, spec.VmId, cancellationToken) is { } existing)
        {
            var server = ToServer(existing);
            return spec.Size.HasPublicAddress() && server.State == ServerState.Active && server.PublicAddress is null
                ? server with { PublicAddress = await EnsureFloatingIpAsync(api, spec.Facility.FacilityId, spec.VmId, server.ServerId, cancellationToken) }
                : server;
        }
        var network = await ProjectNetworkAsync(api, spec.Facility, spec.ProjectId, cancellationToken);
        var securityGroup = await SecurityGroupAsync(api, spec.Facility, spec.ProjectId, cancellationToken);
        await SyncRulesAsync(api, securityGroup, spec.Firewall, cancellationToken);
        var body = new JsonObject
        {
            ["name"] = ServerName(spec.VmId),
            ["imageRef"] = spec.NativeImage,
            ["flavorRef"] = spec.NativeFlavour,
            ["networks"] = new JsonArray(new JsonObject { ["uuid"] = network }),
            ["security_groups"] = new JsonArray(new JsonObject { ["name"] = securityGroup }),
            ["metadata"] = new JsonObject
            {
                [VmIdKey] = spec.VmId.ToString(), ["aes_name"] = spec.Name, ["aes_agency_id"] = spec.AgencyId.ToString(), ["aes_request_id"] = spec.RequestId.ToString(),
                ["aes_project_id"] = spec.ProjectId.ToString(),
            },
        };
        if (spec.SshPublicKeys.Count > 0)
        {
            body["key_name"] = await EnsureKeyPairAsync(api, spec.VmId, spec.SshPublicKeys, cancellationToken);
        }
        if (spec.UserData is { Length: > 0 } userData)
        {
            body["user_data"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(userData));
        }
        var created = await api.SendAsync("compute", HttpMethod.Post, "/servers", new JsonObject { ["server"] = body }, cancellationToken);
        var id = created.Body?["server"]?["id"]?.GetValue<string>() ?? throw new FacilityDriverException("compute accepted the server but gave no id", FacilityFault.Unavailable);
        _serverIds[(spec.Facility.FacilityId, spec.VmId)] = id;
        var answer = await api.SendAsync("compute", HttpMethod.Get, $"/servers/{id}", null, cancellationToken);
        return answer.Status == HttpStatusCode.NotFound
            ? throw new FacilityDriverException($"server {id} vanished right after its creation", FacilityFault.Unavailable)
            : ToServer(answer.Body!["server"]!);
    }

    public static string KeyPairName(Guid vmId) => $"aes-{vmId}";

    private static string FloatingIpDescription(Guid vmId) => $"aes-vm:{vmId}";

    /// <summary>
    /// The VM's own key pair, holding every key the request named, one per line: Nova gives a server one key pair, and
    /// cloud-init installs each line of it (its metadata's public keys). Named by the VM, so a retry finds it.
    /// </summary>
    private static async Task<string> EnsureKeyPairAsync(OpenStackApi api, Guid vmId, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var name = KeyPairName(vmId);
        if ((await api.SendAsync("compute", HttpMethod.Get, $"/os-keypairs/{name}", null, cancellationToken)).Status == HttpStatusCode.NotFound)
        {
            try
            {
                await api.SendAsync("compute", HttpMethod.Post, "/os-keypairs", new JsonObject
                {
                    ["keypair"] = new JsonObject { ["name"] = name, ["type"] = "ssh", ["public_key"] = string.Join('\n', keys) },
                }, cancellationToken);
            }
            catch (FacilityDriverException exception) when (exception.Message.Contains(" 409:", StringComparison.Ordinal))
            {
                // made by an earlier try whose answer was lost
            }
        }
        return name;
    }

    /// <summary>The VM's floating IP on the external network, attached to its port; found again by its description after a retry.</summary>
    private async Task<string> EnsureFloatingIpAsync(OpenStackApi api, Guid facilityId, Guid vmId, string serverId, CancellationToken cancellationToken)
    {
        if (await FloatingIpsAsync(api, vmId, cancellationToken) is [var known, ..])
        {
            return known["floating_ip_address"]!.GetValue<string>();
        }
        var port = (await api.SendAsync("network", HttpMethod.Get, $"/ports?device_id={serverId}", null, cancellationToken)).Body?["ports"]?.AsArray()
            .FirstOrDefault()?["id"]?.GetValue<string>() ?? throw new FacilityDriverException($"server {serverId} has no port for a public address", FacilityFault.Unavailable);
        var external = await ExternalNetworkAsync(api, facilityId, cancellationToken);
        var created = await api.SendAsync("network", HttpMethod.Post, "/floatingips", new JsonObject
        {
            ["floatingip"] = new JsonObject { ["floating_network_id"] = external, ["port_id"] = port, ["description"] = FloatingIpDescription(vmId) },
        }, cancellationToken);
        return created.Body?["floatingip"]?["floating_ip_address"]?.GetValue<string>()
            ?? throw new FacilityDriverException("the network API gave no floating address", FacilityFault.Unavailable);
    }

    private static async Task<List<JsonNode>> FloatingIpsAsync(OpenStackApi api, Guid vmId, CancellationToken cancellationToken) =>
        (await api.SendAsync("network", HttpMethod.Get, $"/floatingips?description={Uri.EscapeDataString(FloatingIpDescription(vmId))}", null, cancellationToken))
        .Body?["floatingips"]?.AsArray().Select(f => f!).ToList() ?? [];

    /// <summary>
    /// The external network routers and public addresses use: the connection's network when it is an external one (by name or id),
    /// else the first external network the project sees, by name.
    /// </summary>
    private async Task<string> ExternalNetworkAsync(OpenStackApi api, Guid facilityId, CancellationToken cancellationToken)
    {
        var key = (facilityId, "router:external");
        if (_networks.TryGetValue(key, out var id))
        {
            return id;
        }
        var external = (await api.SendAsync("network", HttpMethod.Get, "/networks?router:external=true", null, cancellationToken)).Body?["networks"]?.AsArray()
            .Select(n => n!).OrderBy(n => n["name"]?.GetValue<string>(), StringComparer.Ordinal).ToList() ?? [];
        var named = api.Session.Account.Network;
        id = (external.FirstOrDefault(n => n["name"]?.GetValue<string>() == named || n["id"]?.GetValue<string>() == named) ?? external.FirstOrDefault())?["id"]?.GetValue<string>()
            ?? throw new FacilityDriverException("the facility has no external network: no router and no public IPv4 can be made");
        _networks[key] = id;
        return id;
    }

    public const string SnapshotIdKey = "aes_snapshot_id";

    /// <summary>
    /// Nova's createImage of the server, the image carrying the snapshot's and the VM's ids as properties, so that a retry finds
    /// it in Glance rather than taking a second one.
    /// </summary>
    public async Task<FacilitySnapshot> TakeSnapshotAsync(FacilityTarget facility, Guid vmId, Guid snapshotId, string name, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(facility, cancellationToken);
        if ((await ImagesAsync(api, SnapshotIdKey, snapshotId, cancellationToken)).FirstOrDefault() is { } known)
        {
            return ToSnapshot(known);
        }
        var server = await FindJsonAsync(api, facility.FacilityId, vmId, cancellationToken) ?? throw new FacilityDriverException($"no server for VM {vmId}");
        var answer = await api.SendAsync("compute", HttpMethod.Post, $"/servers/{server["id"]!.GetValue<string>()}/action", new JsonObject
        {
            ["createImage"] = new JsonObject
            {
                ["name"] = $"aes-snapshot-{snapshotId}",
                ["metadata"] = new JsonObject { [SnapshotIdKey] = snapshotId.ToString(), [VmIdKey] = vmId.ToString(), ["aes_name"] = name },
            },
        }, cancellationToken);
        var imageId = answer.Body?["image_id"]?.GetValue<string>() ?? throw new FacilityDriverException("compute took the snapshot but gave no image id", FacilityFault.Unavailable);
        return new FacilitySnapshot(snapshotId, imageId, "creating");
    }

    public async Task<IReadOnlyList<FacilitySnapshot>> ListSnapshotsAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        (await ImagesAsync(await ApiAsync(facility, cancellationToken), VmIdKey, vmId, cancellationToken))
        .Where(i => i[SnapshotIdKey] is not null).Select(ToSnapshot).ToList();

    /// <summary>Glance's images carrying <paramref name="key"/> = <paramref name="value"/> as a property.</summary>
    private static async Task<List<JsonNode>> ImagesAsync(OpenStackApi api, string key, Guid value, CancellationToken cancellationToken) =>
        (await api.SendAsync("image", HttpMethod.Get, $"/images?{key}={value}&limit=1000", null, cancellationToken)).Body?["images"]?.AsArray()
        .Select(i => i!).Where(i => i[key]?.GetValue<string>() == value.ToString()).ToList() ?? [];

    private static FacilitySnapshot ToSnapshot(JsonNode image) => new(
        Guid.Parse(image[SnapshotIdKey]!.GetValue<string>()), image["id"]!.GetValue<string>(),
        image["status"]?.GetValue<string>() switch
        {
            "active" => "available",
            "killed" or "deleted" or "pending_delete" or "deactivated" => "error",
            _ => "creating", // queued, saving, uploading, importing
        });

    /// <summary>What a VM leaves behind its server: its floating IPs, its key pair and its snapshots, released once the server is gone.</summary>
    private static async Task ReleaseLeftoversAsync(OpenStackApi api, Guid vmId, CancellationToken cancellationToken)
    {
        foreach (var image in await ImagesAsync(api, VmIdKey, vmId, cancellationToken))
        {
            await api.SendAsync("image", HttpMethod.Delete, $"/images/{image["id"]!.GetValue<string>()}", null, cancellationToken);
        }
        foreach (var floating in await FloatingIpsAsync(api, vmId, cancellationToken))
        {
            await api.SendAsync("network", HttpMethod.Delete, $"/floatingips/{floating["id"]!.GetValue<string>()}", null, cancellationToken);
        }
        await api.SendAsync("compute", HttpMethod.Delete, $"/os-keypairs/{KeyPairName(vmId)}", null, cancellationToken); // 404: none, or gone
    }

    public async Task<FacilityServer?> FindAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        await FindJsonAsync(await ApiAsync(facility, cancellationToken), facility.FacilityId, vmId, cancellationToken) is { } server ? ToServer(server) : null;

    public async Task<bool> EnsureDeletedAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(facility, cancellationToken);
        if (await FindJsonAsync(api, facility.FacilityId, vmId, cancellationToken) is not { } server)
        {
            await ReleaseLeftoversAsync(api, vmId, cancellationToken);
            return true;
        }
        if (server["OS-EXT-STS:task_state"]?.GetValue<string>() != "deleting")
        {
            await api.SendAsync("compute", HttpMethod.Delete, $"/servers/{server["id"]!.GetValue<string>()}", null, cancellationToken); // 404: gone meanwhile
        }
        return false;
    }

    public async Task<ResizeProgress> EnsureResizedAsync(FacilityTarget facility, Guid vmId, ResourceVector shape, string nativeFlavour, DateTime askedAt,
        CancellationToken cancellationToken)
    {
        var api = await ApiAsync(facility, cancellationToken);
        if (await FindJsonAsync(api, facility.FacilityId, vmId, cancellationToken) is not { } json)
        {
            return ResizeProgress.Failed("the server is gone");
        }
        var server = ToServer(json);
        var action = $"/servers/{server.ServerId}/action";
        switch (server.State)
        {
            case ServerState.ResizeToConfirm:
                // Nova shows VERIFY_RESIZE a moment before its migration record allows the confirmation, and an earlier
                // confirmation may land between our read and this one: either way the next turn reads the outcome.
                var decision = server.Shape == shape ? "confirmResize" : "revertResize";
                try
                {
                    await api.SendAsync("compute", HttpMethod.Post, action, new JsonObject { [decision] = null }, cancellationToken);
                }
                catch (FacilityDriverException exception) when (exception.Fault == FacilityFault.Refused && IsResizeDecisionRace(exception.Message))
                {
                }
                return ResizeProgress.UnderWay;
            case ServerState.Error:
                return ResizeProgress.Failed(server.Fault ?? "the server is in error");
            case ServerState.Building or ServerState.Resizing or ServerState.Rebooting or ServerState.Deleting:
                return ResizeProgress.UnderWay;
        }
        if (server.Shape == shape)
        {
            return ResizeProgress.Finished;
        }
        // Nova reports a resize it could not carry out only in the server's actions: the server stays as it was.
        var actions = await api.SendAsync("compute", HttpMethod.Get, $"/servers/{server.ServerId}/os-instance-actions", null, cancellationToken);
        var resize = actions.Body?["instanceActions"]?.AsArray().Select(a => a!)
            .Where(a => a["action"]?.GetValue<string>() is "resize" && Utc(a["start_time"]) >= askedAt.AddSeconds(-1))
            .OrderByDescending(a => Utc(a["start_time"])).FirstOrDefault();
        if (resize is not null)
        {
            return resize["message"]?.GetValue<string>() is { Length: > 0 } failure
                ? ResizeProgress.Failed($"the facility could not resize the server ({failure})")
                : ResizeProgress.UnderWay;
        }
        await api.SendAsync("compute", HttpMethod.Post, action, new JsonObject { ["resize"] = new JsonObject { ["flavorRef"] = nativeFlavour } }, cancellationToken);
        return ResizeProgress.UnderWay;
    }

    public Task<FacilityServer> StopAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        ActAsync(facility, vmId, new JsonObject { ["os-stop"] = null }, cancellationToken);

    public Task<FacilityServer> StartAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken) =>
        ActAsync(facility, vmId, new JsonObject { ["os-start"] = null }, cancellationToken);

    public Task<FacilityServer> RebootAsync(FacilityTarget facility, Guid vmId, bool hard, CancellationToken cancellationToken) =>
        ActAsync(facility, vmId, new JsonObject { ["reboot"] = new JsonObject { ["type"] = hard ? "HARD" : "SOFT" } }, cancellationToken);

    /// <summary>Nova's noVNC console for the server (microversion 2.6's remote consoles), for a running server only.</summary>
    public async Task<FacilityConsole> OpenConsoleAsync(FacilityTarget facility, Guid vmId, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(facility, cancellationToken);
        var server = await FindJsonAsync(api, facility.FacilityId, vmId, cancellationToken) ?? throw new FacilityDriverException($"no server for VM {vmId}");
        if (ToServer(server).State is not ServerState.Active and var state)
        {
            // Some hypervisor drivers hand out a console for a server that is off: it would show nothing.
            throw new FacilityDriverException($"the server is {state.ToString().ToLowerInvariant()}: no console");
        }
        var answer = await api.SendAsync("compute", HttpMethod.Post, $"/servers/{server["id"]!.GetValue<string>()}/remote-consoles", new JsonObject
        {
            ["remote_console"] = new JsonObject { ["protocol"] = "vnc", ["type"] = "novnc" },
        }, cancellationToken);
        return new FacilityConsole(answer.Body?["remote_console"]?["url"]?.GetValue<string>()
            ?? throw new FacilityDriverException("compute gave no console URL", FacilityFault.Unavailable), "novnc");
    }

    public async Task<IReadOnlyList<FacilityServer>> ListAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(facility, cancellationToken);
        var servers = new List<FacilityServer>();
        string? marker = null;
        do
        {
            var page = await api.SendAsync("compute", HttpMethod.Get, "/servers/detail?limit=500" + (marker is null ? "" : $"&marker={marker}"), null, cancellationToken);
            var items = page.Body?["servers"]?.AsArray().Select(s => s!).ToList() ?? [];
            servers.AddRange(items.Where(Ours).Where(s => !Gone(s)).Select(ToServer));
            marker = items.Count == 500 ? items[^1]["id"]!.GetValue<string>() : null;
        }
        while (marker is not null);
        return servers;
    }

    public async Task<FacilityOffer> ListOfferAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(facility, cancellationToken);
        var flavours = (await api.SendAsync("compute", HttpMethod.Get, "/flavors/detail", null, cancellationToken)).Body?["flavors"]?.AsArray() ?? [];
        var images = (await api.SendAsync("image", HttpMethod.Get, "/images?limit=1000&status=active", null, cancellationToken)).Body?["images"]?.AsArray() ?? [];
        return new FacilityOffer(
            flavours.Select(f => new NativeFlavour(f!["id"]!.GetValue<string>(), f["name"]!.GetValue<string>(), SizeOf(f))).OrderBy(f => f.Name).ToList(),
            images.Select(i => new NativeImage(i!["id"]!.GetValue<string>(), i["name"]?.GetValue<string>() ?? "")).OrderBy(i => i.Name).ToList(),
            AnySize: false);
    }

    public async Task<FacilityHealth> ProbeAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        var started = clock.GetTimestamp();
        try
        {
            var api = await ApiAsync(facility, cancellationToken);
            // Keystone itself, not only a token it gave earlier: a facility whose identity service is down cannot be used.
            await ProbeKeystoneAsync(api.Session.Account.AuthUrl, cancellationToken);
            var token = await api.Session.TokenAsync(cancellationToken);
            var limits = (await api.SendAsync("compute", HttpMethod.Get, "/limits", null, cancellationToken)).Body?["limits"]?["absolute"]?.AsObject();
            var figures = limits?.Where(l => l.Value is JsonValue value && value.TryGetValue<long>(out _))
                .ToDictionary(l => l.Key, l => l.Value!.GetValue<long>()) ?? [];
            return new FacilityHealth(true, "connexion établie : Keystone et Nova répondent.", "connected: Keystone and Nova answer.",
                token.Endpoints, figures, clock.GetElapsedTime(started));
        }
        catch (Exception exception) when (exception is FacilityDriverException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new FacilityHealth(false, $"injoignable : {exception.Message}", $"unreachable: {exception.Message}",
                new Dictionary<string, string>(), new Dictionary<string, long>(), clock.GetElapsedTime(started));
        }
    }

    private async Task ProbeKeystoneAsync(string authUrl, CancellationToken cancellationToken)
    {
        try
        {
            using var keystone = await httpClients.CreateClient(HttpClientName).GetAsync(authUrl, cancellationToken);
            if ((int)keystone.StatusCode >= 500)
            {
                throw new FacilityDriverException($"Keystone at {authUrl} answered {(int)keystone.StatusCode}", FacilityFault.Unavailable);
            }
        }
        catch (HttpRequestException exception)
        {
            throw new FacilityDriverException($"Keystone at {authUrl} cannot be reached: {exception.Message}", FacilityFault.Unavailable, exception);
        }
    }

    /// <summary>Forgets the facility's session, after its connection changed.</summary>
    public void Forget(Guid facilityId) => _apis.TryRemove(facilityId, out _);

    private async Task<FacilityServer> ActAsync(FacilityTarget facility, Guid vmId, JsonObject action, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(facility, cancellationToken);
        var server = await FindJsonAsync(api, facility.FacilityId, vmId, cancellationToken) ?? throw new FacilityDriverException($"no server for VM {vmId}");
        var id = server["id"]!.GetValue<string>();
        await api.SendAsync("compute", HttpMethod.Post, $"/servers/{id}/action", action, cancellationToken);
        var now = await api.SendAsync("compute", HttpMethod.Get, $"/servers/{id}", null, cancellationToken);
        return ToServer(now.Body?["server"] ?? server);
    }

    private async Task<OpenStackApi> ApiAsync(FacilityTarget facility, CancellationToken cancellationToken)
    {
        var account = await accounts.OpenStackAsync(facility.FacilityId, cancellationToken)
            ?? throw new FacilityDriverException($"{facility.FacilityCode} has no OpenStack connection");
        if (_apis.TryGetValue(facility.FacilityId, out var known) && known.Account == account)
        {
            return known.Api;
        }
        var http = httpClients.CreateClient(HttpClientName);
        var retry = new OpenStackRetry(configuration.GetValue("Provisioning:OpenStack:RetryAttempts", 4),
            configuration.GetValue("Provisioning:OpenStack:RetryBaseDelay", TimeSpan.FromMilliseconds(500)));
        var api = new OpenStackApi(http, new KeystoneSession(http, configuration, account, clock), retry);
        _apis[facility.FacilityId] = (account, api);
        return api;
    }

    public static string ProjectResourceName(Guid projectId) => $"aes-project-{projectId}";

    /// <summary>The address range of every project network: each has its own router, so the ranges never meet.</summary>
    public const string ProjectCidr = "10.0.0.0/24";

    public async Task EnsureFirewallAsync(FacilityTarget facility, Guid projectId, IReadOnlyList<FirewallRule> rules, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(facility, cancellationToken);
        await SyncRulesAsync(api, await SecurityGroupAsync(api, facility, projectId, cancellationToken), rules, cancellationToken);
    }

    public async Task<bool> RemoveProjectNetworkAsync(FacilityTarget facility, Guid projectId, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(facility, cancellationToken);
        var name = ProjectResourceName(projectId);
        using var held = await ProjectLockAsync(facility.FacilityId, projectId, cancellationToken);
        var networks = await NamedAsync(api, "networks", name, cancellationToken);
        foreach (var network in networks)
        {
            var ports = (await api.SendAsync("network", HttpMethod.Get, $"/ports?network_id={network["id"]!.GetValue<string>()}", null, cancellationToken)).Body?["ports"]?.AsArray() ?? [];
            if (ports.Any(p => p?["device_owner"]?.GetValue<string>()?.StartsWith("compute:", StringComparison.Ordinal) == true))
            {
                return false; // a server still uses it
            }
        }
        foreach (var router in await NamedAsync(api, "routers", name, cancellationToken))
        {
            var routerId = router["id"]!.GetValue<string>();
            foreach (var subnet in await NamedAsync(api, "subnets", name, cancellationToken))
            {
                try
                {
                    await api.SendAsync("network", HttpMethod.Put, $"/routers/{routerId}/remove_router_interface",
                        new JsonObject { ["subnet_id"] = subnet["id"]!.GetValue<string>() }, cancellationToken);
                }
                catch (FacilityDriverException exception) when (exception.Fault == FacilityFault.Refused)
                {
                    // not (or no longer) on this router
                }
            }
            await api.SendAsync("network", HttpMethod.Delete, $"/routers/{routerId}", null, cancellationToken);
        }
        foreach (var network in networks)
        {
            await api.SendAsync("network", HttpMethod.Delete, $"/networks/{network["id"]!.GetValue<string>()}", null, cancellationToken);
        }
        foreach (var group in await NamedAsync(api, "security-groups", name, cancellationToken))
        {
            await api.SendAsync("network", HttpMethod.Delete, $"/security-groups/{group["id"]!.GetValue<string>()}", null, cancellationToken);
        }
        _projectNetworks.TryRemove((facility.FacilityId, projectId), out _);
        _securityGroups.TryRemove((facility.FacilityId, projectId), out _);
        return true;
    }

    /// <summary>
    /// The project's private network in this facility, made on first use with its subnet and its own router to the external
    /// network (so its servers can take floating IPs). Made under a per-project lock and found again by name, oldest first.
    /// </summary>
    private async Task<string> ProjectNetworkAsync(OpenStackApi api, FacilityTarget facility, Guid projectId, CancellationToken cancellationToken)
    {
        if (_projectNetworks.TryGetValue((facility.FacilityId, projectId), out var known))
        {
            return known;
        }
        var name = ProjectResourceName(projectId);
        using var held = await ProjectLockAsync(facility.FacilityId, projectId, cancellationToken);
        var network = (await NamedAsync(api, "networks", name, cancellationToken)).FirstOrDefault()?["id"]?.GetValue<string>();
        if (network is null)
        {
            network = (await api.SendAsync("network", HttpMethod.Post, "/networks", new JsonObject { ["network"] = new JsonObject { ["name"] = name } }, cancellationToken))
                .Body?["network"]?["id"]?.GetValue<string>() ?? throw new FacilityDriverException("the network API gave no network id", FacilityFault.Unavailable);
        }
        var subnet = (await NamedAsync(api, "subnets", name, cancellationToken)).FirstOrDefault()?["id"]?.GetValue<string>();
        if (subnet is null)
        {
            subnet = (await api.SendAsync("network", HttpMethod.Post, "/subnets", new JsonObject
            {
                ["subnet"] = new JsonObject { ["name"] = name, ["network_id"] = network, ["ip_version"] = 4, ["cidr"] = ProjectCidr },
            }, cancellationToken)).Body?["subnet"]?["id"]?.GetValue<string>() ?? throw new FacilityDriverException("the network API gave no subnet id", FacilityFault.Unavailable);
        }
        if ((await NamedAsync(api, "routers", name, cancellationToken)).FirstOrDefault()?["id"]?.GetValue<string>() is null)
        {
            var router = (await api.SendAsync("network", HttpMethod.Post, "/routers", new JsonObject
            {
                ["router"] = new JsonObject
                {
                    ["name"] = name, ["external_gateway_info"] = new JsonObject { ["network_id"] = await ExternalNetworkAsync(api, facility.FacilityId, cancellationToken) },
                },
            }, cancellationToken)).Body?["router"]?["id"]?.GetValue<string>() ?? throw new FacilityDriverException("the network API gave no router id", FacilityFault.Unavailable);
            await api.SendAsync("network", HttpMethod.Put, $"/routers/{router}/add_router_interface", new JsonObject { ["subnet_id"] = subnet }, cancellationToken);
        }
        _projectNetworks[(facility.FacilityId, projectId)] = network;
        return network;
    }

    /// <summary>The project's security group in this facility, made on first use (Neutron gives it its egress rules).</summary>
    private async Task<string> SecurityGroupAsync(OpenStackApi api, FacilityTarget facility, Guid projectId, CancellationToken cancellationToken)
    {
        if (_securityGroups.TryGetValue((facility.FacilityId, projectId), out var known))
        {
            return known;
        }
        var name = ProjectResourceName(projectId);
        using var held = await ProjectLockAsync(facility.FacilityId, projectId, cancellationToken);
        var id = (await NamedAsync(api, "security-groups", name, cancellationToken)).FirstOrDefault()?["id"]?.GetValue<string>()
            ?? (await api.SendAsync("network", HttpMethod.Post, "/security-groups", new JsonObject
            {
                ["security_group"] = new JsonObject { ["name"] = name, ["description"] = "AES: le pare-feu du projet / the project's firewall" },
            }, cancellationToken)).Body?["security_group"]?["id"]?.GetValue<string>()
            ?? throw new FacilityDriverException("the network API gave no security group id", FacilityFault.Unavailable);
        _securityGroups[(facility.FacilityId, projectId)] = id;
        return id;
    }

    /// <summary>Makes the group's inbound rules exactly <paramref name="rules"/>: adds the missing, removes the others; egress is left as it is.</summary>
    private static async Task SyncRulesAsync(OpenStackApi api, string securityGroup, IReadOnlyList<FirewallRule> rules, CancellationToken cancellationToken)
    {
        var existing = (await api.SendAsync("network", HttpMethod.Get, $"/security-group-rules?security_group_id={securityGroup}&direction=ingress", null, cancellationToken))
            .Body?["security_group_rules"]?.AsArray().Select(r => r!).ToList() ?? [];
        var wanted = rules.Select(Normalised).ToHashSet();
        var kept = new HashSet<FirewallRule>();
        foreach (var rule in existing)
        {
            var seen = Normalised(new FirewallRule(rule["protocol"]?.GetValue<string>() ?? "", (int?)rule["port_range_min"]?.GetValue<long>() ?? 0,
                (int?)rule["port_range_max"]?.GetValue<long>() ?? 0, rule["remote_ip_prefix"]?.GetValue<string>() ?? ""));
            if (!wanted.Contains(seen) || !kept.Add(seen))
            {
                await api.SendAsync("network", HttpMethod.Delete, $"/security-group-rules/{rule["id"]!.GetValue<string>()}", null, cancellationToken);
            }
        }
        foreach (var rule in wanted.Where(r => !kept.Contains(r)))
        {
            var body = new JsonObject
            {
                ["security_group_id"] = securityGroup, ["direction"] = "ingress", ["protocol"] = rule.Protocol,
                ["ethertype"] = rule.SourceCidr.Contains(':', StringComparison.Ordinal) ? "IPv6" : "IPv4", ["remote_ip_prefix"] = rule.SourceCidr,
            };
            if (rule.Protocol != "icmp")
            {
                (body["port_range_min"], body["port_range_max"]) = (rule.PortMin, rule.PortMax);
            }
            try
            {
                await api.SendAsync("network", HttpMethod.Post, "/security-group-rules", new JsonObject { ["security_group_rule"] = body }, cancellationToken,
                    duplicateRefused: true);
            }
            catch (FacilityDriverException exception) when (exception.Message.Contains(" 409:", StringComparison.Ordinal))
            {
                // made by an earlier try whose answer was lost
            }
        }

        static FirewallRule Normalised(FirewallRule rule) => rule.Protocol == "icmp" ? rule with { PortMin = 0, PortMax = 0 } : rule;
    }

    private static async Task<List<JsonNode>> NamedAsync(OpenStackApi api, string collection, string name, CancellationToken cancellationToken)
    {
        var answer = await api.SendAsync("network", HttpMethod.Get, $"/{collection}?name={Uri.EscapeDataString(name)}", null, cancellationToken);
        var key = collection.Replace('-', '_');
        return answer.Body?[key]?.AsArray().Select(n => n!).Where(n => n["name"]?.GetValue<string>() == name)
            .OrderBy(n => n["created_at"]?.GetValue<string>(), StringComparer.Ordinal).ToList() ?? [];
    }

    private async Task<IDisposable> ProjectLockAsync(Guid facilityId, Guid projectId, CancellationToken cancellationToken)
    {
        var gate = _projectLocks.GetOrAdd((facilityId, projectId), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private async Task<JsonNode?> FindJsonAsync(OpenStackApi api, Guid facilityId, Guid vmId, CancellationToken cancellationToken)
    {
        if (_serverIds.TryGetValue((facilityId, vmId), out var known))
        {
            var byId = (await api.SendAsync("compute", HttpMethod.Get, $"/servers/{known}", null, cancellationToken)).Body?["server"];
            if (byId?["metadata"]?[VmIdKey]?.GetValue<string>() == vmId.ToString() && !Gone(byId!))
            {
                return byId; // with its fault when in ERROR: Nova gives it with the server itself
            }
            _serverIds.TryRemove((facilityId, vmId), out _);
        }
        var server = await FindByNameAsync(api, vmId, cancellationToken);
        if (server?["id"]?.GetValue<string>() is { } id)
        {
            _serverIds[(facilityId, vmId)] = id;
        }
        return server;
    }

    private static async Task<JsonNode?> FindByNameAsync(OpenStackApi api, Guid vmId, CancellationToken cancellationToken)
    {
        var answer = await api.SendAsync("compute", HttpMethod.Get, $"/servers/detail?name={Uri.EscapeDataString($"^{ServerName(vmId)}$")}", null, cancellationToken);
        var server = answer.Body?["servers"]?.AsArray()
            .FirstOrDefault(s => s?["metadata"]?[VmIdKey]?.GetValue<string>() == vmId.ToString() && !Gone(s!));
        if (server?["status"]?.GetValue<string>() == "ERROR")
        {
            // Nova gives the fault with the server itself, not in its lists.
            var full = await api.SendAsync("compute", HttpMethod.Get, $"/servers/{server["id"]!.GetValue<string>()}", null, cancellationToken);
            return full.Body?["server"] ?? server;
        }
        return server;
    }

    private static bool Ours(JsonNode server) => Guid.TryParse(server["metadata"]?[VmIdKey]?.GetValue<string>(), out _);

    private static bool Gone(JsonNode server) => server["status"]?.GetValue<string>() is "DELETED" or "SOFT_DELETED";

    private static FacilityServer ToServer(JsonNode server)
    {
        var status = server["status"]!.GetValue<string>();
        var task = server["OS-EXT-STS:task_state"]?.GetValue<string>();
        // An operation under way (task_state) says more than the status it started from.
        var state = task switch
        {
            "deleting" => ServerState.Deleting,
            "powering-off" => ServerState.Stopping,
            "powering-on" => ServerState.Starting,
            { } t when t.StartsWith("reboot", StringComparison.Ordinal) => ServerState.Rebooting,
            { } t when t.StartsWith("resize", StringComparison.Ordinal) => ServerState.Resizing,
            _ => StateOf(status),
        };
        var all = server["addresses"]?.AsObject().SelectMany(network => network.Value!.AsArray().Select(a => a!)).ToList() ?? [];
        var addresses = all.Where(a => a["OS-EXT-IPS:type"]?.GetValue<string>() != "floating").Select(a => a["addr"]!.GetValue<string>()).ToList();
        var floating = all.FirstOrDefault(a => a["OS-EXT-IPS:type"]?.GetValue<string>() == "floating")?["addr"]?.GetValue<string>();
        return new FacilityServer(
            Guid.Parse(server["metadata"]![VmIdKey]!.GetValue<string>()), server["id"]!.GetValue<string>(), server["name"]!.GetValue<string>(), state,
            state == ServerState.Error ? server["fault"]?["message"]?.GetValue<string>()?.Trim() ?? "error, with no fault given" : null,
            SizeOf(server["flavor"]!), server["flavor"]?["original_name"]?.GetValue<string>() ?? "", server["image"]?["id"]?.GetValue<string>() ?? "",
            addresses, Utc(server["created"]), floating);

        static ServerState StateOf(string status) => status switch
        {
            "BUILD" => ServerState.Building,
            "ACTIVE" => ServerState.Active,
            "REBOOT" or "HARD_REBOOT" => ServerState.Rebooting,
            "RESIZE" or "MIGRATING" or "REVERT_RESIZE" => ServerState.Resizing,
            "VERIFY_RESIZE" => ServerState.ResizeToConfirm,
            "ERROR" => ServerState.Error,
            _ => ServerState.Stopped, // SHUTOFF, PAUSED, SUSPENDED, SHELVED…: not running
        };
    }

    /// <summary>What a Nova flavour fixes, by class: Nova counts memory in MiB, the marketplace in GiB; its disk is storage.</summary>
    private static ResourceVector SizeOf(JsonNode flavour) => ResourceVector.Standard(
        flavour["vcpus"]!.GetValue<long>(), flavour["ram"]!.GetValue<long>() / 1024, flavour["disk"]!.GetValue<long>(), publicIpv4: 0);

    private static bool IsResizeDecisionRace(string message) =>
        message.Contains("has not been resized", StringComparison.Ordinal) || message.Contains("while it is in vm_state", StringComparison.Ordinal);

    private static DateTime? Utc(JsonNode? value) =>
        value?.GetValue<string>() is { Length: > 0 } text && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;
}
