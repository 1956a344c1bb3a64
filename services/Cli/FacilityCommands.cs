using Aes.Contracts.ByClass;
using System.CommandLine;
using System.Globalization;
using Aes.Contracts.Provisioning.V1;
using T = Aes.Contracts.Tenancy.V1;
using Aes.ServiceDefaults.Paging;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>`aes facilities …`: a state's operators connect their facility's cloud, test it, map its catalogue, read its findings and availability.</summary>
public static class FacilityCommands
{
    public static Command Facilities(SignedRun run, IAnsiConsole console)
    {
        var facility = new Option<string>("--facility") { Description = "Code du centre / facility code (ML-BKO-1)", Required = true };

        var authUrl = new Option<string>("--auth-url") { Description = "Keystone v3 (https://keystone.example/v3)", Required = true };
        var region = new Option<string>("--region") { DefaultValueFactory = _ => "RegionOne" };
        var project = new Option<string>("--project") { Description = "Projet OpenStack / OpenStack project", Required = true };
        var projectDomain = new Option<string>("--project-domain") { DefaultValueFactory = _ => "Default" };
        var credential = new Option<string>("--credential") { Description = "Nom des identifiants dans le magasin de secrets / the credentials' name in the secret store", Required = true };
        var network = new Option<string>("--network") { Description = "Réseau du projet / the project's network", Required = true };
        var connect = new Command("connect", "Relier un centre à son OpenStack / connect a facility to its OpenStack")
            { facility, authUrl, region, project, projectDomain, credential, network };
        connect.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var connected = await endpoints.Provisioning().ConnectFacilityAsync(new ConnectFacilityRequest
            {
                FacilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), parse.GetValue(facility)!, cancellationToken), Driver = "openstack",
                AuthUrl = parse.GetValue(authUrl)!, Region = parse.GetValue(region)!, Project = parse.GetValue(project)!, ProjectDomain = parse.GetValue(projectDomain)!,
                CredentialReference = parse.GetValue(credential)!, Network = parse.GetValue(network)!,
            }, cancellationToken: cancellationToken);
            console.MarkupLine($"[green]{Markup.Escape(connected.FacilityCode)} relié / connected:[/] {Markup.Escape(connected.AuthUrl)} ({Markup.Escape(connected.Region)}, {Markup.Escape(connected.Project)})");
            return ExitCodes.Ok;
        }));

        var test = new Command("test", "Tester la connexion / test the connection") { facility };
        test.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var result = await endpoints.Provisioning().TestFacilityConnectionAsync(new FacilityIdRequest
            {
                FacilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), parse.GetValue(facility)!, cancellationToken),
            }, cancellationToken: cancellationToken);
            console.MarkupLine(result.Reachable ? $"[green]{Markup.Escape(result.DetailFr)} / {Markup.Escape(result.DetailEn)}[/] ({result.LatencyMs} ms)"
                : $"[red]{Markup.Escape(result.DetailFr)} / {Markup.Escape(result.DetailEn)}[/]");
            var table = new Table().AddColumns("API", "adresse / address");
            foreach (var endpoint in result.Endpoints)
            {
                table.AddRow(Markup.Escape(endpoint.Name), Markup.Escape(endpoint.Url));
            }
            foreach (var limit in result.Limits)
            {
                table.AddRow(Markup.Escape(limit.Name), limit.Value.ToString("N0", CultureInfo.GetCultureInfo("fr-FR")));
            }
            console.Write(table);
            return result.Reachable ? ExitCodes.Ok : ExitCodes.Failed;
        }));

        var refresh = new Option<bool>("--refresh") { Description = "Relire le catalogue du centre d'abord / read the facility's catalogue again first" };
        var catalogue = new Command("catalogue", "Gabarits et images du centre, et leur correspondance / the facility's flavours and images, and their mapping") { facility, refresh };
        catalogue.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var id = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), parse.GetValue(facility)!, cancellationToken);
            var result = parse.GetValue(refresh)
                ? await endpoints.Provisioning().RefreshFacilityCatalogueAsync(new RefreshFacilityCatalogueRequest { FacilityId = id }, cancellationToken: cancellationToken)
                : await endpoints.Provisioning().GetFacilityCatalogueAsync(new FacilityIdRequest { FacilityId = id }, cancellationToken: cancellationToken);
            Print(console, result);
            return ExitCodes.Ok;
        }));

        var native = new Option<string>("--native") { Description = "Identifiant du gabarit ou de l'image dans le centre / the flavour's or image's id in the facility", Required = true };
        var code = new Option<string>("--as") { Description = "Gabarit ou image de la place de marché (vide : ne plus offrir) / the marketplace's flavour or image (empty: stop offering)", DefaultValueFactory = _ => "" };
        var mapFlavour = new Command("map-flavour", "Offrir un gabarit du centre / offer a facility's flavour") { facility, native, code };
        mapFlavour.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            Print(console, await endpoints.Provisioning().MapFacilityFlavourAsync(new MapFacilityCatalogueRequest
            {
                FacilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), parse.GetValue(facility)!, cancellationToken),
                NativeId = parse.GetValue(native)!, Code = parse.GetValue(code)!,
            }, cancellationToken: cancellationToken));
            return ExitCodes.Ok;
        }));
        var mapImage = new Command("map-image", "Offrir une image du centre / offer a facility's image") { facility, native, code };
        mapImage.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            Print(console, await endpoints.Provisioning().MapFacilityImageAsync(new MapFacilityCatalogueRequest
            {
                FacilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), parse.GetValue(facility)!, cancellationToken),
                NativeId = parse.GetValue(native)!, Code = parse.GetValue(code)!,
            }, cancellationToken: cancellationToken));
            return ExitCodes.Ok;
        }));

        var all = new Option<bool>("--all") { Description = "Aussi celles qui ne sont plus constatées / also those no longer seen" };
        var findings = new Command("findings", "Écarts trouvés par la réconciliation / reconciliation's findings") { facility, all };
        findings.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var table = new Table().AddColumns("trouvé / found", "type / kind", "VM", "serveur / server", "détail / detail");
            var facilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), parse.GetValue(facility)!, cancellationToken);
            foreach (var finding in await PagedLists.AllAsync(async token =>
            {
                var page = await endpoints.Provisioning().ListReconciliationFindingsAsync(new ListReconciliationFindingsRequest
                {
                    FacilityId = facilityId, IncludeCleared = parse.GetValue(all), PageToken = token,
                }, cancellationToken: cancellationToken);
                return (page.Findings.AsEnumerable(), page.NextPageToken);
            }))
            {
                table.AddRow(finding.FoundAt.ToDateTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), finding.Kind, finding.VmId, Markup.Escape(finding.ServerId),
                    Markup.Escape(finding.DetailFr));
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        var availability = new Command("availability", "Disponibilité mesurée et pannes / measured availability and outages") { facility };
        availability.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var result = await endpoints.Provisioning().GetFacilityAvailabilityAsync(new FacilityIdRequest
            {
                FacilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), parse.GetValue(facility)!, cancellationToken),
            }, cancellationToken: cancellationToken);
            var fr = CultureInfo.GetCultureInfo("fr-FR");
            console.MarkupLine($"{Markup.Escape(result.FacilityCode)} : {result.Month.Period} {result.Month.AvailabilityPercent.ToString("0.000", fr)} %, {result.Year.Period} {result.Year.AvailabilityPercent.ToString("0.000", fr)} % ({result.Year.DowntimeMinutes} min)");
            foreach (var outage in result.Outages)
            {
                console.MarkupLine($"  {outage.StartedAt.ToDateTime():yyyy-MM-dd HH:mm} → {(outage.EndedAt is null ? "en cours / ongoing" : outage.EndedAt.ToDateTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} ({outage.Minutes} min) {Markup.Escape(outage.CauseFr)}");
            }
            return ExitCodes.Ok;
        }));

        var amounts = new Option<string[]>("--set")
        {
            Description = "classe=quantité, les autres classes gardées ; 0 retire la classe (répétable) / class=amount, the other classes kept; 0 removes the class (repeatable)",
        };
        var capacity = new Command("capacity", "Capacité installée par classe, lue ou changée / installed capacity by class, read or changed") { facility, amounts };
        capacity.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var changes = (parse.GetValue(amounts) ?? []).Select(ParseAmount).ToList();
            var tenancy = endpoints.Tenancy();
            var id = await AgencyDirectory.RequireFacilityIdAsync(tenancy, parse.GetValue(facility)!, cancellationToken);
            var current = await tenancy.GetFacilityAsync(new T.GetFacilityRequest { Id = id }, cancellationToken: cancellationToken);
            if (changes.Count > 0)
            {
                // The service takes the whole capacity: what is not named keeps its amount.
                var merged = current.InstalledCapacityByClass.ToDictionary(a => a.ResourceClass, a => a.Amount);
                foreach (var (resourceClass, amount) in changes)
                {
                    merged[resourceClass] = amount;
                }
                var request = new T.SetFacilityCapacityRequest { Id = id, ExpectedVersion = current.Version };
                request.InstalledCapacityByClass.AddRange(merged.Where(a => a.Value != 0).Select(a => new T.ResourceAmount { ResourceClass = a.Key, Amount = a.Value }));
                current = await tenancy.SetFacilityCapacityAsync(request, cancellationToken: cancellationToken);
            }
            var table = new Table().AddColumns("classe / class", "installé / installed");
            foreach (var amount in current.InstalledCapacityByClass)
            {
                table.AddRow(Markup.Escape(amount.ResourceClass), amount.Amount.ToString("N0", CultureInfo.GetCultureInfo("fr-FR")));
            }
            console.MarkupLine($"{Markup.Escape(current.Code)} · {Markup.Escape(current.Name)}");
            console.Write(table);
            return ExitCodes.Ok;
        }));

        return new Command("facilities", "Centres : capacité, nuage, catalogue, écarts, disponibilité / facilities: capacity, cloud, catalogue, findings, availability")
            { capacity, connect, test, catalogue, mapFlavour, mapImage, findings, availability };
    }

    private static (string Class, long Amount) ParseAmount(string text) => ParseClassValue(text, "--set", "quantité", "amount", "8");

    /// <summary>An option's <c>class=value</c> (a whole number; the class read case-insensitively), or a usage error naming the option.</summary>
    internal static (string Class, long Value) ParseClassValue(string text, string option, string valueFr, string valueEn, string example) =>
        text.Split('=') is [var resourceClass, var amount] && resourceClass.Trim().Length > 0
            && long.TryParse(amount, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? (resourceClass.Trim().ToLowerInvariant(), value)
            : throw new UsageException(
                $"{option} attend classe={valueFr} (gpu_a100_80g={example}), pas « {text} » / {option} takes class={valueEn} (gpu_a100_80g={example}), not \"{text}\"");

    private static void Print(IAnsiConsole console, FacilityCatalogue catalogue)
    {
        console.MarkupLine($"{Markup.Escape(catalogue.FacilityCode)} ({Markup.Escape(catalogue.Driver)}){(catalogue.AnySize ? ", toute taille / any size" : "")}");
        var flavours = new Table().AddColumns("gabarit du centre / facility flavour", "id", "vCPU", "Gio / GiB", "disque / disk", "offert comme / offered as", "présent / present");
        foreach (var flavour in catalogue.Flavours)
        {
            flavours.AddRow(Markup.Escape(flavour.NativeName), Markup.Escape(flavour.NativeId), flavour.Resources.AmountOf("vcpu").ToString(CultureInfo.InvariantCulture),
                flavour.Resources.AmountOf("memory_gib").ToString(CultureInfo.InvariantCulture), flavour.Resources.AmountOf("storage_gib").ToString(CultureInfo.InvariantCulture), Markup.Escape(flavour.Code), flavour.Present ? "oui / yes" : "non / no");
        }
        console.Write(flavours);
        var images = new Table().AddColumns("image du centre / facility image", "id", "offerte comme / offered as", "présente / present");
        foreach (var image in catalogue.Images)
        {
            images.AddRow(Markup.Escape(image.NativeName), Markup.Escape(image.NativeId), Markup.Escape(image.Code), image.Present ? "oui / yes" : "non / no");
        }
        console.Write(images);
    }
}
