namespace Kinlet.Containers.Readiness;

/// <summary>How <see cref="ReadinessWaiter"/> paces its probes and state checks.</summary>
public sealed record ReadinessOptions
{
    /// <summary>Time between probes (Knative's queue-proxy: 50 ms when the probe sets no period).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Give up after this long (from the start of the wait, initial delay included).</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait before the first probe (the probe's initialDelaySeconds).</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How often to ask the engine whether the container still runs, so a crash is reported at once rather than at the deadline.</summary>
    public TimeSpan StateCheckInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>From then on, every failed probe is followed by a state check: a slow start is more likely a dead one.</summary>
    public TimeSpan StateCheckOnEveryFailureAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The least time between two state checks even then: with fast probing and several instances starting at
    /// once, one engine inspection per failed probe would load the engine that is starting them.
    /// </summary>
    public TimeSpan StateCheckMinGap { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Log lines to return with an <see cref="ReadinessOutcome.Exited"/> result.</summary>
    public int LogTailLines { get; init; } = 20;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
