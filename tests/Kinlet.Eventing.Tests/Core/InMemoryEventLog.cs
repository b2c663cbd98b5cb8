using Kinlet.Store.Events;

namespace Kinlet.Eventing.Tests.Core;

/// <summary>
/// A hand-written event log and delivery store in memory (the same contract as LiteDbEventLog), shared between
/// dispatchers built one after another so a test can kill one and resume from what it committed.
/// </summary>
public sealed class InMemoryEventLog(TimeProvider time) : IEventLog, IDeliveryStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<LoggedEvent>> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _heads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TriggerCheckpoint> _checkpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, long), DeliveryRecord> _records = [];
    private readonly Dictionary<string, DateTimeOffset> _marks = new(StringComparer.Ordinal);

    private static string Stream(string ns, string broker) => ns + "/" + broker;

    public Task<long[]> AppendAsync(string @namespace, string broker, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var key = Stream(@namespace, broker);
            if (!_streams.TryGetValue(key, out var list)) _streams[key] = list = [];
            var seq = _heads.GetValueOrDefault(key);
            var ids = new long[events.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = ++seq;
                list.Add(new LoggedEvent(seq, events[i].Attributes, events[i].Data, time.GetUtcNow()));
            }
            _heads[key] = seq;
            return Task.FromResult(ids);
        }
    }

    public IReadOnlyList<LoggedEvent> Read(string @namespace, string broker, long afterSequence, int max)
    {
        lock (_lock)
            return _streams.TryGetValue(Stream(@namespace, broker), out var list)
                ? [.. list.Where(e => e.Sequence > afterSequence).Take(max)]
                : [];
    }

    public long LastSequence(string @namespace, string broker)
    {
        lock (_lock) return _heads.GetValueOrDefault(Stream(@namespace, broker));
    }

    public long FirstSequence(string @namespace, string broker)
    {
        lock (_lock) return _streams.TryGetValue(Stream(@namespace, broker), out var l) && l.Count > 0 ? l[0].Sequence : 0;
    }

    public int Prune(string @namespace, string broker, long throughSequence, DateTimeOffset? arrivedBefore = null)
    {
        lock (_lock)
            return _streams.TryGetValue(Stream(@namespace, broker), out var l)
                ? l.RemoveAll(e => e.Sequence <= throughSequence && (arrivedBefore is null || e.ArrivedAt < arrivedBefore))
                : 0;
    }

    public TriggerCheckpoint? LoadCheckpoint(string trigger)
    {
        lock (_lock) return _checkpoints.GetValueOrDefault(trigger);
    }

    public Task SaveCheckpointAsync(string trigger, TriggerCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        lock (_lock) _checkpoints[trigger] = checkpoint;
        return Task.CompletedTask;
    }

    public Task PutRecordAsync(DeliveryRecord record, CancellationToken cancellationToken)
    {
        lock (_lock) _records[(record.Trigger, record.Sequence)] = record;
        return Task.CompletedTask;
    }

    public Task DeleteRecordAsync(string trigger, long sequence, CancellationToken cancellationToken)
    {
        lock (_lock) _records.Remove((trigger, sequence));
        return Task.CompletedTask;
    }

    public IReadOnlyList<DeliveryRecord> ListRecords(string trigger, DeliveryRecordState? state, int max)
    {
        lock (_lock)
            return [.. _records.Values.Where(r => r.Trigger == trigger && (state is null || r.State == state)).OrderBy(r => r.Sequence).Take(max)];
    }

    public int CountRecords(string trigger, DeliveryRecordState state) => ListRecords(trigger, state, int.MaxValue).Count;

    public Task DeleteTriggerAsync(string trigger, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _checkpoints.Remove(trigger);
            foreach (var k in _records.Keys.Where(k => k.Item1 == trigger).ToList()) _records.Remove(k);
        }
        return Task.CompletedTask;
    }

    public DateTimeOffset? LoadMark(string key)
    {
        lock (_lock) return _marks.TryGetValue(key, out var v) ? v : null;
    }

    public Task SaveMarkAsync(string key, DateTimeOffset value, CancellationToken cancellationToken)
    {
        lock (_lock) _marks[key] = value;
        return Task.CompletedTask;
    }

    public Task DeleteMarkAsync(string key, CancellationToken cancellationToken)
    {
        lock (_lock) _marks.Remove(key);
        return Task.CompletedTask;
    }
}
