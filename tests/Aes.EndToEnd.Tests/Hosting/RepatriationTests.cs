using System.Diagnostics;
using System.Text;
using Aes.Testing;
using P = Aes.Contracts.Provisioning.V1;

namespace Aes.EndToEnd.Tests.Hosting;

/// <summary>
/// Journey 9 through `aes import repatriation`: two thousand workloads hosted abroad, a few bad rows, an
/// import killed half-way and resumed, the requests created once each, and the planning report.
/// </summary>
public sealed partial class RepatriationTests(RepatriationMarketplace m) : IClassFixture<RepatriationMarketplace>
{
    private const int Internal = 1700, Strategic = 300;
    private readonly string _folder = Infra.NewTempFolder("aes-repatriation");

    private string WriteInventory()
    {
        var csv = new StringBuilder("workload,agency,project,classification,vcpu,memory_gib,disk_gib,image,count,public_ipv4,justification\n");
        for (var i = 0; i < Internal; i++)
        {
            csv.Append($"cloud-eu/ansi-{i:D4},NE/ANSI,Plateforme e-gouvernement,internal,2,4,50,debian-12,1,non,\"Rapatriement, lot {i / 100}\"\n");
        }
        for (var i = 0; i < Strategic; i++)
        {
            csv.Append($"cloud-eu/etat-civil-{i:D4},NE/ANSI,Plateforme e-gouvernement,strategic,4,16,200,debian-12,1,non,État civil\n");
        }
        // Bad rows, each on its own line: the rest of the import goes on.
        csv.Append("bad-1,NE/ANSI,Plateforme e-gouvernement,internal,deux,4,50,debian-12,1,non,x\n");        // line 2002: vcpu
        csv.Append("bad-2,XX/FOO,Plateforme e-gouvernement,internal,2,4,50,debian-12,1,non,x\n");          // line 2003: agency
        csv.Append("cloud-eu/ansi-0007,NE/ANSI,Plateforme e-gouvernement,internal,2,4,50,debian-12,1,non,x\n"); // line 2004: duplicate
        csv.Append("bad-4,NE/ANSI,Projet inconnu,internal,2,4,50,debian-12,1,non,x\n");                    // line 2005: project
        csv.Append("bad-5,NE/ANSI,Plateforme e-gouvernement,secret,2,4,50,debian-12,1,non,x\n");           // line 2006: classification
        csv.Append("bad-6,NE/ANSI,too,few,fields\n");                                                       // line 2007: field count
        csv.Append("cloud-us/mef-0001,ML/MEF,Budget de l'État,internal,1,2,20,debian-12,1,oui,Budget\n");   // line 2008: not this agent's agency
        var path = Path.Combine(_folder, "inventaire.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private ServiceProcess Import(string inventory, string report, string token) =>
        ServiceProcess.Start("services/Cli", "aes",
            ["import", "repatriation", inventory, "--report", report, "--wait-seconds", "600", "--token", token],
            new Dictionary<string, string> { ["AES_PORT_OFFSET"] = m.PortOffset.ToString(), ["AES_CONFIG_DIR"] = _folder });

    [Fact]
    public async Task A_campaign_imports_thousands_of_workloads_resumes_after_a_kill_without_duplicates_and_reports_the_plan()
    {
        var inventory = WriteInventory();
        var report = Path.Combine(_folder, "plan.csv");
        var token = await m.TokenOfAsync("agent.ansi.ne"); // the agency's requester runs its campaign

        // Killed while it runs: some requests exist, the journal lists those it saw created.
        await using (var first = Import(inventory, report, token))
        {
            var journal = inventory + ".journal";
            await Eventually.HoldsAsync(() => Task.FromResult(File.Exists(journal) && File.ReadAllLines(journal).Length >= 300),
                TimeSpan.FromSeconds(120), "300 requests created");
            await first.KillAsync();
        }
        var stopwatch = Stopwatch.StartNew();
        await using var second = Import(inventory, report, token);
        var exitCode = await second.WaitForExitAsync(TimeSpan.FromMinutes(12));
        var output = second.Output;
        Assert.True(exitCode == 2, $"exit {exitCode} (2: some rows refused) after {stopwatch.Elapsed}\n{output}");

        // Each valid workload is one request, however many times the import ran (counted in provisioning's own database).
        await using (var database = m.ServiceDatabase("provisioning"))
        {
            await database.OpenAsync();
            await using var count = database.CreateCommand();
            count.CommandText = $"SELECT COUNT(*), COUNT(DISTINCT \"Id\") FROM hosting_requests WHERE upper(\"AgencyId\") = upper('{m.Agencies["NE/ANSI"]}')"; // SQLite: the embedded run
            await using var reader = await count.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal((Internal + Strategic, Internal + Strategic), (reader.GetInt64(0), reader.GetInt64(1)));
        }
        Assert.Empty((await m.Provisioning.ListRequestsAsync(new P.ListRequestsRequest { AgencyId = m.Agencies["ML/MEF"] })).Requests);
        Assert.Contains("déjà importées / already imported", output);

        // The bad rows, by line and field.
        foreach (var (line, field) in new[] { (2002, "vcpu"), (2003, "agency"), (2004, "workload"), (2005, "project"), (2006, "classification"), (2008, "agency") })
        {
            Assert.Matches($@"│\s*{line}\s*│\s*{field}\s*│", output);
        }
        Assert.Matches(@"│\s*2007\s*│", output);

        // The plan: strategic Nigerien data waits at home (Niamey is not open), and the report says how much is missing.
        var plan = File.ReadAllLines(report);
        Assert.Equal(Internal + Strategic + 7 + 1, plan.Length);
        Assert.All(plan.Where(l => l.Contains("cloud-eu/etat-civil-")), l => Assert.Contains(",waiting_for_capacity,", l));
        Assert.Contains(plan, l => l.Contains("cloud-eu/ansi-") && l.Contains(",awaiting_approval,ML-BKO-1,"));
        Assert.Contains(plan, l => l.Contains("cloud-eu/ansi-") && l.Contains(",waiting_for_capacity,"));
        Assert.Contains("Capacité manquante / capacity missing", output);
        Assert.Matches($@"│\s*NE\s*│\s*\d+\s*│", output);
        var strategicVcpu = Strategic * 4;
        var neRow = output.Split('\n').Single(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"│\s*NE\s*│\s*\d+\s*│"));
        Assert.True(long.Parse(neRow.Split('│', StringSplitOptions.TrimEntries)[2]) >= strategicVcpu, neRow);
    }
}
