using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Aes.Messaging;

/// <summary>
/// A method's transaction, or the one its call already runs in: an audited call opens one around the method and its audit
/// record (ADR 033), and the method's own then joins it, so the change and its record commit together or not at all.
/// </summary>
public sealed class CallTransaction(IDbContextTransaction? owned) : IAsyncDisposable
{
    /// <summary>Commits a transaction of the method's own; a joined one commits with the call.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => owned?.CommitAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>
    /// Rolls back a transaction of the method's own. A joined one is rolled back by the call when the method throws, as
    /// every refusal here does; a method that rolls back and then returns normally must own its transaction.
    /// </summary>
    public Task RollbackAsync(CancellationToken cancellationToken) => owned?.RollbackAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => owned?.DisposeAsync() ?? ValueTask.CompletedTask;
}

public static class CallTransactions
{
    /// <summary>Begins a transaction, or joins the one already open on the context (an audited call's).</summary>
    public static async Task<CallTransaction> BeginOrJoinTransactionAsync(this DatabaseFacade database, CancellationToken cancellationToken) =>
        new(database.CurrentTransaction is null ? await database.BeginTransactionAsync(cancellationToken) : null);
}
