using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aes.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Aes.Portal.Api;

/// <summary>The first answer to a POST sent with an Idempotency-Key, kept per user so that a retry gets it again.</summary>
public sealed class IdempotencyRecord
{
    public required string UserId { get; init; }
    public required string Key { get; init; }
    /// <summary>SHA-256 of method, path and body: the same key with another request is refused (422).</summary>
    public required string Fingerprint { get; init; }
    public bool Completed { get; set; }
    public int StatusCode { get; set; }
    public string ContentType { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Location { get; set; }
    public DateTime CreatedAt { get; init; }
}

/// <summary>How long a first answer is kept for replays (Api:IdempotencyRetention); after that the key may serve again.</summary>
public sealed record IdempotencySettings(TimeSpan Retention)
{
    public static IdempotencySettings From(IConfiguration configuration)
    {
        var retention = configuration.GetValue("Api:IdempotencyRetention", TimeSpan.FromHours(24));
        return retention > TimeSpan.Zero
            ? new IdempotencySettings(retention)
            : throw new InvalidOperationException($"Api:IdempotencyRetention must be a positive duration such as 24:00:00, not {retention}.");
    }
}

/// <summary>
/// Idempotency-Key on POSTs: the first request runs and its answer is stored; a replay with the same
/// body gets that answer again (header Idempotent-Replayed: true); the same key with another body gets
/// 422; a replay while the first still runs gets 409. A 5xx answer is not kept, so a retry runs again.
/// Answers are kept for the retention only, and never with a secret in them.
/// </summary>
public sealed class IdempotencyFilter : IEndpointFilter
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 200;
    public const string SecretNoticeFr = "Le secret n'est montré qu'une fois, à la création : ce rejeu ne le contient pas. S'il est perdu, créez un nouveau client.";
    public const string SecretNoticeEn = "The secret is shown once, at creation: this replay does not contain it. If it is lost, create a new client.";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        if (key.Length == 0)
        {
            return await next(context);
        }
        if (key.Length > MaxKeyLength)
        {
            return ApiProblems.Of(400, $"La clé d'idempotence dépasse {MaxKeyLength} caractères.", $"The idempotency key is longer than {MaxKeyLength} characters.", Header);
        }
        var db = http.RequestServices.GetRequiredService<PortalDbContext>();
        var user = http.User.FindFirst("sub")?.Value ?? "";
        var fingerprint = await FingerprintAsync(http.Request);

        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var retention = http.RequestServices.GetRequiredService<IdempotencySettings>().Retention;
        var existing = await FindLiveAsync(db, user, key, now - retention, http.RequestAborted);
        if (existing is not null)
        {
            return Replay(existing, fingerprint);
        }
        var record = new IdempotencyRecord { UserId = user, Key = key, Fingerprint = fingerprint, CreatedAt = now };
        db.IdempotencyRecords.Add(record);
        try
        {
            await db.SaveChangesAsync(http.RequestAborted);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            var first = await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.UserId == user && r.Key == key, http.RequestAborted);
            return Replay(first, fingerprint);
        }

        var result = await next(context);
        // Run the result into a buffer to keep exactly what the client receives.
        var original = http.Response.Body;
        await using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            if (result is IResult executable)
            {
                await executable.ExecuteAsync(http);
            }
        }
        finally
        {
            http.Response.Body = original;
        }
        buffer.Position = 0;
        var body = await new StreamReader(buffer).ReadToEndAsync();
        if (http.Response.StatusCode >= 500)
        {
            db.IdempotencyRecords.Remove(record);
        }
        else
        {
            record.Completed = true;
            record.StatusCode = http.Response.StatusCode;
            record.ContentType = http.Response.ContentType ?? "";
            record.Body = WithoutSecrets(body, record.ContentType);
            record.Location = http.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null;
        }
        await db.SaveChangesAsync(CancellationToken.None);
        buffer.Position = 0;
        await buffer.CopyToAsync(original);
        return Results.Empty;
    }

    /// <summary>The record of this user's key if it is younger than <paramref name="keptSince"/>; an older one is forgotten here and now.</summary>
    public static async Task<IdempotencyRecord?> FindLiveAsync(PortalDbContext db, string user, string key, DateTime keptSince, CancellationToken cancellationToken)
    {
        await db.IdempotencyRecords.Where(r => r.UserId == user && r.Key == key && r.CreatedAt < keptSince).ExecuteDeleteAsync(cancellationToken);
        return await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.UserId == user && r.Key == key, cancellationToken);
    }

    /// <summary>Forgets every answer older than <paramref name="keptSince"/>; returns how many.</summary>
    public static Task<int> ForgetExpiredAsync(PortalDbContext db, DateTime keptSince, CancellationToken cancellationToken) =>
        db.IdempotencyRecords.Where(r => r.CreatedAt < keptSince).ExecuteDeleteAsync(cancellationToken);

    /// <summary>
    /// The answer as it may be kept: a JSON property named like a secret or a password is left out at any depth,
    /// and the answer then says, in French and English, that the secret was shown once. Other answers are kept byte for byte.
    /// </summary>
    public static string WithoutSecrets(string body, string contentType)
    {
        if (!contentType.Contains("json", StringComparison.OrdinalIgnoreCase) || body.Length == 0)
        {
            return body;
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return body;
        }
        if (!RemoveSecrets(root))
        {
            return body;
        }
        if (root is JsonObject answer)
        {
            answer["notice"] = $"{SecretNoticeFr} / {SecretNoticeEn}";
            answer["noticeFr"] = SecretNoticeFr;
            answer["noticeEn"] = SecretNoticeEn;
        }
        return root!.ToJsonString();
    }

    private static bool RemoveSecrets(JsonNode? node)
    {
        var removed = false;
        switch (node)
        {
            case JsonObject json:
                foreach (var name in json.Select(p => p.Key).Where(IsSecretName).ToList())
                {
                    removed |= json.Remove(name);
                }
                foreach (var (_, value) in json.ToList())
                {
                    removed |= RemoveSecrets(value);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    removed |= RemoveSecrets(item);
                }
                break;
        }
        return removed;
    }

    public static bool IsSecretName(string name) =>
        name.EndsWith("secret", StringComparison.OrdinalIgnoreCase) || name.EndsWith("password", StringComparison.OrdinalIgnoreCase);

    private static IResult Replay(IdempotencyRecord first, string fingerprint)
    {
        if (first.Fingerprint != fingerprint)
        {
            return ApiProblems.Of(422, "Cette clé d'idempotence a déjà servi pour une autre requête.",
                "This idempotency key was already used for a different request.", Header);
        }
        if (!first.Completed)
        {
            return ApiProblems.Of(409, "La première requête avec cette clé est encore en cours ; réessayez.",
                "The first request with this key is still running; retry.", Header);
        }
        return new ReplayResult(first);
    }

    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        request.Body.Position = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private sealed class ReplayResult(IdempotencyRecord first) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = first.StatusCode;
            http.Response.Headers["Idempotent-Replayed"] = "true";
            if (first.Location is not null)
            {
                http.Response.Headers.Location = first.Location;
            }
            if (first.ContentType.Length > 0)
            {
                http.Response.ContentType = first.ContentType;
            }
            await http.Response.WriteAsync(first.Body);
        }
    }
}

/// <summary>Forgets the kept answers past their retention, so the table holds a day of keys, not every key ever sent.</summary>
public sealed partial class IdempotencyRecordSweeper(IServiceScopeFactory scopes, IdempotencySettings settings, TimeProvider clock, ILogger<IdempotencyRecordSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromTicks(Math.Clamp(settings.Retention.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromHours(1).Ticks));
        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var forgotten = await IdempotencyFilter.ForgetExpiredAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(),
                    clock.GetUtcNow().UtcDateTime - settings.Retention, stoppingToken);
                if (forgotten > 0)
                {
                    LogForgotten(forgotten, settings.Retention);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSweepFailed(exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Forgot {Count} idempotency answers older than {Retention}")]
    private partial void LogForgotten(int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not forget expired idempotency answers; will retry")]
    private partial void LogSweepFailed(Exception exception);
}
