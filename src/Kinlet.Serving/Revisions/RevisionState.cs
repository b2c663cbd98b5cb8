using Kinlet.Core.Model;
using Kinlet.Serving.LoadBalancing;
using Kinlet.Serving.Activator;
using Yarp.ReverseProxy.Forwarder;

namespace Kinlet.Serving.Revisions;

/// <summary>
/// The runtime side of one revision: its instances, the ready set the balancer reads, and the
/// signal the activator waits on. The ready set is an immutable array swapped whole, so the
/// request path reads it once without a lock; mutations take <see cref="_gate"/>, never across an await.
/// </summary>
public sealed class RevisionState
{
    private readonly Lock _gate = new();
    private InstanceState[] _ready = [];
    private TaskCompletionSource _changed = NewSignal();
    private volatile RevisionFailure? _failure;
    private Revision _revision;

    public RevisionState(RevisionKey key, Revision revision, ILoadBalancingPolicy policy)
    {
        Key = key;
        _revision = revision;
        ServiceName = revision.Metadata.Label(KnownKeys.ServiceLabel) ?? revision.Metadata.Name ?? "";
        Policy = policy;
        Queue = new RequestQueue(this);
        ApplySpec(revision);
    }

    /// <summary>Requests waiting in the activator for an instance with a free slot, in arrival order.</summary>
    public RequestQueue Queue { get; }

    public RevisionKey Key { get; }

    public string ServiceName { get; }

    public Revision Revision => Volatile.Read(ref _revision);

    public ILoadBalancingPolicy Policy { get; private set; }

    /// <summary>containerConcurrency (0 = unlimited).</summary>
    public int ContainerConcurrency { get; private set; }

    /// <summary>timeoutSeconds: the whole request, time waiting in the activator included.</summary>
    public TimeSpan Timeout { get; private set; }

    /// <summary>responseStartTimeoutSeconds: until the first response byte (capped by <see cref="Timeout"/>).</summary>
    public TimeSpan ResponseStartTimeout { get; private set; }

    /// <summary>The forwarder's per-request settings, built once per spec rather than per request.</summary>
    public ForwarderRequestConfig RequestConfig { get; private set; } = ForwarderRequestConfig.Empty;

    /// <summary>
    /// The same for an upgrade (a WebSocket): after the 101 only idleTimeoutSeconds, when set, bounds the silence;
    /// timeoutSeconds does not cut an open socket (retirement closes it instead, see Protocols/UpgradeDrain).
    /// </summary>
    public ForwarderRequestConfig UpgradeRequestConfig { get; private set; } = ForwarderRequestConfig.Empty;

    /// <summary>The container port is named <c>h2c</c> (Knative's convention): requests go to it as HTTP/2 cleartext.</summary>
    public bool IsH2c { get; private set; }

    /// <summary>Open upgraded connections (WebSockets) on this revision, closed after a drain when it is retired.</summary>
    public Protocols.UpgradedConnections Upgrades { get; } = new();

    /// <summary>
    /// What the service controller wants of this revision (routed, latest, deleted), swapped whole by
    /// <see cref="Reconciler.ReconcileQueue"/> when the controller reports it; the loop acts on it.
    /// </summary>
    public RevisionIntent Intent => Volatile.Read(ref _intent);
    private RevisionIntent _intent = RevisionIntent.Initial;

    /// <summary>Traffic points here (a percent or a tag), as last computed by the service controller.</summary>
    public bool IsRouted => Intent.Routed;

    /// <summary>The newest revision of its configuration: it runs at least until it is ready.</summary>
    public bool IsLatestCreated => Intent.LatestCreated;

    /// <summary>Deleted from the store: stop everything, then forget. Waiting requests are answered at once.</summary>
    public bool IsDeleted => Intent.Deleted;

    /// <summary>The reconcile loop's last published picture of this revision (for status, describe and metrics).</summary>
    public RevisionView View => Volatile.Read(ref _view);
    private RevisionView _view = RevisionView.Empty;

    /// <summary>Instances the scale policy wants (for status and describe).</summary>
    public int DesiredScale => View.DesiredScale;

    /// <summary>In-flight concurrency and request counts from the data plane, sampled by the autoscaler.</summary>
    public RequestStats Stats { get; } = new();

    /// <summary>The autoscaler's last decision as the loop last saw it (null before the first).</summary>
    public Autoscaler.ScaleDecision? LastDecision => View.Decision;

    public bool Panicking => LastDecision?.Panicking ?? false;

    /// <summary>Instances that crashed, failed liveness or were OOM-killed and were replaced.</summary>
    public int Restarts => View.Restarts;

    /// <summary>Instances created and not ready yet.</summary>
    public int StartingCount => View.Starting;

    public RevisionFailure? Failure => _failure;

    /// <summary>Whether this revision keeps a frozen instance at zero: its annotation, else the daemon's default.</summary>
    public bool WantsFrozenStandby(string daemonDefault) =>
        (Revision.Metadata.Annotation(KnownKeys.StandbyAnnotation) ?? daemonDefault) == KnownKeys.StandbyFrozen;

    /// <summary>Requests currently waiting in the activator for this revision.</summary>
    public int Waiting => Queue.Count;

    public ReadOnlySpan<InstanceState> Ready => Volatile.Read(ref _ready);

    public int ReadyCount => Volatile.Read(ref _ready).Length;

    public void UpdateRevision(Revision revision)
    {
        Volatile.Write(ref _revision, revision);
        ApplySpec(revision);
    }

    private void ApplySpec(Revision revision)
    {
        ContainerConcurrency = (int)(revision.Spec.ContainerConcurrency ?? 0);
        Timeout = TimeSpan.FromSeconds(revision.Spec.TimeoutSeconds is > 0 ? revision.Spec.TimeoutSeconds.Value : 300);
        Policy = LoadBalancingPolicies.For(ContainerConcurrency);
        var spec = revision.Spec;
        ResponseStartTimeout = spec.ResponseStartTimeoutSeconds is > 0 && spec.ResponseStartTimeoutSeconds.Value < Timeout.TotalSeconds
            ? TimeSpan.FromSeconds(spec.ResponseStartTimeoutSeconds.Value)
            : Timeout;
        // idleTimeoutSeconds is the longest gap between reads or writes: YARP's activity timeout. Unset, only the
        // total timeout bounds the request (YARP's own 100 s default would otherwise cut long streams).
        IsH2c = spec.Containers.Count > 0 && spec.Containers[0].Ports is [{ Name: "h2c" }, ..];
        TimeSpan? idle = spec.IdleTimeoutSeconds is > 0 ? TimeSpan.FromSeconds(spec.IdleTimeoutSeconds.Value) : null;
        // h2c: HTTP/2 with prior knowledge, never a downgrade (a gRPC server refuses HTTP/1.1). Otherwise YARP's
        // default (2.0 or lower) already means HTTP/1.1 to an http:// instance.
        RequestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = idle ?? Timeout,
            Version = IsH2c ? System.Net.HttpVersion.Version20 : null,
            VersionPolicy = IsH2c ? System.Net.Http.HttpVersionPolicy.RequestVersionExact : null,
        };
        UpgradeRequestConfig = RequestConfig with { ActivityTimeout = idle ?? System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>Every instance the loop tracks, in any phase, as last published.</summary>
    public InstanceState[] Instances() => View.Instances;

    /// <summary>Only the reconcile loop (and the controller's report through it) calls these two.</summary>
    internal void SetIntent(RevisionIntent intent)
    {
        Volatile.Write(ref _intent, intent);
        // Retired (no traffic points here, or deleted): open sockets get their drain; routed again, they stay.
        Upgrades.SetRetired(!intent.Routed || intent.Deleted);
        if (intent.Deleted) Queue.FailAll(new RevisionUnavailableException(Key, "RevisionDeleted", "the revision was deleted"));
    }

    internal void Publish(RevisionView view)
    {
        Volatile.Write(ref _view, view);
        Signal();
    }

    /// <summary>Puts an instance in the balancer and wakes waiting requests.</summary>
    public void AddReady(InstanceState instance)
    {
        lock (_gate)
        {
            if (!instance.MarkReady()) return;
            _ready = [.. _ready, instance];
            _failure = null;
        }
        Signal();
        Queue.Dispatch();
    }

    /// <summary>Takes an instance out of the balancer (it may still finish in-flight requests).</summary>
    public void RemoveReady(InstanceState instance)
    {
        lock (_gate)
        {
            var idx = Array.IndexOf(_ready, instance);
            if (idx < 0) return;
            var next = new InstanceState[_ready.Length - 1];
            Array.Copy(_ready, 0, next, 0, idx);
            Array.Copy(_ready, idx + 1, next, idx, _ready.Length - idx - 1);
            _ready = next;
        }
        Signal();
    }

    /// <summary>Puts a ready instance whose readiness probe passes again back in the balancer.</summary>
    public void ReturnToBalancer(InstanceState instance)
    {
        lock (_gate)
        {
            if (instance.Phase != InstancePhase.Ready || Array.IndexOf(_ready, instance) >= 0) return;
            _ready = [.. _ready, instance];
        }
        Signal();
        Queue.Dispatch();
    }

    /// <summary>Records why the revision cannot start; waiting requests are answered at once instead of hanging.</summary>
    public void Fail(RevisionFailure failure)
    {
        _failure = failure;
        Signal();
        if (ReadyCount == 0) Queue.FailAll(new RevisionUnavailableException(Key, failure.Reason, failure.Message));
    }

    public void ClearFailure() => _failure = null;

    /// <summary>The task completes at the next change of the ready set or failure state.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;


    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A revision cannot take the request: it was deleted, or its instances cannot start (reason as in its status).</summary>
public sealed class RevisionUnavailableException(RevisionKey revision, string reason, string message)
    : Exception($"revision {revision} is not available: {reason}: {message}")
{
    public RevisionKey Revision { get; } = revision;
    public string Reason { get; } = reason;
    public string Detail { get; } = message;
}

/// <summary>The activator's queue for the revision is full: the caller answers 503 with Retry-After.</summary>
public sealed class ActivatorQueueFullException(RevisionKey revision, int depth)
    : Exception($"revision {revision} has {depth} requests waiting already")
{
    public RevisionKey Revision { get; } = revision;
    public int Depth { get; } = depth;
}

/// <summary>What the service controller wants of a revision; replaced whole, never changed in place.</summary>
public sealed record RevisionIntent(bool Routed, bool LatestCreated, bool Deleted)
{
    public static readonly RevisionIntent Initial = new(false, false, false);
}

/// <summary>The loop's published picture of a revision: an immutable snapshot for readers outside the loop.</summary>
public sealed record RevisionView(int DesiredScale, int Starting, int Restarts, bool HasStandby, InstanceState[] Instances, Autoscaler.ScaleDecision? Decision)
{
    /// <summary>How long the init containers of the last instance that became ready took (null without init containers).</summary>
    public double? LastInitMs { get; init; }

    public static readonly RevisionView Empty = new(0, 0, 0, false, [], null);
}

/// <summary>A paused container kept for a fast wake: unpausing it is the whole cold start.</summary>
public sealed record FrozenStandby(string ContainerId, string InstanceName, int HostPort, DateTimeOffset FrozenAt, IReadOnlyList<SidecarContainer>? Sidecars = null)
{
    public IReadOnlyList<SidecarContainer> SidecarList => Sidecars ?? [];
}

/// <summary>A sidecar of an instance: its name in the revision and its engine id.</summary>
public sealed record SidecarContainer(string Name, string Id);

/// <summary>A container created ahead of a cold start (<c>Kinlet:Serving:PrecreateAtZero</c>): starting it is the whole engine part.</summary>
public sealed record PrecreatedContainer(string ContainerId, string InstanceName);
