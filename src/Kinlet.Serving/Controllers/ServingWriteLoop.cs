using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// The one writer of the serving resources in the store: API writes and status changes run here one at a
/// time, in arrival order, instead of under a lock held across store I/O. API callers await their item;
/// the reconcile loop's status reports are posted and never waited on.
/// </summary>
public sealed partial class ServingWriteLoop : IDisposable
{
    private readonly Channel<Func<Task>> _items = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger<ServingWriteLoop> _logger;
    private readonly Task _loop;

    public ServingWriteLoop(ILogger<ServingWriteLoop> logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Runs <paramref name="work"/> on the loop; its result or exception comes back to the caller.</summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var item = () =>
        {
            try
            {
                done.TrySetResult(work());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
            return Task.CompletedTask;
        };
        if (!_items.Writer.TryWrite(item)) done.TrySetException(new ObjectDisposedException(nameof(ServingWriteLoop)));
        return done.Task;
    }

    /// <summary>Queues <paramref name="work"/> without waiting for it; a failure is logged.</summary>
    public void Post(Action work, string what) =>
        _items.Writer.TryWrite(() =>
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                LogWriteFailed(what, e);
            }
            return Task.CompletedTask;
        });

    private async Task RunAsync()
    {
        try
        {
            while (await _items.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
                while (_items.Reader.TryRead(out var item)) await item().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        _items.Writer.TryComplete();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Writing {What} failed")]
    private partial void LogWriteFailed(string what, Exception exception);
}
