namespace Kinlet.Serving.Revisions;

/// <summary>
/// What the data plane tells the autoscaler about one revision: requests in flight (waiting in the
/// activator included — they are demand), the exact time-weighted concurrency since the last sample,
/// and the request count. Timestamps are <see cref="System.Diagnostics.Stopwatch"/> ticks from the caller.
/// Lock-free: concurrency and the time of the last change share one 64-bit word, updated with one
/// compare-and-swap per arrival or departure, so the area under the concurrency curve is exact between
/// changes; the area and the request count are Interlocked counters the sampler swaps for zero.
/// </summary>
public sealed class RequestStats
{
    // The word: concurrency (signed) in the top 20 bits, the low 44 bits of the last change's timestamp below.
    // Gaps are taken modulo 2^44 ticks (about 4.9 hours at 1 ns ticks); the autoscaler samples every second.
    // Fresh (a concurrency of -2^19, which no run reaches) means no change yet: the first one sets the clock.
    private const int TimeBits = 44;
    private const long TimeMask = (1L << TimeBits) - 1;
    private const long Fresh = long.MinValue;
    // Further back than this is a clock that wrapped while idle, not a race between two threads' clock reads.
    private const long Wrapped = -(1L << 40);
    private const long Unset = long.MinValue;

    private long _word = Fresh;
    private long _area;           // concurrency × ticks since the last sample
    private long _requests;
    private long _lastRequest;
    private long _sampleStart = Unset;

    public int Concurrency
    {
        get
        {
            var word = Volatile.Read(ref _word);
            return word == Fresh ? 0 : (int)(word >> TimeBits);
        }
    }

    /// <summary>Stopwatch ticks of the last request's arrival; 0 when none has arrived.</summary>
    public long LastRequestTimestamp => Volatile.Read(ref _lastRequest);

    public void Started(long now)
    {
        if (Volatile.Read(ref _sampleStart) == Unset) Interlocked.CompareExchange(ref _sampleStart, now, Unset);
        Change(now, +1);
        Interlocked.Increment(ref _requests);
        Volatile.Write(ref _lastRequest, now);
    }

    public void Finished(long now) => Change(now, -1);

    /// <summary>Average concurrency and requests per second since the previous sample, then starts a new period.</summary>
    public (double Concurrency, double RequestsPerSecond) Sample(long now, long ticksPerSecond)
    {
        var (concurrency, piece) = Advance(now, 0);
        // An arrival that swapped the word just before this sample may add its piece just after the swap below:
        // that piece then counts in the next period. Nothing is lost or counted twice.
        var area = Interlocked.Exchange(ref _area, 0) + piece;
        var requests = Interlocked.Exchange(ref _requests, 0);
        var start = Interlocked.Exchange(ref _sampleStart, now);
        var span = start == Unset ? 0 : now - start;
        return span <= 0
            ? (concurrency, 0d)
            : (area / (double)span, requests * (double)ticksPerSecond / span);
    }

    private void Change(long now, int delta)
    {
        var (_, piece) = Advance(now, delta);
        if (piece != 0) Interlocked.Add(ref _area, piece);
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to the concurrency at <paramref name="now"/>; returns the concurrency before it
    /// and the area it held since the last change. A timestamp older than the last change (another thread's
    /// clock read raced this one) adds no area and leaves the last change where it is, as the lock did.
    /// </summary>
    private (int Before, long Piece) Advance(long now, int delta)
    {
        var word = Volatile.Read(ref _word);
        while (true)
        {
            int concurrency;
            long gap;
            if (word == Fresh)
            {
                concurrency = 0;
                gap = Wrapped;
            }
            else
            {
                concurrency = (int)(word >> TimeBits);
                gap = ((now - word) << (64 - TimeBits)) >> (64 - TimeBits); // (now - last) mod 2^44, signed
            }
            var last = gap > 0 || gap <= Wrapped ? now & TimeMask : word & TimeMask;
            var next = ((long)(concurrency + delta) << TimeBits) | last;
            var seen = Interlocked.CompareExchange(ref _word, next, word);
            if (seen == word) return (concurrency, gap > 0 ? concurrency * gap : 0);
            word = seen;
        }
    }
}
