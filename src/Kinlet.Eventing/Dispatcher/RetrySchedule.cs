using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Metrics;
using Kinlet.Store.Events;

namespace Kinlet.Eventing.Dispatcher;

/// <summary>
/// A trigger's retries, earliest due first: after a failed attempt the policy's wait goes into a durable retry
/// record (with its own copy of the event, so the cursor never waits on a slow retry schedule); the loop hands
/// each record to <c>retry</c> when it falls due and a delivery slot is free.
/// </summary>
internal sealed class RetrySchedule(
    IDeliveryStore store, Checkpointer checkpoint, SemaphoreSlim slots, Func<TriggerSnapshot> snapshot, TimeProvider time, TriggerSeries metrics)
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<DeliveryRecord, DateTimeOffset> _queue = new();
    private readonly AsyncSignal _woken = new();

    /// <summary>Queues a record that is already stored (loaded, redriven, or put back after an error).</summary>
    public void Enqueue(DeliveryRecord record, bool wake)
    {
        lock (_lock) _queue.Enqueue(record, record.DueAt);
        if (wake) _woken.Set();
    }

    public void Wake() => _woken.Set();

    /// <summary>
    /// After a failed attempt (<c>record.Attempts</c> made so far): stores the record due after the policy's wait
    /// and queues it; false when the policy says stop (the caller gives up on the event).
    /// </summary>
    public async Task<bool> TryScheduleAsync(TriggerSnapshot s, DeliveryRecord record, DeliveryResult result, bool wasRetrying, CancellationToken ct)
    {
        if (s.Retry.NextDelay(record.Attempts, result.Status, result.RetryAfter) is not { } delay) return false;
        var next = record with { DueAt = time.GetUtcNow() + delay };
        await store.PutRecordAsync(next, ct).ConfigureAwait(false);
        metrics.Retried.Inc();
        if (!wasRetrying) checkpoint.RetryAdded();
        Enqueue(next, wake: true);
        return true;
    }

    /// <summary>Runs until cancelled; <paramref name="retry"/> owns the slot it is given and releases it.</summary>
    public async Task RunAsync(Action<TriggerSnapshot, DeliveryRecord, CancellationToken> retry, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var woken = _woken.Next;
            DeliveryRecord? due = null;
            var wait = Timeout.InfiniteTimeSpan;
            lock (_lock)
            {
                if (_queue.TryPeek(out _, out var at))
                {
                    var now = time.GetUtcNow();
                    if (at <= now) due = _queue.Dequeue();
                    else wait = at - now;
                }
            }
            if (due is null)
            {
                // Woken by a new retry, or when the earliest one falls due (infinite: none queued).
                await AsyncSignal.WaitAsync(woken, wait, time, ct).ConfigureAwait(false);
                continue;
            }
            await slots.WaitAsync(ct).ConfigureAwait(false);
            retry(snapshot(), due, ct);
        }
    }
}
