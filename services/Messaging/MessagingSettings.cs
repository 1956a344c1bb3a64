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

    /// <summary>
    /// How many times the reachable broker may refuse one outbox message before the relay parks it and goes on with
    /// the rest; with the publish timeout and the relay's pauses, about a minute held behind it at 5. An outage counts none.
    /// </summary>
    public int OutboxMaxRefusals { get; set; } = 5;

    /// <summary>Replicated quorum queues (a RabbitMQ cluster, as in Kubernetes) instead of classic durable ones.</summary>
    public bool QuorumQueues { get; set; }

    /// <summary>
    /// How long the relay lets commits gather after it is woken, so that a busy service relays and
    /// marks its events in batches (one transaction, one disk flush) rather than one by one.
    /// </summary>
    public TimeSpan OutboxGatherDelay { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>About 50 s in all, for failures other than the database out of reach (those wait <see cref="OutageRetryFor"/>): short enough that a poison message reaches its error queue within the minute.</summary>
    public static readonly TimeSpan[] DefaultRetryIntervals =
        [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)];

    /// <summary>
    /// Delays between the tries of a failing consumer; after the last, the message goes to the error
    /// queue. Empty means <see cref="DefaultRetryIntervals"/>: configuration binding appends to an
    /// array it finds filled, so the default cannot live in the initializer.
    /// </summary>
    public TimeSpan[] RetryIntervals { get; set; } = [];

    public TimeSpan[] EffectiveRetryIntervals => RetryIntervals.Length > 0 ? RetryIntervals : DefaultRetryIntervals;

    /// <summary>
    /// How long a consumer whose database is out of reach keeps its message and tries again (every 30 s after a
    /// first second, 5 and 15) before the message goes to the error queue: a failover of several minutes loses
    /// nothing. Well under RabbitMQ's own limit on an unacknowledged delivery (<c>consumer_timeout</c>, 30 minutes),
    /// as each try may itself wait out a connection timeout.
    /// </summary>
    public TimeSpan OutageRetryFor { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the outbox's sent events and the inbox's records past their retention are deleted.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a sent event stays in the outbox (to be read or replayed by hand); unsent and parked ones stay.</summary>
    public TimeSpan OutboxRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long the inbox remembers a consumed message id: far beyond any redelivery, so a late copy still finds it.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long the first answer to a write sent with an idempotency key is kept for the caller's retries.</summary>
    public TimeSpan ReplayRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>1 s, 5 s, 15 s, then every 30 s until <see cref="OutageRetryFor"/> is reached.</summary>
    public TimeSpan[] OutageRetryIntervals =>
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15),
        .. Enumerable.Repeat(TimeSpan.FromSeconds(30), (int)Math.Max(0, Math.Ceiling((OutageRetryFor - TimeSpan.FromSeconds(21)) / TimeSpan.FromSeconds(30)))),
    ];
}
