namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>Why a request was refused at once by a DestinationRule's <c>connectionPool.http</c>.</summary>
public enum PoolOverflow
{
    None,
    /// <summary>http2MaxRequests requests already in flight.</summary>
    MaxRequests,
    /// <summary>http1MaxPendingRequests requests already wait in the activator.</summary>
    MaxPending,
}

/// <summary>
/// <c>connectionPool.http</c> for one destination, mapped onto what kinletd has: <c>http2MaxRequests</c> caps the
/// requests in flight (waiting included), <c>http1MaxPendingRequests</c> caps the activator queue for the revision,
/// <c>maxRetries</c> caps the retry budget, <c>maxRequestsPerConnection: 1</c> sends <c>Connection: close</c> (other
/// values: the forwarder's shared pool keeps connections alive). Overflow is answered 503 at once with the reason.
/// </summary>
public sealed class ConnectionPoolLimits(long maxRequests, long maxPending, long maxRequestsPerConnection, long maxRetries)
{
    private long _inFlight;

    public long MaxRequests { get; } = maxRequests <= 0 ? long.MaxValue : maxRequests;
    public long MaxPending { get; } = maxPending <= 0 ? long.MaxValue : maxPending;
    public long MaxRequestsPerConnection { get; } = maxRequestsPerConnection;
    public long MaxRetries { get; } = maxRetries <= 0 ? long.MaxValue : maxRetries;

    public bool CloseEachConnection => MaxRequestsPerConnection == 1;

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Admits a request; on <see cref="PoolOverflow.None"/> the caller must call <see cref="Exit"/>.</summary>
    public PoolOverflow TryEnter(int queued)
    {
        if (queued >= MaxPending) return PoolOverflow.MaxPending;
        if (Interlocked.Increment(ref _inFlight) <= MaxRequests) return PoolOverflow.None;
        Interlocked.Decrement(ref _inFlight);
        return PoolOverflow.MaxRequests;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    public string Reason(PoolOverflow overflow) => overflow switch
    {
        PoolOverflow.MaxPending => $"connectionPool.http.http1MaxPendingRequests ({MaxPending}) requests are already waiting for an instance",
        PoolOverflow.MaxRequests => $"connectionPool.http.http2MaxRequests ({MaxRequests}) requests are already in flight",
        _ => "",
    };
}
