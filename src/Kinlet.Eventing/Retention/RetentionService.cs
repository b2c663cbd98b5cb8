using Kinlet.Core.Model;
using Kinlet.Eventing.Controllers;
using Kinlet.Eventing.Dispatcher;
using Kinlet.Store;
using Kinlet.Store.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Retention;

/// <summary>
/// Prunes delivered events from the brokers' logs every <see cref="EventingOptions.RetentionInterval"/>: older than
/// <see cref="EventingOptions.RetentionAge"/>, or beyond <see cref="EventingOptions.RetentionMaxEvents"/> (oldest
/// first). An event some trigger has not finished with is never pruned (retries keep their own copy, so they do
/// not hold the log back).
/// </summary>
public sealed class RetentionService(
    IResourceStore store,
    BrokerController brokers,
    IEventLog log,
    IDeliveryStore deliveries,
    TriggerCounters dispatchers,
    IOptions<EventingOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    private readonly EventingOptions _options = options.Value;

    /// <summary>At most this many events go from one broker per round.</summary>
    public const int MaxPerRound = 20_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(_options.RetentionInterval, time, stoppingToken).ConfigureAwait(false);
            try
            {
                PruneOnce();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                RetentionLog.Failed(logger, e, e.Message);
            }
        }
    }

    /// <summary>One round over every broker; returns how many events went.</summary>
    public int PruneOnce()
    {
        var triggers = store.List<Trigger>(Kinds.Trigger, null);
        var pruned = 0;
        foreach (var broker in brokers.List(null))
        {
            var ns = broker.Metadata.Namespace!;
            var name = broker.Metadata.Name!;
            var last = log.LastSequence(ns, name);
            var finished = last;
            foreach (var t in triggers)
            {
                if ((t.Metadata.Namespace ?? KnativeApi.DefaultNamespace) != ns || t.Spec.Broker != name) continue;
                finished = Math.Min(finished, Cursor(ns, t));
            }
            var first = log.FirstSequence(ns, name);
            var decision = RetentionPolicy.Decide(first, last, finished, _options.RetentionMaxEvents);
            if (decision.ThroughSequence > 0)
            {
                // A bounded slice per round: one huge delete would hold the log's write lock (and ingest) for seconds.
                var through = Math.Min(decision.ThroughSequence, first + MaxPerRound - 1);
                var n = log.Prune(ns, name, through, decision.OnlyOlderThanCutoff ? time.GetUtcNow() - _options.RetentionAge : null);
                if (n > 0) RetentionLog.Pruned(logger, ns, name, n);
                pruned += n;
            }
            if (decision.UndeliveredOverCap > 0)
                RetentionLog.OverCap(logger, ns, name, decision.UndeliveredOverCap, _options.RetentionMaxEvents);
        }
        return pruned;
    }

    /// <summary>The trigger's cursor: live from its dispatcher, else as last committed (0 when unknown: keep everything).</summary>
    private long Cursor(string ns, Trigger trigger)
    {
        var key = TriggerDispatcher.Key(ns, trigger.Metadata.Name!);
        if (dispatchers.Dispatchers.TryGetValue(key, out var d) && d.Snapshot.Uid == trigger.Metadata.Uid && d.Cursor is { } live) return live;
        return deliveries.LoadCheckpoint(key) is { } cp && cp.Uid == trigger.Metadata.Uid ? cp.Cursor : 0;
    }
}
