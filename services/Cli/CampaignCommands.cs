using System.CommandLine;
using System.Security.Cryptography;
using Aes.Contracts.Provisioning.V1;
using Google.Protobuf;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>
/// `aes campaign …` (ADR 051): create a state's repatriation campaign, import its workloads (the file sent in parts named by
/// its SHA-256, so that running the command again after an interruption sends only what the server lacks), plan it without
/// reserving anything, launch a wave and follow its requests to active with a progress bar, record a workload's steps up
/// to the proof that its copy abroad is deleted, and show it.
/// </summary>
public static class CampaignCommands
{
    public const int PartBytes = 256 * 1024;

    public static Command Campaign(SignedRun run, IAnsiConsole console)
    {
        var id = new Option<string>("--id") { Description = "Identifiant de la campagne / the campaign's id", Required = true };
        var name = new Option<string>("--name") { Description = "Nom / name", Required = true };
        var state = new Option<string>("--state") { Description = "État propriétaire / owning state (ML, BF, NE)", Required = true };
        var agencies = new Option<string[]>("--agency") { Description = "Organisme participant (répétable) / agency taking part (repeatable): ML/DNEC", Required = true };
        var waves = new Option<string[]>("--wave") { Description = "Date cible d'une vague (répétable, dans l'ordre) / a wave's target date (repeatable, in order): 2027-03-31" };
        var file = new Argument<string>("file") { Description = "Fichier CSV ou JSON des charges / the workloads' CSV or JSON file" };

        var create = new Command("create", "Créer une campagne / create a campaign") { name, state, agencies, waves };
        create.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new CreateCampaignRequest { Name = parse.GetValue(name)!, OwnerStateCode = parse.GetValue(state)! };
            foreach (var agency in parse.GetValue(agencies) ?? [])
            {
                request.AgencyIds.Add(await AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), agency, cancellationToken));
            }
            var dates = parse.GetValue(waves) ?? [];
            request.Waves.AddRange(dates.Select((date, index) => new CampaignWave { Number = index + 1, Name = $"Vague {index + 1}", TargetDate = date }));
            var created = await endpoints.Provisioning().CreateCampaignAsync(request, cancellationToken: cancellationToken);
            console.MarkupLine($"campagne / campaign {created.Id}");
            return ExitCodes.Ok;
        }));

        var import = new Command("import", "Importer des charges (reprend là où un envoi s'est arrêté) / import workloads (resumes where a sending stopped)") { id, file };
        import.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
            await ImportAsync(endpoints.Provisioning(), parse.GetValue(id)!, parse.GetValue(file)!, console, cancellationToken)));

        var plan = new Command("plan", "Planifier sans rien réserver / plan without reserving anything") { id };
        plan.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var planned = await endpoints.Provisioning().PlanCampaignAsync(new PlanCampaignRequest { CampaignId = parse.GetValue(id)! }, cancellationToken: cancellationToken);
            PrintPlan(planned, console);
            return ExitCodes.Ok;
        }));

        var show = new Command("show", "La campagne et son dernier plan / the campaign and its last plan") { id };
        show.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var campaign = await endpoints.Provisioning().GetCampaignAsync(new CampaignIdRequest { CampaignId = parse.GetValue(id)! }, cancellationToken: cancellationToken);
            console.MarkupLine($"[bold]{Markup.Escape(campaign.Name)}[/] ({campaign.OwnerStateCode}) — {campaign.Workloads} charges / workloads");
            var steps = new Table().AddColumns("vague / wave", "étape / step", "charges / workloads");
            foreach (var group in campaign.Progress.GroupBy(p => (p.Wave, p.Step)).OrderBy(g => g.Key.Wave))
            {
                steps.AddRow($"{group.Key.Wave}", group.Key.Step, $"{group.Sum(p => p.Workloads)}");
            }
            console.Write(steps);
            if (campaign.LastPlan is { } last)
            {
                PrintPlan(last, console);
            }
            return ExitCodes.Ok;
        }));

        var wave = new Option<int>("--wave") { Description = "Numéro de la vague / the wave's number", Required = true };
        var follow = new Option<bool>("--follow") { Description = "Suivre les demandes jusqu'à l'hébergement actif / follow the requests to hosting active" };
        var wait = new Option<int>("--wait-seconds") { Description = "Attente maximale avec --follow / longest wait with --follow", DefaultValueFactory = _ => 1800 };
        var launch = new Command("launch", "Lancer une vague : une demande d'hébergement par charge / launch a wave: a hosting request per workload") { id, wave, follow, wait };
        launch.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
            await LaunchAsync(endpoints.Provisioning(), parse.GetValue(id)!, parse.GetValue(wave), parse.GetValue(follow), TimeSpan.FromSeconds(parse.GetValue(wait)),
                console, cancellationToken)));

        var workload = new Option<string>("--workload") { Description = "Nom de la charge dans le fichier / the workload's name in the file", Required = true };
        var step = new Option<string>("--step") { Description = "data_transferred, cut_over, foreign_copy_deleted", Required = true };
        var gb = new Option<long>("--gb") { Description = "data_transferred : volume copié (Go) / volume copied (GB)" };
        var sha256 = new Option<string?>("--sha256") { Description = "data_transferred : empreinte SHA-256 des données / the data's SHA-256" };
        var attestedBy = new Option<string?>("--attested-by") { Description = "foreign_copy_deleted : qui atteste / who attests (name, organisation)" };
        var deletedAt = new Option<DateTimeOffset?>("--deleted-at") { Description = "foreign_copy_deleted : quand / when (2027-03-02T10:00Z)" };
        var reference = new Option<string?>("--reference") { Description = "foreign_copy_deleted : référence de la preuve / the evidence's reference" };
        var document = new Option<string?>("--document") { Description = "foreign_copy_deleted : document de preuve, dont seule l'empreinte est envoyée / evidence document, only its SHA-256 is sent" };
        var record = new Command("step", "Enregistrer une étape d'une charge / record a workload's step") { id, workload, step, gb, sha256, attestedBy, deletedAt, reference, document };
        record.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new RecordCampaignStepRequest
            {
                CampaignId = parse.GetValue(id)!, Workload = parse.GetValue(workload)!, Step = parse.GetValue(step)!, TransferredGb = parse.GetValue(gb),
                ChecksumSha256 = parse.GetValue(sha256) ?? "", AttestedBy = parse.GetValue(attestedBy) ?? "", EvidenceReference = parse.GetValue(reference) ?? "",
                DeletedAt = parse.GetValue(deletedAt) is { } at ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at) : null,
            };
            if (parse.GetValue(document) is { } path)
            {
                if (!File.Exists(path))
                {
                    throw new UsageException($"Fichier introuvable / file not found: {path}");
                }
                await using var stream = File.OpenRead(path);
                request.EvidenceDocumentSha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            }
            var recorded = await endpoints.Provisioning().RecordCampaignStepAsync(request, cancellationToken: cancellationToken);
            console.MarkupLine(Markup.Escape($"{recorded.Key}: {recorded.Step}"
                + (recorded.DeletionDocumentSha256.Length > 0 ? $" (document SHA-256 {recorded.DeletionDocumentSha256})" : "")));
            return ExitCodes.Ok;
        }));

        return new Command("campaign", "Campagnes de rapatriement (parcours 9) / repatriation campaigns (journey 9)") { create, import, plan, launch, record, show };
    }

    private static readonly string[] PastHosting = ["hosting_active", "data_transferred", "cut_over", "foreign_copy_deleted"];

    /// <summary>
    /// Launches the wave (sent again, it submits nothing twice) and, with <paramref name="follow"/>, shows its workloads reaching
    /// hosting active with a progress bar: exit 0 when all have, 5 if a request ended without VMs or the wait ran out.
    /// </summary>
    public static async Task<int> LaunchAsync(ProvisioningService.ProvisioningServiceClient provisioning, string campaignId, int wave, bool follow, TimeSpan wait,
        IAnsiConsole console, CancellationToken cancellationToken)
    {
        var launched = await provisioning.LaunchCampaignWaveAsync(new LaunchCampaignWaveRequest { CampaignId = campaignId, Wave = wave }, cancellationToken: cancellationToken);
        console.MarkupLine($"vague / wave {wave}: {launched.Submitted} demandes soumises / requests submitted, {launched.AlreadyRequested} déjà en cours / already under way, "
            + $"{launched.Further} plus loin / further on");
        foreach (var skip in launched.Skipped)
        {
            console.MarkupLine(Markup.Escape($"  {skip.Workload}: {skip.ReasonFr} / {skip.ReasonEn}"));
        }
        if (!follow)
        {
            return launched.Skipped.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        }
        var outcome = ExitCodes.Failed;
        var (active, total) = (0, 0);
        var deadline = DateTime.UtcNow + wait;
        await console.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var task = progress.AddTask("Hébergement actif / hosting active", maxValue: 1);
            while (true)
            {
                var counts = (await provisioning.GetCampaignAsync(new CampaignIdRequest { CampaignId = campaignId }, cancellationToken: cancellationToken)).Progress
                    .Where(p => p.Wave == wave).ToList();
                total = counts.Sum(p => p.Workloads);
                active = counts.Where(p => PastHosting.Contains(p.Step)).Sum(p => p.Workloads);
                task.MaxValue = Math.Max(1, total);
                task.Value = active;
                task.Description = $"Hébergement actif / hosting active {active}/{total}";
                if (active == total)
                {
                    outcome = ExitCodes.Ok;
                    return;
                }
                // A request that ended without VMs returns its workload to planned: the next launch submits it again.
                if (counts.Any(p => p.Step == "planned") || DateTime.UtcNow > deadline)
                {
                    return;
                }
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        });
        console.MarkupLine($"hébergement actif / hosting active {active}/{total}");
        if (outcome != ExitCodes.Ok)
        {
            console.MarkupLine("[red]la vague n'est pas entièrement active (relancez-la pour resoumettre ce qui a échoué) / "
                + "the wave is not all active (launch it again to resubmit what failed)[/]");
        }
        return outcome;
    }

    /// <summary>Sends each part with a progress bar; the server answers which parts it still lacks, and a refused file's every bad row.</summary>
    public static async Task<int> ImportAsync(ProvisioningService.ProvisioningServiceClient provisioning, string campaignId, string path, IAnsiConsole console,
        CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"Fichier introuvable / file not found: {path}");
        }
        var content = await File.ReadAllBytesAsync(path, cancellationToken);
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var parts = Math.Max(1, (content.Length + PartBytes - 1) / PartBytes);
        var format = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "json" : "csv";
        CampaignImport? answer = null;
        await console.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var task = progress.AddTask("Envoi / sending", maxValue: parts);
            for (var part = 0; part < parts; part++)
            {
                answer = await provisioning.ImportCampaignWorkloadsAsync(new ImportCampaignWorkloadsRequest
                {
                    CampaignId = campaignId, Format = format, FileSha256 = sha, Part = part, Parts = parts,
                    Content = ByteString.CopyFrom(content, part * PartBytes, Math.Min(PartBytes, content.Length - part * PartBytes)),
                }, cancellationToken: cancellationToken);
                task.Increment(1);
                if (answer.Status != "receiving")
                {
                    // The server had the rest already (an earlier run sent it): the file is complete.
                    task.Value = parts;
                    break;
                }
            }
        });
        switch (answer!.Status)
        {
            case "imported":
                console.MarkupLine($"importé / imported: {answer.Added} ajoutées / added, {answer.Updated} modifiées / changed, {answer.Unchanged} inchangées / unchanged");
                return ExitCodes.Ok;
            case "refused":
                var table = new Table().AddColumns("ligne / line", "champ / field", "problème / problem");
                foreach (var row in answer.BadRows)
                {
                    table.AddRow($"{row.Line}", Markup.Escape(row.Field), Markup.Escape($"{row.ProblemFr} / {row.ProblemEn}"));
                }
                console.MarkupLine($"[red]fichier refusé, rien n'est gardé / file refused, nothing kept[/]: {answer.BadRows.Count}");
                console.Write(table);
                return ExitCodes.Usage;
            default:
                console.MarkupLine($"parties manquantes / parts missing: {string.Join(", ", answer.MissingParts)}");
                return ExitCodes.Failed;
        }
    }

    private static void PrintPlan(CampaignPlan plan, IAnsiConsole console)
    {
        console.MarkupLine($"{plan.Placed} placées / placed, {plan.Unplaced} sans place / without a place, sur / of {plan.Workloads}");
        if (!plan.Difference.FirstPlan)
        {
            console.MarkupLine($"depuis le plan précédent / since the plan before: +{plan.Difference.NewlyPlaced} placées / placed, "
                + $"-{plan.Difference.NewlyUnplaced}, {plan.Difference.Moved} déplacées / moved");
        }
        var gaps = new Table().AddColumns("État / state", "centre / facility", "classe / class", "manque / missing", "sans place / unplaced");
        foreach (var gap in plan.Gaps)
        {
            gaps.AddRow(gap.StateCode, gap.FacilityCode.Length > 0 ? gap.FacilityCode : "—", gap.ResourceClass, $"{gap.Amount}", $"{gap.Unplaced}");
        }
        console.MarkupLine("Capacité manquante / capacity missing");
        console.Write(gaps);
        foreach (var blocked in plan.Blocked)
        {
            console.MarkupLine(Markup.Escape($"{blocked.StateCode} {blocked.Classification}: {blocked.Workloads} — {blocked.ReasonFr} / {blocked.ReasonEn}"));
        }
        var costs = new Table().AddColumns("organisme / agency", "placées / placed", "XOF / mois / month");
        foreach (var cost in plan.Costs)
        {
            costs.AddRow(cost.AgencyCode, $"{cost.Placed}", $"{cost.MonthlyXof}");
        }
        console.Write(costs);
    }
}
