using Aes.Messaging;
using Aes.Tenancy.Seed;

namespace Aes.Embedded;

/// <summary>What a user needs once the marketplace is up: where each part answers, who to sign in as, how to stop.</summary>
internal static class Banner
{
    private static readonly (string Role, string Label)[] Roles =
    [
        ("Requester", "demandeur / requester"),
        ("AgencyAdministrator", "administrateur d'organisme / agency administrator"),
        ("StateOperator", "opérateur national / state operator"),
        ("ConfederalAdministrator", "administrateur confédéral / confederal administrator"),
        ("Auditor", "auditeur / auditor"),
    ];

    public static async Task PrintAsync(EmbeddedOptions options, bool distributed)
    {
        Console.WriteLine(distributed
            ? "Place de marché d'hébergement AES démarrée, un processus par service / AES Hosting Marketplace started, one process per service"
            : "Place de marché d'hébergement AES démarrée / AES Hosting Marketplace started");
        Console.WriteLine(distributed
            ? "  données / data : PostgreSQL, bus : RabbitMQ"
            : $"  données / data : {(options.Postgres is null ? options.DataDirectory : "PostgreSQL")}, bus : {(options.RabbitMq is null ? "in-memory" : "RabbitMQ")}");
        if (!options.PassThrough.Any(argument => argument.StartsWith("--Mail:Smtp:Host", StringComparison.Ordinal)))
        {
            Console.WriteLine($"  courriels / mail : {options.MailDirectory} (.eml, aucun serveur de messagerie / no mail server)");
        }
        foreach (var (service, ports) in ResourceNames.LocalPorts)
        {
            var shifted = ports.Shift(options.PortOffset);
            var grpc = shifted.Grpc == 0 ? "" : $"  gRPC http://127.0.0.1:{shifted.Grpc}";
            Console.WriteLine($"  {service,-13} http://127.0.0.1:{shifted.Http}{grpc}");
        }
        if (options.Seed)
        {
            var portal = ResourceNames.LocalPorts[ResourceNames.Portal].Shift(options.PortOffset).Http;
            Console.WriteLine($"Ouvrez / open http://127.0.0.1:{portal} et connectez-vous avec / and sign in as (mot de passe / password « {options.DemoPassword} ») :");
            var accounts = await DemoSeeder.DemoAccountsAsync(CancellationToken.None);
            foreach (var (role, label) in Roles)
            {
                var names = accounts.Where(a => a.Roles.Contains(role)).Select(a => a.UserName).ToList();
                if (names.Count > 0)
                {
                    Console.WriteLine($"  {label,-52} {string.Join(", ", names)}");
                }
            }
        }
        Console.WriteLine("Ctrl-C pour arrêter / Ctrl-C to stop");
    }
}
