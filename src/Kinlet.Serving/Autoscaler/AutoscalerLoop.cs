using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Autoscaler;

/// <summary>
/// Drives the KPA: a sample every second (Knative's queue-proxy reporting period), a decision per
/// revision every tick (2 s by default), then a reconcile for each revision so the decision takes effect.
/// </summary>
public sealed partial class AutoscalerLoop(
    KpaScalePolicy policy,
    RevisionRegistry registry,
    ReconcileQueue queue,
    IOptions<AutoscalerOptions> options,
    TimeProvider time,
    ILogger<AutoscalerLoop> logger)
{
    private static readonly TimeSpan SamplePeriod = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tick = options.Value.TickInterval > TimeSpan.Zero ? options.Value.TickInterval : TimeSpan.FromSeconds(2);
        using var timer = new PeriodicTimer(SamplePeriod, time);
        var nextTick = time.GetUtcNow() + tick;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    var now = time.GetUtcNow();
                    policy.Sample(now);
                    if (now < nextTick) continue;
                    nextTick = now + tick;
                    policy.Tick(now);
                    foreach (var revision in registry.All) queue.Enqueue(revision.Key);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogTickFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Error, Message = "Autoscaler tick failed")]
    private partial void LogTickFailed(Exception exception);
}
