using Prometheus;

namespace Kinlet.Eventing.Metrics;

/// <summary>
/// The broker's and triggers' Prometheus series, in a registry of their own that <c>GET /metrics</c> writes after
/// the serving series. Children are cached per broker/trigger by the callers, so a delivery does no label lookup.
/// </summary>
public sealed class EventingMetrics
{
    private static readonly string[] BrokerLabels = ["namespace", "broker"];
    private static readonly string[] TriggerLabels = ["namespace", "trigger"];

    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Counter _accepted, _rejected, _delivered, _retried, _failed, _deadLettered;
    private readonly Histogram _latency;
    private readonly Gauge _backlog;
    private Func<IEnumerable<(string Namespace, string Trigger, long Backlog)>>? _backlogSource;

    public EventingMetrics()
    {
        var f = Prometheus.Metrics.WithCustomRegistry(_registry);
        f.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        _accepted = f.CreateCounter("kinlet_broker_events_accepted_total", "Events a broker stored (202).", new CounterConfiguration { LabelNames = BrokerLabels });
        _rejected = f.CreateCounter("kinlet_broker_events_rejected_total", "Requests a broker's ingress refused (4xx), by status.",
            new CounterConfiguration { LabelNames = ["namespace", "broker", "code"] });
        _delivered = f.CreateCounter("kinlet_trigger_events_delivered_total", "Events a trigger's subscriber accepted (2xx).", new CounterConfiguration { LabelNames = TriggerLabels });
        _retried = f.CreateCounter("kinlet_trigger_events_retried_total", "Failed attempts that were scheduled to be tried again.", new CounterConfiguration { LabelNames = TriggerLabels });
        _failed = f.CreateCounter("kinlet_trigger_events_failed_total", "Events given up on with no dead-letter sink (or a failing one); kept for inspection.", new CounterConfiguration { LabelNames = TriggerLabels });
        _deadLettered = f.CreateCounter("kinlet_trigger_events_dead_lettered_total", "Events sent to the dead-letter sink after the last attempt.", new CounterConfiguration { LabelNames = TriggerLabels });
        _latency = f.CreateHistogram("kinlet_trigger_delivery_duration_seconds", "From the event's arrival in the broker to its successful delivery.",
            new HistogramConfiguration { LabelNames = TriggerLabels, Buckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
        _backlog = f.CreateGauge("kinlet_trigger_backlog_events", "Events in the broker's log the trigger has not finished with: not read yet or in flight (retries are counted apart).",
            new GaugeConfiguration { LabelNames = TriggerLabels });
        _registry.AddBeforeCollectCallback(UpdateBacklog);
    }

    public Counter.Child Accepted(string ns, string broker) => _accepted.WithLabels(ns, broker);

    public void Rejected(string ns, string broker, int status) => _rejected.WithLabels(ns, broker, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();

    public TriggerSeries ForTrigger(string ns, string trigger) => new(
        _delivered.WithLabels(ns, trigger), _retried.WithLabels(ns, trigger), _failed.WithLabels(ns, trigger),
        _deadLettered.WithLabels(ns, trigger), _latency.WithLabels(ns, trigger));

    /// <summary>Drops a deleted trigger's series.</summary>
    public void RemoveTrigger(string ns, string trigger)
    {
        _delivered.RemoveLabelled(ns, trigger);
        _retried.RemoveLabelled(ns, trigger);
        _failed.RemoveLabelled(ns, trigger);
        _deadLettered.RemoveLabelled(ns, trigger);
        _latency.RemoveLabelled(ns, trigger);
        _backlog.RemoveLabelled(ns, trigger);
    }

    /// <summary>Where the backlog gauge is read from when scraped (the dispatcher's triggers).</summary>
    public void SetBacklogSource(Func<IEnumerable<(string Namespace, string Trigger, long Backlog)>> source) => _backlogSource = source;

    private void UpdateBacklog()
    {
        if (_backlogSource is null) return;
        foreach (var (ns, trigger, backlog) in _backlogSource()) _backlog.WithLabels(ns, trigger).Set(backlog);
    }

    public Task WriteAsync(Stream output, CancellationToken cancellationToken) => _registry.CollectAndExportAsTextAsync(output, cancellationToken);
}

/// <summary>One trigger's labelled children.</summary>
public sealed record TriggerSeries(Counter.Child Delivered, Counter.Child Retried, Counter.Child Failed, Counter.Child DeadLettered, Histogram.Child Latency);
