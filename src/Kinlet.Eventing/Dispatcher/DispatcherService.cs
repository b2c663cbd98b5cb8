using System.Collections.Concurrent;
using Kinlet.Core.Model;
using Kinlet.Eventing.Controllers;
using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Ingress;
using Kinlet.Eventing.Metrics;
using Kinlet.Store;
using Kinlet.Store.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Eventing.Dispatcher;

/// <summary>The running dispatchers by trigger key, for status (counts) and retention (cursors).</summary>
public sealed class TriggerCounters(IDeliveryStore store, IEventLog log)
{
    internal readonly ConcurrentDictionary<string, TriggerDispatcher> Dispatchers = new(StringComparer.Ordinal);

    /// <summary>The running dispatcher of a trigger (null while it starts, or when there is no such trigger).</summary>
    public TriggerDispatcher? Running(string ns, string name) =>
        Dispatchers.TryGetValue(TriggerDispatcher.Key(ns, name), out var d) ? d : null;

    public TriggerCounts? For(string ns, Trigger trigger)
    {
        if (trigger.Metadata.Uid is not { } uid || trigger.Spec.Broker is not { } broker) return null;
        if (Dispatchers.TryGetValue(TriggerDispatcher.Key(ns, trigger.Metadata.Name!), out var d) && d.Snapshot.Uid == uid) return d.Counts();
        return TriggerDispatcher.Load(store, log, ns, trigger.Metadata.Name!, uid, broker);
    }
}

/// <summary>
/// Keeps one <see cref="TriggerDispatcher"/> per trigger: starts one for each trigger in the store, hands it a new
/// snapshot when the trigger or its broker changes, stops it (and forgets its state) when the trigger goes.
/// Reconciles when a resource changes and every few seconds.
/// </summary>
public sealed class DispatcherService(
    IResourceStore store,
    BrokerController brokers,
    SinkResolver sinks,
    IEventLog log,
    IDeliveryStore deliveries,
    EventSender sender,
    EventPublisher publisher,
    BrokerSignals signals,
    EventingChanges changes,
    TriggerCounters registry,
    EventingMetrics metrics,
    IOptions<EventingOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger("Kinlet.Eventing.Dispatcher");
    private readonly EventingOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.SetBacklogSource(Backlogs);
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = changes.Next;
            try
            {
                await ReconcileAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                DispatcherLog.ReconcileFailed(_logger, e, e.Message);
            }
            await AsyncSignal.WaitAsync(changed, TimeSpan.FromSeconds(5), time, stoppingToken).ConfigureAwait(false);
        }
    }

    private IEnumerable<(string, string, long)> Backlogs()
    {
        foreach (var d in registry.Dispatchers.Values)
        {
            var s = d.Snapshot;
            yield return (s.Namespace, s.Name, d.Counts().Backlog);
        }
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var trigger in store.List<Trigger>(Kinds.Trigger, null))
        {
            var ns = trigger.Metadata.Namespace ?? KnativeApi.DefaultNamespace;
            var key = TriggerDispatcher.Key(ns, trigger.Metadata.Name!);
            seen.Add(key);
            TriggerSnapshot snapshot;
            try
            {
                snapshot = Snapshot(ns, trigger);
            }
            catch (Exception e) when (e is Core.Validation.ValidationException)
            {
                DispatcherLog.CannotDispatch(_logger, ns, trigger.Metadata.Name, e.Message);
                continue;
            }
            if (registry.Dispatchers.TryGetValue(key, out var running))
            {
                if (running.Snapshot.Uid == snapshot.Uid && running.Stopped)
                {
                    // It stopped on an error (logged): start again from its last committed checkpoint.
                    registry.Dispatchers.TryRemove(key, out _);
                    await running.StopAsync(keepState: true).ConfigureAwait(false);
                }
                else if (running.Snapshot.Uid == snapshot.Uid)
                {
                    if (running.Snapshot.Version != snapshot.Version) running.Update(snapshot);
                    continue;
                }
                else
                {
                    // Deleted and made again under the same name: the old one's state is not the new one's.
                    registry.Dispatchers.TryRemove(key, out _);
                    await running.StopAsync(keepState: false).ConfigureAwait(false);
                }
            }
            var dispatcher = new TriggerDispatcher(snapshot, log, deliveries, sender, publisher, signals, _options, time,
                _logger, metrics.ForTrigger(ns, snapshot.Name));
            registry.Dispatchers[key] = dispatcher;
            dispatcher.Start();
        }
        foreach (var (key, dispatcher) in registry.Dispatchers)
        {
            if (seen.Contains(key)) continue;
            registry.Dispatchers.TryRemove(key, out _);
            await dispatcher.StopAsync(keepState: false).ConfigureAwait(false);
            await deliveries.DeleteTriggerAsync(key, ct).ConfigureAwait(false);
            metrics.RemoveTrigger(dispatcher.Snapshot.Namespace, dispatcher.Snapshot.Name);
        }
    }

    /// <summary>The trigger's delivery settings: its own <c>spec.delivery</c>, else its broker's (as a whole, never merged).</summary>
    private TriggerSnapshot Snapshot(string ns, Trigger trigger)
    {
        var broker = brokers.Live(ns, trigger.Spec.Broker!);
        var delivery = trigger.Spec.Delivery ?? broker?.Spec.Delivery;
        var (filter, _) = TriggerController.Compile(trigger.Spec);
        var retry = TriggerController.Compile(new TriggerSpec { Delivery = delivery }).Retry;
        return new TriggerSnapshot(ns, trigger.Metadata.Name!, trigger.Metadata.Uid!, trigger.Spec.Broker!, filter, retry,
            sinks.Target(trigger.Spec.Subscriber, ns), sinks.Target(delivery?.DeadLetterSink, ns),
            (trigger.Metadata.Generation ?? 0) * 1_000_000 + (broker?.Metadata.Generation ?? 0));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(registry.Dispatchers.Values.Select(d => d.StopAsync(keepState: true).AsTask())).ConfigureAwait(false);
        registry.Dispatchers.Clear();
    }
}
