namespace Kinlet.Store.Events;

/// <summary>
/// Where a trigger stands in its broker's log: every event at or below <see cref="Cursor"/> is finished for it
/// (delivered, filtered out, handed to the retry queue, dead-lettered or failed), and so is every sequence in
/// the ranges of <see cref="Done"/> (finished out of order above the cursor; flattened as start, end, start, end…).
/// The counters are totals since the trigger was made.
/// </summary>
public sealed record TriggerCheckpoint(
    string Uid,
    long Cursor,
    long[] Done,
    long Delivered,
    long DeadLettered,
    long Failed,
    string? LastError,
    DateTimeOffset? LastErrorAt);

public enum DeliveryRecordState { Retrying, Failed }

/// <summary>
/// One event a trigger still owes (waiting for its next attempt at <c>DueAt</c>) or gave up on (no dead-letter sink,
/// or the sink failed too; <c>DueAt</c> is then when it failed). It carries its own copy of the event, so pruning
/// the broker's log never loses it.
/// </summary>
public sealed record DeliveryRecord(
    string Trigger,
    long Sequence,
    IReadOnlyDictionary<string, string> Attributes,
    byte[]? Data,
    DeliveryRecordState State,
    int Attempts,
    DateTimeOffset DueAt,
    int? LastStatus,
    string? LastError);

/// <summary>
/// The triggers' delivery state, in the same file as the event logs. Writes complete once they are committed
/// (group commit, shared with event appends); reads see what has been committed.
/// </summary>
public interface IDeliveryStore
{
    TriggerCheckpoint? LoadCheckpoint(string trigger);

    Task SaveCheckpointAsync(string trigger, TriggerCheckpoint checkpoint, CancellationToken cancellationToken);

    Task PutRecordAsync(DeliveryRecord record, CancellationToken cancellationToken);

    Task DeleteRecordAsync(string trigger, long sequence, CancellationToken cancellationToken);

    IReadOnlyList<DeliveryRecord> ListRecords(string trigger, DeliveryRecordState? state, int max);

    int CountRecords(string trigger, DeliveryRecordState state);

    /// <summary>Forgets everything about a trigger (it was deleted, or replaced by one with another uid).</summary>
    Task DeleteTriggerAsync(string trigger, CancellationToken cancellationToken);

    /// <summary>A small named value a source keeps across restarts (e.g. a PingSource's last tick).</summary>
    DateTimeOffset? LoadMark(string key);

    Task SaveMarkAsync(string key, DateTimeOffset value, CancellationToken cancellationToken);

    Task DeleteMarkAsync(string key, CancellationToken cancellationToken);
}
