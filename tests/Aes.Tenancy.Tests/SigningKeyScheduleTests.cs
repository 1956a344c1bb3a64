using Aes.Tenancy.Identity;
using Microsoft.Extensions.Configuration;

namespace Aes.Tenancy.Tests;

/// <summary>When the issuer makes, uses, publishes and forgets its signing keys.</summary>
public sealed class SigningKeyScheduleTests
{
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly SigningKeySettings Settings = new(
        RotationPeriod: TimeSpan.FromDays(30), Prepublication: TimeSpan.FromDays(1), RetiredKeptFor: TimeSpan.FromDays(15), CheckInterval: TimeSpan.FromHours(1));

    [Fact]
    public void The_first_key_signs_at_once_and_no_second_is_made_before_its_prepublication()
    {
        Assert.Equal((1, Start), SigningKeySchedule.Next([], Start, Settings));
        ScheduledKey[] keys = [new("aes-1", 1, Start)];
        Assert.Equal("aes-1", SigningKeySchedule.Signing(keys, Start)!.Id);
        Assert.Null(SigningKeySchedule.Next(keys, Start.AddDays(28.9), Settings));
        Assert.Equal((2, Start.AddDays(30)), SigningKeySchedule.Next(keys, Start.AddDays(29), Settings));
    }

    [Fact]
    public void The_next_key_is_published_a_day_before_it_signs_and_the_old_one_until_its_tokens_expire()
    {
        ScheduledKey[] keys = [new("aes-1", 1, Start), new("aes-2", 2, Start.AddDays(30))];

        // Made on day 29: published, not signing, and no third one yet.
        var day29 = Start.AddDays(29);
        Assert.Equal("aes-1", SigningKeySchedule.Signing(keys, day29)!.Id);
        Assert.Equal(["aes-1", "aes-2"], SigningKeySchedule.Published(keys, day29, Settings).Select(k => k.Id));
        Assert.Null(SigningKeySchedule.Next(keys, day29, Settings));

        // Day 30: the new one signs; the old one is still published for the tokens it signed.
        var day30 = Start.AddDays(30);
        Assert.Equal("aes-2", SigningKeySchedule.Signing(keys, day30)!.Id);
        Assert.Equal(["aes-2", "aes-1"], SigningKeySchedule.Published(keys, day30, Settings).Select(k => k.Id));
        Assert.Empty(SigningKeySchedule.Expired(keys, day30.AddDays(14.9), Settings));

        // Fifteen days after it stopped signing, nothing it signed can be alive: it goes.
        var day45 = Start.AddDays(45);
        Assert.Equal(["aes-2"], SigningKeySchedule.Published(keys, day45, Settings).Select(k => k.Id));
        Assert.Equal(["aes-1"], SigningKeySchedule.Expired(keys, day45, Settings).Select(k => k.Id));
    }

    [Fact]
    public void An_issuer_back_after_a_long_stop_publishes_a_new_key_before_using_it()
    {
        ScheduledKey[] keys = [new("aes-1", 1, Start)];
        var muchLater = Start.AddDays(90);
        // Overdue: still published a full day before it signs, never used the moment it is made.
        Assert.Equal((2, muchLater.AddDays(1)), SigningKeySchedule.Next(keys, muchLater, Settings));
    }

    [Fact]
    public void Settings_that_would_sign_with_an_unpublished_key_are_refused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Identity:SigningKeys:RotationPeriod"] = "1.00:00:00", ["Identity:SigningKeys:Prepublication"] = "2.00:00:00",
        }).Build();
        Assert.Contains("Prepublication", Assert.Throws<InvalidOperationException>(() => SigningKeySettings.From(configuration)).Message);
    }
}
