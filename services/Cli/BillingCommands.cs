using System.CommandLine;
using System.Globalization;
using Aes.Contracts.Billing.V1;
using Google.Protobuf.WellKnownTypes;
using Spectre.Console;
using Aes.ServiceDefaults.Paging;

namespace Aes.Cli;

/// <summary>`aes prices …`, `aes invoices …` and `aes settlements …`: what hosting costs and who owes what.</summary>
public static class BillingCommands
{
    private static readonly string[] StandardClasses = ["vcpu", "memory_gib", "storage_gib", "public_ipv4"];

    public static Command Prices(SignedRun run, IAnsiConsole console)
    {
        var facility = new Option<string?>("--facility") { Description = "ML-BKO-1" };
        var list = new Command("list", "Grilles tarifaires / price catalogues") { facility };
        list.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new ListPriceCataloguesRequest();
            if (parse.GetValue(facility) is { } code)
            {
                request.FacilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), code, cancellationToken);
            }
            var table = new Table().AddColumns("centre / facility", "du / from", "au / until", "vCPU·h", "Gio·h / GiB·h", "Gio·mois / GiB·month", "IPv4·mois / month",
                "autres classes / other classes");
            var catalogues = await PagedLists.AllAsync(async token =>
            {
                request.PageToken = token;
                var page = await endpoints.Billing().ListPriceCataloguesAsync(request, cancellationToken: cancellationToken);
                return (page.Catalogues.AsEnumerable(), page.NextPageToken);
            });
            foreach (var catalogue in catalogues)
            {
                table.AddRow(Markup.Escape(catalogue.FacilityCode), Day(catalogue.EffectiveFrom), catalogue.EffectiveUntil is null ? "—" : Day(catalogue.EffectiveUntil),
                    Xof(UnitPrice(catalogue, "vcpu")), Xof(UnitPrice(catalogue, "memory_gib")), Xof(UnitPrice(catalogue, "storage_gib")), Xof(UnitPrice(catalogue, "public_ipv4")),
                    Markup.Escape(string.Join(", ", catalogue.UnitPrices.Where(p => !StandardClasses.Contains(p.ResourceClass)).Select(p => $"{p.ResourceClass}={Xof(p.UnitPriceXof)}"))));
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        var facilityRequired = new Option<string>("--facility") { Description = "ML-BKO-1", Required = true };
        var from = new Option<DateTime>("--from") { Description = "AAAA-MM-JJ / YYYY-MM-DD", Required = true };
        var vcpu = new Option<long>("--vcpu-hour") { Required = true };
        var memory = new Option<long>("--memory-gib-hour") { Required = true };
        var storage = new Option<long>("--storage-gib-month") { Required = true };
        var ipv4 = new Option<long>("--ipv4-month") { Required = true };
        var others = new Option<string[]>("--price")
        {
            Description = "classe=prix en XOF par unité·heure ou unité·mois, pour une autre classe (répétable) / class=price in XOF per unit-hour or unit-month, for another class (repeatable): gpu_a100_80g=1500",
        };
        var set = new Command("set", "Publier une grille en XOF / publish a catalogue in XOF") { facilityRequired, from, vcpu, memory, storage, ipv4, others };
        set.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var otherPrices = (parse.GetValue(others) ?? []).Select(text => FacilityCommands.ParseClassValue(text, "--price", "prix", "price", "1500")).ToList();
            if (otherPrices.FirstOrDefault(p => StandardClasses.Contains(p.Class)) is { Class: { } standard })
            {
                throw new UsageException($"--price est pour les autres classes : le prix de {standard} se donne avec son option (--vcpu-hour…) / "
                    + $"--price is for the other classes: {standard}'s price is given with its own option (--vcpu-hour…)");
            }
            if (otherPrices.FirstOrDefault(p => p.Value == 0) is { Class: { } free })
            {
                throw new UsageException($"--price {free}=0 : un prix est un nombre entier de francs strictement positif ; une classe non tarifée s'omet / "
                    + $"--price {free}=0: a price is a whole, strictly positive number of francs; leave an unpriced class out");
            }
            var request = new SetPriceCatalogueRequest
            {
                FacilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), parse.GetValue(facilityRequired)!, cancellationToken),
                EffectiveFrom = Timestamp.FromDateTime(DateTime.SpecifyKind(parse.GetValue(from).Date, DateTimeKind.Utc)),
                UnitPrices =
                {
                    new ResourcePrice { ResourceClass = "vcpu", UnitPriceXof = parse.GetValue(vcpu) },
                    new ResourcePrice { ResourceClass = "memory_gib", UnitPriceXof = parse.GetValue(memory) },
                    new ResourcePrice { ResourceClass = "storage_gib", UnitPriceXof = parse.GetValue(storage) },
                    new ResourcePrice { ResourceClass = "public_ipv4", UnitPriceXof = parse.GetValue(ipv4) },
                },
            };
            request.UnitPrices.AddRange(otherPrices.Select(p => new ResourcePrice { ResourceClass = p.Class, UnitPriceXof = p.Value }));
            var catalogue = await endpoints.Billing().SetPriceCatalogueAsync(request, cancellationToken: cancellationToken);
            console.MarkupLine($"[green]Grille publiée / catalogue published:[/] {catalogue.Id} ({Markup.Escape(catalogue.FacilityCode)}, {Day(catalogue.EffectiveFrom)})");
            return ExitCodes.Ok;
        }));
        return new Command("prices", "Prix / prices") { list, set };
    }

    public static Command Invoices(SignedRun run, IAnsiConsole console)
    {
        var agency = new Option<string?>("--agency") { Description = "ML/MEF" };
        var state = new Option<string?>("--state") { Description = "ML, BF, NE" };
        var month = new Option<string?>("--month") { Description = "AAAA-MM / YYYY-MM" };
        var list = new Command("list", "Factures / invoices") { agency, state, month };
        list.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new ListInvoicesRequest { StateCode = parse.GetValue(state)?.ToUpperInvariant() ?? "", Month = parse.GetValue(month) ?? "" };
            if (parse.GetValue(agency) is { } code)
            {
                request.AgencyId = await AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), code, cancellationToken);
            }
            var table = new Table().AddColumns("id", "numéro / number", "organisme / agency", "mois / month", "statut / status", "total");
            var invoices = await PagedLists.AllAsync(async token =>
            {
                request.PageToken = token;
                var page = await endpoints.Billing().ListInvoicesAsync(request, cancellationToken: cancellationToken);
                return (page.Invoices.AsEnumerable(), page.NextPageToken);
            });
            foreach (var invoice in invoices.OrderBy(i => i.Month, StringComparer.Ordinal).ThenBy(i => i.StateCode, StringComparer.Ordinal)
                .ThenBy(i => i.AgencyName, StringComparer.CurrentCulture))
            {
                table.AddRow(invoice.Id, Markup.Escape(invoice.Number), Markup.Escape(invoice.AgencyName), invoice.Month, invoice.Status, Xof(invoice.TotalXof));
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        var id = new Argument<string>("id") { Description = "Identifiant de la facture / invoice id" };
        var show = new Command("show", "Une facture et ses lignes / one invoice and its lines") { id };
        show.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var invoice = await endpoints.Billing().GetInvoiceAsync(new GetInvoiceRequest { InvoiceId = parse.GetValue(id)! }, cancellationToken: cancellationToken);
            console.MarkupLine($"[bold]{Markup.Escape(invoice.Number.Length > 0 ? invoice.Number : "brouillon / draft")}[/] {Markup.Escape(invoice.AgencyName)} · {invoice.Month} · {invoice.Status}");
            var table = new Table().AddColumns("centre / facility", "ressource / resource", "quantité / quantity", "unité / unit", "prix / price", "montant / amount");
            foreach (var line in invoice.Lines)
            {
                table.AddRow(Markup.Escape(line.FacilityCode), line.Resource, line.Quantity, line.Unit, Xof(line.UnitPriceXof), Xof(line.AmountXof));
            }
            console.Write(table);
            console.MarkupLine($"Total : [bold]{Xof(invoice.TotalXof)}[/]" + (invoice.CreditedXof > 0 ? $" (avoirs / credited {Xof(invoice.CreditedXof)})" : ""));
            return ExitCodes.Ok;
        }));

        var language = new Option<string>("--language") { DefaultValueFactory = _ => "fr" };
        language.AcceptOnlyFromAmong("fr", "en");
        var output = new Option<string?>("--output") { Description = "Fichier HTML imprimable (sinon son nom) / printable HTML file (default: its name)" };
        var print = new Command("print", "Facture imprimable / printable invoice") { id, language, output };
        print.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var document = await endpoints.Billing().RenderInvoiceAsync(new RenderInvoiceRequest { InvoiceId = parse.GetValue(id)!, Language = parse.GetValue(language)! }, cancellationToken: cancellationToken);
            var path = parse.GetValue(output) ?? document.FileName;
            await File.WriteAllTextAsync(path, document.Content, cancellationToken);
            console.MarkupLine($"[green]Écrit / written:[/] {Markup.Escape(path)}");
            return ExitCodes.Ok;
        }));
        return new Command("invoices", "Factures / invoices") { list, show, print };
    }

    public static Command Settlements(SignedRun run, IAnsiConsole console)
    {
        var month = new Argument<string>("month") { Description = "AAAA-MM / YYYY-MM" };
        var show = new Command("show", "Règlement du mois entre États / the month's settlement between states") { month };
        show.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
            Print(await endpoints.Billing().GetSettlementAsync(new GetSettlementRequest { Month = parse.GetValue(month)! }, cancellationToken: cancellationToken))));
        var close = new Command("close", "Clore le mois (administrateur confédéral) / close the month (confederal administrator)") { month };
        close.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
            Print(await endpoints.Billing().CloseSettlementAsync(new CloseSettlementRequest { Month = parse.GetValue(month)! }, cancellationToken: cancellationToken))));
        return new Command("settlements", "Règlements entre États / settlements between states") { show, close };

        int Print(Settlement settlement)
        {
            console.MarkupLine($"[bold]{settlement.Month}[/] · {settlement.Status}");
            var statements = new Table().AddColumns("débiteur / debtor", "créancier / creditor", "montant / amount", "lignes / lines");
            foreach (var statement in settlement.Statements)
            {
                statements.AddRow(statement.DebtorStateCode, statement.CreditorStateCode, Xof(statement.AmountXof), statement.InvoiceLines.ToString(CultureInfo.InvariantCulture));
            }
            console.Write(statements);
            var positions = new Table().AddColumns("État / state", "solde net / net");
            foreach (var position in settlement.Positions)
            {
                positions.AddRow(position.StateCode, Xof(position.NetXof));
            }
            console.Write(positions);
            return ExitCodes.Ok;
        }
    }

    private static string Day(Timestamp timestamp) => timestamp.ToDateTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Xof(long amount) => $"{CapacityCommands.Number(amount)} XOF";

    private static long UnitPrice(PriceCatalogue catalogue, string resourceClass) =>
        catalogue.UnitPrices.Where(p => p.ResourceClass == resourceClass).Sum(p => p.UnitPriceXof);
}
