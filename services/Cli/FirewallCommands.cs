using System.CommandLine;
using System.Globalization;
using Aes.Contracts.Provisioning.V1;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>`aes firewall …`: a project's inbound rules and the ranges its agency lets SSH come from.</summary>
public static class FirewallCommands
{
    public static Command Firewall(SignedRun run, IAnsiConsole console)
    {
        var agency = new Option<string>("--agency") { Description = "Organisme / agency (ML/MEF)", Required = true };
        var project = new Option<string>("--project") { Description = "Nom du projet / project name", Required = true };
        var confirm = new Option<bool>("--confirm-open-to-internet") { Description = "Ouvrir à tout Internet ailleurs que 80/443 / open to the whole internet beyond 80/443" };

        var show = new Command("show", "Les règles du projet et où elles s'appliquent / the project's rules and where they apply") { agency, project };
        show.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var projectId = await AgencyDirectory.RequireProjectIdAsync(endpoints.Tenancy(), parse.GetValue(agency)!, parse.GetValue(project)!, cancellationToken);
            Print(await endpoints.Provisioning().GetProjectFirewallAsync(new GetProjectFirewallRequest { ProjectId = projectId }, cancellationToken: cancellationToken), console);
            return ExitCodes.Ok;
        }));

        var rules = new Option<string[]>("--rule") { Description = "protocole:port[-port]:source, ex. tcp:443:0.0.0.0/0, icmp:10.0.0.0/8 (répétable / repeatable)" };
        var set = new Command("set", "Remplacer les règles du projet / replace the project's rules") { agency, project, rules, confirm };
        set.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new SetProjectFirewallRequest
            {
                ProjectId = await AgencyDirectory.RequireProjectIdAsync(endpoints.Tenancy(), parse.GetValue(agency)!, parse.GetValue(project)!, cancellationToken),
                ConfirmOpenToInternet = parse.GetValue(confirm),
            };
            request.Rules.AddRange((parse.GetValue(rules) ?? []).Select(Rule));
            Print(await endpoints.Provisioning().SetProjectFirewallAsync(request, cancellationToken: cancellationToken), console);
            return ExitCodes.Ok;
        }));

        var from = new Option<string[]>("--from") { Description = "Plage CIDR d'où SSH entre (répétable ; aucune : SSH fermé) / CIDR SSH comes from (repeatable; none: closed)" };
        var ssh = new Command("ssh", "Les plages d'où SSH entre dans les VM de l'organisme / the ranges SSH comes from into the agency's VMs") { agency, from, confirm };
        ssh.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new SetAgencySshAccessRequest
            {
                AgencyId = await AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), parse.GetValue(agency)!, cancellationToken),
                ConfirmOpenToInternet = parse.GetValue(confirm),
            };
            request.SourceCidrs.AddRange(parse.GetValue(from) ?? []);
            var saved = await endpoints.Provisioning().SetAgencySshAccessAsync(request, cancellationToken: cancellationToken);
            console.MarkupLine($"SSH : {Markup.Escape(saved.SourceCidrs.Count > 0 ? string.Join(", ", saved.SourceCidrs) : "fermé / closed")}");
            return ExitCodes.Ok;
        }));
        return new Command("firewall", "Pare-feu des projets / projects' firewalls") { show, set, ssh };
    }

    /// <summary>tcp:443:0.0.0.0/0, udp:5000-5010:10.20.0.0/16 or icmp:10.0.0.0/8; the services check the rest.</summary>
    public static FirewallRule Rule(string text)
    {
        var parts = text.Split(':', 3);
        if (parts is [var icmp, var icmpSource] && icmp.Equals("icmp", StringComparison.OrdinalIgnoreCase))
        {
            return new FirewallRule { Protocol = "icmp", SourceCidr = icmpSource };
        }
        if (parts is not [var protocol, var ports, var source])
        {
            throw new UsageException($"--rule {text} : attendu / expected protocole:port[-port]:source (tcp:443:0.0.0.0/0)");
        }
        var range = ports.Split('-', 2);
        if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            || !int.TryParse(range.Length == 2 ? range[1] : range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var max))
        {
            throw new UsageException($"--rule {text} : port illisible / unreadable port");
        }
        return new FirewallRule { Protocol = protocol, PortMin = min, PortMax = max, SourceCidr = source };
    }


    private static void Print(ProjectFirewall firewall, IAnsiConsole console)
    {
        console.MarkupLine($"SSH : {Markup.Escape(firewall.SshSourceCidrs.Count > 0 ? string.Join(", ", firewall.SshSourceCidrs) : "fermé / closed")}");
        var table = new Table().AddColumns("protocole / protocol", "ports", "source");
        foreach (var rule in firewall.EffectiveRules)
        {
            table.AddRow(rule.Protocol, rule.Protocol == "icmp" ? "—" : $"{rule.PortMin}-{rule.PortMax}", Markup.Escape(rule.SourceCidr));
        }
        console.Write(table);
        foreach (var facility in firewall.Facilities)
        {
            console.MarkupLine($"{Markup.Escape(facility.FacilityCode)} : {(facility.Applied ? "[green]appliqué / applied[/]" : $"[yellow]en attente / pending[/] {Markup.Escape(facility.Error)}")}");
        }
    }
}
