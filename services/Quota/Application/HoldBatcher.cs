using System.Threading.Channels;
using Aes.Messaging;
using Aes.ServiceDefaults.Errors;
using Npgsql;

namespace Aes.Quota.Application;

/// <summary>A hold ready for the database: the claim to insert, the agency's state, and its HoldPlaced event.</summary>
public sealed record PendingHold(Claim Claim, string GuestState, OutboxMessage Placed);

/// <summary>What the database decided for one hold (see quota_hold.sql for the outcomes).</summary>
public readonly record struct HoldAnswer(HoldOutcome Outcome, string? FailedClass, long Limit, long Used);

public enum HoldOutcome { Held = 0, AlreadyAnswered = 1, FacilityNotOpen = 2, AgreementNotValid = 3, AgencyShort = 10, PoolShort = 11, SliceShort = 12 }

/// <summary>
/// Group commit of holds on PostgreSQL (ADR 014). Holds that arrive while a batch is in the database
/// wait for it and go together in the next: one call of quota_hold_batch, one transaction, one flush
/// to disk, instead of one of each per hold. Every hold is still decided on its own, in arrival order.
/// A batch that fails as a whole (a deadlock with another replica, one hold's bad data) is tried again
/// hold by hold, so a hold fails only for its own reason; a database outage fails the batch's holds
/// with the outage, which callers see as Unavailable.
/// </summary>
public sealed partial class HoldBatcher(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<HoldBatcher> logger) : BackgroundService
{
    private sealed record Waiting(PendingHold Hold, TaskCompletionSource<HoldAnswer> Answer);

    private readonly Channel<Waiting> _queue = Channel.CreateUnbounded<Waiting>();

    private long _batchesTriedHoldByHold;

    /// <summary>Batches that failed as a whole and were tried hold by hold since the service started.</summary>
    public long BatchesTriedHoldByHold => Interlocked.Read(ref _batchesTriedHoldByHold);

    private int MaxBatch => Math.Max(1, configuration.GetValue("Quota:HoldBatchSize", 64));

    /// <summary>
    /// Batches in the database at once. With one, every hold would wait behind the previous batch's flush
    /// to disk; with a few, the disk stays busy while the holds that arrive meanwhile gather.
    /// </summary>
    private int InFlight => Math.Max(1, configuration.GetValue("Quota:HoldBatchesInFlight", 4));

    /// <summary>Takes <paramref name="hold"/> in the next batch; the answer comes once that batch committed.</summary>
    public async Task<HoldAnswer> HoldAsync(PendingHold hold, CancellationToken cancellationToken)
    {
        var waiting = new Waiting(hold, new TaskCompletionSource<HoldAnswer>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(waiting))
        {
            throw new OperationCanceledException("The quota service is stopping.");
        }
        // A caller that gives up does not withdraw the hold: its claim id makes the retry safe, and an
        // unanswered hold is released by the sweeper when it expires.
        return await waiting.Answer.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// One reader takes what is waiting once a batch may start, so holds gather while every slot is busy,
    /// and a lone hold wakes one thread, not one per slot.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (inFlight, maxBatch) = (InFlight, MaxBatch);
        using var slots = new SemaphoreSlim(inFlight, inFlight);
        var running = new List<Task>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await slots.WaitAsync(stoppingToken);
                var batch = new List<Waiting>();
                while (batch.Count < maxBatch && _queue.Reader.TryRead(out var waiting))
                {
                    batch.Add(waiting);
                }
                running.RemoveAll(task => task.IsCompleted);
                running.Add(RunThenFreeSlotAsync(batch, slots, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            await Task.WhenAll(running); // never faults: each batch answers its own callers
            while (_queue.Reader.TryRead(out var left))
            {
                left.Answer.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    private async Task RunThenFreeSlotAsync(List<Waiting> batch, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield(); // the reader goes back to gathering at once
            await RunAsync(batch, stoppingToken);
        }
        catch (Exception exception)
        {
            // Whatever went wrong outside the database calls, no caller is left waiting.
            batch.ForEach(w => w.Answer.TrySetException(exception));
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task RunAsync(List<Waiting> batch, CancellationToken stoppingToken)
    {
        if (batch.Count == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<QuotaDbContext>();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        try
        {
            await connection.OpenAsync(stoppingToken);
            var answers = await PostgresHold.CallBatchAsync(connection, batch.ConvertAll(w => w.Hold), stoppingToken);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Answer.TrySetResult(answers[i]);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException || (DatabaseOutage.Is(exception) && !IsConflict(exception)))
        {
            batch.ForEach(w => w.Answer.TrySetException(exception));
        }
        catch (Exception exception)
        {
            LogBatchFailed(exception, batch.Count);
            Interlocked.Increment(ref _batchesTriedHoldByHold);
            foreach (var waiting in batch)
            {
                try
                {
                    if (connection.State != System.Data.ConnectionState.Open)
                    {
                        await connection.CloseAsync();
                        await connection.OpenAsync(stoppingToken);
                    }
                    // A batch of one: its own transaction, so it fails only for its own reason.
                    waiting.Answer.TrySetResult((await PostgresHold.CallBatchAsync(connection, [waiting.Hold], stoppingToken))[0]);
                }
                catch (Exception alone)
                {
                    waiting.Answer.TrySetException(alone);
                }
            }
        }
    }

    /// <summary>
    /// A deadlock or a serialization failure: Npgsql calls them transient, but they are about this batch's
    /// mix of rows, not the database's health, so its holds are tried one by one rather than failed.
    /// </summary>
    private static bool IsConflict(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} holds failed as a whole; each is tried alone")]
    private partial void LogBatchFailed(Exception exception, int count);
}
