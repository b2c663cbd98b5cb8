namespace Kinlet.Eventing;

/// <summary>
/// An auto-reset wake-up for background loops: <see cref="Set"/> completes the current <see cref="Next"/> and arms a
/// new one. A loop takes <see cref="Next"/> before it looks at its work, so a Set in between is never missed.
/// </summary>
public class AsyncSignal
{
    private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _tcs).Task;

    public void Set() => Interlocked.Exchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Waits until <paramref name="next"/> (a <see cref="Next"/> taken earlier) completes or <paramref name="timeout"/>
    /// passes (<see cref="Timeout.InfiniteTimeSpan"/>: no timeout); true when signalled. Throws when
    /// <paramref name="ct"/> is cancelled. <see cref="Task.WaitAsync(TimeSpan, TimeProvider, CancellationToken)"/>
    /// drops its timer and its cancellation registration the moment either side wins, where a
    /// <c>Task.Delay</c> raced by <c>WhenAny</c> stays pending (registration included) until it runs out.
    /// </summary>
    public static async Task<bool> WaitAsync(Task next, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        await next.WaitAsync(timeout, time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ct.ThrowIfCancellationRequested();
        return next.IsCompleted;
    }
}

/// <summary>Set when a broker, trigger or source is applied or deleted, so the loops that serve them reconcile at once.</summary>
public sealed class EventingChanges : AsyncSignal;
