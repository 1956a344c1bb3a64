using System.CommandLine;
using Aes.Contracts.Notifications.V1;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>`aes webhooks …`: an agency's (--agency) or a state's (--state) webhooks, their secret shown once, and each delivery's attempts.</summary>
public static class WebhookCommands
{
    public static Command Webhooks(SignedRun run, IAnsiConsole console)
    {
        var agency = new Option<string>("--agency") { Description = "Organisme propriétaire / owning agency (ML/MEF)" };
        var state = new Option<string>("--state") { Description = "État propriétaire / owning state (ML)" };
        var url = new Option<string>("--url") { Description = "Adresse https du récepteur / the receiver's https address", Required = true };
        var events = new Option<string[]>("--event") { Description = "Type d'événement (répétable) / event type (repeatable): request_status, invoice_issued…", Required = true };
        var description = new Option<string>("--description") { Description = "Description" };
        var id = new Option<string>("--id") { Description = "Identifiant du webhook / the webhook's id", Required = true };

        var list = new Command("list", "Les webhooks et leurs envois / the webhooks and their deliveries") { agency, state };
        list.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new ListWebhooksRequest();
            (request.AgencyId, request.StateCode) = await OwnerAsync(endpoints, parse.GetValue(agency), parse.GetValue(state), cancellationToken);
            var listed = await endpoints.Notifications().ListWebhooksAsync(request, cancellationToken: cancellationToken);
            var table = new Table().AddColumns("id", "adresse / address", "événements / events", "livrés / delivered", "en cours / pending", "abandonnés / given up");
            foreach (var webhook in listed.Webhooks)
            {
                table.AddRow(webhook.Id, Markup.Escape(webhook.Url), string.Join(", ", webhook.EventTypes), $"{webhook.Delivered}", $"{webhook.Pending}", $"{webhook.Failed}");
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        var add = new Command("add", "Enregistrer un webhook ; son secret est affiché une seule fois / register a webhook; its secret is shown once")
            { agency, state, url, events, description };
        add.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new CreateWebhookRequest { Url = parse.GetValue(url)!, Description = parse.GetValue(description) ?? "" };
            (request.AgencyId, request.StateCode) = await OwnerAsync(endpoints, parse.GetValue(agency), parse.GetValue(state), cancellationToken);
            request.EventTypes.AddRange(parse.GetValue(events) ?? []);
            PrintCreated(await endpoints.Notifications().CreateWebhookAsync(request, cancellationToken: cancellationToken), console);
            return ExitCodes.Ok;
        }));

        var rotate = new Command("rotate-secret", "Nouveau secret, affiché une seule fois / a new secret, shown once") { id };
        rotate.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            PrintCreated(await endpoints.Notifications().RotateWebhookSecretAsync(new RotateWebhookSecretRequest { Id = parse.GetValue(id)! },
                cancellationToken: cancellationToken), console);
            return ExitCodes.Ok;
        }));

        var delete = new Command("delete", "Supprimer un webhook (son journal reste) / delete a webhook (its log stays)") { id };
        delete.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var deleted = await endpoints.Notifications().DeleteWebhookAsync(new DeleteWebhookRequest { Id = parse.GetValue(id)! }, cancellationToken: cancellationToken);
            console.MarkupLine($"supprimé / deleted: {Markup.Escape(deleted.Url)}");
            return ExitCodes.Ok;
        }));

        var deliveries = new Command("deliveries", "Les envois d'un webhook et chaque tentative / a webhook's deliveries and each attempt") { id };
        deliveries.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var listed = await endpoints.Notifications().ListWebhookDeliveriesAsync(new ListWebhookDeliveriesRequest { WebhookId = parse.GetValue(id)! },
                cancellationToken: cancellationToken);
            var table = new Table().AddColumns("événement / event", "type", "objet / object", "état / status", "tentatives / attempts");
            foreach (var delivery in listed.Deliveries)
            {
                table.AddRow(delivery.Id, delivery.Type, $"{delivery.ObjectKind} {delivery.ObjectId}", delivery.Status,
                    Markup.Escape(string.Join("; ", delivery.Attempts.Select(a => $"{a.Number}: {a.Outcome}{(a.StatusCode > 0 ? $" {a.StatusCode}" : "")}"))));
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));

        return new Command("webhooks", "Webhooks d'un organisme ou d'un État / an agency's or a state's webhooks") { list, add, rotate, delete, deliveries };
    }

    private static async Task<(string AgencyId, string StateCode)> OwnerAsync(Endpoints endpoints, string? agency, string? state, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(agency) == string.IsNullOrWhiteSpace(state))
        {
            throw new UsageException("--agency ou/or --state : l'un des deux / one of the two");
        }
        return string.IsNullOrWhiteSpace(agency) ? ("", state!.Trim()) : (await AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), agency, cancellationToken), "");
    }

    private static void PrintCreated(CreatedWebhook created, IAnsiConsole console)
    {
        console.MarkupLine($"webhook {created.Webhook.Id} → {Markup.Escape(created.Webhook.Url)}");
        console.MarkupLine("secret (affiché une seule fois / shown this once):");
        // Alone on its line, so a script can take it.
        console.WriteLine(created.Secret);
    }
}
