using System.Globalization;
using Aes.Campaign.Bench;
using Aes.Testing;

// Campaign benchmark (issue 9), against a running distributed marketplace (bench/campaign.sh starts
// it): first the broker ceiling on the same RabbitMQ, then the campaign through the portal's REST API.
// Arguments: PORTAL_URL ISSUER_URL RABBITMQ_URI INVENTORY_CSV [requests] [concurrency] [ceiling-messages]
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
