using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Aes.Testing;

/// <summary>
/// A real OpenStack Zed cloud (deploy/scripts/openstack.sh): the one CI starts beside the build (its settings in the
/// file named by AES_TEST_OPENSTACK_ENV), or else one this test process starts on first use and stops at its end.
/// Gives what the tests need besides the marketplace's own driver: the tenant's settings, an admin's API to act
/// behind the marketplace's back (delete a server, lower a quota), and the script's service stop and start.
/// </summary>
public sealed class OpenStackCloud
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static OpenStackCloud? _shared;
    private readonly Dictionary<string, string> _settings;

    private OpenStackCloud(string directory, Dictionary<string, string> settings)
    {
        Directory = directory;
        _settings = settings;
    }

    /// <summary>The cloud's folder (logs in log/), which the script's service stop and start need.</summary>
    public string Directory { get; }

    public string this[string key] => _settings.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"openstack.env has no {key}");

    public string AuthUrl => this["OS_AUTH_URL"];
    public string ComputeUrl => this["OS_COMPUTE_URL"];
    public string NetworkUrl => this["OS_NETWORK_URL"];

    public static string Script => Path.Combine(RepositoryPaths.Root, "deploy", "scripts", "openstack.sh");

    public static async Task<OpenStackCloud> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_shared is not null)
            {
                return _shared;
            }
            if (Environment.GetEnvironmentVariable("AES_TEST_OPENSTACK_ENV") is { Length: > 0 } file)
            {
                await WaitForFileAsync(file);
                return _shared = new OpenStackCloud(Path.GetDirectoryName(file)!, Parse(await File.ReadAllTextAsync(file)));
            }
            var folder = Infra.NewTempFolder("aes-openstack");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101); // its PostgreSQL runs as postgres and must reach the folder
            }
            var output = await RunScriptAsync(TimeSpan.FromMinutes(10), "start", folder, FreeBasePort().ToString());
            AppDomain.CurrentDomain.ProcessExit += (_, _) => RunScriptAsync(TimeSpan.FromMinutes(1), "stop", folder).GetAwaiter().GetResult();
            return _shared = new OpenStackCloud(folder, Parse(output));
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Held by tests that need every service of the cloud up (a shared lock on a file of the cloud's, across test
    /// processes); <see cref="FaultAsync"/> waits for them to end, and they for a fault test to put its service back.
    /// </summary>
    public Task<IDisposable> EveryServiceUpAsync() => LockAsync(FileShare.ReadWrite);

    /// <summary>Held by a test that stops a service of the cloud: no other test runs on the cloud meanwhile.</summary>
    public Task<IDisposable> FaultAsync() => LockAsync(FileShare.None);

    private async Task<IDisposable> LockAsync(FileShare share)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(15);
        while (true)
        {
            try
            {
                return new FileStream(Path.Combine(Directory, "tests.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, share);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Stops one of the cloud's services (keystone, nova-api, nova-conductor, neutron…), as a fault.</summary>
    public Task StopServiceAsync(string service) => RunScriptAsync(TimeSpan.FromMinutes(2), "stop-service", Directory, service);

    public Task StartServiceAsync(string service) => RunScriptAsync(TimeSpan.FromMinutes(4), "start-service", Directory, service);

    /// <summary>A client of the cloud's APIs as the facility's tenant (its application credential), in the project the marketplace uses.</summary>
    public Task<HttpClient> TenantAsync() => ClientAsync(new JsonObject
    {
        ["auth"] = new JsonObject
        {
            ["identity"] = new JsonObject
            {
                ["methods"] = new JsonArray("application_credential"),
                ["application_credential"] = new JsonObject { ["id"] = this["OS_APPLICATION_CREDENTIAL_ID"], ["secret"] = this["OS_APPLICATION_CREDENTIAL_SECRET"] },
            },
        },
    });

    /// <summary>A client of the cloud's APIs with the administrator's token (scoped to the admin project).</summary>
    public Task<HttpClient> AdminAsync() => ClientAsync(new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject
                {
                    ["methods"] = new JsonArray("password"),
                    ["password"] = new JsonObject
                    {
                        ["user"] = new JsonObject { ["name"] = this["OS_ADMIN_USERNAME"], ["password"] = this["OS_ADMIN_PASSWORD"], ["domain"] = new JsonObject { ["name"] = this["OS_ADMIN_DOMAIN_NAME"] } },
                    },
                },
                ["scope"] = new JsonObject { ["project"] = new JsonObject { ["name"] = this["OS_ADMIN_PROJECT_NAME"], ["domain"] = new JsonObject { ["name"] = this["OS_ADMIN_DOMAIN_NAME"] } } },
            },
        });

    private async Task<HttpClient> ClientAsync(JsonObject body)
    {
        var http = new HttpClient();
        using var response = await http.PostAsync($"{AuthUrl}/auth/tokens", Json(body));
        response.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Add("X-Auth-Token", response.Headers.GetValues("X-Subject-Token").First());
        http.DefaultRequestHeaders.Add("OpenStack-API-Version", "compute 2.90");
        return http;
    }

    /// <summary>The tenant project's servers as Nova lists them, by name (the marketplace names them aes-&lt;VM id&gt;).</summary>
    public async Task<List<JsonNode>> ServersAsync()
    {
        using var admin = await AdminAsync();
        var listed = await admin.GetFromJsonAsync<JsonObject>($"{ComputeUrl}/servers/detail?all_tenants=1&project_id={this["OS_PROJECT_ID"]}");
        return listed!["servers"]!.AsArray().Select(s => s!).ToList();
    }

    /// <summary>Sets the tenant project's Nova quota for one resource (instances, cores, ram); -1 is unlimited.</summary>
    public async Task SetQuotaAsync(string resource, long value)
    {
        using var admin = await AdminAsync();
        using var response = await admin.PutAsync($"{ComputeUrl}/os-quota-sets/{this["OS_PROJECT_ID"]}",
            Json(new JsonObject { ["quota_set"] = new JsonObject { [resource] = value, ["force"] = true } }));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Powers a server off behind the marketplace's back, as a guest's own shutdown or a facility's operator might.</summary>
    public async Task StopServerAsync(string serverId)
    {
        using var admin = await AdminAsync();
        using var response = await admin.PostAsync($"{ComputeUrl}/servers/{serverId}/action", Json(new JsonObject { ["os-stop"] = null }));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Deletes a server behind the marketplace's back, as a facility's own operator might.</summary>
    public async Task DeleteServerAsync(string serverId)
    {
        using var admin = await AdminAsync();
        using var response = await admin.DeleteAsync($"{ComputeUrl}/servers/{serverId}");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// What the cloud holds for a marketplace VM, read as its administrator: the key pair named by the VM (its keys, one per
    /// line), the key pair and user data the server booted with, and Neutron's floating IPs kept for the VM, with the device
    /// of the port each is attached to.
    /// </summary>
    public async Task<CloudAccess> AccessOfAsync(Guid vmId, string serverId)
    {
        using var admin = await AdminAsync();
        using var server = await admin.GetAsync($"{ComputeUrl}/servers/{serverId}");
        var json = server.IsSuccessStatusCode ? (await server.Content.ReadFromJsonAsync<JsonObject>())!["server"] : null;
        var userData = json?["OS-EXT-SRV-ATTR:user_data"]?.GetValue<string>() is { } encoded ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;
        IReadOnlyList<string> keys = [];
        using var keyPair = await admin.GetAsync($"{ComputeUrl}/os-keypairs/aes-{vmId}?user_id={this["OS_USER_ID"]}");
        if (keyPair.IsSuccessStatusCode)
        {
            keys = (await keyPair.Content.ReadFromJsonAsync<JsonObject>())!["keypair"]!["public_key"]!.GetValue<string>().Split('\n');
        }
        var floating = new List<(string Address, string Network, string? Device)>();
        foreach (var ip in (await admin.GetFromJsonAsync<JsonObject>($"{NetworkUrl}/v2.0/floatingips?description=aes-vm:{vmId}"))!["floatingips"]!.AsArray())
        {
            string? device = null;
            if (ip!["port_id"]?.GetValue<string>() is { } portId)
            {
                device = (await admin.GetFromJsonAsync<JsonObject>($"{NetworkUrl}/v2.0/ports/{portId}"))!["port"]!["device_id"]!.GetValue<string>();
            }
            floating.Add((ip["floating_ip_address"]!.GetValue<string>(), ip["floating_network_id"]!.GetValue<string>(), device));
        }
        return new CloudAccess(keys, json?["key_name"]?.GetValue<string>(), userData, floating);
    }

    /// <summary>
    /// A project's network as the cloud holds it, read as its administrator: whether the network, its subnet and its router (with
    /// a gateway on the external network) exist, its security group's inbound rules as "protocol min-max source", and the
    /// servers with a port on the network.
    /// </summary>
    public async Task<CloudProjectNetwork> ProjectNetworkOfAsync(Guid projectId)
    {
        using var admin = await AdminAsync();
        var name = $"aes-project-{projectId}";
        async Task<JsonArray> ListAsync(string collection) =>
            (await admin.GetFromJsonAsync<JsonObject>($"{NetworkUrl}/v2.0/{collection}?name={name}"))![collection.Replace('-', '_')]!.AsArray();
        var networks = await ListAsync("networks");
        var routers = await ListAsync("routers");
        var groups = await ListAsync("security-groups");
        var servers = new List<string>();
        foreach (var network in networks)
        {
            servers.AddRange((await admin.GetFromJsonAsync<JsonObject>($"{NetworkUrl}/v2.0/ports?network_id={network!["id"]}"))!["ports"]!.AsArray()
                .Where(p => p!["device_owner"]!.GetValue<string>().StartsWith("compute:", StringComparison.Ordinal)).Select(p => p!["device_id"]!.GetValue<string>()));
        }
        var rules = new List<string>();
        foreach (var group in groups)
        {
            rules.AddRange((await admin.GetFromJsonAsync<JsonObject>($"{NetworkUrl}/v2.0/security-group-rules?security_group_id={group!["id"]}&direction=ingress"))!
                ["security_group_rules"]!.AsArray().Select(r => $"{r!["protocol"]} {r["port_range_min"] ?? 0}-{r["port_range_max"] ?? 0} {r["remote_ip_prefix"]}"));
        }
        var gateway = routers.Select(r => r!["external_gateway_info"]?["network_id"]?.GetValue<string>()).FirstOrDefault();
        return new CloudProjectNetwork(networks.Count, (await ListAsync("subnets")).Count, routers.Count, gateway, groups.Count,
            rules.Order(StringComparer.Ordinal).ToList(), servers);
    }

    /// <summary>A JSON body with its length: uwsgi's router, in front of the cloud's APIs, drops a chunked one.</summary>
    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    private static Dictionary<string, string> Parse(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.Trim()).Where(line => line.Contains('=') && !line.StartsWith('#'))
        .ToDictionary(line => line[..line.IndexOf('=')], line => line[(line.IndexOf('=') + 1)..]);

    private static async Task WaitForFileAsync(string file)
    {
        // CI starts the cloud beside the build; it may still be coming up when the first test asks for it.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (!File.Exists(file) || new FileInfo(file).Length == 0)
        {
            if (File.Exists(file + ".failed"))
            {
                throw new InvalidOperationException($"The CI's OpenStack did not start: {await File.ReadAllTextAsync(file + ".failed")}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{file} did not appear in 10 minutes");
            }
            await Task.Delay(500);
        }
    }

    /// <summary>A base port whose hundred ports are free, below the ranges the tests' RabbitMQ and restartable ports use.</summary>
    private static int FreeBasePort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var basePort = 10000 + 100 * Random.Shared.Next(0, 30);
            if (Enumerable.Range(basePort, 14).All(IsFree))
            {
                return basePort;
            }
        }
        throw new InvalidOperationException("No free base port for an OpenStack cloud.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect("127.0.0.1", port);
            return false;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return true;
        }
    }

    private static async Task<string> RunScriptAsync(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancellation.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openstack.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }
        return (await output).Trim();
    }
}

/// <summary>A VM's access as the cloud holds it (<see cref="OpenStackCloud.AccessOfAsync"/>).</summary>
public sealed record CloudAccess(IReadOnlyList<string> KeyPairKeys, string? ServerKeyName, string? UserData,
    IReadOnlyList<(string Address, string Network, string? Device)> FloatingIps);

/// <summary>A project's network as the cloud holds it (<see cref="OpenStackCloud.ProjectNetworkOfAsync"/>).</summary>
public sealed record CloudProjectNetwork(int Networks, int Subnets, int Routers, string? RouterGateway, int SecurityGroups,
    IReadOnlyList<string> InboundRules, IReadOnlyList<string> Servers);

