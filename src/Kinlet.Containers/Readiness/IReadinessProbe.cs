namespace Kinlet.Containers.Readiness;

/// <summary>One readiness check of an instance through its published port (testcontainers' wait strategies, as objects).</summary>
public interface IReadinessProbe
{
    Task<ProbeOutcome> ProbeAsync(int hostPort, CancellationToken cancellationToken);
}

public readonly record struct ProbeOutcome(bool Ready, string? Detail)
{
    public static readonly ProbeOutcome Success = new(true, null);

    public static ProbeOutcome NotReady(string detail) => new(false, detail);
}

public enum ReadinessOutcome { Ready, Exited, TimedOut }

/// <summary>How waiting for readiness ended: ready, the container exited (with its code and last log lines), or the deadline passed.</summary>
public sealed record ReadinessResult(ReadinessOutcome Outcome, int? ExitCode = null, bool OomKilled = false, string Logs = "", string? Detail = null)
{
    public static readonly ReadinessResult Ready = new(ReadinessOutcome.Ready);
}

public sealed record ReadinessOptions
{
    /// <summary>Time between probes (Knative's queue-proxy: 50 ms when the probe sets no period).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Give up after this long.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait before the first probe (the probe's initialDelaySeconds).</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How often to ask the engine whether the container still runs, so a crash is reported at once rather than at the deadline.</summary>
    public TimeSpan StateCheckInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
