using Kinlet.Store.Events;

namespace Kinlet.Eventing.Dispatcher;

/// <summary>
/// A trigger's checkpoint in memory (cursor, finished events above it, counters) and its flush loop, which
/// coalesces completions into one durable write per commit: after a crash only deliveries whose completion was
/// not yet committed are sent again (at-least-once). Every field is under one lock, so counts are consistent.
/// </summary>
internal sealed class Checkpointer(string key, IDeliveryStore store, IEventLog log, Func<TriggerSnapshot> snapshot, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly AsyncSignal _flushSignal = new();
    private SequenceRanges _done = new();
    private long _cursor;
    private long _delivered, _deadLettered, _failed, _retrying, _failedNow;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private bool _loaded;

    /// <summary>Set whenever an event is finished, for a reader waiting for the cursor to move.</summary>
    public AsyncSignal Progress { get; } = new();

    /// <summary>
    /// Reads the checkpoint (a new trigger, or one made again under the same name, starts at the end of its
    /// broker's log) and its delivery records; returns the ones still retrying, for the retry schedule.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryRecord>> LoadAsync(CancellationToken ct)
    {
        var s = snapshot();
        var cp = store.LoadCheckpoint(key);
        if (cp is null || cp.Uid != s.Uid)
        {
            // A new trigger starts at the end of its broker's log: it gets the events that arrive from now on.
            if (cp is not null) await store.DeleteTriggerAsync(key, ct).ConfigureAwait(false);
            cp = new TriggerCheckpoint(s.Uid, log.LastSequence(s.Namespace, s.Broker), [], 0, 0, 0, null, null);
            await store.SaveCheckpointAsync(key, cp, ct).ConfigureAwait(false);
        }
        var records = store.ListRecords(key, null, int.MaxValue);
        var retrying = new List<DeliveryRecord>();
        lock (_lock)
        {
            _cursor = cp.Cursor;
            _done = SequenceRanges.FromArray(cp.Done);
            _delivered = cp.Delivered;
            _deadLettered = cp.DeadLettered;
            _failed = cp.Failed;
            _lastError = cp.LastError;
            _lastErrorAt = cp.LastErrorAt;
            foreach (var r in records)
            {
                if (r.State == DeliveryRecordState.Retrying)
                {
                    retrying.Add(r);
                    _retrying++;
                }
                else _failedNow++;
            }
            _loaded = true;
        }
        return retrying;
    }

    public bool Loaded
    {
        get
        {
            lock (_lock) return _loaded;
        }
    }

    /// <summary>The cursor once loaded: every event at or below it is finished for this trigger.</summary>
    public long? Cursor
    {
        get
        {
            lock (_lock) return _loaded ? _cursor : null;
        }
    }

    /// <summary>True when the event is already finished (at or below the cursor, or done above it).</summary>
    public bool IsFinished(long sequence)
    {
        lock (_lock) return sequence <= _cursor || _done.Contains(sequence);
    }

    /// <summary>Counters for describe; null until loaded.</summary>
    public TriggerCounts? Counts(string ns, string broker)
    {
        lock (_lock)
        {
            if (!_loaded) return null;
            var backlog = Math.Max(0, log.LastSequence(ns, broker) - _cursor - _done.Count);
            return new TriggerCounts(_delivered, _retrying, _deadLettered, _failedNow, backlog, _lastError, _lastErrorAt);
        }
    }

    /// <summary>Marks an event finished and moves the cursor over the finished run it completes.</summary>
    public void Complete(long sequence)
    {
        lock (_lock)
        {
            if (sequence == _cursor + 1) _cursor = _done.AdvanceFrom(sequence);
            else if (sequence > _cursor) _done.Add(sequence);
        }
        MarkDirty();
        Progress.Set();
    }

    public void Delivered()
    {
        lock (_lock) _delivered++;
    }

    /// <summary>A first attempt failed and the event moved to a retry record.</summary>
    public void RetryAdded()
    {
        lock (_lock) _retrying++;
    }

    /// <summary>A retry record was delivered and deleted (the caller counts the delivery, then marks dirty).</summary>
    public void RetryDelivered()
    {
        lock (_lock) _retrying--;
    }

    public void DeadLettered(bool wasRetrying, string error)
    {
        lock (_lock)
        {
            if (wasRetrying) _retrying--;
            _deadLettered++;
            _lastError = error;
            _lastErrorAt = time.GetUtcNow();
        }
        MarkDirty();
    }

    public void Failed(bool wasRetrying, string error)
    {
        lock (_lock)
        {
            if (wasRetrying) _retrying--;
            _failed++;
            _failedNow++;
            _lastError = error;
            _lastErrorAt = time.GetUtcNow();
        }
        MarkDirty();
    }

    /// <summary>A failed record went back to retrying.</summary>
    public void Redriven()
    {
        lock (_lock)
        {
            _failedNow--;
            _retrying++;
        }
    }

    public void MarkDirty() => _flushSignal.Set();

    public async Task FlushLoopAsync(CancellationToken ct)
    {
        while (true)
        {
            var next = _flushSignal.Next;
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
            // Completions during the write coalesce into the next one.
            await next.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    public Task FlushAsync(CancellationToken ct)
    {
        TriggerCheckpoint cp;
        lock (_lock)
        {
            if (!_loaded) return Task.CompletedTask;
            cp = new TriggerCheckpoint(snapshot().Uid, _cursor, _done.ToArray(), _delivered, _deadLettered, _failed, _lastError, _lastErrorAt);
        }
        return store.SaveCheckpointAsync(key, cp, ct);
    }
}
