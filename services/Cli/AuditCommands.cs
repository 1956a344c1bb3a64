using Aes.Contracts.Audit.V1;
using Grpc.Core;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>`aes audit verify` and `aes audit list`: each service's hash-chained trail, as an auditor reads it.</summary>
public static class AuditCommands
{
    public static async Task<int> VerifyAsync(Endpoints endpoints, IReadOnlyList<string> services, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("service", "entrées / entries", "état / state", "tête / head");
        var broken = false;
        foreach (var service in services)
        {
            var report = await new AuditTrail.AuditTrailClient(endpoints.Channel(service)).VerifyAsync(new VerifyAuditTrailRequest(), cancellationToken: cancellationToken);
            broken |= !report.Intact;
            table.AddRow(Markup.Escape(service), report.EntriesChecked.ToString(),
                report.Intact ? "[green]intacte / intact[/]" : "[red]ALTÉRÉE / TAMPERED[/]", Markup.Escape(report.HeadHash[..16]) + "…");
            foreach (var problem in report.Problems)
            {
                table.AddRow("", "", "", $"[red]{Markup.Escape(problem)}[/]");
            }
        }
        console.Write(table);
        return broken ? ExitCodes.Tampered : ExitCodes.Ok;
    }

    public static async Task<int> ListAsync(Endpoints endpoints, string service, long after, int limit, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var page = await new AuditTrail.AuditTrailClient(endpoints.Channel(service)).ListEntriesAsync(
            new ListAuditEntriesRequest { AfterPosition = after, Limit = limit }, cancellationToken: cancellationToken);
        var table = new Table().AddColumns("#", "quand / when (UTC)", "qui / who", "quoi / what", "d'où / from");
        foreach (var entry in page.Entries)
        {
            var who = entry.OnBehalfOf.Length > 0 ? $"{entry.ActorName} → {entry.OnBehalfOf}" : entry.ActorName;
            table.AddRow(entry.Position.ToString(), entry.OccurredAt.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss"),
                Markup.Escape(who), Markup.Escape(entry.Action[(entry.Action.LastIndexOf('/') + 1)..]), Markup.Escape(entry.Origin));
        }
        console.Write(table);
        return ExitCodes.Ok;
    }
}
