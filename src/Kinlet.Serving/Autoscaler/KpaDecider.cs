namespace Kinlet.Serving.Autoscaler;

/// <summary>
/// Knative's KPA decision for one revision, one call per tick, with the state it keeps between ticks
/// (panic, the scale-down-delay window, when it started wanting zero, whether initial scale was reached).
/// Pure: time comes from the injected <see cref="TimeProvider"/>, data from the caller.
/// </summary>
/// <remarks>
/// Scale to zero happens in two steps, as in Knative: the stable window must first hold no traffic
/// (desired 0), then the last instance stays for the grace period (and at least the retention period
/// after the last request). With the defaults the last instance goes ≈ 60 s + 30 s after the last request:
/// the grace period is not "keep warm for N seconds" (Knative issue 7596).
/// </remarks>
public sealed class KpaDecider(AutoscalerSettings settings, TimeProvider time)
{
    private AutoscalerSettings _settings = settings;
    private DateTimeOffset? _lastOverThreshold;
    private int _lastDesired;
    private DateTimeOffset? _zeroSince;
    private bool _initialReached;
    private DateTimeOffset? _instancesSince;
    private readonly Queue<(DateTimeOffset At, int Desired)> _delayWindow = new();

    public AutoscalerSettings Settings => _settings;

    public void Update(AutoscalerSettings settings) => _settings = settings;

    /// <summary>For a revision that was Ready before the daemon restarted: it does not start over at initial scale.</summary>
    public void InitialScaleReached() => _initialReached = true;

    public ScaleDecision Decide(ScaleInput input, RevisionMetricHistory history)
    {
        var s = _settings;
        var now = time.GetUtcNow();
        var instances = input.ReadyInstances + input.StartingInstances;
        if (!_initialReached && input.ReadyInstances >= Math.Max(1, s.InitialScale)) _initialReached = true;
        if (s.InitialScale == 0) _initialReached = true;
        if (instances == 0) _instancesSince = null;
        else _instancesSince ??= now;

        var observedStable = history.Average(s.Metric, s.StableWindow, now);
        var observedPanic = history.Average(s.Metric, s.PanicWindow, now);

        if (!input.Routed)
        {
            // Traffic does not reach it: a new latest revision still starts (it must become Ready before
            // traffic can move to it); otherwise only min-scale keeps instances.
            _lastOverThreshold = null;
            _zeroSince = null;
            _delayWindow.Clear();
            int keep;
            string why;
            if (input.LatestCreated && !_initialReached)
            {
                keep = Math.Max(1, s.InitialScale);
                why = "initial scale";
            }
            else if (s.MinScale > 0)
            {
                keep = s.MinScale;
                why = "min-scale";
            }
            else
            {
                keep = 0;
                why = "not routed";
            }
            if (s.MaxScale > 0 && keep > s.MaxScale) keep = s.MaxScale;
            _lastDesired = keep;
            return new ScaleDecision(keep, false, observedStable, observedPanic, null, why);
        }

        var readyForBounds = Math.Max(1, input.ReadyInstances);
        var upBound = (int)Math.Ceiling(s.MaxScaleUpRate * readyForBounds);
        var downBound = (int)Math.Floor(readyForBounds / s.MaxScaleDownRate);
        var stableDesired = Math.Clamp((int)Math.Ceiling(observedStable / s.EffectiveTarget), downBound, upBound);
        var panicDesired = Math.Clamp((int)Math.Ceiling(observedPanic / s.EffectiveTarget), downBound, upBound);

        // Panic: the short window wants at least threshold × the ready instances. Every tick over it
        // extends panic; it ends one stable window after the last such tick.
        if (observedPanic / s.EffectiveTarget / readyForBounds >= s.PanicThreshold)
            _lastOverThreshold = now;
        else if (_lastOverThreshold is { } last && now >= last + s.StableWindow)
            _lastOverThreshold = null;
        var panicking = _lastOverThreshold is not null;

        // Zero needs a whole stable window without traffic: since the last request, and since the instances
        // came up (a fresh revision's short history of zeros is not yet "no traffic for a window").
        var lastActivity = Later(input.LastRequestAt, _instancesSince);
        if (stableDesired == 0 && instances > 0 && lastActivity is { } la && now < la + s.StableWindow) stableDesired = 1;

        int desired;
        string reason;
        if (panicking)
        {
            desired = Math.Max(Math.Max(stableDesired, panicDesired), _lastDesired);
            reason = "panic";
        }
        else
        {
            desired = stableDesired;
            reason = "stable window";
        }

        if (s.ScaleDownDelay > TimeSpan.Zero)
        {
            _delayWindow.Enqueue((now, desired));
            while (_delayWindow.Peek().At <= now - s.ScaleDownDelay) _delayWindow.Dequeue();
            var max = 0;
            foreach (var (_, d) in _delayWindow) max = Math.Max(max, d);
            if (max > desired)
            {
                desired = max;
                reason = "scale-down delay";
            }
        }

        DateTimeOffset? scaleToZeroAt = null;
        var floor = s.MinScale;
        if (!s.EnableScaleToZero) floor = Math.Max(floor, 1);
        if (desired == 0 && floor == 0)
        {
            _zeroSince ??= now;
            var zeroAt = _zeroSince.Value + s.ScaleToZeroGracePeriod;
            if (input.LastRequestAt is { } lastRequest && lastRequest + s.ScaleToZeroRetention > zeroAt)
                zeroAt = lastRequest + s.ScaleToZeroRetention;
            if (instances > 0 && now < zeroAt)
            {
                desired = 1;
                reason = "scale to zero after grace";
                scaleToZeroAt = zeroAt;
            }
            else
            {
                reason = instances > 0 ? "scale to zero" : "idle at zero";
            }
        }
        else
        {
            _zeroSince = null;
            // Traffic stopped (nothing in the panic window): say when zero would come if nothing arrives.
            if (floor == 0 && instances > 0 && observedPanic == 0 && input.WaitingRequests == 0 && !panicking)
            {
                var from = lastActivity ?? now;
                var zeroAt = (from + s.StableWindow > now ? from + s.StableWindow : now) + s.ScaleToZeroGracePeriod;
                if (input.LastRequestAt is { } lr && lr + s.ScaleToZeroRetention > zeroAt) zeroAt = lr + s.ScaleToZeroRetention;
                scaleToZeroAt = zeroAt;
            }
        }

        // Requests wait in the activator with nothing to serve them: start now, without waiting for a
        // second of data, as many instances as the waiting demand needs (Knative's activator reports its
        // queue to the autoscaler at once for the same reason).
        if (input.WaitingRequests > 0 && input.ReadyInstances == 0)
        {
            var forDemand = Math.Clamp((int)Math.Ceiling(Math.Max(input.InFlight, input.WaitingRequests) / s.EffectiveTarget), 1, upBound);
            if (s.Metric == ScalingMetric.Rps) forDemand = 1;
            if (forDemand > desired)
            {
                desired = forDemand;
                reason = "requests waiting";
                scaleToZeroAt = null;
            }
        }

        if (desired < s.MinScale)
        {
            desired = s.MinScale;
            reason = "min-scale";
        }
        if (desired > 0 && desired < s.ActivationScale)
        {
            desired = s.ActivationScale;
            reason = "activation scale";
        }
        if (!_initialReached && desired < s.InitialScale)
        {
            desired = s.InitialScale;
            reason = "initial scale";
            scaleToZeroAt = null;
        }
        if (s.MaxScale > 0 && desired > s.MaxScale)
        {
            desired = s.MaxScale;
            reason = "max-scale";
        }

        _lastDesired = desired;
        return new ScaleDecision(desired, panicking, observedStable, observedPanic, scaleToZeroAt, reason);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;
}
