using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>
/// A DestinationRule's (or subset's) <c>connectionPool.http</c> and <c>outlierDetection</c>, compiled once per rule
/// change; null when it sets neither. One detector serves every revision behind the destination (its state is per
/// instance, and the small-pool rules count the instance's own revision).
/// </summary>
public sealed class DestinationResilience(ConnectionPoolLimits? pool, OutlierDetector? outliers)
{
    public ConnectionPoolLimits? Pool { get; } = pool;
    public OutlierDetector? Outliers { get; } = outliers;
    public ResilienceCounters Counters { get; } = new();

    public static DestinationResilience? From(IstioTrafficPolicy? policy, TimeProvider time)
    {
        if (policy is null) return null;
        ConnectionPoolLimits? pool = null;
        if (policy.ConnectionPool?.Http is { } h
            && (h.Http1MaxPendingRequests is > 0 || h.Http2MaxRequests is > 0 || h.MaxRequestsPerConnection is > 0 || h.MaxRetries is > 0))
            pool = new ConnectionPoolLimits(h.Http2MaxRequests ?? 0, h.Http1MaxPendingRequests ?? 0, h.MaxRequestsPerConnection ?? 0, h.MaxRetries ?? 0);
        OutlierDetector? outliers = null;
        if (policy.OutlierDetection is { } o)
        {
            // Istio's defaults: 5 consecutive 5xx, gateway errors off, 10 s interval, 30 s base ejection, 10 %, 0 %.
            var c5xx = o.Consecutive5xxErrors ?? o.ConsecutiveErrors ?? 5;
            outliers = new OutlierDetector(c5xx, o.ConsecutiveGatewayErrors ?? 0,
                o.Interval is { } i ? IstioValidator.ParseDuration(i) : TimeSpan.FromSeconds(10),
                o.BaseEjectionTime is { } b ? IstioValidator.ParseDuration(b) : TimeSpan.FromSeconds(30),
                (int)Math.Clamp(o.MaxEjectionPercent ?? 10, 0, 100), (int)Math.Clamp(o.MinHealthPercent ?? 0, 0, 100), time);
        }
        return pool is null && outliers is null ? null : new DestinationResilience(pool, outliers);
    }

    /// <summary>
    /// Takes a slot on an instance the detector has not ejected: the revision's balancer first, then the first other
    /// non-ejected instance with a free slot. Null when none has one (the caller queues in the activator).
    /// </summary>
    public static InstanceState? AcquireSkippingEjected(RevisionState revision, OutlierDetector outliers, InstanceState? avoid = null)
    {
        var picked = revision.Policy.Acquire(revision.Ready, revision.ContainerConcurrency);
        if (picked is not null && !outliers.IsEjected(picked) && !ReferenceEquals(picked, avoid)) return picked;
        foreach (var candidate in revision.Ready)
        {
            if (ReferenceEquals(candidate, picked) || ReferenceEquals(candidate, avoid) || outliers.IsEjected(candidate)) continue;
            if (candidate.TryAcquire(revision.ContainerConcurrency))
            {
                picked?.Release();
                return candidate;
            }
        }
        // Everything else is ejected or full: the balancer's pick is still better than queueing.
        return picked;
    }

    public string Describe()
    {
        var parts = new List<string>(2);
        if (Pool is { } p)
            parts.Add($"pool maxRequests {Show(p.MaxRequests)} maxPending {Show(p.MaxPending)} maxRetries {Show(p.MaxRetries)}"
                      + (p.CloseEachConnection ? " (1 request per connection)" : ""));
        if (Outliers is { } o)
            parts.Add($"outliers {o.Consecutive5xx}x5xx/{o.ConsecutiveGateway}xgateway every {o.Interval.TotalSeconds:0}s eject {o.BaseEjection.TotalSeconds:0}s max {o.MaxEjectionPercent}% (ejections {o.Ejections})");
        return string.Join("; ", parts);

        static string Show(long v) => v == long.MaxValue ? "-" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
