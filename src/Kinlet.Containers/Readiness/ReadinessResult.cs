namespace Kinlet.Containers.Readiness;

public enum ReadinessOutcome { Ready, Exited, TimedOut }

/// <summary>
/// How waiting for readiness ended: ready; the container exited (with its code, OOM flag and last log lines; when
/// it left no logs, <see cref="Logs"/> holds the engine's error, e.g. "exec: not found"); or the deadline passed
/// (<see cref="Detail"/> is the last probe's failure).
/// </summary>
public sealed record ReadinessResult(ReadinessOutcome Outcome, int? ExitCode = null, bool OomKilled = false, string Logs = "", string? Detail = null)
{
    public static readonly ReadinessResult Ready = new(ReadinessOutcome.Ready);
}
