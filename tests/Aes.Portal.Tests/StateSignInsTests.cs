using Aes.Portal.Web;
using Microsoft.Extensions.Configuration;

namespace Aes.Portal.Tests;

/// <summary>Which states' own providers the portal offers at sign-in, read from the trusted issuers' settings; a setting that cannot work stops the start.</summary>
public sealed class StateSignInsTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] entries) => new ConfigurationBuilder()
        .AddInMemoryCollection(entries.Select(e => KeyValuePair.Create<string, string?>(e.Key, e.Value)).Append(KeyValuePair.Create<string, string?>("Identity:Authority", "http://127.0.0.1:5101/")))
        .Build();

    [Fact]
    public void A_state_provider_with_a_portal_client_is_offered_with_its_own_return_address_and_one_without_is_only_trusted()
    {
        var states = StateSignIns.From(Settings(
            ("Identity:TrustedIssuers:BF:Issuer", "http://127.0.0.1:9001"), ("Identity:TrustedIssuers:BF:State", "BF"),
            ("Identity:TrustedIssuers:BF:PortalClientId", "aes-portal"), ("Identity:TrustedIssuers:BF:PortalClientSecret", "s3cret"),
            ("Identity:TrustedIssuers:ml:Issuer", "http://127.0.0.1:9002/"), ("Identity:TrustedIssuers:ml:State", "ML")));

        var burkina = Assert.Single(states);
        Assert.Equal(("bf", "BF", "aes-portal", "s3cret"), (burkina.Key, burkina.StateCode, burkina.ClientId, burkina.ClientSecret));
        Assert.Equal("http://127.0.0.1:9001/", burkina.Issuer.Issuer);
        Assert.Equal(["aes"], burkina.Scopes);
        Assert.Equal("aes-browser-oidc-bf", burkina.Scheme);
        Assert.Same(burkina, states.For("bf"));
        Assert.Null(states.For("ML"));
        Assert.Null(states.For("AES"));
    }

    [Fact]
    public void The_scopes_asked_of_a_states_provider_are_its_own_when_given()
    {
        var states = StateSignIns.From(Settings(
            ("Identity:TrustedIssuers:bf:Issuer", "http://127.0.0.1:9001"), ("Identity:TrustedIssuers:bf:State", "BF"),
            ("Identity:TrustedIssuers:bf:PortalClientId", "aes-portal"), ("Identity:TrustedIssuers:bf:PortalClientSecret", "s3cret"),
            ("Identity:TrustedIssuers:bf:PortalScopes:0", "aes-marketplace"), ("Identity:TrustedIssuers:bf:PortalScopes:1", "email")));

        Assert.Equal(["aes-marketplace", "email"], Assert.Single(states).Scopes);
    }

    [Theory]
    [InlineData("", "aes-portal", "s3cret", "set its State")]
    [InlineData("BF", "aes-portal", "", "PortalClientSecret")]
    public void A_portal_client_at_a_provider_trusted_for_no_state_or_without_its_secret_stops_the_start(string state, string clientId, string secret, string reason)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => StateSignIns.From(Settings(
            ("Identity:TrustedIssuers:bf:Issuer", "http://127.0.0.1:9001"), ("Identity:TrustedIssuers:bf:State", state),
            ("Identity:TrustedIssuers:bf:PortalClientId", clientId), ("Identity:TrustedIssuers:bf:PortalClientSecret", secret))));
        Assert.Contains(reason, failure.Message);
    }

    [Fact]
    public void Two_providers_offered_for_one_state_stop_the_start_as_the_person_could_not_tell_which_is_theirs()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => StateSignIns.From(Settings(
            ("Identity:TrustedIssuers:a:Issuer", "http://127.0.0.1:9001"), ("Identity:TrustedIssuers:a:State", "BF"),
            ("Identity:TrustedIssuers:a:PortalClientId", "aes-portal"), ("Identity:TrustedIssuers:a:PortalClientSecret", "s3cret"),
            ("Identity:TrustedIssuers:b:Issuer", "http://127.0.0.1:9003"), ("Identity:TrustedIssuers:b:State", "BF"),
            ("Identity:TrustedIssuers:b:PortalClientId", "aes-portal"), ("Identity:TrustedIssuers:b:PortalClientSecret", "s3cret"))));
        Assert.Contains("Two providers", failure.Message);
    }

    [Fact]
    public void A_provider_trusted_under_two_entries_is_offered_for_the_state_of_the_entry_that_carries_the_portal_client()
    {
        var states = StateSignIns.From(Settings(
            ("Identity:TrustedIssuers:ml:Issuer", "http://127.0.0.1:9001"), ("Identity:TrustedIssuers:ml:State", "ML"),
            ("Identity:TrustedIssuers:bf:Issuer", "http://127.0.0.1:9001/"), ("Identity:TrustedIssuers:bf:State", "BF"),
            ("Identity:TrustedIssuers:bf:PortalClientId", "aes-portal"), ("Identity:TrustedIssuers:bf:PortalClientSecret", "s3cret")));

        var offered = Assert.Single(states);
        Assert.Equal(("BF", "BF"), (offered.StateCode, offered.Issuer.State));
    }

    [Fact]
    public void A_key_that_cannot_be_part_of_a_return_address_stops_the_start()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => StateSignIns.From(Settings(
            ("Identity:TrustedIssuers:b f/x:Issuer", "http://127.0.0.1:9001"), ("Identity:TrustedIssuers:b f/x:State", "BF"),
            ("Identity:TrustedIssuers:b f/x:PortalClientId", "aes-portal"), ("Identity:TrustedIssuers:b f/x:PortalClientSecret", "s3cret"))));
        Assert.Contains("return address", failure.Message);
    }
}
