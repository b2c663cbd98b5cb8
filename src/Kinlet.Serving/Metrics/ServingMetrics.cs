using System.Runtime.CompilerServices;
using System.Collections.Concurrent;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.TrafficPolicy.Resilience;
using Prometheus;

namespace Kinlet.Serving.Metrics;

/// <summary>
/// The data plane's Prometheus metrics (GET /metrics on the control port), in a registry of their own
/// so nothing else leaks into the output. Request counters and histograms are updated on the request
/// path through children cached per revision (no label lookup, no allocation per request); the
/// per-revision gauges are read from the registry of revisions when scraped.
/// </summary>
public sealed class ServingMetrics
{
    private static readonly string[] RevisionLabels = ["namespace", "service", "revision"];
    private static readonly string[] RequestLabels = ["namespace", "service", "revision", "code_class"];
    private static readonly string[] CodeClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];
    private static readonly string[] PolicyLabels = ["namespace", "service", "revision", "rule", "event"];

    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly RevisionRegistry _revisions;
    private readonly ConditionalWeakTable<RevisionState, RevisionChildren> _children = new();
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Histogram _coldStart;
    private readonly Counter _resilience;
    private readonly Gauge _inFlight, _desired, _ready, _starting, _panic, _queue, _restarts;
    private readonly HashSet<(string, string, string)> _gaugeLabels = [];

    public ServingMetrics(RevisionRegistry revisions)
    {
        _revisions = revisions;
        var f = Prometheus.Metrics.WithCustomRegistry(_registry);
        _requests = f.CreateCounter("kinlet_requests_total", "Requests answered through the ingress, by status class.",
            new CounterConfiguration { LabelNames = RequestLabels });
        _duration = f.CreateHistogram("kinlet_request_duration_seconds", "Time from arrival to the end of the response, activator wait included.",
            new HistogramConfiguration
            {
                LabelNames = RequestLabels,
                Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
            });
        _coldStart = f.CreateHistogram("kinlet_cold_start_duration_seconds",
            "How long requests that found no ready instance waited in the activator for one.",
            new HistogramConfiguration
            {
                LabelNames = RevisionLabels,
                Buckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120],
            });
        _resilience = f.CreateCounter("kinlet_traffic_policy_events_total",
            "Traffic-policy resilience events: retry, retry_budget_exhausted, fault_delay, fault_abort, mirror_sent, mirror_dropped, overflow, ejection, timeout; rule is the VirtualService rule (or the DestinationRule host).",
            new CounterConfiguration { LabelNames = PolicyLabels });
        _inFlight = Gauge("kinlet_revision_requests_in_flight", "Requests in flight, waiting in the activator included.");
        _desired = Gauge("kinlet_revision_desired_instances", "Instances the autoscaler wants.");
        _ready = Gauge("kinlet_revision_ready_instances", "Instances in the balancer.");
        _starting = Gauge("kinlet_revision_starting_instances", "Instances created and not ready yet.");
        _panic = Gauge("kinlet_revision_panic_mode", "1 while the autoscaler is in panic mode.");
        _queue = Gauge("kinlet_activator_queue_depth", "Requests waiting in the activator for an instance with a free slot.");
        _restarts = Gauge("kinlet_revision_restarts_total", "Instances replaced after a crash or a failed liveness probe.");
        _registry.AddBeforeCollectCallback(UpdateGauges);

        Gauge Gauge(string name, string help) => f.CreateGauge(name, help, new GaugeConfiguration { LabelNames = RevisionLabels });
    }

    public void RequestFinished(RevisionState revision, int statusCode, double seconds)
    {
        var c = Children(revision);
        var i = Math.Clamp(statusCode / 100, 1, 5) - 1;
        // Created on first use, so a revision shows only the status classes it has answered.
        (c.Requests[i] ??= _requests.WithLabels(c.Labels(CodeClasses[i]))).Inc();
        (c.Durations[i] ??= _duration.WithLabels(c.Labels(CodeClasses[i]))).Observe(seconds);
    }

    /// <summary>One resilience event of <paramref name="rule"/> on <paramref name="revision"/> (children cached: no label array per event).</summary>
    public void Resilience(RevisionState revision, string rule, ResilienceEvent e)
    {
        var c = Children(revision);
        c.Policy.GetOrAdd((rule, e), static (k, r) =>
            r.Owner._resilience.WithLabels(r.State.Key.Namespace, r.State.ServiceName, r.State.Key.Name, k.Item1,
                ResilienceCounters.EventNames[(int)k.Item2]), c).Inc();
    }

    public void ColdStart(RevisionState revision, double seconds) => Children(revision).ColdStart.Observe(seconds);

    /// <summary>The Prometheus text exposition format (version 0.0.4).</summary>
    public Task WriteAsync(Stream output, CancellationToken cancellationToken) =>
        _registry.CollectAndExportAsTextAsync(output, cancellationToken);

    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private RevisionChildren Children(RevisionState revision) =>
        _children.TryGetValue(revision, out var c) ? c : _children.GetValue(revision, r => new RevisionChildren(this, r));

    private void UpdateGauges()
    {
        lock (_gaugeLabels)
        {
            var seen = new HashSet<(string, string, string)>();
            foreach (var r in _revisions.All)
            {
                var key = (r.Key.Namespace, r.ServiceName, r.Key.Name);
                seen.Add(key);
                string[] labels = [key.Item1, key.Item2, key.Item3];
                _inFlight.WithLabels(labels).Set(r.Stats.Concurrency);
                _desired.WithLabels(labels).Set(r.DesiredScale);
                _ready.WithLabels(labels).Set(r.ReadyCount);
                _starting.WithLabels(labels).Set(r.StartingCount);
                _panic.WithLabels(labels).Set(r.Panicking ? 1 : 0);
                _queue.WithLabels(labels).Set(r.Waiting);
                _restarts.WithLabels(labels).Set(r.Restarts);
            }
            foreach (var gone in _gaugeLabels)
            {
                if (seen.Contains(gone)) continue;
                string[] labels = [gone.Item1, gone.Item2, gone.Item3];
                foreach (var g in (Gauge[])[_inFlight, _desired, _ready, _starting, _panic, _queue, _restarts]) g.RemoveLabelled(labels);
            }
            _gaugeLabels.Clear();
            _gaugeLabels.UnionWith(seen);
        }
    }

    private sealed class RevisionChildren(ServingMetrics owner, RevisionState revision)
    {
        public readonly ServingMetrics Owner = owner;
        public readonly RevisionState State = revision;
        public readonly ConcurrentDictionary<(string Rule, ResilienceEvent Event), Counter.Child> Policy = new();
        public readonly Counter.Child?[] Requests = new Counter.Child?[5];
        public readonly Histogram.Child?[] Durations = new Histogram.Child?[5];
        private Histogram.Child? _coldStart;

        public Histogram.Child ColdStart => _coldStart ??= Owner._coldStart.WithLabels(State.Key.Namespace, State.ServiceName, State.Key.Name);

        public string[] Labels(string codeClass) => [State.Key.Namespace, State.ServiceName, State.Key.Name, codeClass];
    }
}
