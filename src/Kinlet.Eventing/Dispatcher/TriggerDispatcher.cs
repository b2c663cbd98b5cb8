using System.Globalization;
using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Filters;
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
/// Delivers one trigger's events with at most <see cref="EventingOptions.DeliveryParallelism"/> in flight, by
/// composing its parts: <see cref="LogReader"/> reads the broker's log from the cursor and filters,
/// <see cref="DeliveryAttempt"/> makes one attempt, <see cref="RetrySchedule"/> keeps failed attempts as durable
/// retry records due after the policy's wait, <see cref="DeliveryFailures"/> takes the last failure (dead letter
/// or kept as failed), and <see cref="Checkpointer"/> holds the cursor and counters and commits them
/// (at-least-once: after a crash only deliveries whose completion was not yet committed are sent again).
/// </summary>
public sealed class TriggerDispatcher : IAsyncDisposable
{
    private readonly string _key;
    private readonly IEventLog _log;
    private readonly IDeliveryStore _store;
    private readonly EventingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TriggerSeries _metrics;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();
    private readonly Checkpointer _checkpoint;
    private readonly LogReader _reader;
    private readonly DeliveryAttempt _attempt;
    private readonly RetrySchedule _retries;
    private readonly DeliveryFailures _failures;
    private TriggerSnapshot _snapshot;
    private Task _run = Task.CompletedTask;
    private bool _discard;

    public TriggerDispatcher(
        TriggerSnapshot snapshot, IEventLog log, IDeliveryStore store, EventSender sender, EventPublisher publisher,
        BrokerSignals signals, EventingOptions options, TimeProvider time, ILogger logger, TriggerSeries metrics)
    {
        _snapshot = snapshot;
        _key = Key(snapshot.Namespace, snapshot.Name);
        _log = log;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _slots = new SemaphoreSlim(Math.Max(1, options.DeliveryParallelism));
        _checkpoint = new Checkpointer(_key, store, log, () => Snapshot, time);
        _reader = new LogReader(log, signals, _checkpoint, _slots, () => Snapshot, time);
        _attempt = new DeliveryAttempt(sender, publisher, options, logger);
        _retries = new RetrySchedule(store, _checkpoint, _slots, () => Snapshot, time, metrics);
        _failures = new DeliveryFailures(_key, store, sender, _checkpoint, options, time, logger, metrics);
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
        return _checkpoint.Counts(s.Namespace, s.Broker) ?? Load(_store, _log, s.Namespace, s.Name, s.Uid, s.Broker);
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
    public long? Cursor => _checkpoint.Cursor;

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            foreach (var r in await _checkpoint.LoadAsync(ct).ConfigureAwait(false)) _retries.Enqueue(r, wake: false);
            await Task.WhenAll(
                _reader.RunAsync((s, e, t) => _ = DeliverFirstAsync(s, e, t), ct),
                _retries.RunAsync((s, r, t) => _ = RetryAsync(s, r, t), ct),
                _checkpoint.FlushLoopAsync(ct)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            DispatcherLog.DispatcherStopped(_logger, e, Snapshot.Namespace, Snapshot.Name, e.Message);
        }
    }

    /// <summary>An event's first attempt (it holds a slot); on failure it moves to a retry record or is given up.</summary>
    private async Task DeliverFirstAsync(TriggerSnapshot s, LoggedEvent e, CancellationToken ct)
    {
        try
        {
            var result = await _attempt.SendAsync(s, e.Attributes, e.Data, ct).ConfigureAwait(false);
            if (result.Success)
            {
                // Position first: whoever sees the count also sees the cursor past the event.
                _checkpoint.Complete(e.Sequence);
                Delivered(e.Attributes);
                return;
            }
            var record = new DeliveryRecord(_key, e.Sequence, e.Attributes, e.Data, DeliveryRecordState.Retrying, 1, default, result.Status, result.Describe());
            // The record first, then the cursor: a crash in between repeats the event rather than losing it.
            await AfterFailureAsync(s, record, result, wasRetrying: false, ct).ConfigureAwait(false);
            _checkpoint.Complete(e.Sequence);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: not completed, so it is delivered again after the restart.
        }
        catch (Exception ex)
        {
            DispatcherLog.EventNotHandled(_logger, ex, s.Namespace, s.Name, e.Sequence, ex.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>A retry record's next attempt (it holds a slot).</summary>
    private async Task RetryAsync(TriggerSnapshot s, DeliveryRecord record, CancellationToken ct)
    {
        try
        {
            var attempts = record.Attempts + 1;
            var result = await _attempt.SendAsync(s, record.Attributes, record.Data, ct).ConfigureAwait(false);
            if (result.Success)
            {
                await _store.DeleteRecordAsync(_key, record.Sequence, ct).ConfigureAwait(false);
                _checkpoint.RetryDelivered();
                Delivered(record.Attributes);
                _checkpoint.MarkDirty();
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
            DispatcherLog.RetryNotHandled(_logger, ex, s.Namespace, s.Name, record.Sequence, ex.Message);
            _retries.Enqueue(record with { DueAt = _time.GetUtcNow() + TimeSpan.FromSeconds(5) }, wake: false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>A failed attempt: retried after the policy's wait, or, when the policy says stop, given up.</summary>
    private async Task AfterFailureAsync(TriggerSnapshot s, DeliveryRecord record, DeliveryResult result, bool wasRetrying, CancellationToken ct)
    {
        if (!await _retries.TryScheduleAsync(s, record, result, wasRetrying, ct).ConfigureAwait(false))
            await _failures.GiveUpAsync(s, record, result, wasRetrying, ct).ConfigureAwait(false);
    }

    private void Delivered(IReadOnlyDictionary<string, string> attributes)
    {
        _metrics.Delivered.Inc();
        if (attributes.TryGetValue(EventPublisher.ArrivalTime, out var arrived)
            && DateTimeOffset.TryParse(arrived, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            _metrics.Latency.Observe(Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds));
        _checkpoint.Delivered();
    }

    /// <summary>The events this trigger gave up on (no dead-letter sink, or it failed too), oldest first.</summary>
    public IReadOnlyList<DeliveryRecord> Failed(int max) => _failures.List(max);

    /// <summary>
    /// Sends every failed event through delivery again, with the trigger's full retry policy from the first attempt
    /// (after fixing the subscriber, say). Returns how many were queued.
    /// </summary>
    public async Task<int> RedriveAsync(CancellationToken cancellationToken)
    {
        var n = await _failures.RedriveAsync(r => _retries.Enqueue(r, wake: false), cancellationToken).ConfigureAwait(false);
        if (n > 0)
        {
            _retries.Wake();
            _checkpoint.MarkDirty();
        }
        return n;
    }

    /// <summary>Stops dispatching. With <paramref name="keepState"/> false (the trigger is gone) its state is not written again.</summary>
    public async ValueTask StopAsync(bool keepState)
    {
        _discard = !keepState;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        // Let deliveries in flight see the cancellation and give their slots back.
        var deadline = _time.GetUtcNow().AddSeconds(5);
        for (var i = 0; i < Math.Max(1, _options.DeliveryParallelism); i++)
        {
            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero || !await _slots.WaitAsync(left).ConfigureAwait(false)) break;
        }
        if (!_discard)
        {
            try
            {
                await _checkpoint.FlushAsync(CancellationToken.None).ConfigureAwait(false);
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
