using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kinlet.Serving.Reconciler;

/// <summary>
/// Container work the reconcile loop hands off (start, stop, freeze, unpause, pre-create, removal), run in
/// the background so one slow start never holds up another revision. Each piece ends by posting its
/// outcome to the loop, also when it throws, so the loop never waits on a result that will not come.
/// </summary>
public sealed partial class InstanceWork(ReconcileQueue inbox, TimeProvider time, ILogger<InstanceWork> logger)
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    /// <summary>Runs <paramref name="work"/>; its message (if any) goes to the loop, or <paramref name="onError"/>'s when it throws.</summary>
    public void Run(Func<Task<ReconcileMessage?>> work, Func<Exception, ReconcileMessage?>? onError = null) =>
        Track(RunAsync(work, onError));

    /// <summary>Posts <paramref name="message"/> at <paramref name="at"/> (a crash backoff ending).</summary>
    public void PostAt(DateTimeOffset at, ReconcileMessage message) => Track(PostAtAsync(at, message));

    private async Task RunAsync(Func<Task<ReconcileMessage?>> work, Func<Exception, ReconcileMessage?>? onError)
    {
        ReconcileMessage? outcome;
        try
        {
            // Off the loop's thread: the loop only hands work out and never waits for it.
            await Task.Yield();
            outcome = await work().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogWorkFailed(e);
            outcome = onError?.Invoke(e);
        }
        if (outcome is not null) inbox.Post(outcome);
    }

    private async Task PostAtAsync(DateTimeOffset at, ReconcileMessage message)
    {
        var wait = at - time.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, time).ConfigureAwait(false);
        inbox.Post(message);
    }

    private void Track(Task task)
    {
        _running.TryAdd(task, 0);
        task.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _), _running,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits (bounded) for the work in progress, at daemon shutdown.</summary>
    public async Task DrainAsync(TimeSpan bound)
    {
        var pending = _running.Keys.ToArray();
        if (pending.Length == 0) return;
        try
        {
            await Task.WhenAll(pending).WaitAsync(bound, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    [LoggerMessage(EventId = 140, Level = LogLevel.Error, Message = "Background container work failed")]
    private partial void LogWorkFailed(Exception exception);
}
