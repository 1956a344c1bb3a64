using Aes.Tenancy.Data;
using Aes.Tenancy.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Aes.Tenancy.Tests;

/// <summary>The issuer's lock on password guessing: per account and per address, over a sliding window.</summary>
public sealed class SignInThrottleTests() : TenancyDatabaseTests(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero))
{
    private SignInThrottle _throttle = null!;

    protected override Task SeedAsync()
    {
        _throttle = new SignInThrottle(_db, _clock, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Identity:SignInThrottle:AccountFailures"] = "3",
            ["Identity:SignInThrottle:AddressFailures"] = "5",
            ["Identity:SignInThrottle:Window"] = "00:10:00",
        }).Build());
        return Task.CompletedTask;
    }

    private async Task FailAsync(string user, string address, int times, TimeSpan apart)
    {
        for (var i = 0; i < times; i++)
        {
            await _throttle.RecordFailureAsync(user, address, default);
            _clock.Advance(apart);
        }
    }

    [Fact]
    public async Task An_account_locks_at_its_limit_until_its_oldest_failure_leaves_the_window_whatever_the_case_of_its_name()
    {
        var first = _clock.GetUtcNow().UtcDateTime;
        await FailAsync("op.ml", "10.0.0.1", 2, TimeSpan.FromMinutes(1));
        Assert.Null(await _throttle.LockOfAsync("op.ml", "10.0.0.2", default));

        await FailAsync("OP.ML ", "10.0.0.2", 1, TimeSpan.FromMinutes(1));
        var locked = await _throttle.LockOfAsync("op.ml", "10.0.0.3", default);
        Assert.NotNull(locked);
        Assert.True(locked.OnAccount);
        Assert.Equal(first + TimeSpan.FromMinutes(10), locked.UntilUtc);
        Assert.Null(await _throttle.LockOfAsync("op.bf", "10.0.0.3", default));

        _clock.SetUtcNow(new DateTimeOffset(first + TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1), TimeSpan.Zero));
        Assert.Null(await _throttle.LockOfAsync("op.ml", "10.0.0.3", default));
    }

    [Fact]
    public async Task An_address_locks_across_accounts_and_a_right_password_clears_only_its_account()
    {
        for (var i = 0; i < 5; i++)
        {
            await _throttle.RecordFailureAsync($"guess-{i}", "10.0.0.9", default);
        }
        var locked = await _throttle.LockOfAsync("op.ml", "10.0.0.9", default);
        Assert.NotNull(locked);
        Assert.False(locked.OnAccount);
        Assert.Null(await _throttle.LockOfAsync("op.ml", "10.0.0.8", default));

        await FailAsync("op.ne", "10.0.0.7", 2, TimeSpan.Zero);
        await _throttle.ForgetAccountAsync("op.ne", default);
        await FailAsync("op.ne", "10.0.0.7", 2, TimeSpan.Zero);
        Assert.Null(await _throttle.LockOfAsync("op.ne", "10.0.0.6", default));
        Assert.NotNull(await _throttle.LockOfAsync("guess-0", "10.0.0.9", default));
    }

    [Fact]
    public async Task Failures_older_than_the_window_are_deleted_so_the_table_stays_small()
    {
        await FailAsync("op.ml", "10.0.0.1", 2, TimeSpan.FromMinutes(11));
        Assert.Equal(2, await _db.SignInFailures.CountAsync());
    }
}
