using Aes.Contracts;
using Aes.Provisioning.Application;
using Aes.Provisioning.Domain;

using Aes.ServiceDefaults.Errors;
namespace Aes.Provisioning.Tests;

/// <summary>A workload's steps after hosting: in order, each with its evidence, none rewritten once recorded.</summary>
public sealed class CampaignStepTests
{
    private static readonly DateTime Now = new(2027, 3, 1, 10, 0, 0, DateTimeKind.Utc);
    private static readonly Guid Agent = Guid.NewGuid();
    private static readonly string Checksum = new('a', 64);

    private static CampaignWorkload Workload(string step) => new()
    {
        Id = Guid.NewGuid(), CampaignId = Guid.NewGuid(), Key = "etat-civil", AgencyStateCode = "NE", Project = "", SourceProvider = "cloud-eu",
        SourceRegion = "eu-west", Image = "", Step = step, Count = 1, Resources = ResourceVector.Standard(2, 4, 50, 0),
    };

    private static CampaignStepRecord Transfer(long gb = 120, string? checksum = null) => new(CampaignSteps.DataTransferred, gb, checksum ?? Checksum, null, null, null, null);

    private static CampaignStepRecord Deletion(DateTime? at = null, string? reference = "TICKET-4411", string? document = null, string attestedBy = "A. Maïga, cloud-eu") =>
        new(CampaignSteps.ForeignCopyDeleted, null, null, attestedBy, at ?? Now.AddHours(-1), reference, document);

    [Fact]
    public void The_steps_go_in_order_from_hosting_active_to_the_foreign_copy_deleted_each_with_its_evidence()
    {
        var workload = Workload(CampaignSteps.HostingActive);
        Assert.True(CampaignStepRules.Apply(workload, Transfer(), Agent, Now.AddHours(-5)));
        Assert.Equal((CampaignSteps.DataTransferred, 120L, Checksum, Agent), (workload.Step, workload.TransferredGb!.Value, workload.TransferSha256, workload.TransferredBy!.Value));
        Assert.True(CampaignStepRules.Apply(workload, new(CampaignSteps.CutOver, null, null, null, null, null, null), Agent, Now.AddHours(-2)));
        Assert.True(CampaignStepRules.Apply(workload, Deletion(document: new string('b', 64)), Agent, Now));
        Assert.Equal((CampaignSteps.ForeignCopyDeleted, "A. Maïga, cloud-eu", "TICKET-4411", new string('b', 64)),
            (workload.Step, workload.DeletionAttestedBy, workload.DeletionReference, workload.DeletionDocumentSha256));
        Assert.False(workload.StillAbroad);
    }

    [Theory]
    [InlineData(CampaignSteps.Planned, CampaignSteps.DataTransferred)]
    [InlineData(CampaignSteps.HostingRequested, CampaignSteps.DataTransferred)]
    [InlineData(CampaignSteps.HostingActive, CampaignSteps.CutOver)]
    [InlineData(CampaignSteps.DataTransferred, CampaignSteps.ForeignCopyDeleted)]
    public void A_step_before_the_one_it_follows_is_refused_and_changes_nothing(string at, string recorded)
    {
        var workload = Workload(at);
        var record = recorded switch
        {
            CampaignSteps.DataTransferred => Transfer(),
            CampaignSteps.ForeignCopyDeleted => Deletion(),
            _ => new CampaignStepRecord(recorded, null, null, null, null, null, null),
        };
        var refused = Assert.Throws<RuleViolationException>(() => CampaignStepRules.Apply(workload, record, Agent, Now));
        Assert.Contains($"comes after {CampaignSteps.InOrder[CampaignSteps.Rank(recorded) - 1]}", refused.Message);
        Assert.Equal(at, workload.Step);
    }

    [Theory]
    [InlineData("hosting_active", "step")]
    [InlineData("transfer:-1", "transferred_gb")]
    [InlineData("transfer:checksum", "checksum_sha256")]
    [InlineData("deletion:no-evidence", "evidence_reference")]
    [InlineData("deletion:bad-document", "evidence_document_sha256")]
    [InlineData("deletion:no-one", "attested_by")]
    [InlineData("deletion:future", "deleted_at")]
    [InlineData("deletion:before-cut-over", "deleted_at")]
    public void Missing_or_bad_evidence_is_refused_by_field(string kind, string field)
    {
        var workload = Workload(kind.StartsWith("deletion", StringComparison.Ordinal) ? CampaignSteps.CutOver : CampaignSteps.HostingActive);
        workload.CutOverAt = Now.AddDays(-1);
        var record = kind switch
        {
            "transfer:-1" => Transfer(gb: -1),
            "transfer:checksum" => Transfer(checksum: "md5:abc"),
            "deletion:no-evidence" => Deletion(reference: null),
            "deletion:bad-document" => Deletion(document: "not-a-hash"),
            "deletion:no-one" => Deletion(attestedBy: " "),
            "deletion:future" => Deletion(at: Now.AddMinutes(5)),
            "deletion:before-cut-over" => Deletion(at: Now.AddDays(-2)),
            _ => new CampaignStepRecord(kind, null, null, null, null, null, null),
        };
        var refused = Assert.Throws<InvalidFieldException>(() => CampaignStepRules.Apply(workload, record, Agent, Now));
        Assert.Contains($"{field}: ", refused.Message, StringComparison.Ordinal);
        Assert.Null(workload.ForeignCopyDeletedAt);
        Assert.Null(workload.TransferredAt);
    }

    [Fact]
    public void A_step_recorded_again_with_the_same_evidence_changes_nothing_with_other_evidence_it_is_refused()
    {
        var workload = Workload(CampaignSteps.HostingActive);
        CampaignStepRules.Apply(workload, Transfer(), Agent, Now.AddHours(-1));
        Assert.False(CampaignStepRules.Apply(workload, Transfer(), Guid.NewGuid(), Now));
        Assert.Equal((Agent, Now.AddHours(-1)), (workload.TransferredBy!.Value, workload.TransferredAt!.Value));
        Assert.Throws<RuleViolationException>(() => CampaignStepRules.Apply(workload, Transfer(gb: 121), Agent, Now));
        Assert.Equal(120, workload.TransferredGb);
        // A later step recorded keeps the earlier ones as they were: the transfer sent again still changes nothing.
        CampaignStepRules.Apply(workload, new(CampaignSteps.CutOver, null, null, null, null, null, null), Agent, Now);
        Assert.False(CampaignStepRules.Apply(workload, Transfer(), Agent, Now));
        Assert.Equal(CampaignSteps.CutOver, workload.Step);
    }

    [Fact]
    public void A_request_id_follows_from_the_campaign_the_workload_and_the_attempt()
    {
        var (campaign, workload) = (Guid.NewGuid(), Guid.NewGuid());
        Assert.Equal(CampaignExecution.RequestIdOf(campaign, workload, 1), CampaignExecution.RequestIdOf(campaign, workload, 1));
        Assert.NotEqual(CampaignExecution.RequestIdOf(campaign, workload, 1), CampaignExecution.RequestIdOf(campaign, workload, 2));
        Assert.NotEqual(CampaignExecution.RequestIdOf(campaign, workload, 1), CampaignExecution.RequestIdOf(Guid.NewGuid(), workload, 1));
    }
}
