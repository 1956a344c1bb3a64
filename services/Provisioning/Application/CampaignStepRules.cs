namespace Aes.Provisioning.Application;

/// <summary>What a person records for a workload's step: the evidence each step asks for (the others left empty).</summary>
public sealed record CampaignStepRecord(string Step, long? TransferredGb, string? ChecksumSha256, string? AttestedBy, DateTime? DeletedAt,
    string? EvidenceReference, string? EvidenceDocumentSha256);

/// <summary>
/// The order of a workload's steps and the evidence each needs (ADR 051): data transferred after hosting is active, with
/// its volume and checksum; cut over after the transfer; the foreign copy deleted after the cut-over, attested by someone,
/// at a time not in the future nor before the cut-over, with a reference or a document's SHA-256. Recording a step again
/// with the same evidence changes nothing; with other evidence it is refused, as the trail already holds the first.
/// </summary>
public static class CampaignStepRules
{
    /// <summary>Writes the step on the workload; false when it was already recorded with this evidence.</summary>
    public static bool Apply(CampaignWorkload workload, CampaignStepRecord record, Guid actor, DateTime now)
    {
        if (!CampaignSteps.Recorded.Contains(record.Step))
        {
            throw new InvalidFieldException("step", new("data_transferred, cut_over ou foreign_copy_deleted.", "data_transferred, cut_over or foreign_copy_deleted."));
        }
        Check(record);
        var rank = CampaignSteps.Rank(record.Step);
        var current = CampaignSteps.Rank(workload.Step);
        if (current >= rank)
        {
            return Same(workload, record)
                ? false
                : throw new RuleViolationException(new(
                    $"« {workload.Key} » : l'étape {record.Step} est déjà enregistrée, avec d'autres éléments ; la piste d'audit garde la première.",
                    $"\"{workload.Key}\": step {record.Step} is already recorded, with other evidence; the audit trail keeps the first."));
        }
        if (current != rank - 1)
        {
            var needed = CampaignSteps.InOrder[rank - 1];
            throw new RuleViolationException(new(
                $"« {workload.Key} » est à l'étape {workload.Step} : {record.Step} vient après {needed}.",
                $"\"{workload.Key}\" is at step {workload.Step}: {record.Step} comes after {needed}."));
        }
        switch (record.Step)
        {
            case CampaignSteps.DataTransferred:
                workload.TransferredGb = record.TransferredGb;
                workload.TransferSha256 = record.ChecksumSha256;
                workload.TransferredAt = now;
                workload.TransferredBy = actor;
                break;
            case CampaignSteps.CutOver:
                workload.CutOverAt = now;
                workload.CutOverBy = actor;
                break;
            default:
                // Read to the minute a form gives, and allowing a minute of clock between the attester's and ours.
                if (record.DeletedAt > now.AddMinutes(1) || record.DeletedAt < ToMinute(workload.CutOverAt))
                {
                    throw new InvalidFieldException("deleted_at", new("ni dans le futur, ni avant la bascule.", "neither in the future nor before the cut-over."));
                }
                workload.ForeignCopyDeletedAt = record.DeletedAt;
                workload.DeletionAttestedBy = record.AttestedBy;
                workload.DeletionReference = record.EvidenceReference;
                workload.DeletionDocumentSha256 = record.EvidenceDocumentSha256;
                workload.DeletionRecordedBy = actor;
                workload.DeletionRecordedAt = now;
                break;
        }
        workload.Step = record.Step;
        return true;
    }

    private static void Check(CampaignStepRecord record)
    {
        switch (record.Step)
        {
            case CampaignSteps.DataTransferred:
                if (record.TransferredGb is null or < 0 or > 100_000_000)
                {
                    throw new InvalidFieldException("transferred_gb", new("le volume copié, de 0 à 100 000 000 Go.", "the volume copied, from 0 to 100,000,000 GB."));
                }
                if (!IsSha256(record.ChecksumSha256))
                {
                    throw new InvalidFieldException("checksum_sha256", new("l'empreinte SHA-256 des données, 64 chiffres hexadécimaux.", "the data's SHA-256, 64 hexadecimal digits."));
                }
                break;
            case CampaignSteps.ForeignCopyDeleted:
                if (string.IsNullOrWhiteSpace(record.AttestedBy) || record.AttestedBy.Length > 200)
                {
                    throw new InvalidFieldException("attested_by", new("qui atteste la suppression (nom, organisme), 200 caractères au plus.",
                        "who attests the deletion (name, organisation), at most 200 characters."));
                }
                if (record.DeletedAt is null)
                {
                    throw new InvalidFieldException("deleted_at", new("la date de la suppression est obligatoire.", "the deletion's time is required."));
                }
                if (string.IsNullOrWhiteSpace(record.EvidenceReference) && string.IsNullOrWhiteSpace(record.EvidenceDocumentSha256))
                {
                    throw new InvalidFieldException("evidence_reference", new("une preuve : une référence, ou l'empreinte SHA-256 d'un document.",
                        "evidence: a reference, or a document's SHA-256."));
                }
                if (record.EvidenceReference is { Length: > 200 })
                {
                    throw new InvalidFieldException("evidence_reference", new("200 caractères au plus.", "at most 200 characters."));
                }
                if (!string.IsNullOrWhiteSpace(record.EvidenceDocumentSha256) && !IsSha256(record.EvidenceDocumentSha256))
                {
                    throw new InvalidFieldException("evidence_document_sha256", new("l'empreinte SHA-256 du document, 64 chiffres hexadécimaux.",
                        "the document's SHA-256, 64 hexadecimal digits."));
                }
                break;
        }
    }

    private static bool Same(CampaignWorkload workload, CampaignStepRecord record) => record.Step switch
    {
        CampaignSteps.DataTransferred => workload.TransferredGb == record.TransferredGb && workload.TransferSha256 == record.ChecksumSha256,
        CampaignSteps.CutOver => true,
        _ => workload.ForeignCopyDeletedAt == record.DeletedAt && workload.DeletionAttestedBy == record.AttestedBy
            && workload.DeletionReference == record.EvidenceReference && workload.DeletionDocumentSha256 == record.EvidenceDocumentSha256,
    };

    private static DateTime? ToMinute(DateTime? instant) => instant is { } at ? new DateTime(at.Ticks - at.Ticks % TimeSpan.TicksPerMinute, at.Kind) : null;

    private static bool IsSha256(string? text) => text is { Length: 64 } && text.All(char.IsAsciiHexDigit);
}
