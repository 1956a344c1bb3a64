using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Aes.Campaign.Bench;

public sealed record PlanResult(int Workloads, double ImportSeconds, double PlanSeconds, double ReplanSeconds, int Placed, int Previews, double PreviewSeconds);

/// <summary>
/// Issue 23's scale (bench/repatriation.sh): a campaign of N workloads of the five demo agencies of three states, imported
/// through the REST API in parts of a mebibyte, then planned twice; beside it, the reference: the same dry run done the way
/// a client would without campaigns, one PreviewPlacement per workload, timed over a sample.
/// </summary>
public sealed class RepatriationPlan(Campaign api, string adminToken, string operatorToken)
{
    private const int PartBytes = 1024 * 1024;
    private static readonly string[] Classifications = ["internal", "internal", "internal", "internal", "internal", "internal", "sensitive", "sensitive", "public", "strategic"];

    public async Task<PlanResult> RunAsync(int workloads, int previews)
    {
        var agencies = (await api.GetAsync(adminToken, "/api/v1/agencies")).GetProperty("agencies").EnumerateArray()
            .Select(a => (Id: a.GetProperty("id").GetString()!, Code: $"{a.GetProperty("stateCode").GetString()}/{a.GetProperty("code").GetString()}")).ToList();
        var campaign = await api.SendAsync(adminToken, HttpMethod.Post, "/api/v1/campaigns", new
        {
            name = $"Banc {DateTime.UtcNow:HHmmss}", ownerStateCode = "NE", agencyIds = agencies.Select(a => a.Id).ToArray(),
            waves = new[] { new { number = 1, name = "Vague 1", targetDate = "2027-03-31" }, new { number = 2, name = "Vague 2", targetDate = "2027-09-30" } },
        });
        var id = campaign.GetProperty("id").GetString()!;

        var csv = new StringBuilder("workload,agency,classification,source_provider,source_region,data_gb,target_date,wave,vcpu,memory_gib,storage_gib\n");
        for (var i = 0; i < workloads; i++)
        {
            csv.Append($"charge-{i:D5},{agencies[i % agencies.Count].Code},{Classifications[i % Classifications.Length]},cloud-eu,eu-west-3,{i % 2000},")
                .Append($"{(i % 2 == 0 ? "2027-03-31" : "2027-09-30")},{1 + i % 2},{2 << (i % 3)},{4 << (i % 3)},{50 + i % 400}\n");
        }
        var file = Encoding.UTF8.GetBytes(csv.ToString());
        var sha = Convert.ToHexStringLower(SHA256.HashData(file));
        var parts = (file.Length + PartBytes - 1) / PartBytes;
        var clock = Stopwatch.StartNew();
        var status = "";
        for (var part = 0; part < parts; part++)
        {
            status = (await api.SendAsync(adminToken, HttpMethod.Post, $"/api/v1/campaigns/{id}/imports", new
            {
                format = "csv", fileSha256 = sha, part, parts, content = Convert.ToBase64String(file, part * PartBytes, Math.Min(PartBytes, file.Length - part * PartBytes)),
            })).GetProperty("status").GetString()!;
        }
        var importSeconds = clock.Elapsed.TotalSeconds;
        if (status != "imported")
        {
            throw new InvalidOperationException($"the import ended {status}");
        }
        clock.Restart();
        var plan = await api.SendAsync(adminToken, HttpMethod.Post, $"/api/v1/campaigns/{id}/plan", new { });
        var planSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        await api.SendAsync(adminToken, HttpMethod.Post, $"/api/v1/campaigns/{id}/plan", new { });
        var replanSeconds = clock.Elapsed.TotalSeconds;

        var mali = agencies.First(a => a.Code == "ML/MEF").Id;
        clock.Restart();
        for (var i = 0; i < previews; i++)
        {
            await api.SendAsync(operatorToken, HttpMethod.Post, "/api/v1/requests/preview", new
            {
                agencyId = mali, classification = "internal",
                // A real request names an image; the campaign's plan leaves the catalogue to the launch (ADR 051).
                vms = new[] { new { image = "debian-12", count = 1, resources = Campaign.ByClass(("vcpu", 2L << (i % 3)), ("memory_gib", 4L << (i % 3)), ("storage_gib", 50L + i % 400)) } },
            });
        }
        return new PlanResult(workloads, importSeconds, planSeconds, replanSeconds, plan.GetProperty("placed").GetInt32(), previews, clock.Elapsed.TotalSeconds);
    }
}
