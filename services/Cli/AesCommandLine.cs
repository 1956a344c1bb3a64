using System.CommandLine;
using Grpc.Core;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>The commands of `aes`, each a thin layer over the services' gRPC APIs.</summary>
public static class AesCommandLine
{
    public static RootCommand Build(IAnsiConsole console)
    {
        var tokenOption = new Option<string?>("--token") { Description = "Jeton d'accès (sinon AES_TOKEN, sinon celui de `aes login`) / access token", Recursive = true };
        var hostOption = new Option<string>("--host") { Description = "Hôte des services / services' host", Recursive = true, DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AES_HOST") ?? "127.0.0.1" };
        var offsetOption = new Option<int>("--port-offset") { Description = "Décalage des ports (comme le lanceur) / port offset", Recursive = true, DefaultValueFactory = _ => int.TryParse(Environment.GetEnvironmentVariable("AES_PORT_OFFSET"), out var offset) ? offset : 0 };

        var root = new RootCommand("aes — place de marché d'hébergement AES / AES hosting marketplace");
        root.Options.Add(tokenOption);
        root.Options.Add(hostOption);
        root.Options.Add(offsetOption);

        var issuerOption = new Option<string?>("--issuer") { Description = "Émetteur confédéral (tenancy) / confederal issuer" };
        var clientIdOption = new Option<string?>("--client-id") { Description = "Client d'automatisation (sans navigateur) / automation client (no browser)" };
        var clientSecretOption = new Option<string?>("--client-secret") { Description = "Son secret (sinon AES_CLIENT_SECRET) / its secret" };
        var login = new Command("login", "Se connecter (code + PKCE dans un navigateur, ou client d'automatisation) / sign in") { issuerOption, clientIdOption, clientSecretOption };
        login.SetAction((parse, cancellationToken) =>
        {
            var issuer = parse.GetValue(issuerOption) ?? $"http://{parse.GetValue(hostOption)}:{5101 + parse.GetValue(offsetOption)}";
            return parse.GetValue(clientIdOption) is { } clientId
                ? Login.AsClientAsync(issuer, clientId, parse.GetValue(clientSecretOption) ?? Environment.GetEnvironmentVariable("AES_CLIENT_SECRET") ?? "", console, cancellationToken)
                : Login.RunAsync(issuer, console, cancellationToken);
        });
        root.Subcommands.Add(login);

        var whoami = new Command("whoami", "Qui suis-je pour les services / who the services see");
        whoami.SetAction(parse => Signed(parse, token =>
        {
            var holder = Token.Describe(token);
            console.MarkupLine($"{Markup.Escape(holder.Name)} ({Markup.Escape(holder.Subject)})");
            foreach (var grant in holder.Grants)
            {
                console.MarkupLine($"  {Markup.Escape(grant)}");
            }
            console.MarkupLine($"expire / expires {holder.ExpiresAt:yyyy-MM-dd HH:mm} UTC");
            return Task.FromResult(ExitCodes.Ok);
        }));
        root.Subcommands.Add(whoami);

        var serviceOption = new Option<string>("--service") { Description = "tenancy, quota, billing, provisioning ou all", DefaultValueFactory = _ => "all" };
        serviceOption.AcceptOnlyFromAmong(["all", .. Endpoints.GrpcPorts.Keys]);
        var fullOption = new Option<bool>("--full") { Description = "Depuis la première entrée, pas depuis la dernière vérifiée / from the first record, not the last verified" };
        var verify = new Command("verify", "Vérifier la chaîne de hachage de chaque service depuis la dernière entrée vérifiée / verify each service's hash chain since the last verified record")
        {
            serviceOption, fullOption,
        };
        verify.SetAction((parse, cancellationToken) => Signed(parse, token => AuditCommands.VerifyAsync(EndpointsFor(parse, token),
            parse.GetValue(serviceOption) is "all" or null ? [.. Endpoints.GrpcPorts.Keys] : [parse.GetValue(serviceOption)!], parse.GetValue(fullOption),
            console, cancellationToken)));
        var afterOption = new Option<long>("--after") { Description = "Après cette position / after this position" };
        var limitOption = new Option<int>("--limit") { Description = "Au plus / at most (1–1000)", DefaultValueFactory = _ => 100 };
        var serviceRequired = new Option<string>("--service") { Description = "tenancy, quota, billing ou provisioning", Required = true };
        serviceRequired.AcceptOnlyFromAmong([.. Endpoints.GrpcPorts.Keys]);
        var list = new Command("list", "Lire le journal d'audit d'un service / read a service's audit trail") { serviceRequired, afterOption, limitOption };
        list.SetAction((parse, cancellationToken) => Signed(parse, token => AuditCommands.ListAsync(EndpointsFor(parse, token),
            parse.GetValue(serviceRequired)!, parse.GetValue(afterOption), parse.GetValue(limitOption), console, cancellationToken)));
        root.Subcommands.Add(new Command("audit", "Journal d'audit / audit trail") { verify, list });
        root.Subcommands.Add(RequestsCommand());
        root.Subcommands.Add(ClientsCommand());
        SignedRun run = (parse, action) => Signed(parse, token => action(EndpointsFor(parse, token)));
        root.Subcommands.Add(ClassCommands.Classes(run, console));
        root.Subcommands.Add(CapacityCommands.Capacity(run, console));
        root.Subcommands.Add(CapacityCommands.Quotas(run, console));
        root.Subcommands.Add(FacilityCommands.Facilities(run, console));
        root.Subcommands.Add(VmCommands.Vms(run, console));
        root.Subcommands.Add(VmCommands.Keys(run, console));
        root.Subcommands.Add(FirewallCommands.Firewall(run, console));
        root.Subcommands.Add(WebhookCommands.Webhooks(run, console));
        root.Subcommands.Add(CampaignCommands.Campaign(run, console));
        root.Subcommands.Add(ProjectCommands.Projects(run, console));
        root.Subcommands.Add(BillingCommands.Prices(run, console));
        root.Subcommands.Add(BillingCommands.Invoices(run, console));
        root.Subcommands.Add(BillingCommands.Settlements(run, console));

        return root;

        Command RequestsCommand()
        {
            var agency = new Option<string?>("--agency") { Description = "Organisme, ex. ML/MEF / agency, e.g. ML/MEF" };
            var state = new Option<string?>("--state") { Description = "État / state (ML, BF, NE)" };
            var status = new Option<string?>("--status") { Description = "awaiting_approval, waiting_for_capacity, active…" };
            var listRequests = new Command("list", "Lister les demandes / list requests") { agency, state, status };
            listRequests.SetAction((parse, cancellationToken) => Signed(parse, token => RequestCommands.ListAsync(EndpointsFor(parse, token),
                parse.GetValue(agency), parse.GetValue(state), parse.GetValue(status), console, cancellationToken)));

            var submitAgency = new Option<string>("--agency") { Description = "ML/MEF", Required = true };
            var project = new Option<string>("--project") { Description = "Nom du projet / project name", Required = true };
            var classification = new Option<string>("--classification") { Description = "strategic, sensitive, internal, public", Required = true };
            classification.AcceptOnlyFromAmong("strategic", "sensitive", "internal", "public");
            var flavour = new Option<string?>("--flavour") { Description = "Gabarit du catalogue / catalogue flavour (s1.large…)" };
            var vcpu = new Option<long>("--vcpu");
            var memory = new Option<long>("--memory-gib");
            var disk = new Option<long>("--disk-gib");
            var image = new Option<string>("--image") { DefaultValueFactory = _ => "debian-12" };
            var count = new Option<int>("--count") { DefaultValueFactory = _ => 1 };
            var ipv4 = new Option<bool>("--public-ipv4");
            var justification = new Option<string>("--justification") { Required = true };
            var deadline = new Option<DateTime>("--deadline") { Description = "AAAA-MM-JJ / YYYY-MM-DD", DefaultValueFactory = _ => DateTime.UtcNow.Date.AddDays(30) };
            var keys = new Option<string[]>("--ssh-key") { Description = "Clé à installer (id ou empreinte SHA256:…), répétable / key to install (id or SHA256:… fingerprint), repeatable" };
            var userData = new Option<FileInfo?>("--user-data") { Description = "Fichier cloud-init (UTF-8, 16 Kio au plus) / cloud-init file (UTF-8, 16 KiB at most)" };
            var devices = new Option<string[]>("--gpu")
            {
                Description = "classe=nombre par VM d'une taille sur mesure, répétable / class=count per VM of a custom size, repeatable: gpu_a100_80g=1",
            };
            var submit = new Command("submit", "Soumettre une demande / submit a request")
            {
                submitAgency, project, classification, flavour, vcpu, memory, disk, image, count, ipv4, justification, deadline, keys, userData, devices,
            };
            submit.SetAction((parse, cancellationToken) => Signed(parse, token => RequestCommands.SubmitAsync(EndpointsFor(parse, token), new SubmitOptions(
                parse.GetValue(submitAgency)!, parse.GetValue(project)!, parse.GetValue(classification)!, parse.GetValue(flavour),
                [("vcpu", parse.GetValue(vcpu)), ("memory_gib", parse.GetValue(memory)), ("storage_gib", parse.GetValue(disk))], parse.GetValue(image)!, parse.GetValue(count),
                parse.GetValue(ipv4), parse.GetValue(justification)!, parse.GetValue(deadline), parse.GetValue(keys) ?? [], parse.GetValue(userData),
                parse.GetValue(devices) ?? []),
                console, cancellationToken)));

            var id = new Argument<string>("id") { Description = "Identifiant de la demande / request id" };
            var approve = new Command("approve", "Approuver / approve") { id };
            approve.SetAction((parse, cancellationToken) => Signed(parse, token => RequestCommands.DecideAsync(EndpointsFor(parse, token),
                parse.GetValue(id)!, null, console, cancellationToken)));
            var reason = new Option<string>("--reason") { Description = "Motif / reason", Required = true };
            var reject = new Command("reject", "Rejeter avec un motif / reject with a reason") { id, reason };
            reject.SetAction((parse, cancellationToken) => Signed(parse, token => RequestCommands.DecideAsync(EndpointsFor(parse, token),
                parse.GetValue(id)!, parse.GetValue(reason)!, console, cancellationToken)));
            var withdrawReason = new Option<string>("--reason") { Description = "Motif, facultatif / reason, optional" };
            var withdraw = new Command("withdraw", "Retirer une demande pas encore approuvée / withdraw a request not yet approved") { id, withdrawReason };
            withdraw.SetAction((parse, cancellationToken) => Signed(parse, token => RequestCommands.WithdrawAsync(EndpointsFor(parse, token),
                parse.GetValue(id)!, parse.GetValue(withdrawReason), console, cancellationToken)));
            return new Command("requests", "Demandes d'hébergement / hosting requests") { listRequests, submit, approve, reject, withdraw };
        }

        Command ClientsCommand()
        {
            var name = new Option<string>("--name") { Description = "Nom du client / client's name", Required = true };
            var role = new Option<string>("--role") { Description = "Requester, AgencyAdministrator, StateOperator, Auditor", Required = true };
            role.AcceptOnlyFromAmong("Requester", "AgencyAdministrator", "StateOperator", "Auditor");
            var agency = new Option<string?>("--agency") { Description = "ML/MEF (rôles d'organisme / agency roles)" };
            var state = new Option<string?>("--state") { Description = "ML, BF, NE (opérateur, auditeur / operator, auditor)" };
            var projects = new Option<string[]>("--project") { Description = "Projet où le client demandeur travaille (répétable) / project a requester client works on (repeatable)" };
            var create = new Command("create", "Créer un client d'automatisation (le secret n'est montré qu'une fois) / create an automation client (the secret is shown once)")
            {
                name, role, agency, state, projects,
            };
            create.SetAction((parse, cancellationToken) => Signed(parse, token => ClientCommands.CreateAsync(EndpointsFor(parse, token),
                parse.GetValue(name)!, parse.GetValue(role)!, parse.GetValue(agency), parse.GetValue(state), parse.GetValue(projects) ?? [], console, cancellationToken)));
            return new Command("clients", "Clients d'automatisation / automation clients") { create };
        }

        Endpoints EndpointsFor(ParseResult parse, string token) => new(parse.GetValue(hostOption)!, parse.GetValue(offsetOption), token);

        async Task<int> Signed(ParseResult parse, Func<string, Task<int>> action)
        {
            var token = parse.GetValue(tokenOption) ?? Environment.GetEnvironmentVariable("AES_TOKEN") ?? Credentials.Load()?.AccessToken;
            if (string.IsNullOrEmpty(token))
            {
                console.MarkupLine("[red]Non connecté : lancez `aes login` / not signed in: run `aes login`.[/]");
                return ExitCodes.Refused;
            }
            try
            {
                return await action(token);
            }
            catch (UsageException exception)
            {
                console.MarkupLine($"[red]{Markup.Escape(exception.Message)}[/]");
                return ExitCodes.Usage;
            }
            catch (RpcException exception)
            {
                console.MarkupLine($"[red]{Markup.Escape(exception.StatusCode.ToString())}[/] {Markup.Escape(exception.Status.Detail)}");
                return exception.StatusCode == StatusCode.Unauthenticated ? ExitCodes.Refused : ExitCodes.Failed;
            }
        }
    }
}
