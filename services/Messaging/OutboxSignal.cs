using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Aes.Messaging;

/// <summary>Wakes the relay as soon as a transaction that wrote to the outbox has committed.</summary>
public sealed class OutboxSignal : WakeSignal;

/// <summary>A wake-up for a background loop: signals that arrive while it works collapse into one.</summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { /* already signalled */ }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Notifies the relay once a change that wrote to the outbox is durable: after SaveChanges without an
/// explicit transaction, after the commit inside one. Changes that wrote no event (the relay's own
/// marks among them) wake nobody.
/// </summary>
internal sealed class OutboxCommitInterceptor(OutboxSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SavedChanges(eventData, result);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context?.Database.CurrentTransaction is null)
        {
            NotifyIfPending(eventData.Context);
        }
        return result;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => NotifyIfPending(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is ServiceDbContext context)
        {
            context.OutboxPending = false;
            context.WakeAfterCommitSignals.Clear();
        }
    }

    private void NotifyIfPending(DbContext? context)
    {
        if (context is not ServiceDbContext service)
        {
            return;
        }
        if (service.OutboxPending)
        {
            service.OutboxPending = false;
            signal.Notify();
        }
        if (service.WakeAfterCommitSignals.Count > 0)
        {
            foreach (var wake in service.WakeAfterCommitSignals)
            {
                wake.Notify();
            }
            service.WakeAfterCommitSignals.Clear();
        }
    }
}
