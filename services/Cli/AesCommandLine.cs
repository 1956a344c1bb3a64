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
        var login = new Command("login", "Se connecter (code + PKCE, dans un navigateur) / sign in (code + PKCE, in a browser)") { issuerOption };
        login.SetAction((parse, cancellationToken) => Login.RunAsync(
            parse.GetValue(issuerOption) ?? $"http://{parse.GetValue(hostOption)}:{5101 + parse.GetValue(offsetOption)}", console, cancellationToken));
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
        var verify = new Command("verify", "Vérifier la chaîne de hachage de chaque service / verify each service's hash chain") { serviceOption };
        verify.SetAction((parse, cancellationToken) => Signed(parse, token => AuditCommands.VerifyAsync(EndpointsFor(parse, token),
            parse.GetValue(serviceOption) is "all" or null ? [.. Endpoints.GrpcPorts.Keys] : [parse.GetValue(serviceOption)!], console, cancellationToken)));
        var afterOption = new Option<long>("--after") { Description = "Après cette position / after this position" };
        var limitOption = new Option<int>("--limit") { Description = "Au plus / at most (1–1000)", DefaultValueFactory = _ => 100 };
        var serviceRequired = new Option<string>("--service") { Description = "tenancy, quota, billing ou provisioning", Required = true };
        serviceRequired.AcceptOnlyFromAmong([.. Endpoints.GrpcPorts.Keys]);
        var list = new Command("list", "Lire le journal d'audit d'un service / read a service's audit trail") { serviceRequired, afterOption, limitOption };
        list.SetAction((parse, cancellationToken) => Signed(parse, token => AuditCommands.ListAsync(EndpointsFor(parse, token),
            parse.GetValue(serviceRequired)!, parse.GetValue(afterOption), parse.GetValue(limitOption), console, cancellationToken)));
        root.Subcommands.Add(new Command("audit", "Journal d'audit / audit trail") { verify, list });

        return root;

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
            catch (RpcException exception)
            {
                console.MarkupLine($"[red]{Markup.Escape(exception.StatusCode.ToString())}[/] {Markup.Escape(exception.Status.Detail)}");
                return exception.StatusCode == StatusCode.Unauthenticated ? ExitCodes.Refused : ExitCodes.Failed;
            }
        }
    }
}
