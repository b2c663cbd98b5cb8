using Kinlet.Eventing.Filters.Cesql;
using Kinlet.Eventing.Ingress;
using Kinlet.Store.Events;

namespace Kinlet.Eventing.Dispatcher;

/// <summary>
/// Reads a trigger's broker log from its cursor, skips events already finished, completes those its filter
/// drops, and hands each matching one to <c>deliver</c> once a delivery slot is free. Reading may run at most
/// <see cref="MaxLookahead"/> past the cursor while an early event is still in flight.
/// </summary>
internal sealed class LogReader(
    IEventLog log, BrokerSignals signals, Checkpointer checkpoint, SemaphoreSlim slots, Func<TriggerSnapshot> snapshot, TimeProvider time)
{
    public const int MaxLookahead = 10_000;
    private const int ReadBatch = 256;

    /// <summary>Runs until cancelled; <paramref name="deliver"/> owns the slot it is given and releases it.</summary>
    public async Task RunAsync(Action<TriggerSnapshot, LoggedEvent, CancellationToken> deliver, CancellationToken ct)
    {
        var signal = signals.For(snapshot().Namespace, snapshot().Broker);
        var read = checkpoint.Cursor ?? 0;
        while (!ct.IsCancellationRequested)
        {
            var s = snapshot();
            // Taken before reading, so an append that lands after the read still wakes us.
            var appended = signal.Next;
            var progressed = checkpoint.Progress.Next;
            var cursor = checkpoint.Cursor ?? 0;
            if (read - cursor >= MaxLookahead)
            {
                await AsyncSignal.WaitAsync(progressed, TimeSpan.FromSeconds(1), time, ct).ConfigureAwait(false);
                continue;
            }
            var batch = log.Read(s.Namespace, s.Broker, read, ReadBatch);
            if (batch.Count == 0)
            {
                // The signal is the fast path; the poll covers appends from anywhere else.
                await AsyncSignal.WaitAsync(appended, TimeSpan.FromSeconds(1), time, ct).ConfigureAwait(false);
                continue;
            }
            foreach (var e in batch)
            {
                read = e.Sequence;
                if (checkpoint.IsFinished(e.Sequence)) continue;
                s = snapshot();
                if (!s.Filter.Matches(Attributes(e.Attributes)))
                {
                    checkpoint.Complete(e.Sequence);
                    continue;
                }
                await slots.WaitAsync(ct).ConfigureAwait(false);
                deliver(s, e, ct);
            }
        }
    }

    /// <summary>An event's attributes as CESQL sees them: every stored attribute is a string.</summary>
    public static CesqlAttributes Attributes(IReadOnlyDictionary<string, string> attributes) =>
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
}
