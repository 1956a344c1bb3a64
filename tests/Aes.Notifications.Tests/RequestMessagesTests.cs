using Aes.Notifications.Application;
using Aes.Notifications.Domain;

namespace Aes.Notifications.Tests;

/// <summary>Which changes of a request its requester is told of, and what the messages say in each language.</summary>
public sealed class RequestMessagesTests
{
    private static readonly Guid Request = Guid.Parse("0193a5c4-1111-7000-8000-000000000001");

    [Theory]
    [InlineData("approved", null, "La demande 00000001 est approuvée")]
    [InlineData("rejected", "awaiting_approval", "La demande 00000001 est rejetée")]
    [InlineData("active", "provisioning", "La demande 00000001 est active : ses VM fonctionnent")]
    [InlineData("failed", "provisioning", "La demande 00000001 a échoué")]
    [InlineData("expired", "awaiting_approval", "La demande 00000001 a expiré sans décision")]
    [InlineData("waiting_for_capacity", "submitted", "La demande 00000001 attend de la capacité")]
    [InlineData("awaiting_approval", "waiting_for_capacity", "La demande 00000001 a trouvé de la capacité après attente")]
    [InlineData("provisioning", "waiting_for_capacity", "La demande 00000001 a trouvé de la capacité après attente")]
    public void The_requester_is_told_what_they_must_know(string status, string? previous, string subject) =>
        Assert.Equal(subject, RequestMessages.StatusChanged(Languages.French, Request, status, previous, "motif", "reason", "https://marche.aes.test")?.Subject);

    [Theory]
    [InlineData("submitted", null)]
    [InlineData("awaiting_approval", "submitted")]
    [InlineData("awaiting_approval", "awaiting_approval")]
    [InlineData("provisioning", "approved")]
    [InlineData("decommissioned", "active")]
    public void The_steps_between_are_not_told(string status, string? previous) =>
        Assert.Null(RequestMessages.StatusChanged(Languages.French, Request, status, previous, "", "", "https://marche.aes.test"));

    [Fact]
    public void A_message_in_english_gives_the_reason_in_english_and_links_to_the_request()
    {
        var message = RequestMessages.StatusChanged(Languages.English, Request, "rejected", "awaiting_approval", "justification insuffisante",
            "not justified", "https://marche.aes.test/")!;
        Assert.Equal("Request 00000001 is rejected", message.Subject);
        Assert.Contains("Reason: not justified", message.Text);
        Assert.DoesNotContain("insuffisante", message.Text);
        Assert.Contains($"https://marche.aes.test/demandes/{Request}", message.Text);
    }

    [Fact]
    public void A_reason_written_by_someone_is_encoded_in_the_html()
    {
        var message = RequestMessages.StatusChanged(Languages.French, Request, "rejected", null, "<script>alert(1)</script> & co", "", "https://marche.aes.test")!;
        Assert.DoesNotContain("<script>", message.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", message.Html);
    }

    [Fact]
    public void The_host_operators_message_names_both_states_and_the_holds_expiry()
    {
        var message = RequestMessages.ApprovalAwaited(Languages.English, Request, "host", "Mali", "Niger", new DateTime(2026, 12, 7, 8, 30, 0, DateTimeKind.Utc),
            "https://marche.aes.test");
        Assert.Equal("Request 00000001 awaits your approval", message.Subject);
        Assert.Contains("from an agency of Niger, approved by its state, awaits your approval as an operator of the host state (Mali)", message.Text);
        Assert.Contains("released on 2026-12-07 08:30 UTC", message.Text);
        Assert.Contains("https://marche.aes.test/operateur/approbations", message.Text);
    }
}
