using System.CommandLine;
using System.Globalization;
using Aes.Contracts.Quota.V1;
using Spectre.Console;
using Aes.ServiceDefaults.Paging;

namespace Aes.Cli;

/// <summary>Runs an action with the signed-in user's endpoints, turning refusals into exit codes.</summary>
public delegate Task<int> SignedRun(ParseResult parse, Func<Endpoints, Task<int>> action);

/// <summary>`aes capacity …` and `aes quotas …`: pools and their inventories, agency quotas and their changes.</summary>
public static class CapacityCommands
{
    public static Command Capacity(SignedRun run, IAnsiConsole console)
    {
        var facility = new Option<string?>("--facility") { Description = "Code du centre / facility code (ML-BKO-1)" };
        var state = new Option<string?>("--state") { Description = "État / state (ML, BF, NE)" };
        var pools = new Command("pools", "Réserves, inventaires et marge / pools, inventories and headroom") { facility, state };
        pools.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new ListPoolsRequest { StateCode = parse.GetValue(state)?.ToUpperInvariant() ?? "" };
            if (parse.GetValue(facility) is { } code)
            {
                request.FacilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), code, cancellationToken);
            }
            var table = new Table().AddColumns("id", "centre / facility", "réserve / pool", "classe / class", "total", "réservé / reserved", "ratio", "capacité / capacity", "utilisé / used", "marge / headroom");
            foreach (var pool in await PagedLists.AllAsync(async token =>
            {
                request.PageToken = token;
                var page = await endpoints.Quota().ListPoolsAsync(request, cancellationToken: cancellationToken);
                return (page.Pools.AsEnumerable(), page.NextPageToken);
            }))
            {
                foreach (var line in pool.Inventories)
                {
                    table.AddRow(pool.Id, Markup.Escape(pool.FacilityCode), Markup.Escape(pool.Name), Markup.Escape(line.ResourceClass), Number(line.Total), Number(line.Reserved),
                        Markup.Escape(line.AllocationRatio), Number(line.Capacity), Number(line.Used), Number(line.Headroom));
                }
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        var facilityRequired = new Option<string>("--facility") { Description = "ML-BKO-1", Required = true };
        var name = new Option<string>("--name") { Description = "Nom de la réserve / pool name (general, high-memory…)", Required = true };
        var create = new Command("create-pool", "Créer une réserve / create a pool") { facilityRequired, name };
        create.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var pool = await endpoints.Quota().CreatePoolAsync(new CreatePoolRequest
            {
                FacilityId = await AgencyDirectory.RequireFacilityIdAsync(endpoints.Tenancy(), parse.GetValue(facilityRequired)!, cancellationToken), Name = parse.GetValue(name)!,
            }, cancellationToken: cancellationToken);
            console.MarkupLine($"[green]Réserve créée / pool created:[/] {pool.Id} ({Markup.Escape(pool.FacilityCode)}/{Markup.Escape(pool.Name)})");
            return ExitCodes.Ok;
        }));

        var pool = new Option<string>("--pool") { Description = "Identifiant de la réserve / pool id", Required = true };
        var resourceClass = ClassOption();
        var total = new Option<long>("--total") { Required = true };
        var reserved = new Option<long>("--reserved") { Description = "Réservé à l'opérateur / reserved for the operator" };
        var ratio = new Option<string>("--ratio") { Description = "Ratio d'allocation / allocation ratio", DefaultValueFactory = _ => "1.0" };
        var set = new Command("set", "Fixer un inventaire / set an inventory") { pool, resourceClass, total, reserved, ratio };
        set.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var updated = await endpoints.Quota().SetInventoryAsync(new SetInventoryRequest
            {
                PoolId = parse.GetValue(pool)!, ResourceClass = ClassCode(parse, resourceClass), Total = parse.GetValue(total),
                Reserved = parse.GetValue(reserved), AllocationRatio = parse.GetValue(ratio)!,
            }, cancellationToken: cancellationToken);
            var line = updated.Inventories.Single(i => i.ResourceClass == ClassCode(parse, resourceClass));
            console.MarkupLine($"{Markup.Escape(updated.FacilityCode)}/{Markup.Escape(updated.Name)} {Markup.Escape(line.ResourceClass)}: capacité / capacity {Number(line.Capacity)}, utilisé / used {Number(line.Used)}, marge / headroom {Number(line.Headroom)}");
            return ExitCodes.Ok;
        }));
        return new Command("capacity", "Capacité des centres / facilities' capacity") { pools, create, set };
    }

    public static Command Quotas(SignedRun run, IAnsiConsole console)
    {
        var agency = new Option<string>("--agency") { Description = "ML/MEF", Required = true };
        var show = new Command("show", "Quota et utilisation d'un organisme / an agency's quota and usage") { agency };
        show.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var quota = await endpoints.Quota().GetAgencyQuotaAsync(new GetAgencyQuotaRequest { AgencyId = await AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), parse.GetValue(agency)!, cancellationToken) }, cancellationToken: cancellationToken);
            var table = new Table().AddColumns("classe / class", "limite / limit", "utilisé / used", "marge / headroom", "dérogation / override");
            foreach (var line in quota.Lines)
            {
                table.AddRow(Markup.Escape(line.ResourceClass), Number(line.Limit), Number(line.Used), Number(line.Headroom), line.Overridden ? "oui / yes" : "");
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        var resourceClass = ClassOption();
        var limit = new Option<long>("--limit") { Description = "Nouvelle limite / new limit", Required = true };
        var justification = new Option<string>("--justification") { Required = true };
        var request = new Command("request", "Demander un changement de quota / ask for a quota change") { agency, resourceClass, limit, justification };
        request.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var asked = await endpoints.Quota().RequestQuotaChangeAsync(new RequestQuotaChangeRequest
            {
                AgencyId = await AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), parse.GetValue(agency)!, cancellationToken), ResourceClass = ClassCode(parse, resourceClass),
                RequestedLimit = parse.GetValue(limit), Justification = parse.GetValue(justification)!,
            }, cancellationToken: cancellationToken);
            console.MarkupLine($"[green]Demande / request:[/] {asked.Id} ({Markup.Escape(asked.ResourceClass)} {Number(asked.CurrentLimit)} → {Number(asked.RequestedLimit)})");
            return ExitCodes.Ok;
        }));

        var state = new Option<string?>("--state") { Description = "ML, BF, NE" };
        var pending = new Command("pending", "Demandes en attente / pending requests") { state };
        pending.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var list = await PagedLists.AllAsync(async token =>
            {
                var page = await endpoints.Quota().ListQuotaChangeRequestsAsync(new ListQuotaChangeRequestsRequest
                {
                    StateCode = parse.GetValue(state)?.ToUpperInvariant() ?? "", Status = QuotaChangeStatus.Pending, PageToken = token,
                }, cancellationToken: cancellationToken);
                return (page.Requests.AsEnumerable(), page.NextPageToken);
            });
            var table = new Table().AddColumns("id", "organisme / agency", "classe / class", "actuelle / current", "demandée / requested", "justification");
            foreach (var asked in list)
            {
                table.AddRow(asked.Id, asked.AgencyId, Markup.Escape(asked.ResourceClass), Number(asked.CurrentLimit), Number(asked.RequestedLimit), Markup.Escape(asked.Justification));
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        Command Decide(string verb, bool approve)
        {
            var id = new Argument<string>("id") { Description = "Identifiant de la demande / request id" };
            var reason = new Option<string>("--reason") { Description = "Motif / reason", Required = true };
            var command = new Command(verb, approve ? "Approuver / approve" : "Rejeter / reject") { id, reason };
            command.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
            {
                var decided = await endpoints.Quota().DecideQuotaChangeAsync(new DecideQuotaChangeRequest
                {
                    RequestId = parse.GetValue(id)!, Approve = approve, Reason = parse.GetValue(reason)!,
                }, cancellationToken: cancellationToken);
                console.MarkupLine($"{decided.Id}: [bold]{decided.Status.ToString().ToLowerInvariant()}[/]");
                return ExitCodes.Ok;
            }));
            return command;
        }
        return new Command("quotas", "Quotas des organismes / agency quotas") { show, request, pending, Decide("approve", true), Decide("reject", false) };
    }

    /// <summary>Any class of the catalogue (aes classes list); quota refuses one it does not know, naming it.</summary>
    private static Option<string> ClassOption() =>
        new("--class") { Description = "vcpu, memory_gib, storage_gib, public_ipv4, ou une classe ajoutée / or an added class (gpu_a100_80g)", Required = true };

    private static string ClassCode(ParseResult parse, Option<string> option) => parse.GetValue(option)!.Trim().ToLowerInvariant();

    public static string Number(long value) => value.ToString("N0", CultureInfo.GetCultureInfo("fr-FR"));
}
