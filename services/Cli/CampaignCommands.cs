using System.CommandLine;
using System.Security.Cryptography;
using Aes.Contracts.Provisioning.V1;
using Google.Protobuf;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>
/// `aes campaign …` (ADR 051): create a state's repatriation campaign, import its workloads (the file sent in parts named by
/// its SHA-256, so that running the command again after an interruption sends only what the server lacks), plan it without
/// reserving anything, and show it.
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
            if (campaign.LastPlan is { } last)
            {
                PrintPlan(last, console);
            }
            return ExitCodes.Ok;
        }));

        return new Command("campaign", "Campagnes de rapatriement (parcours 9) / repatriation campaigns (journey 9)") { create, import, plan, show };
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
