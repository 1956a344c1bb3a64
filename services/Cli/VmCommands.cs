using System.CommandLine;
using Aes.Contracts.ByClass;
using Aes.Contracts.Provisioning.V1;
using Spectre.Console;
using Aes.ServiceDefaults.Paging;

namespace Aes.Cli;

/// <summary>`aes vms …`: an agency's VMs with the addresses their facility gave them; stop, start and reboot.</summary>
public static class VmCommands
{
    public static Command Vms(SignedRun run, IAnsiConsole console)
    {
        var agency = new Option<string>("--agency") { Description = "Organisme / agency (ML/MEF)", Required = true };
        var all = new Option<bool>("--all") { Description = "Aussi les VM décommissionnées / also ended VMs" };
        var list = new Command("list", "Les VM d'un organisme et leurs adresses / an agency's VMs and their addresses") { agency, all };
        list.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var request = new ListVmsRequest
            {
                AgencyId = await AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), parse.GetValue(agency)!, cancellationToken),
                IncludeEnded = parse.GetValue(all),
            };
            var vms = await PagedLists.AllAsync(async token =>
            {
                request.PageToken = token;
                var page = await endpoints.Provisioning().ListVmsAsync(request, cancellationToken: cancellationToken);
                return (page.Vms.AsEnumerable(), page.NextPageToken);
            });
            var table = new Table().AddColumns("id", "nom / name", "centre / facility", "taille / size", "adresses privées / private addresses",
                "IPv4 publique / public IPv4", "statut / status");
            foreach (var vm in vms)
            {
                table.AddRow(vm.Id, Markup.Escape(vm.Name), Markup.Escape(vm.FacilityCode), Markup.Escape(Size(vm.Resources)),
                    Markup.Escape(vm.Addresses.Count > 0 ? string.Join(", ", vm.Addresses) : "—"),
                    Markup.Escape(vm.PublicIpv4Address.Length > 0 ? vm.PublicIpv4Address : vm.Resources.AmountOf("public_ipv4") > 0 ? "…" : "—"), Markup.Escape(vm.Status));
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));
        var id = new Argument<string>("id") { Description = "Identifiant de la VM / VM id" };
        var hard = new Option<bool>("--hard") { Description = "Coupure d'alimentation plutôt que redémarrage du système / power cycle rather than the guest's restart" };
        Command Power(string name, string description, Func<Endpoints, string, string, bool, CancellationToken, Task<Vm>> change, params Option[] options)
        {
            var command = new Command(name, description) { id };
            foreach (var option in options)
            {
                command.Options.Add(option);
            }
            command.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
            {
                // One id per command: the call retried after a lost answer is the same operation.
                var vm = await change(endpoints, parse.GetValue(id)!, Guid.CreateVersion7().ToString(), parse.GetValue(hard), cancellationToken);
                console.MarkupLine($"{vm.Id}: [bold]{Markup.Escape(vm.Status)}[/] ({Markup.Escape(vm.Name)})");
                return ExitCodes.Ok;
            }));
            return command;
        }
        var stop = Power("stop", "Éteindre une VM / stop a VM", async (e, vm, op, _, ct) =>
            await e.Provisioning().StopVmAsync(new VmPowerRequest { VmId = vm, OperationId = op }, cancellationToken: ct));
        var start = Power("start", "Démarrer une VM éteinte / start a stopped VM", async (e, vm, op, _, ct) =>
            await e.Provisioning().StartVmAsync(new VmPowerRequest { VmId = vm, OperationId = op }, cancellationToken: ct));
        var reboot = Power("reboot", "Redémarrer une VM / reboot a VM", async (e, vm, op, isHard, ct) =>
            await e.Provisioning().RebootVmAsync(new RebootVmRequest { VmId = vm, OperationId = op, Hard = isHard }, cancellationToken: ct), hard);
        var consoleCommand = new Command("console", "Ouvrir la console d'une VM (journalisé) / open a VM's console (audited)") { id };
        consoleCommand.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var opened = await endpoints.Provisioning().OpenVmConsoleAsync(new OpenVmConsoleRequest { VmId = parse.GetValue(id)! }, cancellationToken: cancellationToken);
            console.WriteLine(opened.Url.StartsWith('/') ? endpoints.PortalUrl.TrimEnd('/') + opened.Url : opened.Url);
            return ExitCodes.Ok;
        }));
        var snapshotName = new Option<string>("--name") { Description = "Nom de l'instantané / the snapshot's name", Required = true };
        var snapshot = new Command("snapshot", "Prendre un instantané (facturé au Gio-mois) / take a snapshot (billed per GiB-month)") { id, snapshotName };
        snapshot.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            // One id per command: the call retried after a lost answer is the same snapshot.
            var taken = await endpoints.Provisioning().TakeVmSnapshotAsync(new TakeVmSnapshotRequest
            {
                VmId = parse.GetValue(id)!, SnapshotId = Guid.CreateVersion7().ToString(), Name = parse.GetValue(snapshotName)!,
            }, cancellationToken: cancellationToken);
            console.MarkupLine($"{taken.Id}: [bold]{Markup.Escape(taken.Status)}[/] ({Markup.Escape(taken.Name)}, {taken.SizeGib} GiB)");
            return ExitCodes.Ok;
        }));
        var snapshots = new Command("snapshots", "Les instantanés d'une VM / a VM's snapshots") { id };
        snapshots.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var listed = await PagedLists.AllAsync(async token =>
            {
                var page = await endpoints.Provisioning().ListVmSnapshotsAsync(new ListVmSnapshotsRequest { VmId = parse.GetValue(id)!, PageToken = token },
                    cancellationToken: cancellationToken);
                return (page.Snapshots.AsEnumerable(), page.NextPageToken);
            });
            var table = new Table().AddColumns("id", "nom / name", "statut / status", "Gio / GiB", "pris le / taken at");
            foreach (var taken in listed)
            {
                table.AddRow(taken.Id, Markup.Escape(taken.Name), Markup.Escape(taken.Status), taken.SizeGib.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    taken.TakenAt.ToDateTime().ToString("u", System.Globalization.CultureInfo.InvariantCulture));
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));
        return new Command("vms", "Machines virtuelles / virtual machines") { list, stop, start, reboot, consoleCommand, snapshot, snapshots };
    }

    /// <summary>`aes keys …`: the signed-in person's public SSH keys.</summary>
    /// <summary>"12 vCPU, 96 GiB, 400 GiB, 1 × gpu_a100_80g": the standard classes in words, the others by code.</summary>
    private static string Size(IReadOnlyCollection<ResourceAmount> size) =>
        $"{size.AmountOf("vcpu")} vCPU, {size.AmountOf("memory_gib")} GiB, {size.AmountOf("storage_gib")} GiB"
        + string.Concat(size.Where(a => a.ResourceClass is not ("vcpu" or "memory_gib" or "storage_gib" or "public_ipv4")).Select(a => $", {a.Amount} × {a.ResourceClass}"));

    public static Command Keys(SignedRun run, IAnsiConsole console)
    {
        var agency = new Option<string>("--agency") { Description = "Organisme / agency (ML/MEF)", Required = true };
        Task<string> AgencyIdAsync(System.CommandLine.ParseResult parse, Endpoints endpoints, CancellationToken cancellationToken) =>
            AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), parse.GetValue(agency)!, cancellationToken);
        var list = new Command("list", "Mes clés SSH publiques / my public SSH keys") { agency };
        list.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var keys = await AgencyDirectory.SshKeysAsync(endpoints.Provisioning(), await AgencyIdAsync(parse, endpoints, cancellationToken), cancellationToken);
            var table = new Table().AddColumns("id", "nom / name", "type", "empreinte / fingerprint");
            foreach (var key in keys)
            {
                table.AddRow(key.Id, Markup.Escape(key.Name), $"{key.Algorithm} ({key.Bits})", Markup.Escape(key.Fingerprint));
            }
            console.Write(table);
            return ExitCodes.Ok;
        }));
        var name = new Argument<string>("name") { Description = "Nom de la clé / the key's name" };
        var file = new Argument<FileInfo>("file") { Description = "Fichier .pub (id_ed25519.pub) / .pub file" };
        var add = new Command("add", "Enregistrer une clé publique (ed25519, ou RSA ≥ 3072 bits) / register a public key (ed25519, or RSA ≥ 3072 bits)") { name, file, agency };
        add.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var key = await endpoints.Provisioning().RegisterSshKeyAsync(new RegisterSshKeyRequest
            {
                AgencyId = await AgencyIdAsync(parse, endpoints, cancellationToken), Name = parse.GetValue(name)!, PublicKey = await File.ReadAllTextAsync(parse.GetValue(file)!.FullName, cancellationToken),
            }, cancellationToken: cancellationToken);
            console.MarkupLine($"[green]{Markup.Escape(key.Fingerprint)}[/] {key.Id} ({Markup.Escape(key.Algorithm)}, {key.Bits} bits)");
            return ExitCodes.Ok;
        }));
        var id = new Argument<string>("id") { Description = "Identifiant de la clé / key id" };
        var remove = new Command("remove", "Retirer une clé / remove a key") { id, agency };
        remove.SetAction((parse, cancellationToken) => run(parse, async endpoints =>
        {
            var key = await endpoints.Provisioning().DeleteSshKeyAsync(new DeleteSshKeyRequest
            {
                AgencyId = await AgencyIdAsync(parse, endpoints, cancellationToken), KeyId = parse.GetValue(id)!,
            }, cancellationToken: cancellationToken);
            console.MarkupLine($"{Markup.Escape(key.Fingerprint)} : retirée / removed");
            return ExitCodes.Ok;
        }));
        return new Command("keys", "Clés SSH publiques / public SSH keys") { list, add, remove };
    }
}
