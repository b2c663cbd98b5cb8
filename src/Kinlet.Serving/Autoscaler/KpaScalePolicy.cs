using System.Collections.Concurrent;
using System.Diagnostics;
using Kinlet.Core.Events;
using Kinlet.Core.Model;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Autoscaler;

/// <summary>
/// Knative's KPA for every revision: per-second samples of the data plane's exact concurrency and
/// request rate go into each revision's history; every tick its <see cref="KpaDecider"/> decides.
/// The reconciler reads the last decision, except for a revision with requests waiting and no
/// instance, which is decided at once (Knative's activator poke: scale from zero never waits for a tick).
/// </summary>
public sealed class KpaScalePolicy(RevisionRegistry registry, IOptions<AutoscalerOptions> options, TimeProvider time, IPlatformEvents? events = null) : IScalePolicy
{
    private readonly IPlatformEvents _events = events ?? NoPlatformEvents.Instance;
    private readonly AutoscalerOptions _defaults = options.Value;
    private readonly TimeProvider _time = time;
    private readonly ConcurrentDictionary<RevisionState, Autoscaled> _states = new(ReferenceEqualityComparer.Instance);

    public int DesiredScale(RevisionState revision, DateTimeOffset now)
    {
        if (revision.IsDeleted)
        {
            _states.TryRemove(revision, out _);
            return 0;
        }
        var last = Current(revision);
        // Requests waiting with no instance ready: decide now (each newcomer may raise the count), not at the next tick.
        if (last is null || (revision.Waiting > 0 && revision.ReadyCount == 0))
            return Decide(revision, now).DesiredScale;
        return last.DesiredScale;
    }

    public ScaleDecision? Current(RevisionState revision) => _states.TryGetValue(revision, out var state) ? state.Last : null;

    /// <summary>Closes each revision's one-second sample (time-weighted concurrency, requests per second).</summary>
    public void Sample(DateTimeOffset now)
    {
        var timestamp = Stopwatch.GetTimestamp();
        foreach (var revision in registry.All)
        {
            var (concurrency, rps) = revision.Stats.Sample(timestamp, Stopwatch.Frequency);
            // At zero and idle there is no data, as in Knative where no pod reports: a burst that wakes the
            // revision is then averaged over the seconds that have data, not diluted by a window of zeros.
            if (concurrency == 0 && rps == 0 && revision.ReadyCount == 0) continue;
            StateFor(revision).History.Record(now, concurrency, rps);
        }
    }

    /// <summary>One decision per revision; forgets revisions no longer registered.</summary>
    public void Tick(DateTimeOffset now)
    {
        foreach (var revision in registry.All)
            if (!revision.IsDeleted) Decide(revision, now);
        foreach (var revision in _states.Keys)
            if (registry.Find(revision.Key) is not { } current || !ReferenceEquals(current, revision)) _states.TryRemove(revision, out _);
    }

    private ScaleDecision Decide(RevisionState revision, DateTimeOffset now)
    {
        var state = StateFor(revision);
        var lastRequest = revision.Stats.LastRequestTimestamp;
        var input = new ScaleInput(
            ReadyInstances: revision.ReadyCount,
            StartingInstances: revision.StartingCount,
            Routed: revision.IsRouted,
            LatestCreated: revision.IsLatestCreated,
            WaitingRequests: revision.Waiting,
            LastRequestAt: lastRequest == 0 ? null : now - Stopwatch.GetElapsedTime(lastRequest),
            InFlight: revision.Stats.Concurrency);
        ScaleDecision decision;
        ScaleDecision? previous;
        lock (state.Gate)
        {
            decision = state.Decider.Decide(input, state.History);
            previous = state.Last;
            state.Last = decision;
        }
        if (previous is not null && previous.DesiredScale != decision.DesiredScale)
            _events.Emit(new PlatformEvent("dev.kinlet.revision.scaled", revision.Key.Namespace, "revision", revision.Key.Name, new Dictionary<string, object?>
            {
                ["from"] = previous.DesiredScale,
                ["to"] = decision.DesiredScale,
                ["reason"] = decision.Reason,
            }));
        return decision;
    }

    private Autoscaled StateFor(RevisionState revision) =>
        _states.GetOrAdd(revision, static (r, self) =>
        {
            var settings = AutoscalerSettings.For(r.Revision.Metadata.Annotations, r.ContainerConcurrency, self._defaults);
            var decider = new KpaDecider(settings, self._time);
            if (r.Revision.Status?.Conditions.IsTrue(ConditionTypes.Ready) == true) decider.InitialScaleReached();
            return new Autoscaled(decider, new RevisionMetricHistory(settings.StableWindow));
        }, this);

    private sealed class Autoscaled(KpaDecider decider, RevisionMetricHistory history)
    {
        public readonly Lock Gate = new();
        /// <summary>The last decision, under <see cref="Gate"/> when written.</summary>
        public volatile ScaleDecision? Last;
        public KpaDecider Decider { get; } = decider;
        public RevisionMetricHistory History { get; } = history;
    }
}
