using Kinlet.Core.Model;
using Kinlet.Core.Validation;

namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>
/// The resilience steps of one <c>http[]</c> rule, compiled once when the rule changes: timeout, retries, fault,
/// mirrors and CORS. Null parts are steps the rule does not have; a rule with none has no RuleResilience at all.
/// </summary>
public sealed class RuleResilience(string rule, TimeSpan? timeout, RetryPolicy? retry, FaultStep? fault, MirrorTarget[] mirrors, CorsStep? cors,
    ResilienceCounters? counters = null)
{
    /// <summary>The rule's name (or <c>http[i]</c>) in messages, /metrics and describe.</summary>
    public string Rule { get; } = rule;

    /// <summary>Bounds the whole request, retries included; the revision's timeoutSeconds still applies when smaller.</summary>
    public TimeSpan? Timeout { get; } = timeout;

    public RetryPolicy? Retry { get; } = retry;
    public FaultStep? Fault { get; } = fault;
    public IReadOnlyList<MirrorTarget> Mirrors { get; } = mirrors;
    public CorsStep? Cors { get; } = cors;
    /// <summary>Kept across recompiles of the same VirtualService generation (they live on the rule's stats).</summary>
    public ResilienceCounters Counters { get; } = counters ?? new();

    /// <summary>The rule's <c>retries</c> budget; Envoy's is per cluster, here per rule (one rule ≈ one route's cluster).</summary>
    public RetryBudget Budget { get; } = new();

    /// <summary>Compiles the resilience fields of <paramref name="route"/>; null when it has none.</summary>
    public static RuleResilience? From(HttpRoute route, string ruleName, IReadOnlyDictionary<string, string>? annotations, ResilienceCounters? counters = null)
    {
        var timeout = route.Timeout is { } t ? IstioValidator.ParseDuration(t) : (TimeSpan?)null;
        if (timeout == TimeSpan.Zero) timeout = null; // Istio: 0s disables the timeout.
        RetryPolicy? retry = null;
        if (route.Retries is { } r && (r.Attempts ?? 2) > 0)
        {
            var perTry = r.PerTryTimeout is { } p ? IstioValidator.ParseDuration(p) : (TimeSpan?)null;
            var allow = annotations is not null && annotations.TryGetValue(RetryPolicy.NonIdempotentAnnotation, out var v)
                        && string.Equals(v, "true", StringComparison.OrdinalIgnoreCase);
            retry = RetryPolicy.From(r.Attempts, perTry is { } x && x > TimeSpan.Zero ? x : null, r.RetryOn, allow);
        }
        FaultStep? fault = null;
        if (route.Fault is { } f)
        {
            var delay = f.Delay?.FixedDelay is { } d ? IstioValidator.ParseDuration(d) : TimeSpan.Zero;
            var delayPercent = f.Delay?.Percentage?.Value ?? f.Delay?.Percent ?? 0;
            var abortPercent = f.Abort?.Percentage?.Value ?? 0;
            fault = new FaultStep(delay, delayPercent, f.Abort?.HttpStatus ?? 0, FaultStep.GrpcCode(f.Abort?.GrpcStatus), abortPercent);
        }
        var mirrors = new List<MirrorTarget>();
        if (route.Mirror is { } m)
            mirrors.Add(new MirrorTarget(m, route.MirrorPercentage?.Value ?? route.MirrorPercent ?? 100));
        if (route.Mirrors is { } ms)
            foreach (var mp in ms)
                if (mp.Destination is { } dest) mirrors.Add(new MirrorTarget(dest, mp.Percentage?.Value ?? 100));
        CorsStep? cors = null;
        if (route.CorsPolicy is { } c)
        {
            var origins = new List<OriginMatch>();
            if (c.AllowOrigins is { } ao)
                foreach (var o in ao)
                {
                    if (o is null) continue;
                    if (o.Exact is { } e) origins.Add(OriginMatch.Exact(e));
                    else if (o.Prefix is { } pre) origins.Add(OriginMatch.Prefix(pre));
                    else if (o.Regex is { } re) origins.Add(OriginMatch.Pattern(re));
                }
            if (c.AllowOrigin is { } legacy)
                foreach (var o in legacy) origins.Add(OriginMatch.Exact(o));
            var maxAge = c.MaxAge is { } ma ? IstioValidator.ParseDuration(ma) : (TimeSpan?)null;
            cors = new CorsStep([.. origins], c.AllowMethods, c.AllowHeaders, c.ExposeHeaders, maxAge, c.AllowCredentials == true,
                string.Equals(c.UnmatchedPreflights, "IGNORE", StringComparison.Ordinal));
        }
        if (timeout is null && retry is null && fault is null && mirrors.Count == 0 && cors is null) return null;
        return new RuleResilience(ruleName, timeout, retry, fault, [.. mirrors], cors, counters);
    }

    /// <summary>One line for <c>kinlet route describe</c>: what is applied.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Timeout is { } t) parts.Add($"timeout {t.TotalMilliseconds:0}ms");
        if (Retry is { } r) parts.Add("retries " + r.Describe());
        if (Fault is { } f) parts.Add("fault " + f.Describe());
        foreach (var m in Mirrors) parts.Add($"mirror {m.Destination.Host}{(m.Destination.Subset is { } s ? "/" + s : "")} {m.Percent:0.##}%");
        if (Cors is not null) parts.Add("cors");
        return string.Join("; ", parts);
    }
}

/// <summary>A <c>mirror</c> or <c>mirrors[]</c> entry: where the copy goes and the share of requests copied.</summary>
public sealed record MirrorTarget(IstioDestination Destination, double Percent);
