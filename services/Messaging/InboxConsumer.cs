using Aes.Messaging.Persistence;

namespace Aes.Messaging;

/// <summary>
/// A consumer that handles each message id once. The inbox row, the state change and any events
/// the handler adds to the outbox are saved in one transaction, so a redelivery (or two copies
/// racing on two replicas) changes nothing the second time. Handlers must keep their effects in
/// <typeparamref name="TContext"/>; anything else they do is not covered.
/// </summary>
public abstract partial class InboxConsumer<TMessage, TContext>(TContext db, ILogger logger) : IConsumer<TMessage>
    where TMessage : class
    where TContext : ServiceDbContext
{
    protected TContext Db { get; } = db;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("A message without an id cannot be deduplicated.");
        var consumer = GetType().Name;

        await using var transaction = await Db.Database.BeginTransactionAsync(context.CancellationToken);
        // Claiming the id first makes a second copy wait until the first commits, then find it taken.
        if (!await Db.InsertIfAbsentAsync(new InboxMessage { MessageId = messageId, Consumer = consumer, ProcessedAt = DateTime.UtcNow }, context.CancellationToken))
        {
            LogDuplicate(logger, consumer, messageId);
            return;
        }
        await HandleAsync(context.Message, context);
        await Db.SaveChangesAsync(context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
    }

    protected abstract Task HandleAsync(TMessage message, ConsumeContext<TMessage> context);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Consumer} already handled message {MessageId}; skipped")]
    private static partial void LogDuplicate(ILogger logger, string consumer, Guid messageId);
}
