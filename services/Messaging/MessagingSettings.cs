namespace Aes.Messaging;

public enum BusTransport
{
    /// <summary>MassTransit's in-memory transport, joined across the process by <see cref="InProcessBusHub"/>.</summary>
    InMemory,
    RabbitMq,
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Messaging settings read from the "Messaging" configuration section.</summary>
public sealed class MessagingSettings
{
    public const string Section = "Messaging";

    public string ServiceName { get; set; } = "";
    public BusTransport Transport { get; set; } = BusTransport.InMemory;
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Replicated quorum queues (a RabbitMQ cluster, as in Kubernetes) instead of classic durable ones.</summary>
    public bool QuorumQueues { get; set; }

    /// <summary>
    /// How long the relay lets commits gather after it is woken, so that a busy service relays and
    /// marks its events in batches (one transaction, one disk flush) rather than one by one.
    /// </summary>
    public TimeSpan OutboxGatherDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>About 50 s in all: long enough to ride out a database or broker restart (the fault suite stops PostgreSQL for 10 s), short enough that a poison message reaches its error queue within the minute.</summary>
    public static readonly TimeSpan[] DefaultRetryIntervals =
        [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)];

    /// <summary>
    /// Delays between the tries of a failing consumer; after the last, the message goes to the error
    /// queue. Empty means <see cref="DefaultRetryIntervals"/>: configuration binding appends to an
    /// array it finds filled, so the default cannot live in the initializer.
    /// </summary>
    public TimeSpan[] RetryIntervals { get; set; } = [];

    public TimeSpan[] EffectiveRetryIntervals => RetryIntervals.Length > 0 ? RetryIntervals : DefaultRetryIntervals;
}
