using System.Text.Json;
using System.Text.Json.Serialization;
using Aes.Contracts;
using Aes.Contracts.Provisioning;

namespace Aes.Provisioning.Application;

/// <summary>One line of a request as submitted: <see cref="Count"/> VMs of one size (each VM's, every class, ADR 052) and image.</summary>
public sealed record VmLine(string? Flavour, IReadOnlyList<ResourceAmount> Resources, string Image, int Count)
{
    /// <summary>A line of <paramref name="count"/> VMs of <paramref name="size"/> (one VM, by class).</summary>
    public static VmLine Of(string? flavour, ResourceVector size, string image, int count) => new(flavour, size.ToList(), image, count);

    /// <summary>One VM of the line, every class.</summary>
    [JsonIgnore]
    public ResourceVector SizePerVm => ResourceVector.FromList(Resources);
}

public sealed record SubmitCommand(
    Guid RequestId, Guid ActorUserId, Guid AgencyId, Guid ProjectId, IReadOnlyList<VmLine> Lines, Classification Classification,
    string? PreferredStateCode, Guid? PreferredFacilityId, string Justification, DateTime Deadline,
    IReadOnlyList<Guid> SshKeyIds, string? UserData, bool LaunchedByCampaign = false);

public static class RequestTransitions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Serialize(IReadOnlyList<VmLine> lines) => JsonSerializer.Serialize(lines, Json);

    public static IReadOnlyList<VmLine> Lines(this HostingRequest request) =>
        JsonSerializer.Deserialize<List<VmLine>>(request.VmLinesJson, Json) ?? [];

    /// <summary>Every VM of <paramref name="lines"/> together, every class.</summary>
    public static ResourceVector Total(IEnumerable<VmLine> lines) =>
        lines.Aggregate(ResourceVector.Zero, (total, line) => total.Add(line.SizePerVm.Map(perVm => perVm * line.Count)));

    /// <summary>Moves the request to <paramref name="status"/> with its reason, and announces it through the outbox.</summary>
    public static void MoveTo(this ProvisioningDbContext db, HostingRequest request, RequestStatus status, string reasonFr, string reasonEn, DateTime now)
    {
        var previous = request.Status;
        request.Status = status;
        request.StatusReasonFr = Truncate(reasonFr);
        request.StatusReasonEn = Truncate(reasonEn);
        request.UpdatedAt = now;
        db.AddToOutbox(new HostingRequestStatusChanged(request.Id, request.AgencyId, request.AgencyStateCode, status.Code(),
            request.StatusReasonFr, request.StatusReasonEn, request.FacilityId, now, request.SubmittedBy, previous.Code()), now);
    }

    private static string Truncate(string text) => text.Length <= 1000 ? text : text[..1000];
}

/// <summary>Receives hosting requests: validated, recorded with their VMs, and handed to the workflow.</summary>
public sealed class RequestIntake(ProvisioningDbContext db, Access access, SshKeyRegistry sshKeys, WorkflowSignal signal, TimeProvider clock)
{
    public async Task<HostingRequest> SubmitAsync(SubmitCommand command, CancellationToken cancellationToken)
    {
        if (await db.Requests.AsNoTracking().Include(r => r.Vms).FirstOrDefaultAsync(r => r.Id == command.RequestId, cancellationToken) is { } existing)
        {
            return existing.AgencyId == command.AgencyId && existing.SubmittedBy == command.ActorUserId
                ? existing
                : throw new RuleViolationException(new(
                    $"L'identifiant {command.RequestId} a déjà servi pour une autre demande.", $"Request id {command.RequestId} was already used for another request."));
        }
        var agency = await db.Agencies.AsNoTracking().FirstOrDefaultAsync(a => a.AgencyId == command.AgencyId, cancellationToken)
            ?? throw new NotFoundException("Agency", command.AgencyId.ToString());
        if (!command.LaunchedByCampaign)
        {
            // A campaign's launch is its state's operators' to make (its access rule), in the agencies' name.
            await access.RequireAgencyMemberAsync(command.ActorUserId, agency.AgencyId, cancellationToken);
        }
        if (!await db.Projects.AnyAsync(p => p.ProjectId == command.ProjectId && p.AgencyId == agency.AgencyId, cancellationToken))
        {
            throw new InvalidFieldException("project_id", new("projet inconnu pour cet organisme.", "no such project in this agency."));
        }
        if (command.PreferredFacilityId is { } preferred && !await db.Facilities.AnyAsync(f => f.FacilityId == preferred, cancellationToken))
        {
            throw new InvalidFieldException("preferred_facility_id", new("centre inconnu.", "unknown facility."));
        }
        if (command.PreferredStateCode is { } state && !await db.Facilities.AnyAsync(f => f.StateCode == state, cancellationToken)
            && !await db.Agencies.AnyAsync(a => a.StateCode == state, cancellationToken))
        {
            throw new InvalidFieldException("preferred_state_code", new("n'est pas un État membre de l'AES.", "is not an AES member state."));
        }

        var keys = await sshKeys.ForRequestAsync(command.ActorUserId, agency.AgencyId, command.SshKeyIds, cancellationToken);

        var now = clock.GetUtcNow().UtcDateTime;
        var vms = new List<VmRecord>();
        foreach (var (line, index) in command.Lines.Select((line, index) => (line, index)))
        {
            for (var n = 1; n <= line.Count; n++)
            {
                vms.Add(new VmRecord
                {
                    Id = Guid.CreateVersion7(), RequestId = command.RequestId, AgencyId = agency.AgencyId, AgencyStateCode = agency.StateCode,
                    Name = VmNames.For(agency.Code, command.RequestId, index + 1, n),
                    Flavour = line.Flavour, Size = line.SizePerVm, Image = line.Image,
                });
            }
        }
        var request = new HostingRequest
        {
            Id = command.RequestId, AgencyId = agency.AgencyId, AgencyStateCode = agency.StateCode, ProjectId = command.ProjectId,
            SubmittedBy = command.ActorUserId, Classification = command.Classification, PreferredStateCode = command.PreferredStateCode,
            PreferredFacilityId = command.PreferredFacilityId, Justification = command.Justification, Deadline = command.Deadline,
            VmLinesJson = RequestTransitions.Serialize(command.Lines),
            Total = RequestTransitions.Total(command.Lines),
            SubmittedAt = now, UpdatedAt = now, NextStepAt = now, Vms = vms,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
            SshPublicKeys = keys.Count > 0 ? string.Join('\n', keys.Select(k => k.PublicKey)) : null,
            SshKeyFingerprints = keys.Count > 0 ? string.Join(',', keys.Select(k => k.Fingerprint)) : null,
            UserData = command.UserData,
        };
        db.Requests.Add(request);
        db.AddToOutbox(new HostingRequestSubmitted(request.Id, request.AgencyId, request.AgencyStateCode, request.Classification.Code(),
            request.Total.ToList(), now, request.SubmittedBy), now);
        db.MoveTo(request, RequestStatus.Submitted, "demande reçue, placement en cours.", "request received, being placed.", now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (Aes.Messaging.Persistence.DatabaseErrors.IsUniqueViolation(exception, "hosting_requests"))
        {
            db.ChangeTracker.Clear();
            return await SubmitAsync(command, cancellationToken); // the same id submitted twice at once: answer with the first
        }
        signal.Notify();
        return request;
    }
}
