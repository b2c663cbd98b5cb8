namespace Kinlet.Serving.Autoscaler;

// The autoscaler's contracts. The data plane records per-second samples into a
// RevisionMetricHistory; on every tick (and at once when a request arrives for a revision at
// zero) the scale policy asks the revision's KpaDecider for a decision. Everything here is pure:
// no I/O, time from the injected TimeProvider or the input.

/// <summary>What a revision is scaled on (<c>autoscaling.knative.dev/metric</c>).</summary>
public enum ScalingMetric { Concurrency, Rps }

/// <summary>What the decider knows about a revision at one moment, besides its metric history.</summary>
public readonly record struct ScaleInput(
    /// <summary>Instances passing readiness now.</summary>
    int ReadyInstances,
    /// <summary>Instances starting now (created, not yet ready).</summary>
    int StartingInstances,
    /// <summary>Traffic points at the revision (a percent or a tag).</summary>
    bool Routed,
    /// <summary>The newest revision of its configuration.</summary>
    bool LatestCreated,
    /// <summary>Requests waiting in the activator for this revision right now.</summary>
    int WaitingRequests,
    /// <summary>When the last request for this revision arrived (null: never).</summary>
    DateTimeOffset? LastRequestAt,
    /// <summary>Requests in flight right now, the waiting ones included.</summary>
    int InFlight = 0);

/// <summary>The decider's answer, with what it saw (for status, describe and metrics).</summary>
public sealed record ScaleDecision(
    int DesiredScale,
    bool Panicking,
    double ObservedStable,
    double ObservedPanic,
    /// <summary>When the revision will reach zero if nothing arrives (null: it will not, or it is at zero).</summary>
    DateTimeOffset? ScaleToZeroAt,
    /// <summary>One short phrase: why this number (e.g. "min-scale", "panic", "scale to zero after grace", "initial scale").</summary>
    string Reason);
