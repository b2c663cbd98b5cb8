using Kinlet.Core.Model;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Reconciler;

/// <summary>
/// What reaches the reconcile loop. Everything that changes revision or instance lifecycle state arrives
/// here first: background container work reports its outcome, the monitors report what they saw, and
/// the loop alone applies it (the way Tye's runners post replica events).
/// </summary>
public abstract record ReconcileMessage;

/// <summary>Look at the revision again (demand, a scale decision, the controller's intent, a backoff ending).</summary>
public sealed record Poke(RevisionKey Revision) : ReconcileMessage;

/// <summary>Look at every revision (the resync tick).</summary>
public sealed record Resync : ReconcileMessage
{
    public static readonly Resync Instance = new();
}

/// <summary>A start finished: ready, failed (with why), or cancelled because the loop stopped wanting it.</summary>
public sealed record InstanceStarted(InstanceState Instance, StartResult Result) : ReconcileMessage;

/// <summary>An instance drained and its container is gone.</summary>
public sealed record InstanceStopped(InstanceState Instance) : ReconcileMessage;

/// <summary>A drained instance was paused (<see cref="Standby"/>), or could not be and was removed (null).</summary>
public sealed record InstanceFrozen(InstanceState Instance, FrozenStandby? Standby) : ReconcileMessage;

/// <summary>A frozen standby was unpaused (or could not be, and was removed).</summary>
public sealed record InstanceThawed(InstanceState Instance, bool Resumed, double ElapsedMs) : ReconcileMessage;

/// <summary>A crashed instance's last log lines are read and its container is removed.</summary>
public sealed record InstanceCrashed(InstanceState Instance, RevisionFailure Failure, bool FailWaiters) : ReconcileMessage;

/// <summary>A container for the next cold start was created (or not: null).</summary>
public sealed record Precreated(RevisionKey Revision, PrecreatedContainer? Container) : ReconcileMessage;

/// <summary>The engine says a container stopped (event stream or the periodic check).</summary>
public sealed record ContainerExited(string ContainerId, int? ExitCode, bool OomKilled) : ReconcileMessage;

/// <summary>The liveness probe failed failureThreshold times in a row.</summary>
public sealed record LivenessFailed(InstanceState Instance, string Detail) : ReconcileMessage;

/// <summary>The readiness probe crossed its threshold: out of the balancer (false) or back in (true).</summary>
public sealed record ReadinessChanged(InstanceState Instance, bool Ready) : ReconcileMessage;

/// <summary>A running container of a live revision, found at daemon start, answers its probe.</summary>
public sealed record InstanceAdopted(RevisionState Revision, string InstanceName, string ContainerId, int HostPort, IReadOnlyList<SidecarContainer>? Sidecars = null) : ReconcileMessage;

/// <summary>A paused container of a live revision, found at daemon start: its frozen standby.</summary>
public sealed record StandbyAdopted(RevisionState Revision, FrozenStandby Standby) : ReconcileMessage;

/// <summary>
/// Outcome of a start. <see cref="ContainerId"/> (the serving container) and <see cref="Sidecars"/> are set whenever
/// they were created, so the loop can remove them.
/// </summary>
public sealed record StartResult(string? ContainerId, int HostPort, bool Ready, RevisionFailure? Failure, bool Cancelled, IReadOnlyList<SidecarContainer>? Sidecars = null)
{
    public IReadOnlyList<SidecarContainer> SidecarList => Sidecars ?? [];

    /// <summary>How long the init containers took (null: the revision has none, or they did not all finish).</summary>
    public double? InitMs { get; init; }
}

/// <summary>An ended instance's container is removed: the loop forgets the instance.</summary>
public sealed record InstanceRemoved(InstanceState Instance) : ReconcileMessage;
