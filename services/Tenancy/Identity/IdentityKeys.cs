using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Aes.Tenancy.Identity;

/// <summary>A key the issuer kept in the clear before keys were protected: read once, moved to <see cref="IssuerKey"/>, deleted.</summary>
public sealed class IdentityKey
{
    public const string Signing = "signing-rsa";
    public const string Encryption = "encryption-aes";

    public required string Purpose { get; init; }
    /// <summary>PKCS#8 (RSA) or raw (AES) key bytes, base64.</summary>
    public required string Material { get; init; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// A key the issuer signs or encrypts with, in tenancy's database so every replica and restart uses the same;
/// its material is protected by tenancy's Data Protection key ring (itself encrypted to the key-ring certificate),
/// so a copy of the database alone holds no usable key.
/// </summary>
public sealed class IssuerKey
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";

    /// <summary>The key's <c>kid</c>.</summary>
    public required string Id { get; init; }
    public required string Purpose { get; init; }
    /// <summary>1, 2, 3… per purpose: one replica only creates each generation.</summary>
    public int Generation { get; init; }
    /// <summary>PKCS#8 (RSA) or raw (AES) key bytes, protected, base64.</summary>
    public required string Material { get; init; }
    public DateTime CreatedAt { get; init; }
    /// <summary>When it starts signing: published before, so every service has it before the first token it signs.</summary>
    public DateTime ActivatesAt { get; init; }
}

/// <summary>Identity:SigningKeys:* — how signing keys rotate.</summary>
public sealed record SigningKeySettings(TimeSpan RotationPeriod, TimeSpan Prepublication, TimeSpan RetiredKeptFor, TimeSpan CheckInterval)
{
    public static SigningKeySettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Identity:SigningKeys");
        var settings = new SigningKeySettings(
            section.GetValue("RotationPeriod", TimeSpan.FromDays(30)),
            // Longer than a service's automatic refresh of the issuer's keys (12 h): every service has the next key before it signs.
            section.GetValue("Prepublication", TimeSpan.FromDays(1)),
            // As long as the longest-lived token it signed (a refresh token lasts 14 days).
            section.GetValue("RetiredKeptFor", TimeSpan.FromDays(15)),
            section.GetValue("CheckInterval", TimeSpan.FromHours(1)));
        return settings.Prepublication > TimeSpan.Zero && settings.RotationPeriod > settings.Prepublication
            && settings.RetiredKeptFor > TimeSpan.Zero && settings.CheckInterval > TimeSpan.Zero
            ? settings
            : throw new InvalidOperationException(
                "Identity:SigningKeys: RotationPeriod must be longer than Prepublication, and every duration positive.");
    }
}

/// <summary>A signing key as the schedule sees it.</summary>
public sealed record ScheduledKey(string Id, int Generation, DateTime ActivatesAt);

/// <summary>
/// Which signing key signs, which are published, when the next is made and when a retired one goes. The newest
/// active key signs; the next is made <see cref="SigningKeySettings.Prepublication"/> before its turn and published
/// at once; a retired key stays published <see cref="SigningKeySettings.RetiredKeptFor"/> after its successor took
/// over, so every token it signed is checked until it expires.
/// </summary>
public static class SigningKeySchedule
{
    public static ScheduledKey? Signing(IReadOnlyCollection<ScheduledKey> keys, DateTime now) =>
        keys.Where(k => k.ActivatesAt <= now).MaxBy(k => k.Generation) ?? keys.MinBy(k => k.Generation);

    /// <summary>The generation to make now and when it will sign, or null when none is due.</summary>
    public static (int Generation, DateTime ActivatesAt)? Next(IReadOnlyCollection<ScheduledKey> keys, DateTime now, SigningKeySettings settings)
    {
        if (keys.Count == 0)
        {
            return (1, now); // nothing was ever signed: the first key signs at once
        }
        var newest = keys.MaxBy(k => k.Generation)!;
        if (newest.ActivatesAt > now)
        {
            return null; // the next one is already published and waiting for its turn
        }
        var turn = newest.ActivatesAt + settings.RotationPeriod;
        return now >= turn - settings.Prepublication ? (newest.Generation + 1, Max(turn, now + settings.Prepublication)) : null;
    }

    /// <summary>The keys to publish, the signing one first.</summary>
    public static IReadOnlyList<ScheduledKey> Published(IReadOnlyCollection<ScheduledKey> keys, DateTime now, SigningKeySettings settings)
    {
        if (Signing(keys, now) is not { } signing)
        {
            return [];
        }
        return [signing, .. keys.Where(k => k != signing && (k.Generation > signing.Generation || RetiredUntil(keys, k, settings) > now))
            .OrderByDescending(k => k.Generation)];
    }

    /// <summary>Retired keys no token they signed can still need.</summary>
    public static IReadOnlyList<ScheduledKey> Expired(IReadOnlyCollection<ScheduledKey> keys, DateTime now, SigningKeySettings settings)
    {
        var published = Published(keys, now, settings);
        return [.. keys.Where(k => !published.Contains(k))];
    }

    private static DateTime RetiredUntil(IReadOnlyCollection<ScheduledKey> keys, ScheduledKey key, SigningKeySettings settings) =>
        keys.Where(k => k.Generation > key.Generation).MinBy(k => k.Generation) is { } successor
            ? successor.ActivatesAt + settings.RetiredKeptFor
            : DateTime.MaxValue;

    private static DateTime Max(DateTime left, DateTime right) => left > right ? left : right;
}

/// <summary>
/// The issuer's keys in tenancy's database: made when due, each generation by one replica only, protected at rest,
/// moved out of the old clear-text table, and the expired ones deleted.
/// </summary>
public sealed class IssuerKeyStore(TenancyDbContext db, IDataProtectionProvider protection, TimeProvider clock, SigningKeySettings settings)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Aes.Tenancy.IssuerKeys.v1");

    /// <summary>Brings the keys up to date (first keys, the next signing key when due, expired ones deleted); returns what to publish.</summary>
    public IssuerKeySet Refresh()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        MoveClearTextKeys(now);
        if (!db.IssuerKeys.Any(k => k.Purpose == IssuerKey.Encryption))
        {
            Add(new IssuerKey
            {
                Id = "enc-1", Purpose = IssuerKey.Encryption, Generation = 1, Material = Protect(RandomNumberGenerator.GetBytes(32)), CreatedAt = now, ActivatesAt = now,
            });
        }
        var keys = SigningKeys();
        if (SigningKeySchedule.Next(keys, now, settings) is { } next)
        {
            Add(new IssuerKey
            {
                Id = $"aes-{next.Generation}", Purpose = IssuerKey.Signing, Generation = next.Generation,
                Material = Protect(RSA.Create(2048).ExportPkcs8PrivateKey()), CreatedAt = now, ActivatesAt = next.ActivatesAt,
            });
            keys = SigningKeys();
        }
        var expired = SigningKeySchedule.Expired(keys, now, settings).Select(k => k.Id).ToList();
        if (expired.Count > 0)
        {
            db.IssuerKeys.Where(k => expired.Contains(k.Id)).ExecuteDelete();
        }
        var published = SigningKeySchedule.Published(keys, now, settings);
        return new IssuerKeySet(
            [.. published.Select(k => k.Id)],
            [.. db.IssuerKeys.AsNoTracking().Where(k => k.Purpose == IssuerKey.Encryption).OrderByDescending(k => k.Generation).Select(k => k.Id)]);
    }

    public byte[] Material(string id) => _protector.Unprotect(Convert.FromBase64String(db.IssuerKeys.AsNoTracking().Single(k => k.Id == id).Material));

    private List<ScheduledKey> SigningKeys() =>
        [.. db.IssuerKeys.AsNoTracking().Where(k => k.Purpose == IssuerKey.Signing).Select(k => new ScheduledKey(k.Id, k.Generation, k.ActivatesAt))];

    private string Protect(byte[] material) => Convert.ToBase64String(_protector.Protect(material));

    /// <summary>An issuer that ran before keys were protected keeps its keys (and the kid its tokens carry), now protected.</summary>
    private void MoveClearTextKeys(DateTime now)
    {
        foreach (var old in db.IdentityKeys.AsNoTracking().ToList())
        {
            var material = Convert.FromBase64String(old.Material);
            var signing = old.Purpose == IdentityKey.Signing;
            Add(new IssuerKey
            {
                Id = signing ? LegacyKeyId(material) : "enc-0", Purpose = signing ? IssuerKey.Signing : IssuerKey.Encryption, Generation = 0,
                Material = Protect(material), CreatedAt = old.CreatedAt, ActivatesAt = old.CreatedAt,
            });
            db.IdentityKeys.Where(k => k.Purpose == old.Purpose).ExecuteDelete();
        }
    }

    private void Add(IssuerKey key)
    {
        db.IssuerKeys.Add(key);
        try
        {
            db.SaveChanges();
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // another replica made this generation first: theirs is the one
        }
    }

    private static string LegacyKeyId(byte[] pkcs8)
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
    }
}

/// <summary>What the issuer publishes: signing key ids (the one that signs first) and encryption key ids (the newest first).</summary>
public sealed record IssuerKeySet(IReadOnlyList<string> Signing, IReadOnlyList<string> Encryption)
{
    public bool SameAs(IssuerKeySet? other) =>
        other is not null && Signing.SequenceEqual(other.Signing) && Encryption.SequenceEqual(other.Encryption);
}

/// <summary>
/// Gives OpenIddict its keys from the database, and has its options rebuilt when the set changes (a new key
/// published, the next one taking over, a retired one gone): no restart, every replica within a check interval.
/// </summary>
public sealed class IssuerKeys(IServiceScopeFactory scopes) : IConfigureOptions<OpenIddictServerOptions>, IOptionsChangeTokenSource<OpenIddictServerOptions>
{
    private CancellationTokenSource _changed = new();
    private IssuerKeySet? _applied;

    public string? Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => new CancellationChangeToken(_changed.Token);

    public void Configure(OpenIddictServerOptions options)
    {
        using var scope = scopes.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<IssuerKeyStore>();
        var set = store.Refresh();
        foreach (var id in set.Signing)
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(store.Material(id), out _);
            options.SigningCredentials.Add(new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = id }, SecurityAlgorithms.RsaSha256));
        }
        foreach (var id in set.Encryption)
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials(new SymmetricSecurityKey(store.Material(id)) { KeyId = id },
                SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
        _applied = set;
    }

    /// <summary>Brings the keys up to date and, if what is published changed, has OpenIddict's options rebuilt.</summary>
    public bool RefreshIfChanged()
    {
        using var scope = scopes.CreateScope();
        var set = scope.ServiceProvider.GetRequiredService<IssuerKeyStore>().Refresh();
        if (set.SameAs(_applied))
        {
            return false;
        }
        Interlocked.Exchange(ref _changed, new CancellationTokenSource()).Cancel();
        return true;
    }
}

/// <summary>Checks the keys every <see cref="SigningKeySettings.CheckInterval"/>: makes the next one when due, and applies the change.</summary>
public sealed partial class IssuerKeyRotation(IssuerKeys keys, SigningKeySettings settings, TimeProvider clock, ILogger<IssuerKeyRotation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.CheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (keys.RefreshIfChanged())
                {
                    LogKeysChanged();
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogRefreshFailed(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The issuer's published keys changed: OpenIddict takes the new set")]
    private partial void LogKeysChanged();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the issuer's keys; will retry")]
    private partial void LogRefreshFailed(Exception exception);
}
