using System.CommandLine;
using System.Globalization;
using Aes.Contracts.Tenancy.V1;
using Aes.ServiceDefaults.Paging;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>`aes classes …`: the confederation's resource classes, and an operator adding one (an accelerator).</summary>
public static class ClassCommands
{
    public static Command Classes(SignedRun run, IAnsiConsole console)
    {
        var list = new Command("list", "Classes de ressources du catalogue / the catalogue's resource classes");
        list.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var table = new Table().AddColumns("code", "nom / name", "unité / unit", "facturation / billing", "consommation / consumption", "ajoutée par / added by");
            foreach (var resourceClass in await PagedLists.AllAsync(async token =>
            {
                var page = await endpoints.Tenancy().ListResourceClassesAsync(new ListResourceClassesRequest { PageToken = token }, cancellationToken: cancellationToken);
                return (page.Classes.AsEnumerable(), page.NextPageToken);
            }))
            {
                table.AddRow(Markup.Escape(resourceClass.Code), Markup.Escape($"{resourceClass.NameFr} / {resourceClass.NameEn}"), Markup.Escape(resourceClass.Unit),
                    Markup.Escape(resourceClass.BillingUnit), Code(resourceClass.Consumption),
                    resourceClass.Standard ? "standard" : $"{resourceClass.DefinedByStateCode} {resourceClass.DefinedAt.ToDateTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        var state = new Option<string>("--state") { Description = "État qui l'ajoute / the state adding it (ML, BF, NE)", Required = true };
        var code = new Option<string>("--code") { Description = "Code de la classe / the class's code (gpu_a100_80g)", Required = true };
        var unit = new Option<string>("--unit") { Description = "Unité / unit (gpu)", Required = true };
        var nameFr = new Option<string>("--name-fr") { Description = "Nom en français / French name", Required = true };
        var nameEn = new Option<string>("--name-en") { Description = "Nom en anglais / English name", Required = true };
        var metering = new Option<string>("--metering") { Description = "hourly (à l'heure) ou monthly (au mois)", Required = true };
        metering.AcceptOnlyFromAmong("hourly", "monthly");
        var consumption = new Option<string>("--consumption") { Description = "count (à l'unité) ou amount (en quantité)", Required = true };
        consumption.AcceptOnlyFromAmong("count", "amount");
        var define = new Command("define", "Ajouter une classe au catalogue de la confédération / add a class to the confederation's catalogue")
            { state, code, unit, nameFr, nameEn, metering, consumption };
        define.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var defined = await endpoints.Tenancy().DefineResourceClassAsync(new DefineResourceClassRequest
            {
                StateCode = parse.GetValue(state)!.ToUpperInvariant(), Code = parse.GetValue(code)!, Unit = parse.GetValue(unit)!,
                NameFr = parse.GetValue(nameFr)!, NameEn = parse.GetValue(nameEn)!,
                Metering = parse.GetValue(metering) == "hourly" ? ResourceMetering.Hourly : ResourceMetering.Monthly,
                Consumption = parse.GetValue(consumption) == "count" ? ResourceConsumption.Count : ResourceConsumption.Amount,
            }, cancellationToken: cancellationToken);
            console.MarkupLine($"[green]{Markup.Escape(defined.Code)}[/] : {Markup.Escape(defined.NameFr)} / {Markup.Escape(defined.NameEn)}, {Markup.Escape(defined.BillingUnit)}");
            return ExitCodes.Ok;
        }));

        return new Command("classes", "Classes de ressources (vCPU, mémoire, GPU…) / resource classes (vCPU, memory, GPUs…)") { list, define };
    }

    private static string Code(ResourceConsumption consumption) => consumption switch
    {
        ResourceConsumption.Count => "count",
        ResourceConsumption.Amount => "amount",
        _ => "?",
    };
}
