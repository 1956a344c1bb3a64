using System.Collections.Concurrent;
using System.Security.Cryptography;
using Aes.Messaging.Persistence;
using Aes.ServiceDefaults.Errors;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Aes.Messaging.Audit;

/// <summary>
/// The first answer to a write sent with an idempotency key, kept in the same transaction as the write (ADR 034): a caller
/// that lost the answer after the commit asks again with the same key and gets that answer, and nothing is done twice.
/// </summary>
public sealed class CallReplay
{
    public required string Method { get; init; }
    /// <summary>The token's subject: one caller's keys never answer another's calls.</summary>
    public required string Caller { get; init; }
    public required string IdempotencyKey { get; init; }
    /// <summary>SHA-256 of the request: the same key with another request is refused.</summary>
    public required string Fingerprint { get; init; }
    /// <summary>The response as sent, without its secrets; empty until the call has its answer (which commits with it).</summary>
    public byte[] Response { get; set; } = [];
    public DateTime CreatedAt { get; init; }
}

/// <summary>
/// Calls whose request has an <c>idempotency_key</c> field: a write that is not idempotent by nature (a credit note, a quota
/// change request, an agreement draft, an automation client) runs once per caller and key. The key is claimed before the
/// method runs, so a concurrent repeat waits for the first to commit and then answers with its result; a repeat after the
/// commit answers from the record; a key used again for another request is refused, naming the field.
/// </summary>
public static class RepeatedCalls
{
    public const string KeyField = "idempotency_key";
    /// <summary>The response header of an answer given again: the caller learns it is a replay (and why a secret is missing).</summary>
    public const string ReplayedHeader = "aes-replayed";
    public const int MaxKeyLength = 200;
    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor?> KeyFields = new();

    /// <summary>The request's idempotency key, or empty when the method has none or the caller gave none.</summary>
    public static string KeyOf(IMessage request) =>
        KeyFields.GetOrAdd(request.Descriptor, d => d.FindFieldByName(KeyField) is { FieldType: FieldType.String } field ? field : null) is { } key
            ? (string)key.Accessor.GetValue(request)
            : "";

    /// <summary>
    /// Claims the key inside the call's open transaction and returns null, or returns the answer the first call with this key
    /// gave. A concurrent first call holds the key until it commits; the transaction is then rolled back and the answer read.
    /// </summary>
    public static async Task<IMessage?> ClaimOrReplayAsync(ServiceDbContext db, string method, string caller, IMessage request,
        MessageParser responses, DateTime now, TimeSpan retention, CancellationToken cancellationToken)
    {
        var key = KeyOf(request);
        if (key.Length > MaxKeyLength)
        {
            throw new InvalidFieldException(KeyField, new($"au plus {MaxKeyLength} caractères.", $"at most {MaxKeyLength} characters."));
        }
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(request.ToByteArray()));
        var keptSince = now - retention;
        await db.CallReplays.Where(r => r.Method == method && r.Caller == caller && r.IdempotencyKey == key && r.CreatedAt < keptSince)
            .ExecuteDeleteAsync(cancellationToken);
        var claim = new CallReplay { Method = method, Caller = caller, IdempotencyKey = key, Fingerprint = fingerprint, CreatedAt = now };
        db.CallReplays.Add(claim);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateException duplicate) when (DatabaseErrors.IsUniqueViolation(duplicate))
        {
            // Taken by a call that has committed: this one's transaction is spoilt (PostgreSQL) and has done nothing yet.
            await db.Database.RollbackTransactionAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
        }
        var first = await db.CallReplays.AsNoTracking()
            .SingleOrDefaultAsync(r => r.Method == method && r.Caller == caller && r.IdempotencyKey == key, cancellationToken)
            ?? throw new ConcurrentChangeException("idempotency_key"); // purged in between, at the retention's edge: try again
        if (first.Fingerprint != fingerprint)
        {
            throw new InvalidFieldException(KeyField, new(
                "cette clé a déjà servi à une autre demande ; prenez-en une nouvelle pour une demande différente.",
                "this key was already used for another request; take a new one for a different request."));
        }
        return responses.ParseFrom(first.Response);
    }

    /// <summary>Keeps the answer with the claim, in the call's transaction; fields named like a secret are left out (shown once).</summary>
    public static Task KeepAsync(ServiceDbContext db, string method, string caller, IMessage request, IMessage response)
    {
        var key = KeyOf(request);
        var kept = response.Descriptor.Parser.ParseFrom(response.ToByteArray());
        foreach (var field in kept.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType == FieldType.String && !field.IsRepeated && field.Name.EndsWith("secret", StringComparison.Ordinal))
            {
                field.Accessor.Clear(kept);
            }
        }
        var answer = kept.ToByteArray();
        return db.CallReplays.Where(r => r.Method == method && r.Caller == caller && r.IdempotencyKey == key)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.Response, answer), CancellationToken.None);
    }
}
