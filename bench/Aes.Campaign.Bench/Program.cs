using System.Globalization;
using Aes.Campaign.Bench;
using Aes.Testing;

// Campaign benchmark (issue 9), against a running distributed marketplace (bench/campaign.sh starts
// it): first the broker ceiling on the same RabbitMQ, then the campaign through the portal's REST API.
// Arguments: PORTAL_URL ISSUER_URL RABBITMQ_URI INVENTORY_CSV [requests] [concurrency] [ceiling-messages]
// With `openstack` first (bench/openstack.sh): Nova's own pace on the raw API, then the same number of VMs
// through the marketplace onto that OpenStack, and the ratio of the two times.
//   openstack PORTAL_URL ISSUER_URL OPENSTACK_ENV INVENTORY_CSV [vms] [concurrency]
// With `plan` first (bench/repatriation.sh): a repatriation campaign of N workloads imported and planned, beside N
// single placement previews timed over a sample.
//   plan PORTAL_URL ISSUER_URL [workloads] [previews]
if (args.Length > 0 && args[0] == "plan")
{
    var workloads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5_000;
    var previews = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 500;
    using var adminFlow = new CodeFlowClient(args[2]);
    using var operatorFlow = new CodeFlowClient(args[2]);
    using var api = new HttpClient { BaseAddress = new Uri(args[1]), Timeout = TimeSpan.FromMinutes(5) };
    var bench = new RepatriationPlan(new Campaign(api, "", ""), await adminFlow.AccessTokenForAsync("admin.aes", "aes-demo-2026"),
        await operatorFlow.AccessTokenForAsync("op.ml", "aes-demo-2026"));
    var planned = await bench.RunAsync(workloads, previews);
    var previewEach = planned.PreviewSeconds / planned.Previews;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"plan\t{planned.Workloads}\t{planned.ImportSeconds:F2}\t{planned.PlanSeconds:F2}\t{planned.ReplanSeconds:F2}\t{planned.Placed}\t{previewEach * 1000:F2}\t{previewEach * planned.Workloads:F1}\t{planned.PlanSeconds / (previewEach * planned.Workloads):F3}"));
    return 0;
}
if (args.Length > 0 && args[0] == "openstack")
{
    var cloud = File.ReadAllLines(args[3]).Where(line => line.Contains('=')).ToDictionary(line => line[..line.IndexOf('=')], line => line[(line.IndexOf('=') + 1)..]);
    var vms = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 64;
    var clients = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 16;
    var (novaSeconds, novaRate) = await NovaRace.RunAsync(cloud, "s1.small", vms, clients);

    using var agentSignIn = new CodeFlowClient(args[2]);
    using var operatorFlow = new CodeFlowClient(args[2]);
    using var api = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 2 }) { BaseAddress = new Uri(args[1]), Timeout = TimeSpan.FromMinutes(2) };
    var run = new Campaign(api, await agentSignIn.AccessTokenForAsync("agent.mef.ml", "aes-demo-2026"), await operatorFlow.AccessTokenForAsync("op.ml", "aes-demo-2026"));
    var (agencyId, projectId) = await run.PrepareAsync(vms);
    Campaign.WriteInventory(args[4], vms, uniform: true);
    var through = await run.RunAsync(args[4], agencyId, projectId, clients, TimeSpan.FromMinutes(15));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"openstack\t{vms}\t{novaSeconds:F1}\t{novaRate:F2}\t{through.Active}\t{through.TotalSeconds:F1}\t{through.RequestsPerSecond:F2}\t{through.TotalSeconds / novaSeconds:F3}"));
    return through.Active == vms ? 0 : 1;
}
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: Aes.Campaign.Bench PORTAL_URL ISSUER_URL RABBITMQ_URI INVENTORY_CSV [requests] [concurrency] [ceiling-messages]");
    return 2;
}
var (portalUrl, issuerUrl, rabbitMq, inventory) = (args[0], args[1], args[2], args[3]);
var requests = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 2_000;
var concurrency = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 16;
var ceilingMessages = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 20_000;

var ceiling = await BrokerCeiling.MeasureAsync(rabbitMq, ceilingMessages, concurrency);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ceiling\t{ceiling:F0}"));

const string Password = "aes-demo-2026";
using var agencySignIn = new CodeFlowClient(issuerUrl);
using var operatorSignIn = new CodeFlowClient(issuerUrl);
var agencyToken = await agencySignIn.AccessTokenForAsync("agent.mef.ml", Password);
var operatorToken = await operatorSignIn.AccessTokenForAsync("op.ml", Password);
using var portal = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency + 2 }) { BaseAddress = new Uri(portalUrl), Timeout = TimeSpan.FromMinutes(2) };
var campaign = new Campaign(portal, agencyToken, operatorToken);
var (agency, project) = await campaign.PrepareAsync(requests);
Campaign.WriteInventory(inventory, requests);
var result = await campaign.RunAsync(inventory, agency, project, concurrency, TimeSpan.FromMinutes(10));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"campaign\t{result.Submitted}\t{result.Active}\t{result.SubmitSeconds:F1}\t{result.TotalSeconds:F1}\t{result.RequestsPerSecond:F1}\t{result.P50:F3}\t{result.P95:F3}\t{result.P99:F3}\t{result.Max:F3}\t{result.RequestsPerSecond / ceiling * 100:F2}"));
Console.WriteLine("statuses\t" + string.Join(' ', result.ByStatus.Select(s => $"{s.Key}={s.Value}")));
return result.Active == result.Submitted ? 0 : 1;
