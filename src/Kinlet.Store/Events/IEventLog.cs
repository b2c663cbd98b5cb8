namespace Kinlet.Store.Events;

/// <summary>One accepted CloudEvent as the broker keeps it: its attributes as strings and its data as raw bytes.</summary>
public sealed record StoredEvent(IReadOnlyDictionary<string, string> Attributes, byte[]? Data);

/// <summary>A stored event with its position in its broker's log (1, 2, 3… per broker, never reused).</summary>
public sealed record LoggedEvent(long Sequence, IReadOnlyDictionary<string, string> Attributes, byte[]? Data, DateTimeOffset ArrivedAt);

/// <summary>
/// The brokers' durable event logs. <see cref="AppendAsync"/> completes only once the events are on disk, so
/// the ingress can answer 202 after it; events of one call are stored all or none.
/// </summary>
public interface IEventLog
{
    Task<long[]> AppendAsync(string @namespace, string broker, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> events after <paramref name="afterSequence"/>, in order.</summary>
    IReadOnlyList<LoggedEvent> Read(string @namespace, string broker, long afterSequence, int max);

    /// <summary>The highest sequence stored for the broker (0 when none).</summary>
    long LastSequence(string @namespace, string broker);

    /// <summary>The lowest sequence still stored for the broker (0 when none).</summary>
    long FirstSequence(string @namespace, string broker);

    /// <summary>
    /// Removes events up to and including <paramref name="throughSequence"/> (only those that arrived before
    /// <paramref name="arrivedBefore"/> when given); returns how many went. Numbers are never reused afterwards.
    /// </summary>
    int Prune(string @namespace, string broker, long throughSequence, DateTimeOffset? arrivedBefore = null);
}
