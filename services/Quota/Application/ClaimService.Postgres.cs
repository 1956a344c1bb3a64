using System.Reflection;
using Aes.Contracts.Quota;
using Npgsql;
using NpgsqlTypes;

namespace Aes.Quota.Application;

/// <summary>
/// The hold on PostgreSQL: the <c>quota_hold</c> function (Data/Sql/quota_hold.sql) takes every class of
/// the agency's quota, the pool and the slice, records the claim, or its refusal, and writes the outbox
/// row, in one round trip instead of about eight statements; the <see cref="HoldBatcher"/> runs the holds
/// that arrive together in one transaction.
/// </summary>
public sealed partial class ClaimService
{
    private async Task<Claim> HoldOnPostgresAsync(HoldCommand command, CancellationToken cancellationToken)
    {
        var agencyState = await facts.AgencyStateAsync(db, command.AgencyId, cancellationToken)
            ?? throw new NotFoundException("Agency", command.AgencyId.ToString());
        var pool = await facts.PoolAsync(db, command.PoolId, cancellationToken)
            ?? throw new InvalidFieldException("pool_id", new("pool inconnu.", "unknown pool."));
        CheckBorder(command, agencyState, pool.StateCode);

        var now = Now;
        var claim = NewClaim(command, pool.FacilityId, now);
        var placed = OutboxMessage.Create(new HoldPlaced(claim.ClaimId, claim.AgencyId, claim.PoolId, claim.FacilityId, claim.AgreementId,
            claim.Amounts.ToList(), claim.ExpiresAt, claim.Reference, now, command.ActingUserId), now);

        var (outcome, failedClass, limit, used) = await batcher.HoldAsync(new PendingHold(claim, agencyState, placed), cancellationToken);
        switch (outcome)
        {
            case HoldOutcome.Held:
                signal.Notify();
                return claim;
            case HoldOutcome.AlreadyAnswered:
                return FirstAnswer(await FindAsync(command.ClaimId, cancellationToken), command);
            case HoldOutcome.FacilityNotOpen:
                throw FacilityNotOpen(pool.FacilityCode);
            case HoldOutcome.AgreementNotValid:
                throw NoActiveAgreement(agencyState, pool.FacilityCode);
        }

        var resourceClass = failedClass ?? throw new InvalidOperationException($"quota_hold answered {outcome} without a class.");
        var (whereFr, whereEn) = outcome switch
        {
            HoldOutcome.AgencyShort => ("le quota de l'organisme", "the agency's quota"),
            HoldOutcome.PoolShort => ($"le pool {pool.Name} de {pool.FacilityCode}", $"pool {pool.Name} of {pool.FacilityCode}"),
            _ => ("la part de l'accord", "the agreement's slice"),
        };
        var refusal = Exhausted(resourceClass, command.Amounts[resourceClass], limit, used, whereFr, whereEn);
        // The function kept the refusal with its class and shortfall; its words are added here.
        var reason = refusal.Bilingual.ToString();
        await db.Claims.Where(c => c.ClaimId == command.ClaimId && c.Status == ClaimStatus.Refused && c.Reason == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.Reason, reason), cancellationToken);
        throw refusal;
    }
}

/// <summary>The SQL of the PostgreSQL hold, shipped inside the assembly and installed by migrations, and its calls.</summary>
public static class PostgresHold
{
    public static string FunctionSql { get; } = Read("quota_hold.sql");

    public static string BatchFunctionSql { get; } = Read("quota_hold_batch.sql");

    /// <summary>The functions as the baseline installed them (four fixed classes), so that it always builds one database.</summary>
    public static string BaselineFunctionSql { get; } = Read("baseline/quota_hold.sql");

    public static string BaselineBatchFunctionSql { get; } = Read("baseline/quota_hold_batch.sql");

    /// <summary>Several holds in one transaction; the answers come in the order of <paramref name="holds"/>.</summary>
    public static async Task<HoldAnswer[]> CallBatchAsync(NpgsqlConnection connection, IReadOnlyList<PendingHold> holds, CancellationToken cancellationToken)
    {
        T[] Each<T>(Func<PendingHold, T> field) => holds.Select(field).ToArray();
        await using var call = new NpgsqlCommand(
            "SELECT ordinal, outcome, failed_class, row_limit, row_used FROM quota_hold_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)", connection)
        {
            Parameters =
            {
                new() { Value = Each(h => h.Claim.ClaimId), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                new() { Value = Each(h => h.Claim.AgencyId), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                new() { Value = Each(h => h.Claim.PoolId), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                new() { Value = Each(h => h.Claim.FacilityId), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                new() { Value = Each(h => h.Claim.AgreementId), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                new() { Value = Each(h => h.GuestState), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = holds.SelectMany(h => h.Claim.Amounts.Classes).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = holds.SelectMany(h => h.Claim.Amounts.NonZero().Select(a => a.Amount)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                new() { Value = Each(h => h.Claim.Amounts.Classes.Count()), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                new() { Value = Each(h => h.Claim.Amounts.ToJson()), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = Each(h => h.Claim.ExpiresAt), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                new() { Value = Each(h => h.Claim.Reference), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = Each(h => h.Claim.CreatedAt), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                new() { Value = Each(h => h.Placed.MessageId), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                new() { Value = Each(h => h.Placed.MessageType), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = Each(h => h.Placed.Body), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = Each(h => h.Placed.TraceParent), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
            },
        };
        var answers = new HoldAnswer[holds.Count];
        await using var reader = await call.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            answers[reader.GetInt32(0) - 1] = new((HoldOutcome)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4));
        }
        return answers;
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in Aes.Quota.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
