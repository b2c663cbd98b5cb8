using Kinlet.Serving.Autoscaler;
using Microsoft.Extensions.Time.Testing;

namespace Kinlet.Serving.Tests.Autoscaler;

/// <summary>The KPA decision tick by tick, with a fake clock and hand-fed per-second samples.</summary>
public sealed class KpaDeciderTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    private RevisionMetricHistory _history = new(TimeSpan.FromSeconds(60));

    private static AutoscalerOptions Defaults() => new();

    private KpaDecider Decider(Dictionary<string, string>? annotations = null, long cc = 0, AutoscalerOptions? options = null) =>
        new(AutoscalerSettings.For(annotations, cc, options ?? Defaults()), _time);

    /// <summary>Advances one second at a time, recording <paramref name="concurrency"/> each second.</summary>
    private void Feed(int seconds, double concurrency, double rps = 0)
    {
        for (var i = 0; i < seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            _history.Record(_time.GetUtcNow(), concurrency, rps);
        }
    }

    private static ScaleInput Input(int ready, int starting = 0, bool routed = true, bool latest = true, int waiting = 0, DateTimeOffset? lastRequest = null) =>
        new(ready, starting, routed, latest, waiting, lastRequest);

    private ScaleInput Serving(int ready) => Input(ready, lastRequest: _time.GetUtcNow());

    [Fact]
    public void Steady_load_at_target_keeps_the_count()
    {
        var d = Decider();
        Feed(60, 140); // 2 × 70
        var r = d.Decide(Serving(2), _history);
        Assert.Equal(2, r.DesiredScale);
        Assert.False(r.Panicking);
        Assert.Equal("stable window", r.Reason);
    }

    [Fact]
    public void Desired_is_the_stable_average_over_the_effective_target()
    {
        var d = Decider();
        Feed(60, 100);
        var r = d.Decide(Serving(2), _history);
        Assert.Equal(2, r.DesiredScale); // ceil(100 / 70)
        Assert.Equal(100, r.ObservedStable, 6);
    }

    [Fact]
    public void The_issue_example_twenty_clients_with_limit_one_wants_29_capped_by_max_scale_5()
    {
        var d = Decider(new() { ["autoscaling.knative.dev/max-scale"] = "5" }, cc: 1);
        Feed(60, 20);
        var r = d.Decide(Serving(5), _history);
        Assert.Equal(5, r.DesiredScale);
        Assert.Equal("max-scale", r.Reason);

        var unbounded = Decider(cc: 1);
        Assert.Equal(29, unbounded.Decide(Serving(29), _history).DesiredScale); // ceil(20 / 0.7)
    }

    [Fact]
    public void Panic_starts_when_the_panic_window_wants_twice_the_ready_instances()
    {
        var d = Decider();
        Feed(54, 0);
        Feed(6, 280); // panic window: 280 / 70 = 4 per 1 ready = 400 %
        var r = d.Decide(Serving(1), _history);
        Assert.True(r.Panicking);
        Assert.Equal(4, r.DesiredScale);
        Assert.Equal("panic", r.Reason);
    }

    [Fact]
    public void Below_the_threshold_there_is_no_panic()
    {
        var d = Decider();
        Feed(60, 0);
        Feed(6, 130); // 130 / 70 = 1.86 < 2
        Assert.False(d.Decide(Serving(1), _history).Panicking);
    }

    [Fact]
    public void Panic_never_scales_down_and_ends_one_stable_window_after_the_last_trigger()
    {
        var d = Decider();
        Feed(6, 280);
        Assert.Equal(4, d.Decide(Serving(1), _history).DesiredScale);

        // Load drops: still panicking, the count holds.
        Feed(10, 0);
        var held = d.Decide(Serving(4), _history);
        Assert.True(held.Panicking);
        Assert.Equal(4, held.DesiredScale);

        // 59 s after the trigger: still in panic.
        Feed(49, 0);
        Assert.True(d.Decide(Serving(4), _history).Panicking);

        // 60 s after the last tick over the threshold: panic ends, the stable window decides.
        Feed(1, 0);
        var after = d.Decide(Serving(4), _history);
        Assert.False(after.Panicking);
        Assert.True(after.DesiredScale < 4);
    }

    [Fact]
    public void Each_tick_over_the_threshold_extends_panic()
    {
        var d = Decider();
        Feed(6, 280);
        Assert.True(d.Decide(Serving(1), _history).Panicking);
        Feed(30, 280);
        Assert.True(d.Decide(Serving(1), _history).Panicking); // new trigger at t = 36
        Feed(50, 0);
        Assert.True(d.Decide(Serving(4), _history).Panicking); // 50 s after the last trigger
        Feed(10, 0);
        Assert.False(d.Decide(Serving(4), _history).Panicking);
    }

    [Fact]
    public void In_panic_desired_is_the_larger_of_stable_and_panic()
    {
        var d = Decider();
        Feed(54, 700);
        Feed(6, 1400);
        var r = d.Decide(Serving(1), _history);
        Assert.True(r.Panicking);
        Assert.Equal(20, r.DesiredScale); // panic 1400 / 70 = 20 > stable ≈ 11
    }

    [Fact]
    public void Scale_up_is_bounded_by_the_max_scale_up_rate()
    {
        var options = new AutoscalerOptions { MaxScaleUpRate = 2 };
        var d = Decider(options: options);
        Feed(60, 700); // wants 10
        Assert.Equal(4, d.Decide(Serving(2), _history).DesiredScale); // at most 2 × 2
    }

    [Fact]
    public void Scale_down_at_most_halves_per_decision()
    {
        var d = Decider();
        Feed(60, 70);
        Feed(60, 1); // stable: wants 1 of 10
        Assert.Equal(5, d.Decide(Serving(10), _history).DesiredScale);
        Assert.Equal(2, d.Decide(Serving(5), _history).DesiredScale);
        Assert.Equal(1, d.Decide(Serving(2), _history).DesiredScale);
    }

    [Fact]
    public void Scale_down_delay_keeps_the_highest_count_seen_over_the_delay()
    {
        var d = Decider(new() { ["autoscaling.knative.dev/scale-down-delay"] = "30s" });
        Feed(60, 280);
        Assert.Equal(4, d.Decide(Serving(4), _history).DesiredScale);
        _history = new RevisionMetricHistory(TimeSpan.FromSeconds(60));
        Feed(20, 70);
        var r = d.Decide(Serving(4), _history);
        Assert.Equal(4, r.DesiredScale);
        Assert.Equal("scale-down delay", r.Reason);
        Feed(11, 70);
        Assert.Equal(2, d.Decide(Serving(4), _history).DesiredScale); // rate-bounded step down once the delay passed
    }

    [Fact]
    public void A_window_without_data_averages_zero()
    {
        Assert.Equal(0, _history.Average(ScalingMetric.Concurrency, TimeSpan.FromSeconds(60), _time.GetUtcNow()));
        var d = Decider();
        d.InitialScaleReached();
        var r = d.Decide(Input(0, routed: true, latest: false), _history);
        Assert.Equal(0, r.DesiredScale);
        Assert.Equal(0, r.ObservedStable);
    }

    [Fact]
    public void A_partial_window_averages_only_the_seconds_with_data()
    {
        Feed(3, 140);
        Assert.Equal(140, _history.Average(ScalingMetric.Concurrency, TimeSpan.FromSeconds(60), _time.GetUtcNow()), 6);
        var d = Decider();
        Assert.Equal(2, d.Decide(Serving(2), _history).DesiredScale);
    }

    [Fact]
    public void A_request_waiting_at_zero_starts_an_instance_at_once()
    {
        var d = Decider();
        var r = d.Decide(Input(0, routed: true, latest: false, waiting: 1), _history);
        Assert.Equal(1, r.DesiredScale);
        Assert.Equal("requests waiting", r.Reason);
    }

    [Fact]
    public void Requests_waiting_at_zero_start_as_many_instances_as_they_need()
    {
        var d = Decider(cc: 10); // target 10 × 70 % = 7 per instance
        d.InitialScaleReached();
        var r = d.Decide(new ScaleInput(0, 0, true, true, WaitingRequests: 50, LastRequestAt: _time.GetUtcNow(), InFlight: 50), _history);
        Assert.Equal(8, r.DesiredScale);
        var capped = Decider(new() { ["autoscaling.knative.dev/max-scale"] = "5" }, cc: 10);
        Assert.Equal(5, capped.Decide(new ScaleInput(0, 0, true, true, 50, _time.GetUtcNow(), 50), _history).DesiredScale);
    }

    [Fact]
    public void Scale_to_zero_waits_a_stable_window_after_the_last_request_then_the_grace_period()
    {
        var d = Decider();
        d.InitialScaleReached();
        var lastRequest = _time.GetUtcNow();
        d.Decide(Input(1, lastRequest: lastRequest), _history);
        Feed(1, 1);
        Feed(30, 0);
        var during = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(1, during.DesiredScale);
        Assert.Equal(lastRequest + TimeSpan.FromSeconds(90), during.ScaleToZeroAt);

        Feed(30, 0); // a whole stable window without traffic: grace starts now
        var grace = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(1, grace.DesiredScale);
        Assert.Equal("scale to zero after grace", grace.Reason);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(30), grace.ScaleToZeroAt);

        Feed(29, 0);
        Assert.Equal(1, d.Decide(Input(1, lastRequest: lastRequest), _history).DesiredScale);
        Feed(1, 0);
        var zero = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(0, zero.DesiredScale);
        Assert.Null(zero.ScaleToZeroAt);
    }

    [Fact]
    public void Retention_keeps_the_last_instance_at_least_that_long_after_the_last_request()
    {
        var d = Decider(new() { ["autoscaling.knative.dev/scale-to-zero-pod-retention-period"] = "5m" });
        d.InitialScaleReached();
        var lastRequest = _time.GetUtcNow();
        d.Decide(Input(1, lastRequest: lastRequest), _history);
        Feed(120, 0);
        var r = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(1, r.DesiredScale);
        Assert.Equal(lastRequest + TimeSpan.FromMinutes(5), r.ScaleToZeroAt);
        Feed(181, 0);
        Assert.Equal(0, d.Decide(Input(1, lastRequest: lastRequest), _history).DesiredScale);
    }

    [Fact]
    public void Scale_to_zero_disabled_keeps_one()
    {
        var d = Decider(options: new AutoscalerOptions { EnableScaleToZero = false });
        d.InitialScaleReached();
        Feed(200, 0);
        Assert.Equal(1, d.Decide(Input(1, lastRequest: null), _history).DesiredScale);
    }

    [Fact]
    public void Min_scale_keeps_instances_without_traffic_routed_or_not()
    {
        var d = Decider(new() { ["autoscaling.knative.dev/min-scale"] = "2" });
        d.InitialScaleReached();
        Feed(200, 0);
        var routed = d.Decide(Input(2), _history);
        Assert.Equal(2, routed.DesiredScale);
        Assert.Equal("min-scale", routed.Reason);
        Assert.Null(routed.ScaleToZeroAt);
        Assert.Equal(2, d.Decide(Input(2, routed: false, latest: false), _history).DesiredScale);
    }

    [Fact]
    public void Max_scale_caps_everything_including_min_scale_and_panic()
    {
        var d = Decider(new() { ["autoscaling.knative.dev/max-scale"] = "3" });
        Feed(6, 7000);
        var r = d.Decide(Serving(1), _history);
        Assert.Equal(3, r.DesiredScale);
        Assert.True(r.Panicking);
    }

    [Fact]
    public void Activation_scale_raises_any_non_zero_decision()
    {
        var d = Decider(new() { ["autoscaling.knative.dev/activation-scale"] = "3" });
        var r = d.Decide(Input(0, waiting: 1), _history);
        Assert.Equal(3, r.DesiredScale);
        Assert.Equal("activation scale", r.Reason);
        d.InitialScaleReached();
        Feed(200, 0);
        Assert.Equal(0, d.Decide(Input(0), _history).DesiredScale); // zero stays zero
    }

    [Fact]
    public void Initial_scale_holds_until_reached_once()
    {
        var d = Decider(new() { ["autoscaling.knative.dev/initial-scale"] = "3" });
        var first = d.Decide(Input(0), _history);
        Assert.Equal(3, first.DesiredScale);
        Assert.Equal("initial scale", first.Reason);
        Assert.Equal(3, d.Decide(Input(2, starting: 1), _history).DesiredScale);
        d.Decide(Input(3), _history); // reached
        Feed(200, 0);
        Assert.True(d.Decide(Input(3), _history).DesiredScale < 3);
    }

    [Fact]
    public void Initial_scale_zero_needs_the_daemon_to_allow_it()
    {
        var annotations = new Dictionary<string, string> { ["autoscaling.knative.dev/initial-scale"] = "0" };
        Assert.Equal(1, AutoscalerSettings.For(annotations, 0, Defaults()).InitialScale);
        Assert.Equal(0, AutoscalerSettings.For(annotations, 0, new AutoscalerOptions { AllowZeroInitialScale = true }).InitialScale);
    }

    [Fact]
    public void A_new_latest_revision_without_traffic_starts_then_goes_to_zero()
    {
        var d = Decider();
        Assert.Equal(1, d.Decide(Input(0, routed: false, latest: true), _history).DesiredScale);
        var ready = d.Decide(Input(1, routed: false, latest: true), _history);
        Assert.Equal(0, ready.DesiredScale);
        Assert.Equal("not routed", ready.Reason);
    }

    [Fact]
    public void A_revision_neither_routed_nor_latest_has_no_instances()
    {
        var d = Decider();
        Feed(60, 500);
        var r = d.Decide(Input(3, routed: false, latest: false), _history);
        Assert.Equal(0, r.DesiredScale);
    }

    [Fact]
    public void Metric_rps_divides_requests_per_second_by_the_rps_target()
    {
        var d = Decider(new() { ["autoscaling.knative.dev/metric"] = "rps" });
        Feed(60, 1, rps: 700); // 200 × 70 % = 140 per instance
        Assert.Equal(5, d.Decide(Serving(5), _history).DesiredScale);
    }

    [Fact]
    public void A_fresh_revision_keeps_its_instance_for_a_stable_window_before_the_grace_starts()
    {
        var d = Decider();
        Assert.Equal(1, d.Decide(Input(0), _history).DesiredScale);
        Feed(1, 0);
        Assert.Equal(1, d.Decide(Input(1), _history).DesiredScale); // reached initial scale, no traffic yet
        Feed(58, 0);
        Assert.Equal(1, d.Decide(Input(1), _history).DesiredScale);
        Feed(2, 0);
        var grace = d.Decide(Input(1), _history);
        Assert.Equal("scale to zero after grace", grace.Reason);
    }
}
