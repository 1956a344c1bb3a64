using Aes.Contracts;
using Aes.Provisioning.Domain;

namespace Aes.Provisioning.Tests;

/// <summary>The sovereignty rules of DOMAIN.md as a table: every classification × own/foreign facility × agreement absent/present/allowing.</summary>
public sealed class ResidencyTests
{
    public enum AgreementCase { Absent, PresentNotAllowing, PresentAllowing }

    private static readonly Guid Bamako = Guid.NewGuid();

    public static TheoryData<Classification, bool, AgreementCase, bool> Table()
    {
        var table = new TheoryData<Classification, bool, AgreementCase, bool>();
        foreach (var classification in Enum.GetValues<Classification>())
        {
            foreach (var own in new[] { true, false })
            {
                foreach (var agreement in Enum.GetValues<AgreementCase>())
                {
                    // Own state: always. Across a border: never for strategic data; otherwise only under an agreement that allows the classification.
                    var allowed = own || (classification != Classification.Strategic && agreement == AgreementCase.PresentAllowing);
                    table.Add(classification, own, agreement, allowed);
                }
            }
        }
        return table;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void A_facility_is_allowed_exactly_when_the_rules_say_so(Classification classification, bool ownState, AgreementCase agreement, bool expected)
    {
        var agencyState = ownState ? "ML" : "NE";
        var facility = new KnownFacility { FacilityId = Bamako, Code = "ML-BKO-1", StateCode = "ML", Status = "open" };
        var agreementId = Guid.NewGuid();
        var others = Enum.GetValues<Classification>().Where(c => c != classification && c != Classification.Strategic).ToList();
        AgreementTerms[] agreements = agreement switch
        {
            AgreementCase.Absent => [],
            AgreementCase.PresentNotAllowing => [new(agreementId, Bamako, agencyState, others)],
            _ => [new(agreementId, Bamako, agencyState, [classification])],
        };

        var verdict = Residency.Evaluate(classification, agencyState, facility, agreements);

        Assert.Equal(expected, verdict.Allowed);
        Assert.NotEmpty(verdict.ReasonFr);
        Assert.NotEmpty(verdict.ReasonEn);
        Assert.Equal(expected && !ownState ? agreementId : null, verdict.AgreementId);
    }

    [Fact]
    public void Strategic_data_stays_home_even_under_an_agreement_that_names_it()
    {
        var facility = new KnownFacility { FacilityId = Bamako, Code = "ML-BKO-1", StateCode = "ML", Status = "open" };

        var verdict = Residency.Evaluate(Classification.Strategic, "NE", facility, [new(Guid.NewGuid(), Bamako, "NE", Enum.GetValues<Classification>())]);

        Assert.False(verdict.Allowed);
        Assert.Contains("strategic", verdict.ReasonEn);
    }

    [Fact]
    public void A_state_without_an_open_facility_is_told_so_with_the_planned_one_whose_opening_would_unblock_it()
    {
        KnownFacility[] facilities =
        [
            new() { FacilityId = Bamako, Code = "ML-BKO-1", StateCode = "ML", Status = "open" },
            new() { FacilityId = Guid.NewGuid(), Code = "NE-NIM-1", StateCode = "NE", Status = "planned" },
        ];

        var strategic = Residency.NoFacilityAllowed(Classification.Strategic, "NE", facilities);
        Assert.Equal("NE has no open national facility yet (NE-NIM-1: planned); strategic data never leaves its state: the request waits for the opening of NE-NIM-1.", strategic.En);
        Assert.Equal("NE n'a pas encore de centre national ouvert (NE-NIM-1 : prévu) ; les données stratégiques ne quittent jamais leur État : la demande attend l'ouverture de NE-NIM-1.", strategic.Fr);
        Assert.Contains("or such an agreement", Residency.NoFacilityAllowed(Classification.Internal, "NE", facilities).En);
        Assert.Contains("none planned", Residency.NoFacilityAllowed(Classification.Strategic, "NE", facilities[..1]).En);
        // A state with a facility of its own open is always allowed there: the generic reason is only for what residency can still refuse.
        Assert.Equal("no facility is allowed for strategic data of ML.", Residency.NoFacilityAllowed(Classification.Strategic, "ML", facilities).En);
        Assert.Contains("(prévu)", Residency.Evaluate(Classification.Internal, "NE", facilities[1], []).ReasonFr);
    }

    [Fact]
    public void An_agreement_for_another_guest_or_another_facility_does_not_count()
    {
        var facility = new KnownFacility { FacilityId = Bamako, Code = "ML-BKO-1", StateCode = "ML", Status = "open" };

        Assert.False(Residency.Evaluate(Classification.Internal, "NE", facility, [new(Guid.NewGuid(), Bamako, "BF", [Classification.Internal])]).Allowed);
        Assert.False(Residency.Evaluate(Classification.Internal, "NE", facility, [new(Guid.NewGuid(), Guid.NewGuid(), "NE", [Classification.Internal])]).Allowed);
    }

    [Theory]
    [InlineData("planned")]
    [InlineData("closed")]
    public void A_facility_that_is_not_open_is_never_allowed_even_at_home(string status)
    {
        var facility = new KnownFacility { FacilityId = Guid.NewGuid(), Code = "NE-NIM-1", StateCode = "NE", Status = status };

        var verdict = Residency.Evaluate(Classification.Strategic, "NE", facility, []);

        Assert.False(verdict.Allowed);
        Assert.Contains(status, verdict.ReasonEn);
    }

    [Fact]
    public void Auto_approval_never_covers_strategic_data_and_keeps_to_its_limits_by_class()
    {
        static ResourceVector Size(long vcpu, long memoryGib = 4, long gpus = 0) =>
            ResourceVector.Standard(vcpu, memoryGib, 40, 1).Add(ResourceVector.Of(("gpu_a100_80g", gpus)));
        var policy = new AutoApprovalPolicy
        {
            StateCode = "ML", Enabled = true, MaxPerRequest = ResourceVector.Of(("vcpu", 8), ("memory_gib", 32)), Classifications = "strategic,internal,public",
        };

        Assert.False(policy.Approves(Classification.Strategic, Size(1)));
        Assert.True(policy.Approves(Classification.Internal, Size(8, memoryGib: 32)));
        Assert.False(policy.Approves(Classification.Internal, Size(9)));
        Assert.False(policy.Approves(Classification.Internal, Size(2, memoryGib: 33)));
        Assert.True(policy.Approves(Classification.Internal, ResourceVector.Standard(2, 4, 60_000, 1))); // storage and addresses left out: not bounded
        Assert.False(policy.Approves(Classification.Sensitive, Size(1)));
        Assert.False(policy.Approves(Classification.Internal, Size(8, gpus: 1))); // a GPU class left out goes to a person
        Assert.False(policy.Approves(Classification.Internal, Size(1).Add(ResourceVector.Of(("gpu_l40s", 1))))); // so does a class added tomorrow

        var withGpus = new AutoApprovalPolicy
        {
            StateCode = "ML", Enabled = true, MaxPerRequest = ResourceVector.Of(("vcpu", 24), ("gpu_a100_80g", 2)), Classifications = "internal",
        };
        Assert.True(withGpus.Approves(Classification.Internal, Size(12, gpus: 2)));
        Assert.False(withGpus.Approves(Classification.Internal, Size(12, gpus: 3)));
        Assert.False(new AutoApprovalPolicy { StateCode = "ML", Enabled = false, MaxPerRequest = ResourceVector.Of(("vcpu", 8)), Classifications = "internal" }.Approves(Classification.Internal, Size(1)));
    }
}
