using System.Globalization;
using CloudNative.CloudEvents;
using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Filters;
using Kinlet.Eventing.Filters.Cesql;
using Kinlet.Eventing.Ingress;
using Kinlet.Eventing.Metrics;
using Kinlet.Store.Events;
using Microsoft.Extensions.Logging;

namespace Kinlet.Eventing.Dispatcher;

/// <summary>What a trigger's dispatcher works from; replaced as a whole when the trigger or its broker changes.</summary>
public sealed record TriggerSnapshot(
    string Namespace,
    string Name,
    string Uid,
    string Broker,
    IEventFilter Filter,
    RetryPolicy Retry,
    SinkTarget? Subscriber,
    SinkTarget? DeadLetterSink,
    long Version);

/// <summary>
/// Delivers one trigger's events: reads its broker's log from the trigger's cursor, filters, and sends matching
/// events with at most <see cref="EventingOptions.DeliveryParallelism"/> in flight. A failed first attempt moves to
/// a durable retry record (with its own copy of the event) so the cursor never waits on a slow retry schedule;
/// after the last attempt the event goes to the dead-letter sink, or is kept as failed. Completions are
/// checkpointed by a flush loop that coalesces them into one write per commit: after a crash, only deliveries
/// whose completion was not yet committed are sent again (at-least-once).
/// </summary>
public sealed class TriggerDispatcher : IAsyncDisposable
{
    /// <summary>How far reading may run ahead of the cursor while an early event is still in flight.</summary>
    private const int MaxLookahead = 10_000;
    private const int ReadBatch = 256;

    private readonly string _key;
    private readonly IEventLog _log;
    private readonly IDeliveryStore _store;
    private readonly EventSender _sender;
    private readonly EventPublisher _publisher;
    private readonly BrokerSignals _signals;
    private readonly EventingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TriggerSeries _metrics;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private SequenceRanges _done = new();
    private readonly PriorityQueue<DeliveryRecord, DateTimeOffset> _retries = new();
    private readonly AsyncSignal _flushSignal = new();
    private readonly AsyncSignal _retrySignal = new();
    private readonly AsyncSignal _progress = new();
    private TriggerSnapshot _snapshot;
    private Task _run = Task.CompletedTask;
    private bool _discard;

    // Under _lock: the checkpoint as it stands in memory.
    private long _cursor;
    private long _delivered, _deadLettered, _failed, _retrying, _failedNow;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private bool _loaded;

    public TriggerDispatcher(
        TriggerSnapshot snapshot, IEventLog log, IDeliveryStore store, EventSender sender, EventPublisher publisher,
        BrokerSignals signals, EventingOptions options, TimeProvider time, ILogger logger, TriggerSeries metrics)
    {
        _snapshot = snapshot;
        _key = Key(snapshot.Namespace, snapshot.Name);
        _log = log;
        _store = store;
        _sender = sender;
        _publisher = publisher;
        _signals = signals;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _slots = new SemaphoreSlim(Math.Max(1, options.DeliveryParallelism));
    }

    public static string Key(string ns, string trigger) => ns + "/" + trigger;

    public TriggerSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public void Update(TriggerSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>True when its loops ended by themselves (an error it could not handle): the service starts a new one.</summary>
    public bool Stopped => _run.IsCompleted && !_stop.IsCancellationRequested;

    /// <summary>Counters for <c>kinlet trigger describe</c>; backlog counts events not finished (in flight included).</summary>
    public TriggerCounts Counts()
    {
        var s = Snapshot;
        lock (_lock)
        {
            if (!_loaded) return Load(_store, _log, s.Namespace, s.Name, s.Uid, s.Broker);
            var backlog = Math.Max(0, _log.LastSequence(s.Namespace, s.Broker) - _cursor - _done.Count);
            return new TriggerCounts(_delivered, _retrying, _deadLettered, _failedNow, backlog, _lastError, _lastErrorAt);
        }
    }

    /// <summary>Counters from the store, for a trigger whose dispatcher has not loaded yet.</summary>
    public static TriggerCounts Load(IDeliveryStore store, IEventLog log, string ns, string trigger, string uid, string broker)
    {
        var key = Key(ns, trigger);
        var cp = store.LoadCheckpoint(key);
        if (cp is null || cp.Uid != uid) return new TriggerCounts(0, 0, 0, 0, 0, null, null);
        return new TriggerCounts(cp.Delivered, store.CountRecords(key, DeliveryRecordState.Retrying), cp.DeadLettered,
            store.CountRecords(key, DeliveryRecordState.Failed),
            Math.Max(0, log.LastSequence(ns, broker) - cp.Cursor - DoneCount(cp.Done)), cp.LastError, cp.LastErrorAt);
    }

    private static long DoneCount(long[] ranges)
    {
        long n = 0;
        for (var i = 0; i + 1 < ranges.Length; i += 2) n += ranges[i + 1] - ranges[i] + 1;
        return n;
    }

    /// <summary>The cursor: every event at or below it is finished for this trigger (used to prune the log).</summary>
    public long? Cursor
    {
        get
        {
            lock (_lock) return _loaded ? _cursor : null;
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            await LoadAsync(ct).ConfigureAwait(false);
            await Task.WhenAll(DispatchLoopAsync(ct), RetryLoopAsync(ct), FlushLoopAsync(ct)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Trigger {Namespace}/{Trigger}: dispatcher stopped: {Error}", Snapshot.Namespace, Snapshot.Name, e.Message);
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var s = Snapshot;
        var cp = _store.LoadCheckpoint(_key);
        if (cp is null || cp.Uid != s.Uid)
        {
            // A new trigger starts at the end of its broker's log: it gets the events that arrive from now on.
            if (cp is not null) await _store.DeleteTriggerAsync(_key, ct).ConfigureAwait(false);
            cp = new TriggerCheckpoint(s.Uid, _log.LastSequence(s.Namespace, s.Broker), [], 0, 0, 0, null, null);
            await _store.SaveCheckpointAsync(_key, cp, ct).ConfigureAwait(false);
        }
        var records = _store.ListRecords(_key, null, int.MaxValue);
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
                    _retries.Enqueue(r, r.DueAt);
                    _retrying++;
                }
                else _failedNow++;
            }
            _loaded = true;
        }
    }

    private async Task DispatchLoopAsync(CancellationToken ct)
    {
        var signal = _signals.For(Snapshot.Namespace, Snapshot.Broker);
        long read;
        lock (_lock) read = _cursor;
        while (!ct.IsCancellationRequested)
        {
            var s = Snapshot;
            // Taken before reading, so an append that lands after the read still wakes us.
            var appended = signal.Next;
            var progressed = _progress.Next;
            long cursor;
            lock (_lock) cursor = _cursor;
            if (read - cursor >= MaxLookahead)
            {
                await AsyncSignal.WaitAsync(progressed, TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
                continue;
            }
            var batch = _log.Read(s.Namespace, s.Broker, read, ReadBatch);
            if (batch.Count == 0)
            {
                // The signal is the fast path; the poll covers appends from anywhere else.
                await AsyncSignal.WaitAsync(appended, TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
                continue;
            }
            foreach (var e in batch)
            {
                read = e.Sequence;
                lock (_lock)
                {
                    if (e.Sequence <= _cursor || _done.Contains(e.Sequence)) continue;
                }
                s = Snapshot;
                if (!s.Filter.Matches(Attributes(e.Attributes)))
                {
                    Complete(e.Sequence);
                    continue;
                }
                await _slots.WaitAsync(ct).ConfigureAwait(false);
                _ = DeliverFirstAsync(s, e, ct);
            }
        }
    }

    private static CesqlAttributes Attributes(IReadOnlyDictionary<string, string> attributes) =>
        (string name, out CesqlValue value) =>
        {
            if (attributes.TryGetValue(name, out var text))
            {
                value = CesqlValue.Of(text);
                return true;
            }
            value = default;
            return false;
        };

    private async Task DeliverFirstAsync(TriggerSnapshot s, LoggedEvent e, CancellationToken ct)
    {
        try
        {
            var result = await AttemptAsync(s, e.Attributes, e.Data, ct).ConfigureAwait(false);
            if (result.Success)
            {
                // Position first: whoever sees the count also sees the cursor past the event.
                Complete(e.Sequence);
                Delivered(e.Attributes);
                return;
            }
            var record = new DeliveryRecord(_key, e.Sequence, e.Attributes, e.Data, DeliveryRecordState.Retrying, 1, default, result.Status, result.Describe());
            // The record first, then the cursor: a crash in between repeats the event rather than losing it.
            await AfterFailureAsync(s, record, result, wasRetrying: false, ct).ConfigureAwait(false);
            Complete(e.Sequence);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: not completed, so it is delivered again after the restart.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Trigger {Namespace}/{Trigger}: event {Sequence} could not be handled: {Error}", s.Namespace, s.Name, e.Sequence, ex.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task RetryLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var woken = _retrySignal.Next;
            DeliveryRecord? due = null;
            var wait = Timeout.InfiniteTimeSpan;
            lock (_lock)
            {
                if (_retries.TryPeek(out var r, out var at))
                {
                    var now = _time.GetUtcNow();
                    if (at <= now) due = _retries.Dequeue();
                    else wait = at - now;
                }
            }
            if (due is null)
            {
                // Woken by a new retry, or when the earliest one falls due (infinite: none queued).
                await AsyncSignal.WaitAsync(woken, wait, _time, ct).ConfigureAwait(false);
                continue;
            }
            await _slots.WaitAsync(ct).ConfigureAwait(false);
            _ = RetryAsync(Snapshot, due, ct);
        }
    }

    private async Task RetryAsync(TriggerSnapshot s, DeliveryRecord record, CancellationToken ct)
    {
        try
        {
            var attempts = record.Attempts + 1;
            var result = await AttemptAsync(s, record.Attributes, record.Data, ct).ConfigureAwait(false);
            if (result.Success)
            {
                await _store.DeleteRecordAsync(_key, record.Sequence, ct).ConfigureAwait(false);
                lock (_lock) _retrying--;
                Delivered(record.Attributes);
                MarkDirty();
                return;
            }
            var next = record with { Attempts = attempts, LastStatus = result.Status, LastError = result.Describe() };
            await AfterFailureAsync(s, next, result, wasRetrying: true, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: the record stays as it was and is tried again after the restart.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Trigger {Namespace}/{Trigger}: retry of event {Sequence} could not be handled: {Error}", s.Namespace, s.Name, record.Sequence, ex.Message);
            var later = record with { DueAt = _time.GetUtcNow() + TimeSpan.FromSeconds(5) };
            lock (_lock) _retries.Enqueue(later, later.DueAt);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>The events this trigger gave up on (no dead-letter sink, or it failed too), oldest first.</summary>
    public IReadOnlyList<DeliveryRecord> Failed(int max) => _store.ListRecords(_key, DeliveryRecordState.Failed, max);

    /// <summary>
    /// Sends every failed event through delivery again, with the trigger's full retry policy from the first attempt
    /// (after fixing the subscriber, say). Returns how many were queued.
    /// </summary>
    public async Task<int> RedriveAsync(CancellationToken cancellationToken)
    {
        var failed = _store.ListRecords(_key, DeliveryRecordState.Failed, int.MaxValue);
        foreach (var record in failed)
        {
            var again = record with { State = DeliveryRecordState.Retrying, Attempts = 0, DueAt = _time.GetUtcNow() };
            await _store.PutRecordAsync(again, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                _failedNow--;
                _retrying++;
                _retries.Enqueue(again, again.DueAt);
            }
        }
        if (failed.Count > 0)
        {
            _retrySignal.Set();
            MarkDirty();
        }
        return failed.Count;
    }

    /// <summary>One attempt to the subscriber; a reply goes back into the broker before the attempt counts as a success.</summary>
    private async Task<DeliveryResult> AttemptAsync(TriggerSnapshot s, IReadOnlyDictionary<string, string> attributes, byte[]? data, CancellationToken ct)
    {
        if (s.Subscriber is not { } target)
            return new DeliveryResult(false, null, [], "the trigger's subscriber cannot be resolved", null, null);
        var result = await _sender.SendAsync(target, attributes, data, s.Namespace, s.Retry.Timeout ?? _options.DeliveryTimeout,
            null, _options.MaxRequestBytes, ct).ConfigureAwait(false);
        if (result.Reply is not { } reply) return result;
        // A reply carries the hop count of the event it answers; the broker takes one off as it stores it.
        reply[CloudEventReader.BrokerTtl] = attributes.TryGetValue(CloudEventReader.BrokerTtl.Name, out var t)
            && int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ttl) ? ttl : _options.DefaultTtl;
        try
        {
            await _publisher.PublishAsync(s.Namespace, s.Broker, [reply], ct).ConfigureAwait(false);
        }
        catch (TtlExhaustedException)
        {
            _logger.LogInformation("Trigger {Namespace}/{Trigger}: reply {Id} dropped, its knativebrokerttl reached 0 (an event loop ends here)", s.Namespace, s.Name, reply.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Storing the reply failed: the original delivery is tried again.
            return new DeliveryResult(false, null, [], "the reply could not be stored: " + e.Message, null, null);
        }
        return result;
    }

    /// <summary>
    /// A failed attempt (<c>record.Attempts</c> made so far): a durable retry record due after the policy's wait, or,
    /// when the policy says stop, <see cref="GiveUpAsync"/>.
    /// </summary>
    private async Task AfterFailureAsync(TriggerSnapshot s, DeliveryRecord record, DeliveryResult result, bool wasRetrying, CancellationToken ct)
    {
        if (s.Retry.NextDelay(record.Attempts, result.Status, result.RetryAfter) is not { } delay)
        {
            await GiveUpAsync(s, record, result, wasRetrying, ct).ConfigureAwait(false);
            return;
        }
        var next = record with { DueAt = _time.GetUtcNow() + delay };
        await _store.PutRecordAsync(next, ct).ConfigureAwait(false);
        _metrics.Retried.Inc();
        lock (_lock)
        {
            if (!wasRetrying) _retrying++;
            _retries.Enqueue(next, next.DueAt);
        }
        _retrySignal.Set();
    }

    /// <summary>After the last attempt: to the dead-letter sink with Knative's error extensions, or kept as failed.</summary>
    private async Task GiveUpAsync(TriggerSnapshot s, DeliveryRecord record, DeliveryResult result, bool wasRetrying, CancellationToken ct)
    {
        var error = $"{s.Subscriber?.Uri ?? "(no subscriber)"}: {result.Describe()} after {record.Attempts} attempt{(record.Attempts == 1 ? "" : "s")}";
        if (s.DeadLetterSink is { } dls)
        {
            var extensions = DeadLetter.Extensions(s.Subscriber?.Uri ?? "", result.Status, result.Body);
            var sent = await _sender.SendWithRetriesAsync(dls, record.Attributes, record.Data, s.Namespace,
                s.Retry.Timeout ?? _options.DeliveryTimeout, extensions, 3, TimeSpan.FromMilliseconds(200), _time, ct).ConfigureAwait(false);
            if (sent.Success)
            {
                if (wasRetrying) await _store.DeleteRecordAsync(_key, record.Sequence, ct).ConfigureAwait(false);
                _metrics.DeadLettered.Inc();
                lock (_lock)
                {
                    if (wasRetrying) _retrying--;
                    _deadLettered++;
                    _lastError = error;
                    _lastErrorAt = _time.GetUtcNow();
                }
                _logger.LogWarning("Trigger {Namespace}/{Trigger}: event {Id} dead-lettered to {Sink}: {Error}", s.Namespace, s.Name,
                    record.Attributes.GetValueOrDefault("id"), dls.Uri, error);
                MarkDirty();
                return;
            }
            error += $"; the dead-letter sink {dls.Uri} failed too: {sent.Describe()}";
        }
        // Knative drops it here; Kinlet keeps it, so it shows in describe and can be looked at.
        await _store.PutRecordAsync(record with { State = DeliveryRecordState.Failed, LastError = error, DueAt = _time.GetUtcNow() }, ct).ConfigureAwait(false);
        _metrics.Failed.Inc();
        lock (_lock)
        {
            if (wasRetrying) _retrying--;
            _failed++;
            _failedNow++;
            _lastError = error;
            _lastErrorAt = _time.GetUtcNow();
        }
        _logger.LogWarning("Trigger {Namespace}/{Trigger}: event {Id} failed: {Error}", s.Namespace, s.Name, record.Attributes.GetValueOrDefault("id"), error);
        MarkDirty();
    }

    private void Delivered(IReadOnlyDictionary<string, string> attributes)
    {
        _metrics.Delivered.Inc();
        if (attributes.TryGetValue(EventPublisher.ArrivalTime, out var arrived)
            && DateTimeOffset.TryParse(arrived, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            _metrics.Latency.Observe(Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds));
        lock (_lock) _delivered++;
    }

    /// <summary>Marks an event finished and moves the cursor over the finished run it completes.</summary>
    private void Complete(long sequence)
    {
        lock (_lock)
        {
            if (sequence == _cursor + 1) _cursor = _done.AdvanceFrom(sequence);
            else if (sequence > _cursor) _done.Add(sequence);
        }
        MarkDirty();
        _progress.Set();
    }

    private void MarkDirty() => _flushSignal.Set();

    private async Task FlushLoopAsync(CancellationToken ct)
    {
        while (true)
        {
            var next = _flushSignal.Next;
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
            // Completions during the write coalesce into the next one.
            await next.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private Task FlushAsync(CancellationToken ct)
    {
        TriggerCheckpoint cp;
        lock (_lock)
        {
            if (!_loaded) return Task.CompletedTask;
            cp = new TriggerCheckpoint(Snapshot.Uid, _cursor, _done.ToArray(), _delivered, _deadLettered, _failed, _lastError, _lastErrorAt);
        }
        return _store.SaveCheckpointAsync(_key, cp, ct);
    }

    /// <summary>Stops dispatching. With <paramref name="keepState"/> false (the trigger is gone) its state is not written again.</summary>
    public async ValueTask StopAsync(bool keepState)
    {
        _discard = !keepState;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        // Let deliveries in flight see the cancellation and give their slots back.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        for (var i = 0; i < Math.Max(1, _options.DeliveryParallelism); i++)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _slots.WaitAsync(left).ConfigureAwait(false)) break;
        }
        if (!_discard)
        {
            try
            {
                await FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The store closed first (daemon shutdown): the last commit stands.
            }
        }
    }

    public ValueTask DisposeAsync() => StopAsync(keepState: true);
}

/// <summary>A trigger's delivery figures, as <c>kinlet trigger describe</c> shows them.</summary>
public sealed record TriggerCounts(long Delivered, long Retrying, long DeadLettered, long Failed, long Backlog, string? LastError, DateTimeOffset? LastErrorAt);
