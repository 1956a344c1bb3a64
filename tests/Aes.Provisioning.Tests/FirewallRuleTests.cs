using Aes.Provisioning.Application;
using Aes.Provisioning.Drivers;
using Aes.ServiceDefaults.Errors;

namespace Aes.Provisioning.Tests;

/// <summary>An agency administrator's firewall rules: what is accepted, normalised, and what is refused by field, in French and English.</summary>
public sealed class FirewallRuleTests
{
    [Fact]
    public void Good_rules_are_kept_once_with_their_protocol_in_lower_case()
    {
        var rules = FirewallRules.Validate([("TCP", 443, 443, "0.0.0.0/0"), ("tcp", 80, 80, "0.0.0.0/0"), ("udp", 5000, 5010, "10.20.0.0/16"),
            ("icmp", 0, 0, "196.200.16.0/24"), ("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 22, 22, "2001:db8::/32")], openConfirmed: false);
        Assert.Equal([new FirewallRule("tcp", 443, 443, "0.0.0.0/0"), new("tcp", 80, 80, "0.0.0.0/0"), new("udp", 5000, 5010, "10.20.0.0/16"),
            new("icmp", 0, 0, "196.200.16.0/24"), new("tcp", 22, 22, "2001:db8::/32")], rules);
    }

    public static TheoryData<string, int, int, string, string, string> Refused => new()
    {
        { "gre", 0, 0, "10.0.0.0/8", "rules[0].protocol", "tcp, udp ou icmp" },
        { "tcp", 0, 22, "10.0.0.0/8", "rules[0].port_min", "ports de 1 à 65 535" },
        { "tcp", 23, 22, "10.0.0.0/8", "rules[0].port_min", "le premier au plus égal au dernier" },
        { "udp", 1, 70_000, "10.0.0.0/8", "rules[0].port_min", "ports de 1 à 65 535" },
        { "icmp", 8, 8, "10.0.0.0/8", "rules[0].port_min", "icmp n'a pas de port" },
        { "tcp", 22, 22, "10.0.0.1/8", "rules[0].source_cidr", "bits d'hôte" },
        { "tcp", 22, 22, "10.0.0.0", "rules[0].source_cidr", "n'est pas un réseau CIDR" },
        { "tcp", 22, 22, "ici", "rules[0].source_cidr", "n'est pas un réseau CIDR" },
        { "tcp", 22, 22, "0.0.0.0/0", "rules[0].source_cidr", "tout Internet" },
        { "tcp", 80, 443, "0.0.0.0/0", "rules[0].source_cidr", "tout Internet" },
        { "udp", 443, 443, "0.0.0.0/0", "rules[0].source_cidr", "tout Internet" },
        { "tcp", 3389, 3389, "::/0", "rules[0].source_cidr", "tout Internet" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Bad_rules_are_refused_naming_the_field(string protocol, int min, int max, string source, string field, string because)
    {
        var refused = Assert.Throws<InvalidFieldException>(() => FirewallRules.Validate([(protocol, min, max, source)], openConfirmed: false));
        Assert.Equal(field, refused.Field);
        Assert.Contains(because, refused.Bilingual.French, StringComparison.Ordinal);
        Assert.NotEqual(refused.Bilingual.French, refused.Bilingual.English);
    }

    [Fact]
    public void The_whole_internet_on_another_port_than_80_or_443_needs_the_confirmation()
    {
        Assert.Equal([new FirewallRule("tcp", 22, 22, "0.0.0.0/0")], FirewallRules.Validate([("tcp", 22, 22, "0.0.0.0/0")], openConfirmed: true));
        Assert.Equal("source_cidrs", Assert.Throws<InvalidFieldException>(() => FirewallRules.ValidateSshRanges(["196.200.16.0/24", "0.0.0.0/0"], false)).Field);
        Assert.Equal(["196.200.16.0/24", "0.0.0.0/0"], FirewallRules.ValidateSshRanges(["196.200.16.0/24", " 0.0.0.0/0 "], true));
        Assert.Equal("source_cidrs[1]", Assert.Throws<InvalidFieldException>(() => FirewallRules.ValidateSshRanges(["196.200.16.0/24", "196.200.16.1/24"], false)).Field);
        Assert.Equal("rules", Assert.Throws<InvalidFieldException>(() =>
            FirewallRules.Validate(Enumerable.Range(1, 51).Select(p => ("tcp", p, p, "10.0.0.0/8")).ToList(), false)).Field);
    }

    [Fact]
    public void The_digest_names_the_rules_whatever_their_order()
    {
        FirewallRule[] rules = [new("tcp", 22, 22, "10.0.0.0/8"), new("tcp", 443, 443, "0.0.0.0/0")];
        Assert.Equal(FirewallRules.Digest(rules), FirewallRules.Digest(rules.Reverse().ToList()));
        Assert.NotEqual(FirewallRules.Digest(rules), FirewallRules.Digest(rules[..1]));
    }
}
