namespace Kinlet.Serving.Revisions;

/// <summary>
/// What the data plane tells the autoscaler about one revision: requests in flight (waiting in the
/// activator included — they are demand), the exact time-weighted concurrency since the last sample,
/// and the request count. Timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks from the caller.
/// The lock is held for a few arithmetic operations, never across an await.
/// </summary>
public sealed class RequestStats
{
    private readonly Lock _gate = new();
    private int _concurrency;
    private long _lastChange;
    private long _sampleStart;
    private double _area;
    private long _requests;
    private long _lastRequest;
    private bool _started;

    public int Concurrency => Volatile.Read(ref _concurrency);

    /// <summary>Stopwatch ticks of the last request's arrival; 0 when none has arrived.</summary>
    public long LastRequestTimestamp => Volatile.Read(ref _lastRequest);

    public void Started(long now)
    {
        lock (_gate)
        {
            Accumulate(now);
            _concurrency++;
            _requests++;
            _lastRequest = now;
        }
    }

    public void Finished(long now)
    {
        lock (_gate)
        {
            Accumulate(now);
            _concurrency--;
        }
    }

    /// <summary>Average concurrency and requests per second since the previous sample, then starts a new period.</summary>
    public (double Concurrency, double RequestsPerSecond) Sample(long now, long ticksPerSecond)
    {
        lock (_gate)
        {
            Accumulate(now);
            var span = now - _sampleStart;
            var result = span <= 0
                ? (_concurrency, 0d)
                : (_area / span, _requests * (double)ticksPerSecond / span);
            _area = 0;
            _requests = 0;
            _sampleStart = now;
            return result;
        }
    }

    private void Accumulate(long now)
    {
        if (!_started)
        {
            _started = true;
            _lastChange = now;
            _sampleStart = now;
            return;
        }
        if (now > _lastChange)
        {
            _area += (double)_concurrency * (now - _lastChange);
            _lastChange = now;
        }
    }
}
