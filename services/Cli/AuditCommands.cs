using Aes.Contracts.Audit.V1;
using Grpc.Core;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>`aes audit verify` and `aes audit list`: each service's hash-chained trail, as an auditor reads it.</summary>
public static class AuditCommands
{
    /// <summary>
    /// Verifies each trail from the record this user's checkpoint names (the last one verified intact, kept in the config
    /// folder, outside the service's database), or from the first record with <paramref name="full"/>; the checkpoint moves
    /// to the head when the chain is intact.
    /// </summary>
    public static async Task<int> VerifyAsync(Endpoints endpoints, IReadOnlyList<string> services, bool full, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("service", "entrées / entries", "état / state", "tête / head");
        var checkpoints = AuditCheckpoints.Load();
        var broken = false;
        foreach (var service in services)
        {
            var trail = new AuditTrail.AuditTrailClient(endpoints.Channel(service));
            var from = full ? null : checkpoints.GetValueOrDefault(endpoints.AddressOf(service));
            var request = new VerifyAuditTrailRequest { AfterPosition = from?.Position ?? 0, AfterHash = from?.Hash ?? "" };
            AuditVerification report;
            long checkedCount = 0;
            var problems = new List<string>();
            do
            {
                report = await trail.VerifyAsync(request, cancellationToken: cancellationToken);
                checkedCount += report.EntriesChecked;
                problems.AddRange(report.Problems);
                request = new VerifyAuditTrailRequest { AfterPosition = report.VerifiedThrough, AfterHash = report.VerifiedHash };
            }
            while (report.Intact && !report.Complete);
            broken |= problems.Count > 0;
            if (problems.Count == 0)
            {
                checkpoints[endpoints.AddressOf(service)] = new AuditCheckpoint(report.VerifiedThrough, report.VerifiedHash);
            }
            table.AddRow(Markup.Escape(service), checkedCount.ToString(),
                problems.Count == 0 ? "[green]intacte / intact[/]" : "[red]ALTÉRÉE / TAMPERED[/]", Markup.Escape(report.HeadHash[..16]) + "…");
            foreach (var problem in problems)
            {
                table.AddRow("", "", "", $"[red]{Markup.Escape(problem)}[/]");
            }
            if (from is not null)
            {
                console.MarkupLine(Markup.Escape($"{service} : {checkedCount} entrée(s) vérifiée(s) depuis la position {from.Position} / "
                    + $"{checkedCount} new entries verified since position {from.Position}"));
            }
        }
        AuditCheckpoints.Save(checkpoints);
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

/// <summary>The last record verified intact in one trail: its position and hash.</summary>
public sealed record AuditCheckpoint(long Position, string Hash);

/// <summary>`aes audit verify`'s checkpoints, one per service address, in the config folder (readable by the user only).</summary>
public static class AuditCheckpoints
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };
    private static string FilePath => Path.Combine(Credentials.Folder, "audit-checkpoints.json");

    public static Dictionary<string, AuditCheckpoint> Load() =>
        File.Exists(FilePath) ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, AuditCheckpoint>>(File.ReadAllText(FilePath), Json) ?? [] : [];

    public static void Save(Dictionary<string, AuditCheckpoint> checkpoints)
    {
        Directory.CreateDirectory(Credentials.Folder);
        using (File.Create(FilePath)) { }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(FilePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.WriteAllText(FilePath, System.Text.Json.JsonSerializer.Serialize(checkpoints, Json));
    }
}
