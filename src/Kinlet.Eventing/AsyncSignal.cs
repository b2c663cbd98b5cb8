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
}

/// <summary>Set when a broker, trigger or source is applied or deleted, so the loops that serve them reconcile at once.</summary>
public sealed class EventingChanges : AsyncSignal;
