namespace Aes.Tenancy.Identity;

/// <summary>One refused sign-in, filed under the account tried and under the address it came from.</summary>
public sealed class SignInFailure
{
    public long Id { get; init; }
    /// <summary>"account:&lt;user name, lower case&gt;" or "address:&lt;IP&gt;".</summary>
    public required string Key { get; init; }
    public DateTime At { get; init; }
}

/// <summary>
/// Slows password guessing at the issuer's sign-in page: so many refusals for one account, or from one
/// address, within the window lock it until the oldest of them leaves the window. Failures are rows, not a
/// counter, so replicas refusing at the same moment all count. Names that match no user are counted like
/// real ones, so the lock tells nothing about which accounts exist.
/// </summary>
public sealed class SignInThrottle(TenancyDbContext db, TimeProvider clock, IConfiguration configuration)
{
    private readonly int _accountFailures = configuration.GetValue("Identity:SignInThrottle:AccountFailures", 5);
    private readonly int _addressFailures = configuration.GetValue("Identity:SignInThrottle:AddressFailures", 20);
    private readonly TimeSpan _window = configuration.GetValue("Identity:SignInThrottle:Window", TimeSpan.FromMinutes(15));

    public sealed record Lock(DateTime UntilUtc, bool OnAccount);

    public async Task<Lock?> LockOfAsync(string userName, string address, CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow().UtcDateTime - _window;
        if (await UntilAsync(AccountKey(userName), _accountFailures, since, cancellationToken) is { } accountUntil)
        {
            return new Lock(accountUntil, OnAccount: true);
        }
        return await UntilAsync(AddressKey(address), _addressFailures, since, cancellationToken) is { } addressUntil
            ? new Lock(addressUntil, OnAccount: false)
            : null;
    }

    public async Task RecordFailureAsync(string userName, string address, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        db.AddRange(new SignInFailure { Key = AccountKey(userName), At = now }, new SignInFailure { Key = AddressKey(address), At = now });
        await db.SaveChangesAsync(cancellationToken);
        var expired = now - _window;
        await db.Set<SignInFailure>().Where(failure => failure.At < expired).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The right password clears the account's count; the address keeps its own.</summary>
    public Task ForgetAccountAsync(string userName, CancellationToken cancellationToken) =>
        db.Set<SignInFailure>().Where(failure => failure.Key == AccountKey(userName)).ExecuteDeleteAsync(cancellationToken);

    private async Task<DateTime?> UntilAsync(string key, int limit, DateTime since, CancellationToken cancellationToken)
    {
        var recent = await db.Set<SignInFailure>().AsNoTracking()
            .Where(failure => failure.Key == key && failure.At > since)
            .OrderByDescending(failure => failure.At).Select(failure => failure.At).Take(limit)
            .ToListAsync(cancellationToken);
        return recent.Count < limit ? null : DateTime.SpecifyKind(recent[^1], DateTimeKind.Utc) + _window;
    }

    private static string AccountKey(string userName) => "account:" + userName.Trim().ToLowerInvariant();

    private static string AddressKey(string address) => "address:" + address;
}
