using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Aes.Contracts.Provisioning.V1;
using Grpc.Core;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>
/// Journey 9: a repatriation campaign. Reads an inventory of workloads hosted abroad (CSV), creates one
/// hosting request per valid row, and reports where each would go and the capacity missing per state
/// and resource class. A request's id follows from its agency and workload, and each created row is
/// written to a journal, so an interrupted import resumes without creating anything twice. A bad row is
/// reported with its line and field, and the rest goes on.
/// </summary>
public static class Repatriation
{
    public static readonly string[] Columns = ["workload", "agency", "project", "classification", "vcpu", "memory_gib", "disk_gib", "image", "count", "public_ipv4", "justification"];
    private static readonly string[] Classifications = ["strategic", "sensitive", "internal", "public"];

    public sealed record Workload(int Line, string Key, string Agency, string AgencyId, string ProjectId, string Classification,
        long Vcpu, long MemoryGib, long DiskGib, string Image, int Count, bool PublicIpv4, string Justification)
    {
        public string RequestId
        {
            get
            {
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"repatriation\n{Agency.ToUpperInvariant()}\n{Key}"));
                return new Guid(hash.AsSpan(0, 16)).ToString();
            }
        }
    }

    public sealed record BadRow(int Line, string Field, string Problem);

    public static async Task<int> ImportAsync(Endpoints endpoints, string file, string? journalPath, string? reportPath, TimeSpan placementWait,
        int parallelism, IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw new UsageException($"Fichier introuvable / file not found: {file}");
        }
        journalPath ??= file + ".journal";
        var tenancy = endpoints.Tenancy();
        var provisioning = endpoints.Provisioning();
        var directory = await AgencyDirectory.LoadAsync(tenancy, cancellationToken);
        var (workloads, bad) = await ParseAsync(file, directory, tenancy, cancellationToken);
        var done = File.Exists(journalPath) ? File.ReadAllLines(journalPath).ToHashSet() : [];
        var toCreate = workloads.Where(w => !done.Contains(w.RequestId)).ToList();
        console.MarkupLine($"[bold]{workloads.Count}[/] charges valides / valid workloads, [bold]{workloads.Count - toCreate.Count}[/] déjà importées / already imported, "
            + $"[bold]{bad.Count}[/] lignes refusées / rows refused.");

        var created = 0;
        await using (var journal = new StreamWriter(journalPath, append: true) { AutoFlush = true })
        {
            var journalGate = new SemaphoreSlim(1, 1);
            await console.Progress().AutoClear(false).StartAsync(async progress =>
            {
                var task = progress.AddTask("Création des demandes / creating requests", maxValue: Math.Max(1, toCreate.Count));
                await Parallel.ForEachAsync(toCreate, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (workload, token) =>
                {
                    try
                    {
                        await provisioning.SubmitRequestAsync(ToRequest(workload), cancellationToken: token);
                        await journalGate.WaitAsync(token);
                        try
                        {
                            await journal.WriteLineAsync(workload.RequestId);
                        }
                        finally
                        {
                            journalGate.Release();
                        }
                        Interlocked.Increment(ref created);
                    }
                    catch (RpcException exception) when (exception.StatusCode is StatusCode.InvalidArgument or StatusCode.PermissionDenied
                        or StatusCode.NotFound or StatusCode.FailedPrecondition)
                    {
                        lock (bad)
                        {
                            bad.Add(new BadRow(workload.Line, exception.Trailers.GetValue("aes-field") ?? "", exception.Status.Detail));
                        }
                    }
                    task.Increment(1);
                });
            });
        }

        PrintBadRows(bad, console);
        var plan = await PlanAsync(provisioning, workloads, placementWait, cancellationToken);
        PrintPlan(plan, created, console);
        if (reportPath is not null)
        {
            await WriteReportAsync(reportPath, plan, bad);
        }
        return bad.Count == 0 ? ExitCodes.Ok : ExitCodes.Usage;
    }

    private static async Task<(List<Workload> Workloads, List<BadRow> Bad)> ParseAsync(string file, AgencyDirectory directory,
        Aes.Contracts.Tenancy.V1.TenancyService.TenancyServiceClient tenancy, CancellationToken cancellationToken)
    {
        var workloads = new List<Workload>();
        var bad = new List<BadRow>();
        using var reader = new StreamReader(file);
        using var rows = CsvReader.Read(reader).GetEnumerator();
        if (!rows.MoveNext())
        {
            throw new UsageException("Le fichier est vide / the file is empty.");
        }
        var header = rows.Current.Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var missing = Columns.Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new UsageException($"Colonnes manquantes / missing columns: {string.Join(", ", missing)} (attendues / expected: {string.Join(",", Columns)})");
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (rows.MoveNext())
        {
            var (line, fields) = rows.Current;
            string Field(string name) => header.IndexOf(name) is var i && i < fields.Count ? fields[i].Trim() : "";
            BadRow? problem = null;
            long Positive(string name, long max)
            {
                if (problem is null && (!long.TryParse(Field(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > max))
                {
                    problem = new BadRow(line, name, $"un entier de 1 à {max} / a whole number from 1 to {max}: '{Field(name)}'");
                }
                return problem is null ? long.Parse(Field(name), CultureInfo.InvariantCulture) : 0;
            }
            if (fields.Count != header.Count)
            {
                bad.Add(new BadRow(line, "", $"{fields.Count} champs au lieu de {header.Count} / {fields.Count} fields instead of {header.Count}"));
                continue;
            }
            var key = Field("workload");
            var agency = Field("agency");
            var classification = Field("classification").ToLowerInvariant();
            var agencyId = directory.AgencyId(agency);
            if (key.Length == 0)
            {
                problem = new BadRow(line, "workload", "vide / empty");
            }
            else if (agencyId is null)
            {
                problem = new BadRow(line, "agency", $"organisme inconnu / unknown agency: '{agency}'");
            }
            else if (!Classifications.Contains(classification))
            {
                problem = new BadRow(line, "classification", $"'{Field("classification")}' : {string.Join(", ", Classifications)}");
            }
            else if (!seen.Add($"{agency}\n{key}"))
            {
                problem = new BadRow(line, "workload", $"en double dans le fichier / duplicated in the file: '{key}'");
            }
            var vcpu = Positive("vcpu", 512);
            var memory = Positive("memory_gib", 4096);
            var disk = Positive("disk_gib", 65536);
            var count = (int)Positive("count", 100);
            var publicIpv4 = Field("public_ipv4").ToLowerInvariant() switch
            {
                "" or "false" or "non" or "no" or "0" => false,
                "true" or "oui" or "yes" or "1" => true,
                _ => (problem ??= new BadRow(line, "public_ipv4", $"oui/non, true/false: '{Field("public_ipv4")}'")) is null,
            };
            if (problem is null && Field("image").Length == 0)
            {
                problem = new BadRow(line, "image", "vide / empty");
            }
            string? projectId = null;
            try
            {
                projectId = problem is null ? await directory.ProjectIdAsync(tenancy, agency, Field("project"), cancellationToken) : null;
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.PermissionDenied)
            {
                problem = new BadRow(line, "agency", $"pas votre organisme / not your agency: '{agency}'");
            }
            if (problem is null && projectId is null)
            {
                problem = new BadRow(line, "project", $"projet inconnu de {agency} / unknown project of {agency}: '{Field("project")}'");
            }
            if (problem is not null)
            {
                bad.Add(problem);
                continue;
            }
            workloads.Add(new Workload(line, key, agency, agencyId!, projectId!, classification, vcpu, memory, disk, Field("image"), count, publicIpv4,
                Field("justification") is { Length: > 0 } justification ? justification : $"Rapatriement de {key}"));
        }
        return (workloads, bad);
    }

    private static SubmitRequestRequest ToRequest(Workload workload)
    {
        var request = new SubmitRequestRequest
        {
            RequestId = workload.RequestId, AgencyId = workload.AgencyId, ProjectId = workload.ProjectId, Classification = workload.Classification,
            Justification = workload.Justification, Deadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddDays(90)),
        };
        var vm = new VmSpec { Image = workload.Image, Count = workload.Count };
        vm.Resources.AddRange(RequestCommands.SizeByClass(workload.Vcpu, workload.MemoryGib, workload.DiskGib, workload.PublicIpv4, []));
        request.Vms.Add(vm);
        return request;
    }

    public sealed record Placement(Workload Workload, string Status, string FacilityCode, string ReasonFr, string ReasonEn);

    /// <summary>Each workload's request as placement left it, waiting a little for those not yet placed.</summary>
    private static async Task<List<Placement>> PlanAsync(ProvisioningService.ProvisioningServiceClient provisioning, List<Workload> workloads,
        TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        var plan = new ConcurrentDictionary<string, Placement>();
        while (true)
        {
            await Parallel.ForEachAsync(workloads.Where(w => !plan.TryGetValue(w.RequestId, out var p) || p.Status == "submitted"),
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (workload, token) =>
                {
                    try
                    {
                        var request = await provisioning.GetRequestAsync(new RequestIdRequest { RequestId = workload.RequestId }, cancellationToken: token);
                        plan[workload.RequestId] = new Placement(workload, request.Status, request.FacilityCode, request.StatusReasonFr, request.StatusReasonEn);
                    }
                    catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
                    {
                        plan[workload.RequestId] = new Placement(workload, "not_created", "", "", "");
                    }
                });
            if (plan.Values.All(p => p.Status != "submitted") || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(500, cancellationToken);
        }
        return [.. plan.Values.OrderBy(p => p.Workload.Line)];
    }

    private static readonly HashSet<string> Waiting = ["waiting_for_capacity", "submitted"];

    /// <summary>What the waiting workloads lack, by the state whose agencies asked (strategic data never leaves it).</summary>
    public static IEnumerable<(string State, long Vcpu, long MemoryGib, long StorageGib, long PublicIpv4, int Workloads)> Missing(IEnumerable<Placement> plan) =>
        plan.Where(p => Waiting.Contains(p.Status))
            .GroupBy(p => p.Workload.Agency[..2].ToUpperInvariant())
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Sum(p => p.Workload.Vcpu * p.Workload.Count), g.Sum(p => p.Workload.MemoryGib * p.Workload.Count),
                g.Sum(p => p.Workload.DiskGib * p.Workload.Count), g.Sum(p => p.Workload.PublicIpv4 ? p.Workload.Count : 0L), g.Count()));

    private static void PrintBadRows(List<BadRow> bad, IAnsiConsole console)
    {
        if (bad.Count == 0)
        {
            return;
        }
        var table = new Table().Title("Lignes refusées / rows refused").AddColumns("ligne / line", "champ / field", "problème / problem");
        foreach (var row in bad.OrderBy(b => b.Line))
        {
            table.AddRow(row.Line.ToString(CultureInfo.InvariantCulture), Markup.Escape(row.Field), Markup.Escape(row.Problem));
        }
        console.Write(table);
    }

    private static void PrintPlan(List<Placement> plan, int created, IAnsiConsole console)
    {
        console.MarkupLine($"[bold]{created}[/] demandes créées / requests created.");
        var byFacility = new Table().Title("Où iraient les charges / where the workloads would go").AddColumns("site / facility", "statut / status", "charges / workloads");
        foreach (var group in plan.GroupBy(p => (Facility: p.FacilityCode.Length == 0 ? "—" : p.FacilityCode, p.Status)).OrderBy(g => g.Key.Facility).ThenBy(g => g.Key.Status))
        {
            byFacility.AddRow(Markup.Escape(group.Key.Facility), Markup.Escape(group.Key.Status), group.Count().ToString(CultureInfo.InvariantCulture));
        }
        console.Write(byFacility);
        var missing = new Table().Title("Capacité manquante / capacity missing").AddColumns("État / state", "vCPU", "mémoire / memory GiB", "stockage / storage GiB", "IPv4", "charges / workloads");
        foreach (var (state, vcpu, memory, storage, ipv4, count) in Missing(plan))
        {
            missing.AddRow(state, vcpu.ToString(CultureInfo.InvariantCulture), memory.ToString(CultureInfo.InvariantCulture),
                storage.ToString(CultureInfo.InvariantCulture), ipv4.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture));
        }
        console.Write(missing);
    }

    private static async Task WriteReportAsync(string path, List<Placement> plan, List<BadRow> bad)
    {
        var report = new StringBuilder("line,workload,agency,request_id,status,facility,reason_fr,reason_en\n");
        string Quote(string value) => $"\"{value.Replace("\"", "\"\"")}\"";
        foreach (var placement in plan)
        {
            report.Append(CultureInfo.InvariantCulture, $"{placement.Workload.Line},{Quote(placement.Workload.Key)},{placement.Workload.Agency},{placement.Workload.RequestId},")
                .Append(CultureInfo.InvariantCulture, $"{placement.Status},{placement.FacilityCode},{Quote(placement.ReasonFr)},{Quote(placement.ReasonEn)}\n");
        }
        foreach (var row in bad)
        {
            report.Append(CultureInfo.InvariantCulture, $"{row.Line},,,,refused,,{Quote(row.Field + ": " + row.Problem)},{Quote(row.Field + ": " + row.Problem)}\n");
        }
        await File.WriteAllTextAsync(path, report.ToString());
    }
}
