using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Aes.Campaign.Bench;

/// <summary>
/// Nova's own pace, as the reference the marketplace is measured against: <c>servers</c> servers of one flavour
/// created on the raw compute API by <c>clients</c> concurrent clients, each asking for one and reading it until it
/// is ACTIVE, then the next. The time runs from the first request to the last server seen ACTIVE; then every
/// server is deleted again.
/// </summary>
public static class NovaRace
{
    public static async Task<(double Seconds, double ServersPerSecond)> RunAsync(IReadOnlyDictionary<string, string> cloud, string flavourName, int servers, int clients)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 4 }) { Timeout = TimeSpan.FromMinutes(2) };
        using (var signIn = await http.PostAsync($"{cloud["OS_AUTH_URL"]}/auth/tokens", Json(new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject
                {
                    ["methods"] = new JsonArray("application_credential"),
                    ["application_credential"] = new JsonObject { ["id"] = cloud["OS_APPLICATION_CREDENTIAL_ID"], ["secret"] = cloud["OS_APPLICATION_CREDENTIAL_SECRET"] },
                },
            },
        })))
        {
            signIn.EnsureSuccessStatusCode();
            http.DefaultRequestHeaders.Add("X-Auth-Token", signIn.Headers.GetValues("X-Subject-Token").First());
        }
        http.DefaultRequestHeaders.Add("OpenStack-API-Version", "compute 2.90");
        var compute = cloud["OS_COMPUTE_URL"];
        var flavours = JsonNode.Parse(await http.GetStringAsync($"{compute}/flavors"))!["flavors"]!.AsArray();
        var flavour = flavours.Single(f => f!["name"]!.GetValue<string>() == flavourName)!["id"]!.GetValue<string>();

        var ids = new ConcurrentBag<string>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < servers)
            {
                using var created = await http.PostAsync($"{compute}/servers", Json(new JsonObject
                {
                    ["server"] = new JsonObject
                    {
                        ["name"] = $"nova-race-{Guid.NewGuid():N}", ["imageRef"] = cloud["OS_IMAGE_ID"], ["flavorRef"] = flavour,
                        ["networks"] = new JsonArray(new JsonObject { ["uuid"] = cloud["OS_NETWORK_ID"] }),
                    },
                }));
                created.EnsureSuccessStatusCode();
                var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["server"]!["id"]!.GetValue<string>();
                ids.Add(id);
                while (true)
                {
                    var status = JsonNode.Parse(await http.GetStringAsync($"{compute}/servers/{id}"))!["server"]!["status"]!.GetValue<string>();
                    if (status == "ACTIVE")
                    {
                        break;
                    }
                    if (status == "ERROR")
                    {
                        throw new InvalidOperationException($"server {id} went to ERROR");
                    }
                    await Task.Delay(250);
                }
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var id in ids)
        {
            (await http.DeleteAsync($"{compute}/servers/{id}")).Dispose();
        }
        // Nova lists a deleted server as DELETED for a while: gone is enough.
        while (JsonNode.Parse(await http.GetStringAsync($"{compute}/servers/detail?name=nova-race-"))!["servers"]!.AsArray()
            .Any(s => s!["status"]!.GetValue<string>() != "DELETED"))
        {
            await Task.Delay(500);
        }
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Nova alone: {servers} servers ACTIVE in {seconds:F1} s with {clients} clients"));
        return (seconds, servers / seconds);
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
