using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Aes.Messaging;

/// <summary>
/// An integration event saved in the same transaction as the state change that caused it,
/// and relayed to the bus after commit. Its <see cref="MessageId"/> becomes the bus message id,
/// which is what the consumers' inbox deduplicates on.
/// </summary>
public sealed class OutboxMessage
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public long Sequence { get; private set; }
    public Guid MessageId { get; private set; }
    public string MessageType { get; private set; } = "";
    public string Body { get; private set; } = "";
    public DateTime OccurredAt { get; private set; }
    public DateTime? DispatchedAt { get; private set; }
    public int Attempts { get; private set; }
    /// <summary>How many of the attempts the broker, reachable, refused: those bound the relay's patience, an outage does not.</summary>
    public int Refusals { get; private set; }
    public string? LastError { get; private set; }
    /// <summary>Set when the relay gave up on the message (unreadable, or refused every time): never sent, kept for replay.</summary>
    public DateTime? ParkedAt { get; private set; }

    /// <summary>The W3C trace context of the change that raised the event, so its consumers join the same trace.</summary>
    public string? TraceParent { get; private set; }

    public static OutboxMessage Create(object message, DateTime occurredAt)
    {
        var type = message.GetType();
        return new OutboxMessage
        {
            MessageId = NewId.NextGuid(),
            MessageType = TypeName(type),
            Body = JsonSerializer.Serialize(message, type, Json),
            OccurredAt = occurredAt,
            TraceParent = Activity.Current?.Id,
        };
    }

    /// <summary>"Namespace.Type, Assembly": stable across builds because it carries no version.</summary>
    public static string TypeName(Type type) => TypeNames.GetOrAdd(type, t => $"{t.FullName}, {t.Assembly.GetName().Name}");

    // Assembly.GetName() reads the assembly's metadata on every call; a service writes the same few types.
    private static readonly ConcurrentDictionary<Type, string> TypeNames = new();
    private static readonly ConcurrentDictionary<string, Type> Types = new();

    public (object Message, Type Type) Deserialize()
    {
        var type = Types.GetOrAdd(MessageType, name => Type.GetType(name, throwOnError: true)!);
        return (JsonSerializer.Deserialize(Body, type, Json)!, type);
    }

    /// <summary>Parks a message that cannot be read: out of the relay's way, kept with the reason.</summary>
    internal void MarkUndeliverable(DateTime at, string error)
    {
        Attempts++;
        Park(at, "undeliverable: " + error);
    }

    /// <summary>The broker could not be reached, or did not answer in time: the message waits, in its place.</summary>
    internal void MarkFailed(string error)
    {
        Attempts++;
        LastError = Cut(error);
    }

    /// <summary>The broker, reachable, refused the message.</summary>
    internal void MarkRefused(string error)
    {
        Attempts++;
        Refusals++;
        LastError = Cut("refused: " + error);
    }

    /// <summary>Takes the message out of the relay's way, not sent, with why.</summary>
    internal void Park(DateTime at, string reason)
    {
        ParkedAt = at;
        LastError = Cut(reason);
    }

    /// <summary>Puts a parked message back in line (after the cause was fixed): relayed next, in its place by sequence.</summary>
    public void Unpark()
    {
        ParkedAt = null;
        Refusals = 0;
    }

    private static string Cut(string error) => error.Length > 2000 ? error[..2000] : error;
}

/// <summary>A message a consumer has handled: the inbox key is the message id with the consumer's name.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; init; }
    public string Consumer { get; init; } = "";
    public DateTime ProcessedAt { get; init; }
}
