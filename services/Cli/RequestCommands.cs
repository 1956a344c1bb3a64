using Aes.Contracts.Provisioning.V1;
using Spectre.Console;

namespace Aes.Cli;

/// <summary>`aes requests …`: list, submit, approve, reject and withdraw hosting requests.</summary>
public static class RequestCommands
{
    public static async Task<int> ListAsync(Endpoints endpoints, string? agency, string? state, string? status, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var agencyId = "";
        if (agency is not null)
        {
            agencyId = await AgencyDirectory.RequireAgencyIdAsync(endpoints.Tenancy(), agency, cancellationToken);
        }
        var requests = await endpoints.Provisioning().ListRequestsAsync(new ListRequestsRequest
        {
            AgencyId = agencyId, StateCode = state ?? "", Status = status ?? "",
        }, cancellationToken: cancellationToken);
        var table = new Table().AddColumns("id", "organisme / agency", "statut / status", "site / facility", "classification", "VMs");
        foreach (var request in requests.Requests)
        {
            table.AddRow(request.Id, Markup.Escape(request.AgencyStateCode), Markup.Escape(request.Status), Markup.Escape(request.FacilityCode),
                Markup.Escape(request.Classification), request.Vms.Sum(v => v.Count).ToString());
        }
        console.Write(table);
        return ExitCodes.Ok;
    }

    public static async Task<int> SubmitAsync(Endpoints endpoints, SubmitOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var tenancy = endpoints.Tenancy();
        var directory = await AgencyDirectory.LoadAsync(tenancy, cancellationToken);
        var agencyId = directory.RequireAgencyId(options.Agency);
        var projectId = await directory.ProjectIdAsync(tenancy, options.Agency, options.Project, cancellationToken)
            ?? throw new UsageException($"Projet inconnu, ou dont vous n'êtes pas membre / unknown project, or not one of yours: {options.Project}");
        var request = new SubmitRequestRequest
        {
            RequestId = Guid.CreateVersion7().ToString(), AgencyId = agencyId, ProjectId = projectId, Classification = options.Classification,
            Justification = options.Justification, Deadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(options.Deadline.ToUniversalTime()),
        };
        if (options.SshKeys.Count > 0)
        {
            var mine = await AgencyDirectory.SshKeysAsync(endpoints.Provisioning(), agencyId, cancellationToken);
            request.SshKeyIds.AddRange(options.SshKeys.Select(wanted => mine.FirstOrDefault(k => k.Id == wanted || k.Fingerprint == wanted || k.Name == wanted)?.Id
                ?? throw new UsageException($"Clé inconnue, voir « aes keys list » / unknown key, see \"aes keys list\": {wanted}")));
        }
        if (options.UserData is { } file)
        {
            // Read as bytes and decoded strictly, so that a file that is not UTF-8 is named here rather than altered.
            try
            {
                request.UserData = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(await File.ReadAllBytesAsync(file.FullName, cancellationToken));
            }
            catch (System.Text.DecoderFallbackException)
            {
                throw new UsageException($"--user-data : {file.Name} n'est pas du texte UTF-8 / is not UTF-8 text");
            }
        }
        var gpus = options.Gpus.Select(text => FacilityCommands.ParseClassValue(text, "--gpu", "nombre", "count", "1")).ToList();
        if (gpus.Count > 0 && options.Flavour is not null)
        {
            throw new UsageException("--gpu est pour une taille sur mesure : un gabarit GPU (g1.a100) apporte les siens / "
                + "--gpu is for a custom size: a GPU flavour (g1.a100) brings its own");
        }
        var vm = new VmSpec { Flavour = options.Flavour ?? "", Image = options.Image, Count = options.Count };
        vm.Resources.AddRange(SizeByClass(options.Flavour is null ? options.CustomSize.Concat(gpus.Where(g => g.Value > 0)) : [], options.PublicIpv4));
        request.Vms.Add(vm);
        var submitted = await endpoints.Provisioning().SubmitRequestAsync(request, cancellationToken: cancellationToken);
        console.MarkupLine($"[green]Soumise / submitted:[/] {submitted.Id} ({Markup.Escape(submitted.Status)})");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// One VM's size by class: a custom size's classes as given (vCPU, memory and disk even at 0, so that the service names what
    /// is missing; its GPUs), none beside a flavour, which brings its own; a public address only when asked for.
    /// </summary>
    public static IEnumerable<ResourceAmount> SizeByClass(IEnumerable<(string Class, long Value)> custom, bool publicIpv4) =>
        custom.Concat(publicIpv4 ? [("public_ipv4", 1L)] : []).Select(a => new ResourceAmount { ResourceClass = a.Item1, Amount = a.Item2 });

    public static async Task<int> DecideAsync(Endpoints endpoints, string requestId, string? rejectReason, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var provisioning = endpoints.Provisioning();
        var request = rejectReason is null
            ? await provisioning.ApproveAsync(new ApproveRequest { RequestId = requestId }, cancellationToken: cancellationToken)
            : await provisioning.RejectAsync(new RejectRequest { RequestId = requestId, Reason = rejectReason }, cancellationToken: cancellationToken);
        return Outcome(request, console);
    }

    public static async Task<int> WithdrawAsync(Endpoints endpoints, string requestId, string? reason, IAnsiConsole console, CancellationToken cancellationToken) =>
        Outcome(await endpoints.Provisioning().WithdrawRequestAsync(new WithdrawRequestRequest { RequestId = requestId, Reason = reason ?? "" },
            cancellationToken: cancellationToken), console);

    private static int Outcome(HostingRequest request, IAnsiConsole console)
    {
        console.MarkupLine($"{request.Id}: [bold]{Markup.Escape(request.Status)}[/] — {Markup.Escape(request.StatusReasonFr)} / {Markup.Escape(request.StatusReasonEn)}");
        return ExitCodes.Ok;
    }
}

public sealed record SubmitOptions(
    string Agency, string Project, string Classification, string? Flavour, IReadOnlyList<(string Class, long Value)> CustomSize,
    string Image, int Count, bool PublicIpv4, string Justification, DateTime Deadline, IReadOnlyList<string> SshKeys, FileInfo? UserData,
    IReadOnlyList<string> Gpus);

/// <summary>Input the command line itself refuses, before any call: exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
