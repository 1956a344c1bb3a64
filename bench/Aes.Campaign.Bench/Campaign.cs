using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Aes.Campaign.Bench;

public sealed record CampaignResult(int Submitted, int Active, IReadOnlyDictionary<string, int> ByStatus, double SubmitSeconds, double TotalSeconds,
    double RequestsPerSecond, double P50, double P95, double P99, double Max);

/// <summary>
/// A ministry moving its workloads home: a repatriation inventory (CSV, the columns of the former
/// <c>aes import repatriation</c>) submitted through the portal's public REST API by an agency's user,
/// approved by the state's auto-approval policy, placed and built on the simulated facility. The time
/// to active runs from the moment the client sends a request to the VM's activation as provisioning records it.
/// </summary>
public sealed class Campaign(HttpClient portal, string agencyToken, string operatorToken)
{
    public async Task<(string AgencyId, string ProjectId)> PrepareAsync(int requests)
    {
        var agencies = await GetAsync(operatorToken, "/api/v1/agencies");
        var agency = agencies.GetProperty("agencies").EnumerateArray().Single(a => a.GetProperty("code").GetString() == "MEF").GetProperty("id").GetString()!;
        var project = (await GetAsync(agencyToken, $"/api/v1/agencies/{agency}/projects")).GetProperty("projects")[0].GetProperty("id").GetString()!;
        var facility = (await GetAsync(operatorToken, "/api/v1/facilities")).GetProperty("facilities").EnumerateArray()
            .Single(f => f.GetProperty("code").GetString() == "ML-BKO-1").GetProperty("id").GetString()!;

        // Room for the whole campaign: Mali's default quota, and a pool in Bamako sized for it.
        await SendAsync(operatorToken, HttpMethod.Put, "/api/v1/states/ML/default-quota",
            new { limitsByClass = ByClass(("vcpu", 1_000_000), ("memory_gib", 10_000_000), ("storage_gib", 100_000_000), ("public_ipv4", 1_000)) });
        await SendAsync(operatorToken, HttpMethod.Put, "/api/v1/auto-approval",
            new { policy = new { stateCode = "ML", enabled = true, maxPerRequest = ByClass(("vcpu", 8)), classifications = new[] { "internal", "public" } } });
        var pool = await SendAsync(operatorToken, HttpMethod.Post, "/api/v1/pools", new { facilityId = facility, name = $"campagne-{Guid.NewGuid():N}"[..20] });
        var poolId = pool.GetProperty("id").GetString()!;
        foreach (var (resourceClass, total) in new[] { ("vcpu", requests * 4L), ("memory_gib", requests * 16L), ("storage_gib", requests * 200L), ("public_ipv4", 16L) })
        {
            await SendAsync(operatorToken, HttpMethod.Put, $"/api/v1/pools/{poolId}/inventories/{resourceClass}", new { total, allocationRatio = "1.0" });
        }
        return (agency, project);
    }

    /// <summary>Amounts by class as the API reads them: <c>[{"resourceClass": "vcpu", "amount": 4}, …]</c>.</summary>
    public static object[] ByClass(params (string Class, long Amount)[] amounts) =>
        [.. amounts.Select(a => new { resourceClass = a.Class, amount = a.Amount })];

    /// <summary>An inventory of <paramref name="rows"/> workloads; <paramref name="uniform"/> gives every one the same size (1 vCPU, 2 GiB, 40 GiB: s1.small).</summary>
    public static void WriteInventory(string path, int rows, bool uniform = false)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("workload,agency,project,classification,vcpu,memory_gib,disk_gib,image,count,public_ipv4,justification");
        for (var i = 0; i < rows; i++)
        {
            var (vcpu, memory, disk) = uniform ? (1, 2, 40) : (1 + i % 4, 4 * (1 + i % 4), 40 + 20 * (i % 8));
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mef-app-{i:D5},MEF,,{(i % 5 == 0 ? "public" : "internal")},{vcpu},{memory},{disk},debian-12,1,false,rapatriement depuis un nuage étranger"));
        }
    }

    public async Task<CampaignResult> RunAsync(string inventory, string agencyId, string projectId, int concurrency, TimeSpan timeout)
    {
        var rows = File.ReadLines(inventory).Skip(1).Select(line => line.Split(',')).ToList();
        var sentAt = new ConcurrentDictionary<string, DateTimeOffset>();
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (row, token) =>
        {
            var body = new
            {
                agencyId, projectId, classification = row[3], justification = row[10], deadline = DateTimeOffset.UtcNow.AddDays(7),
                vms = new[]
                {
                    new
                    {
                        image = row[7], count = int.Parse(row[8], CultureInfo.InvariantCulture),
                        resources = ByClass(("vcpu", long.Parse(row[4], CultureInfo.InvariantCulture)), ("memory_gib", long.Parse(row[5], CultureInfo.InvariantCulture)),
                            ("storage_gib", long.Parse(row[6], CultureInfo.InvariantCulture))),
                    },
                },
            };
            var sent = DateTimeOffset.UtcNow;
            var created = await SendAsync(agencyToken, HttpMethod.Post, "/api/v1/requests", body, idempotencyKey: $"campagne-{row[0]}-{started.Ticks}");
            sentAt[created.GetProperty("id").GetString()!] = sent;
        });
        var submitSeconds = clock.Elapsed.TotalSeconds;

        // Until every request's VM is in a final state: one listing of the VMs (one per request here)
        // every two seconds, lighter than paging through the requests.
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<string, int> byStatus = [];
        string[] final = ["active", "removed", "decommissioned"];
        List<(string Request, string Status, DateTimeOffset? ActivatedAt)> vms = [];
        while (DateTime.UtcNow < deadline)
        {
            vms = [.. (await GetAsync(agencyToken, $"/api/v1/vms?agencyId={agencyId}&includeEnded=true")).GetProperty("vms").EnumerateArray()
                .Where(v => sentAt.ContainsKey(v.GetProperty("requestId").GetString()!))
                .Select(v => (v.GetProperty("requestId").GetString()!, v.GetProperty("status").GetString()!,
                    v.TryGetProperty("activatedAt", out var activatedAt) ? activatedAt.GetDateTimeOffset() : (DateTimeOffset?)null))];
            byStatus = vms.GroupBy(v => v.Status).ToDictionary(g => g.Key, g => g.Count());
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds,6:F1} s  VMs ")
                + string.Join(' ', byStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}")));
            if (vms.Count == sentAt.Count && vms.All(v => final.Contains(v.Status)))
            {
                break;
            }
            await Task.Delay(2_000);
        }

        var activated = vms.Where(v => v.Status == "active" && v.ActivatedAt is not null).Select(v => (v.Request, ActivatedAt: v.ActivatedAt!.Value)).ToList();
        var latencies = activated.Select(v => (v.ActivatedAt - sentAt[v.Request]).TotalSeconds).Order().ToArray();
        var total = activated.Count == 0 ? double.NaN : (activated.Max(v => v.ActivatedAt) - sentAt.Values.Min()).TotalSeconds;
        return new CampaignResult(sentAt.Count, activated.Count, byStatus, submitSeconds, total, activated.Count / total,
            Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), latencies.LastOrDefault());
    }

    private static double Percentile(double[] sorted, double rank) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(rank * sorted.Length) - 1)];

    public async Task<JsonElement> GetAsync(string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await ReadAsync(await portal.SendAsync(request), path);
    }

    public async Task<JsonElement> SendAsync(string token, HttpMethod method, string path, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        return await ReadAsync(await portal.SendAsync(request), $"{method} {path}");
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, string what)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {text}");
            }
            return response.StatusCode == HttpStatusCode.NoContent ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }
}
