using Aes.ServiceDefaults.Errors;
using Aes.Tenancy.Domain;

namespace Aes.Tenancy.Tests;

public sealed class AgreementTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly User HostOperator = Operator("BF");
    private static readonly User GuestOperator = Operator("NE");

    private static User Operator(string state) => new()
    {
        Id = Guid.NewGuid(), UserName = $"op.{state.ToLowerInvariant()}", DisplayName = state,
        Roles = [new RoleAssignment(Role.StateOperator, state, null)],
    };

    private static Agreement Draft() => new()
    {
        Id = Guid.NewGuid(), Reference = "AES-BF-NE-2026-TEST", HostStateCode = "BF", FacilityId = Guid.NewGuid(), GuestStateCode = "NE",
        Slice = Aes.Contracts.ResourceVector.Standard(512, 2048, 0, 0), AllowedClassifications = [DataClassification.Internal, DataClassification.Public],
        PriceTerms = PriceTerms.ListPrice, StartsAt = Start, EndsAt = Start.AddYears(1),
    };

    [Fact]
    public void The_host_signs_then_the_guest_and_the_agreement_activates_at_its_start()
    {
        var agreement = Draft();

        Assert.Equal("BF", agreement.Sign(HostOperator, Start.AddDays(-10)));
        Assert.Equal(AgreementStatus.SignedByHost, agreement.Status);
        Assert.Equal("NE", agreement.Sign(GuestOperator, Start.AddDays(-5)));
        Assert.Equal(AgreementStatus.SignedByGuest, agreement.Status);

        Assert.Null(agreement.Advance(Start.AddSeconds(-1)));
        Assert.Equal(AgreementStatus.Active, agreement.Advance(Start));
        Assert.Null(agreement.Advance(Start.AddDays(1)));
    }

    [Fact]
    public void An_active_agreement_expires_at_its_end()
    {
        var agreement = Draft();
        agreement.Sign(HostOperator, Start);
        agreement.Sign(GuestOperator, Start);
        agreement.Advance(Start);

        Assert.Equal(AgreementStatus.Expired, agreement.Advance(Start.AddYears(1)));
        Assert.Equal(Start.AddYears(1), agreement.EndedAt);
        Assert.True(agreement.IsEnded);
    }

    [Fact]
    public void A_signed_agreement_whose_end_passed_before_activation_expires_without_activating()
    {
        var agreement = Draft();
        agreement.Sign(HostOperator, Start);
        agreement.Sign(GuestOperator, Start);

        Assert.Equal(AgreementStatus.Expired, agreement.Advance(Start.AddYears(2)));
    }

    [Fact]
    public void A_draft_never_activates_by_itself()
    {
        var agreement = Draft();
        Assert.Null(agreement.Advance(Start.AddDays(1)));
        agreement.Sign(HostOperator, Start);
        Assert.Null(agreement.Advance(Start.AddDays(1)));
        Assert.Equal(AgreementStatus.SignedByHost, agreement.Status);
    }

    [Fact]
    public void The_guest_cannot_sign_first()
    {
        var agreement = Draft();
        Assert.Throws<RuleViolationException>(() => agreement.Sign(GuestOperator, Start));
        Assert.Equal(AgreementStatus.Draft, agreement.Status);
    }

    [Fact]
    public void An_operator_of_a_third_state_cannot_sign()
    {
        var agreement = Draft();
        Assert.Throws<ForbiddenException>(() => agreement.Sign(Operator("ML"), Start));
        agreement.Sign(HostOperator, Start);
        Assert.Throws<ForbiddenException>(() => agreement.Sign(Operator("ML"), Start));
        Assert.Throws<ForbiddenException>(() => agreement.Sign(HostOperator, Start));
    }

    [Fact]
    public void An_ended_agreement_can_be_neither_signed_nor_terminated_again()
    {
        var agreement = Draft();
        agreement.Terminate("Annulé", Start);

        Assert.Equal(AgreementStatus.Terminated, agreement.Status);
        Assert.Throws<RuleViolationException>(() => agreement.Sign(HostOperator, Start));
        Assert.Throws<RuleViolationException>(() => agreement.Terminate("encore", Start));
        Assert.Null(agreement.Advance(Start.AddDays(1)));
    }

    [Fact]
    public void Each_change_bumps_the_version_used_for_optimistic_concurrency()
    {
        var agreement = Draft();
        agreement.Sign(HostOperator, Start);
        agreement.Sign(GuestOperator, Start);
        agreement.Advance(Start);
        Assert.Equal(3, agreement.Version);
    }
}
