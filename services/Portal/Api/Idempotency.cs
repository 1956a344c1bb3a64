using System.Security.Cryptography;
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

/// <summary>
/// Idempotency-Key on POSTs: the first request runs and its answer is stored; a replay with the same
/// body gets that answer again (header Idempotent-Replayed: true); the same key with another body gets
/// 422; a replay while the first still runs gets 409. A 5xx answer is not kept, so a retry runs again.
/// </summary>
public sealed class IdempotencyFilter : IEndpointFilter
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 200;

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

        var existing = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.UserId == user && r.Key == key, http.RequestAborted);
        if (existing is not null)
        {
            return Replay(existing, fingerprint);
        }
        var record = new IdempotencyRecord
        {
            UserId = user, Key = key, Fingerprint = fingerprint, CreatedAt = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
        };
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
            record.Body = body;
            record.Location = http.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null;
        }
        await db.SaveChangesAsync(CancellationToken.None);
        buffer.Position = 0;
        await buffer.CopyToAsync(original);
        return Results.Empty;
    }

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
