namespace Kinlet.Serving.Revisions;

public enum InstancePhase
{
    /// <summary>Container being created or started, or waiting for readiness.</summary>
    Starting = 0,
    /// <summary>In the balancer: takes requests.</summary>
    Ready = 1,
    /// <summary>Out of the balancer, finishing its in-flight requests before it stops.</summary>
    Draining = 2,
    /// <summary>Stopped and removed, or failed; kept only until the reconciler forgets it.</summary>
    Gone = 3,
}

/// <summary>
/// One running copy of a revision (one container). The request path touches only
/// <see cref="TryAcquire"/> and <see cref="Release"/>: Interlocked counters, no locks, no allocation.
/// </summary>
public sealed class InstanceState
{
    private int _inFlight;
    private int _phase = (int)InstancePhase.Starting;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();

    public InstanceState(string name, RevisionState owner)
    {
        Name = name;
        Owner = owner;
    }

    public RevisionState Owner { get; }

    /// <summary>Instance name, e.g. <c>hello-00001-3f2a9c1b</c> (also the dev.kinlet.instance label).</summary>
    public string Name { get; }

    public string? ContainerId { get; set; }

    public int HostPort { get; private set; }

    /// <summary>"http://127.0.0.1:&lt;port&gt;" — the forwarder's destination prefix, built once.</summary>
    public string DestinationPrefix { get; private set; } = "";

    public DateTimeOffset? ReadyAt { get; set; }

    /// <summary>True when the instance was found running at daemon start rather than started by this process.</summary>
    public bool Adopted { get; init; }

    public InstancePhase Phase => (InstancePhase)Volatile.Read(ref _phase);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Cancelled when the reconciler no longer wants this instance (stops a start in progress).</summary>
    public CancellationToken Stopping => _stopping.Token;

    public void SetEndpoint(int hostPort)
    {
        HostPort = hostPort;
        DestinationPrefix = "http://127.0.0.1:" + hostPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Takes a request slot. <paramref name="limit"/> is containerConcurrency (0 = unlimited): a hard
    /// limit, never exceeded. Fails when the instance is not (or no longer) ready.
    /// </summary>
    public bool TryAcquire(int limit)
    {
        if (limit > 0)
        {
            var current = Volatile.Read(ref _inFlight);
            while (true)
            {
                if (current >= limit) return false;
                var seen = Interlocked.CompareExchange(ref _inFlight, current + 1, current);
                if (seen == current) break;
                current = seen;
            }
        }
        else
        {
            Interlocked.Increment(ref _inFlight);
        }

        // Checked after taking the slot, so a drain that starts concurrently either sees this request
        // in the count or this request sees the drain (both sides use full fences).
        if (Volatile.Read(ref _phase) != (int)InstancePhase.Ready)
        {
            Release();
            return false;
        }
        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _phase) == (int)InstancePhase.Draining)
            _drained.TrySetResult();
        // A freed slot goes to the oldest queued request first (FIFO), if any waits.
        if (Owner.Queue.Count > 0) Owner.Queue.Dispatch();
    }

    public bool MarkReady() =>
        Interlocked.CompareExchange(ref _phase, (int)InstancePhase.Ready, (int)InstancePhase.Starting) == (int)InstancePhase.Starting;

    /// <summary>Leaves the balancer; the returned task completes when no request is in flight.</summary>
    public Task BeginDrain()
    {
        var previous = Interlocked.CompareExchange(ref _phase, (int)InstancePhase.Draining, (int)InstancePhase.Ready);
        if (previous == (int)InstancePhase.Starting)
            Interlocked.CompareExchange(ref _phase, (int)InstancePhase.Draining, (int)InstancePhase.Starting);
        _stopping.Cancel();
        if (Volatile.Read(ref _inFlight) == 0) _drained.TrySetResult();
        return _drained.Task;
    }

    public void MarkGone()
    {
        Volatile.Write(ref _phase, (int)InstancePhase.Gone);
        _stopping.Cancel();
        _drained.TrySetResult();
    }
}
