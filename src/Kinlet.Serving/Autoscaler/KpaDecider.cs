namespace Kinlet.Serving.Autoscaler;

/// <summary>
/// Knative's KPA decision for one revision, one call per tick, with the state it keeps between ticks
/// (panic, the scale-down-delay window, when it started wanting zero, whether initial scale was reached).
/// Pure: time comes from the injected <see cref="TimeProvider"/>, data from the caller. Not thread-safe:
/// the caller serializes calls for one revision.
/// </summary>
/// <remarks>
/// Scale to zero happens in two steps, as in Knative: the stable window must first hold no traffic
/// (desired 0), then the last instance stays for the grace period (and at least the retention period
/// after the last request). With the defaults the last instance goes ≈ 60 s + 30 s after the last request:
/// the grace period is not "keep warm for N seconds" (Knative issue 7596).
/// </remarks>
public sealed class KpaDecider
{
    private readonly TimeProvider _time;
    private AutoscalerSettings _settings;

    // When the panic window was last over the threshold; null = not panicking.
    private DateTimeOffset? _lastOverThreshold;
    private int _lastDesired;
    // When the decision (before the bounds) first became 0; the grace period counts from here.
    private DateTimeOffset? _zeroSince;
    private bool _initialReached;
    // Since when the revision has had instances: a fresh revision's few seconds of zeros are not "a stable window without traffic".
    private DateTimeOffset? _instancesSince;
    // Scale-down delay: a max-queue (values strictly decreasing from the front), so its size stays small
    // however often Decide is called (every newcomer while requests wait at zero).
    private readonly List<(DateTimeOffset At, int Desired)> _delayWindow = [];

    public KpaDecider(AutoscalerSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        _settings = settings;
        _time = time;
    }

    public AutoscalerSettings Settings => _settings;

    /// <summary>New settings for the next decision; the state (panic, delay window, grace) carries over.</summary>
    public void Update(AutoscalerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
    }

    /// <summary>For a revision that was Ready before the daemon restarted: it does not start over at initial scale.</summary>
    public void InitialScaleReached() => _initialReached = true;

    public ScaleDecision Decide(ScaleInput input, RevisionMetricHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var s = _settings;
        var now = _time.GetUtcNow();
        var target = Math.Max(0.01, s.EffectiveTarget);
        var instances = input.ReadyInstances + input.StartingInstances;

        // Initial scale is reached once; a max-scale below it counts as reached, or the revision would hold forever.
        var initialGoal = s.MaxScale > 0 ? Math.Min(s.InitialScale, s.MaxScale) : s.InitialScale;
        if (initialGoal <= 0 || input.ReadyInstances >= initialGoal) _initialReached = true;
        if (instances == 0) _instancesSince = null;
        else _instancesSince ??= now;

        var observedStable = history.Average(s.Metric, s.StableWindow, now);
        var observedPanic = history.Average(s.Metric, s.PanicWindow, now);

        var readyForBounds = Math.Max(1, input.ReadyInstances);
        var upBound = ToScale(Math.Max(1, s.MaxScaleUpRate) * readyForBounds);

        var panicking = false;
        DateTimeOffset? scaleToZeroAt = null;
        int desired;
        string reason;

        if (!input.Routed)
        {
            // No traffic can reach it: no panic, no grace. Only min-scale, requests already waiting for it, or
            // initial scale (below) keep instances.
            _lastOverThreshold = null;
            _zeroSince = null;
            _delayWindow.Clear();
            desired = 0;
            reason = "not routed";
        }
        else
        {
            var downBound = ToScale(Math.Floor(readyForBounds / Math.Max(1, s.MaxScaleDownRate)), floor: true);
            var stableDesired = Math.Clamp(ToScale(observedStable / target), downBound, upBound);
            var panicDesired = Math.Clamp(ToScale(observedPanic / target), downBound, upBound);

            // Panic: the short window wants at least threshold × the ready instances. Every tick over it
            // extends panic; it ends one stable window after the last such tick. With nothing ready and nothing
            // waiting, the data is stale (the revision went to zero) and says nothing about a surge.
            var overThreshold = (input.ReadyInstances > 0 || input.WaitingRequests > 0)
                && observedPanic / target / readyForBounds >= s.PanicThreshold;
            if (overThreshold) _lastOverThreshold = now;
            else if (_lastOverThreshold is { } last && now >= last + s.StableWindow) _lastOverThreshold = null;
            panicking = _lastOverThreshold is not null;

            // Zero needs a whole stable window without traffic: since the last request, and since the instances
            // came up (a fresh revision's short history of zeros is not yet "no traffic for a window").
            var lastActivity = Later(input.LastRequestAt, _instancesSince);
            if (stableDesired == 0 && instances > 0 && lastActivity is { } la && now < la + s.StableWindow) stableDesired = 1;

            if (panicking)
            {
                // No scale-down while panicking: the surge has not reached the stable window yet.
                desired = Math.Max(Math.Max(stableDesired, panicDesired), _lastDesired);
                reason = "panic";
            }
            else
            {
                desired = stableDesired;
                reason = "stable window";
            }

            if (ApplyScaleDownDelay(s, now, desired) is var delayed && delayed > desired)
            {
                desired = delayed;
                reason = "scale-down delay";
            }

            if (desired == 0 && s.MinScale == 0 && s.EnableScaleToZero)
            {
                _zeroSince ??= now;
                var zeroAt = _zeroSince.Value + s.ScaleToZeroGracePeriod;
                if (input.LastRequestAt is { } lastRequest && lastRequest + s.ScaleToZeroRetention > zeroAt)
                    zeroAt = lastRequest + s.ScaleToZeroRetention;
                if (instances > 0 && now < zeroAt)
                {
                    // Knative leaves the scale as it is during the grace period.
                    desired = Math.Max(1, input.ReadyInstances);
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
                // min-scale, below, raises a 0 when it is set; with scale to zero off a routed revision keeps one.
                if (desired == 0 && !s.EnableScaleToZero)
                {
                    desired = 1;
                    reason = "scale to zero disabled";
                }
                // Traffic stopped (nothing in the panic window): say when zero would come if nothing arrives.
                else if (s.MinScale == 0 && s.EnableScaleToZero && instances > 0 && !panicking
                    && observedPanic == 0 && input.WaitingRequests == 0 && input.InFlight == 0)
                {
                    var from = lastActivity ?? now;
                    var zeroAt = (from + s.StableWindow > now ? from + s.StableWindow : now) + s.ScaleToZeroGracePeriod;
                    if (input.LastRequestAt is { } lr && lr + s.ScaleToZeroRetention > zeroAt) zeroAt = lr + s.ScaleToZeroRetention;
                    scaleToZeroAt = zeroAt;
                }
            }
        }

        // Requests wait in the activator with nothing to serve them: start now, without waiting for a
        // second of data, as many instances as the waiting demand needs (Knative's activator reports its
        // queue to the autoscaler at once for the same reason). Also for a revision just taken out of the
        // routes: the requests it already holds would otherwise wait for their deadline.
        if (input.WaitingRequests > 0 && input.ReadyInstances == 0)
        {
            var forDemand = s.Metric == ScalingMetric.Rps
                ? 1
                : Math.Clamp(ToScale(Math.Max(input.InFlight, input.WaitingRequests) / target), 1, upBound);
            if (forDemand > desired)
            {
                desired = forDemand;
                reason = "requests waiting";
                scaleToZeroAt = null;
                _zeroSince = null;
            }
        }

        // The issue asks that revisions with min-scale keep instances routed or not (Knative drops min-scale for
        // unreachable revisions); pinning traffic elsewhere must not cool down a revision kept warm on purpose.
        if (desired < s.MinScale)
        {
            desired = s.MinScale;
            reason = "min-scale";
            scaleToZeroAt = null;
        }
        if (desired > 0 && desired < s.ActivationScale)
        {
            desired = s.ActivationScale;
            reason = "activation scale";
        }
        // A brand-new latest revision starts even without traffic: it must become Ready before traffic can move to it.
        if (!_initialReached && (input.Routed || input.LatestCreated) && desired < s.InitialScale)
        {
            desired = s.InitialScale;
            reason = "initial scale";
            scaleToZeroAt = null;
            _zeroSince = null;
        }
        if (s.MaxScale > 0 && desired > s.MaxScale)
        {
            desired = s.MaxScale;
            reason = "max-scale";
        }

        _lastDesired = desired;
        return new ScaleDecision(desired, panicking, observedStable, observedPanic, scaleToZeroAt, reason);
    }

    /// <summary>The highest decision over the last scale-down delay, this one included.</summary>
    private int ApplyScaleDownDelay(AutoscalerSettings s, DateTimeOffset now, int desired)
    {
        if (s.ScaleDownDelay <= TimeSpan.Zero)
        {
            _delayWindow.Clear();
            return desired;
        }
        // An entry not above a newer one can never be the max again.
        while (_delayWindow.Count > 0 && _delayWindow[^1].Desired <= desired) _delayWindow.RemoveAt(_delayWindow.Count - 1);
        _delayWindow.Add((now, desired));
        var horizon = now - s.ScaleDownDelay;
        while (_delayWindow[0].At <= horizon) _delayWindow.RemoveAt(0);
        return _delayWindow[0].Desired;
    }

    // Instances as a whole number; a huge ratio saturates instead of overflowing.
    private static int ToScale(double value, bool floor = false)
    {
        var rounded = floor ? Math.Floor(value) : Math.Ceiling(value);
        return rounded >= int.MaxValue ? int.MaxValue : rounded <= 0 ? 0 : (int)rounded;
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;
}
