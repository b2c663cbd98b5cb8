using Kinlet.Containers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Reconciler;

/// <summary>
/// Notices containers that stop on their own: the engine's event stream for speed, and a periodic
/// listing for what the stream missed (engine restarts, a dropped connection).
/// </summary>
public sealed partial class ContainerMonitor(
    IContainerRuntime runtime,
    RevisionReconciler reconciler,
    ReconcileQueue inbox,
    IOptions<ServingOptions> options,
    TimeProvider time,
    ILogger<ContainerMonitor> logger)
{
    private readonly ServingOptions _options = options.Value;

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(WatchAsync(cancellationToken), SweepAsync(cancellationToken));

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var backoff = new ReconnectBackoff(time);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in runtime.WatchAsync(reconciler.OwnLabels, cancellationToken).ConfigureAwait(false))
                {
                    backoff.Reset();
                    if (e.Action is "die" or "oom" or "destroy")
                        inbox.Post(new ContainerExited(e.ContainerId, e.ExitCode, e.Action == "oom"));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogWatchLost(e.Message);
            }
            if (!await backoff.WaitAsync(cancellationToken).ConfigureAwait(false)) return;
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ResyncInterval * 5, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    var tracked = reconciler.TrackedContainers;
                    if (tracked.Count == 0) continue;
                    var running = (await runtime.ListAsync(reconciler.OwnLabels, cancellationToken).ConfigureAwait(false))
                        .Where(c => c.State is ContainerRunState.Running or ContainerRunState.Paused)
                        .Select(c => c.Id)
                        .ToHashSet(StringComparer.Ordinal);
                    foreach (var id in tracked)
                    {
                        if (running.Contains(id)) continue;
                        var info = await runtime.InspectAsync(id, cancellationToken).ConfigureAwait(false);
                        if (info is null || info.State is not (ContainerRunState.Running or ContainerRunState.Created or ContainerRunState.Paused))
                            inbox.Post(new ContainerExited(id, info?.ExitCode, info?.OomKilled ?? false));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "Lost the engine's event stream ({Error}); reconnecting")]
    private partial void LogWatchLost(string error);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "Checking containers against the engine failed: {Error}")]
    private partial void LogSweepFailed(string error);
}
