using System.Reflection;
using Aes.Contracts.Quota;
using Npgsql;
using NpgsqlTypes;

namespace Aes.Quota.Application;

/// <summary>
/// The hold on PostgreSQL: one call of the <c>quota_hold</c> function (Data/Sql/quota_hold.sql), which
/// takes every class of the agency's quota, the pool and the slice in one transaction, records the claim,
/// or its refusal, and writes the outbox row, in one round trip instead of about eight statements.
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
            claim.Amounts.ToContract(), claim.ExpiresAt, claim.Reference, now, command.ActingUserId), now);

        var (outcome, failedClass, limit, used) = await CallHoldFunctionAsync(claim, agencyState, placed, cancellationToken);
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

        var resourceClass = (ResourceClass)failedClass;
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

    private async Task<(HoldOutcome Outcome, int FailedClass, long Limit, long Used)> CallHoldFunctionAsync(
        Claim claim, string guestState, OutboxMessage placed, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var call = new NpgsqlCommand(
                "SELECT outcome, failed_class, row_limit, row_used FROM quota_hold($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)", connection)
            {
                Parameters =
                {
                    new() { Value = claim.ClaimId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new() { Value = claim.AgencyId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new() { Value = claim.PoolId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new() { Value = claim.FacilityId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new() { Value = (object?)claim.AgreementId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new() { Value = guestState, NpgsqlDbType = NpgsqlDbType.Text },
                    new() { Value = new[] { claim.Vcpu, claim.MemoryGib, claim.StorageGib, claim.PublicIpv4 }, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                    new() { Value = claim.ExpiresAt, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    new() { Value = claim.Reference, NpgsqlDbType = NpgsqlDbType.Text },
                    new() { Value = claim.CreatedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    new() { Value = placed.MessageId, NpgsqlDbType = NpgsqlDbType.Uuid },
                    new() { Value = placed.MessageType, NpgsqlDbType = NpgsqlDbType.Text },
                    new() { Value = placed.Body, NpgsqlDbType = NpgsqlDbType.Text },
                },
            };
            await using var reader = await call.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return ((HoldOutcome)reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private enum HoldOutcome { Held = 0, AlreadyAnswered = 1, FacilityNotOpen = 2, AgreementNotValid = 3, AgencyShort = 10, PoolShort = 11, SliceShort = 12 }
}

/// <summary>The SQL of the PostgreSQL hold, shipped inside the assembly and installed by a migration.</summary>
public static class PostgresHold
{
    public static string FunctionSql { get; } = Read();

    private static string Read()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("quota_hold.sql")
            ?? throw new InvalidOperationException("quota_hold.sql is not embedded in Aes.Quota.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
