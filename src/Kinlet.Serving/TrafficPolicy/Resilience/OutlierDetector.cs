using System.Runtime.CompilerServices;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>
/// A DestinationRule's <c>outlierDetection</c> over one revision's instances. An instance that answers
/// <c>consecutive5xxErrors</c> 5xx (or connect failures) in a row, or <c>consecutiveGatewayErrors</c> 502/503/504 in a
/// row, leaves the balancer for <c>baseEjectionTime</c> × the times it was ejected; every <c>interval</c> it stays in,
/// that count goes down by one (Envoy). Small pools (the one-node case): with 2 or more ready instances at least one
/// may be ejected whatever <c>maxEjectionPercent</c> rounds to (Envoy's rounding ejects nothing of 3 at 10 %), more only
/// as the percentage allows; the last instance still in the balancer is never ejected; while fewer than
/// <c>minHealthPercent</c> of the instances are in, nothing more is ejected. Reports take a short lock (no await);
/// <see cref="IsEjected"/>, on the request path, reads one field.
/// </summary>
public sealed class OutlierDetector
{
    private readonly TimeProvider _time;
    private readonly ConditionalWeakTable<InstanceState, Entry> _entries = new();
    private readonly Lock _lock = new();
    private long _ejections;

    public OutlierDetector(long consecutive5xx, long consecutiveGateway, TimeSpan interval, TimeSpan baseEjection,
        int maxEjectionPercent, int minHealthPercent, TimeProvider time)
    {
        Consecutive5xx = consecutive5xx;
        ConsecutiveGateway = consecutiveGateway;
        Interval = interval > TimeSpan.Zero ? interval : TimeSpan.FromSeconds(10);
        BaseEjection = baseEjection > TimeSpan.Zero ? baseEjection : TimeSpan.FromSeconds(30);
        MaxEjectionPercent = Math.Clamp(maxEjectionPercent, 0, 100);
        MinHealthPercent = Math.Clamp(minHealthPercent, 0, 100);
        _time = time;
    }

    public long Consecutive5xx { get; }
    public long ConsecutiveGateway { get; }
    public TimeSpan Interval { get; }
    public TimeSpan BaseEjection { get; }
    public int MaxEjectionPercent { get; }
    public int MinHealthPercent { get; }

    /// <summary>Ejections so far (for /metrics and route describe).</summary>
    public long Ejections => Interlocked.Read(ref _ejections);

    public bool IsEjected(InstanceState instance) =>
        _entries.TryGetValue(instance, out var e) && Volatile.Read(ref e.EjectedUntil) > _time.GetTimestamp();

    /// <summary>
    /// One try's result on <paramref name="instance"/>: <paramref name="status"/> is the HTTP status, or 502 for a connect
    /// failure or reset (Envoy counts those as gateway errors). True when this report ejected the instance.
    /// </summary>
    public bool Report(InstanceState instance, int status, ReadOnlySpan<InstanceState> ready)
    {
        var e = _entries.GetValue(instance, static _ => new Entry());
        var gateway = status is 502 or 503 or 504;
        var server = status >= 500;
        if (!server)
        {
            // Cheap path for successes: reset without the lock (a racing failure may be lost, as in Envoy's atomics).
            if (e.Consecutive5xx != 0) e.Consecutive5xx = 0;
            if (e.ConsecutiveGateway != 0) e.ConsecutiveGateway = 0;
            return false;
        }
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            Decay(e, now);
            e.Consecutive5xx++;
            if (gateway) e.ConsecutiveGateway++;
            else e.ConsecutiveGateway = 0;
            var trip = (Consecutive5xx > 0 && e.Consecutive5xx >= Consecutive5xx)
                       || (ConsecutiveGateway > 0 && e.ConsecutiveGateway >= ConsecutiveGateway);
            if (!trip || e.EjectedUntil > now || !MayEject(instance, ready, now)) return false;
            e.Times++;
            e.EjectedUntil = now + (long)(BaseEjection.TotalSeconds * e.Times * _time.TimestampFrequency);
            e.LastChange = e.EjectedUntil;
            e.Consecutive5xx = 0;
            e.ConsecutiveGateway = 0;
            Interlocked.Increment(ref _ejections);
            return true;
        }
    }

    private bool MayEject(InstanceState candidate, ReadOnlySpan<InstanceState> ready, long now)
    {
        var total = ready.Length;
        if (total < 2) return false;
        var ejected = 0;
        foreach (var i in ready)
            if (!ReferenceEquals(i, candidate) && _entries.TryGetValue(i, out var e) && e.EjectedUntil > now) ejected++;
        var inAfter = total - ejected - 1;
        if (inAfter < 1) return false;
        if (MinHealthPercent > 0 && (total - ejected) * 100 < MinHealthPercent * total) return false;
        // One ejection is always allowed with two or more instances; beyond it, as the percentage rounds down.
        var allowed = Math.Max(1, total * MaxEjectionPercent / 100);
        if (MaxEjectionPercent == 0) allowed = 0;
        return ejected + 1 <= allowed;
    }

    // Envoy lowers the ejection multiplier by one for each interval an instance stays in.
    private void Decay(Entry e, long now)
    {
        if (e.Times == 0 || e.EjectedUntil > now) return;
        var intervals = (now - e.LastChange) / (long)(Interval.TotalSeconds * _time.TimestampFrequency);
        if (intervals <= 0) return;
        e.Times = (int)Math.Max(0, e.Times - intervals);
        e.LastChange = now;
    }

    /// <summary>Times <paramref name="instance"/> was ejected (multiplier of its next ejection, before decay).</summary>
    public int TimesEjected(InstanceState instance) => _entries.TryGetValue(instance, out var e) ? e.Times : 0;

    private sealed class Entry
    {
        public long EjectedUntil;
        public long LastChange;
        public int Times;
        public long Consecutive5xx;
        public long ConsecutiveGateway;
    }
}
