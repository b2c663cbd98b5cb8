namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>
/// Envoy's retry budget: concurrent retries may be at most 20 % of the requests in flight, and never fewer than 3,
/// so a failing function is not hit with (1 + attempts) × its load ("self-DoS", kserve #808). A DestinationRule's
/// <c>connectionPool.http.maxRetries</c> caps it further. Interlocked counters, no lock.
/// </summary>
public sealed class RetryBudget(long maxRetries = long.MaxValue)
{
    public const double Percent = 20;
    public const int MinConcurrent = 3;

    private long _active;
    private long _retrying;

    public long Active => Interlocked.Read(ref _active);

    public long Retrying => Interlocked.Read(ref _retrying);

    public long MaxRetries { get; } = maxRetries;

    public void RequestStarted() => Interlocked.Increment(ref _active);

    public void RequestFinished() => Interlocked.Decrement(ref _active);

    /// <summary>What the budget allows now.</summary>
    public long Limit
    {
        get
        {
            var byShare = (long)(Interlocked.Read(ref _active) * Percent / 100);
            return Math.Min(Math.Max(byShare, MinConcurrent), MaxRetries);
        }
    }

    /// <summary>Takes a retry slot; false when the budget is spent (the try's failure is then the answer).</summary>
    public bool TryStartRetry()
    {
        var limit = Limit;
        var current = Interlocked.Read(ref _retrying);
        while (true)
        {
            if (current >= limit) return false;
            var seen = Interlocked.CompareExchange(ref _retrying, current + 1, current);
            if (seen == current) return true;
            current = seen;
        }
    }

    public void RetryFinished() => Interlocked.Decrement(ref _retrying);
}
