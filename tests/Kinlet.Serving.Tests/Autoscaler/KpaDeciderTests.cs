using Kinlet.Serving.Autoscaler;
using Microsoft.Extensions.Time.Testing;

namespace Kinlet.Serving.Tests.Autoscaler;

/// <summary>The KPA decision tick by tick, with a fake clock and hand-fed per-second samples.</summary>
public sealed class KpaDeciderTests
{
    private const string P = "autoscaling.knative.dev/";
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private RevisionMetricHistory _history = new(TimeSpan.FromSeconds(60));

    private DateTimeOffset Now => _time.GetUtcNow();

    private KpaDecider Decider(Dictionary<string, string>? annotations = null, long cc = 0, AutoscalerOptions? options = null) =>
        new(AutoscalerSettings.For(annotations, cc, options ?? new AutoscalerOptions()), _time);

    /// <summary>A decider for a revision that has been serving for a while (initial scale already reached).</summary>
    private KpaDecider Running(Dictionary<string, string>? annotations = null, long cc = 0, AutoscalerOptions? options = null)
    {
        var d = Decider(annotations, cc, options);
        d.InitialScaleReached();
        return d;
    }

    /// <summary>Advances one second at a time, recording <paramref name="concurrency"/> each second.</summary>
    private void Feed(int seconds, double concurrency, double rps = 0)
    {
        for (var i = 0; i < seconds; i++)
        {
            _time.Advance(Second);
            _history.Record(Now, concurrency, rps);
        }
    }

    /// <summary>Replaces the history with a full minute of <paramref name="concurrency"/> ending now, without moving the clock.</summary>
    private void Fill(double concurrency)
    {
        _history = new RevisionMetricHistory(TimeSpan.FromSeconds(60));
        for (var i = 59; i >= 0; i--) _history.Record(Now - TimeSpan.FromSeconds(i), concurrency, 0);
    }

    private static ScaleInput Input(int ready, int starting = 0, bool routed = true, bool latest = true, int waiting = 0,
        DateTimeOffset? lastRequest = null, int inFlight = 0) =>
        new(ready, starting, routed, latest, waiting, lastRequest, inFlight);

    /// <summary>A routed revision that received a request just now.</summary>
    private ScaleInput Serving(int ready) => Input(ready, lastRequest: Now);

    // ---- stable window ----

    [Fact]
    public void Steady_load_at_target_keeps_the_count()
    {
        var d = Running();
        Feed(60, 140); // 2 × 70
        var r = d.Decide(Serving(2), _history);
        Assert.Equal(2, r.DesiredScale);
        Assert.False(r.Panicking);
        Assert.Equal("stable window", r.Reason);
        Assert.Null(r.ScaleToZeroAt);
        for (var i = 0; i < 10; i++)
        {
            Feed(2, 140);
            Assert.Equal(2, d.Decide(Serving(2), _history).DesiredScale);
        }
    }

    [Fact]
    public void Desired_is_the_stable_average_over_the_effective_target_rounded_up()
    {
        var d = Running();
        Feed(60, 100);
        var r = d.Decide(Serving(2), _history);
        Assert.Equal(2, r.DesiredScale); // ceil(100 / 70)
        Assert.Equal(100, r.ObservedStable, 6);
        Assert.Equal(100, r.ObservedPanic, 6);
    }

    [Fact]
    public void The_issue_example_twenty_clients_with_limit_one_wants_29_capped_by_max_scale_5()
    {
        var d = Running(new() { [P + "max-scale"] = "5" }, cc: 1);
        Feed(60, 20);
        var r = d.Decide(Serving(5), _history);
        Assert.Equal(5, r.DesiredScale);
        Assert.Equal("max-scale", r.Reason);
        Assert.Equal(20, r.ObservedStable, 6);

        var unbounded = Running(cc: 1);
        Assert.Equal(29, unbounded.Decide(Serving(29), _history).DesiredScale); // ceil(20 / 0.7)
    }

    [Fact]
    public void The_target_follows_container_concurrency()
    {
        var d = Running(cc: 10); // 10 × 70 % = 7 per instance
        Feed(60, 21);
        Assert.Equal(3, d.Decide(Serving(3), _history).DesiredScale);
    }

    [Fact]
    public void Metric_rps_divides_requests_per_second_by_the_rps_target()
    {
        var d = Running(new() { [P + "metric"] = "rps" });
        Feed(60, 1, rps: 700); // 200 × 70 % = 140 per instance
        var r = d.Decide(Serving(5), _history);
        Assert.Equal(5, r.DesiredScale);
        Assert.Equal(700, r.ObservedStable, 6);
    }

    // ---- panic ----

    [Fact]
    public void Panic_starts_when_the_panic_window_wants_twice_the_ready_instances()
    {
        var d = Running();
        Feed(54, 0);
        Feed(6, 280); // panic window: 280 / 70 = 4 per 1 ready = 400 %
        var r = d.Decide(Serving(1), _history);
        Assert.True(r.Panicking);
        Assert.Equal(4, r.DesiredScale);
        Assert.Equal("panic", r.Reason);
        Assert.Null(r.ScaleToZeroAt);
    }

    [Fact]
    public void Panic_starts_exactly_at_the_threshold()
    {
        var d = Running();
        Feed(60, 0);
        Feed(6, 140); // 140 / 70 / 1 = 2.0
        Assert.True(d.Decide(Serving(1), _history).Panicking);
    }

    [Fact]
    public void Below_the_threshold_there_is_no_panic()
    {
        var d = Running();
        Feed(60, 0);
        Feed(6, 130); // 130 / 70 = 1.86 < 2
        Assert.False(d.Decide(Serving(1), _history).Panicking);
    }

    [Fact]
    public void The_threshold_is_relative_to_the_ready_instances()
    {
        var d = Running();
        Feed(60, 280); // wants 4: 200 % of 2 ready, 100 % of 4
        Assert.False(d.Decide(Serving(4), _history).Panicking);
        var other = Running();
        Assert.True(other.Decide(Serving(2), _history).Panicking);
    }

    [Fact]
    public void A_panic_threshold_annotation_moves_the_trigger()
    {
        var d = Running(new() { [P + "panic-threshold-percentage"] = "150" });
        Feed(60, 0);
        Feed(6, 110); // 157 %
        Assert.True(d.Decide(Serving(1), _history).Panicking);
    }

    [Fact]
    public void Stale_data_at_zero_without_waiting_requests_is_no_panic()
    {
        var d = Running();
        Feed(6, 280);
        Assert.False(d.Decide(Input(0, lastRequest: Now), _history).Panicking);
        var r = Running().Decide(Input(0, waiting: 3, lastRequest: Now, inFlight: 3), _history);
        Assert.True(r.Panicking);
    }

    [Fact]
    public void No_scale_down_during_panic()
    {
        var d = Running();
        Feed(6, 280);
        Assert.Equal(4, d.Decide(Serving(1), _history).DesiredScale);

        // Load drops: the panic window wants 1, the stable window 1; the count holds.
        Feed(10, 0);
        var held = d.Decide(Serving(4), _history);
        Assert.True(held.Panicking);
        Assert.Equal(4, held.DesiredScale);
        Assert.Equal("panic", held.Reason);
    }

    [Fact]
    public void Panic_ends_exactly_one_stable_window_after_the_last_trigger()
    {
        var d = Running();
        Feed(6, 280);
        Assert.True(d.Decide(Serving(1), _history).Panicking); // trigger at t = 6

        Feed(59, 0); // t = 65
        Assert.True(d.Decide(Serving(4), _history).Panicking);

        Feed(1, 0); // t = 66: one stable window after the trigger
        var after = d.Decide(Serving(4), _history);
        Assert.False(after.Panicking);
        Assert.Equal(2, after.DesiredScale); // the stable window decides again, halving at most
        Assert.Equal("stable window", after.Reason);
    }

    [Fact]
    public void Each_tick_over_the_threshold_extends_panic()
    {
        var d = Running();
        Feed(6, 280);
        Assert.True(d.Decide(Serving(1), _history).Panicking);
        Feed(30, 280);
        Assert.True(d.Decide(Serving(1), _history).Panicking); // new trigger at t = 36
        Feed(59, 0);
        Assert.True(d.Decide(Serving(4), _history).Panicking); // 59 s after the last trigger, 89 s after the first
        Feed(1, 0);
        Assert.False(d.Decide(Serving(4), _history).Panicking);
    }

    [Fact]
    public void In_panic_desired_is_the_larger_of_stable_and_panic()
    {
        var d = Running();
        Feed(54, 700);
        Feed(6, 1400);
        var r = d.Decide(Serving(1), _history);
        Assert.True(r.Panicking);
        Assert.Equal(20, r.DesiredScale); // panic 1400 / 70 = 20 > stable ≈ 11

        // Later in the same panic the stable window is the larger one.
        var e = Running();
        _history = new RevisionMetricHistory(TimeSpan.FromSeconds(60));
        Feed(6, 280); // trigger with 1 ready
        Assert.Equal(4, e.Decide(Serving(1), _history).DesiredScale);
        Feed(50, 2000); // stable ≈ 1806 → 26; panic 2000 → 29, still over 200 % of 4
        Assert.Equal(29, e.Decide(Serving(4), _history).DesiredScale);
        Feed(6, 0); // panic window empty, stable ≈ 1613 → 24, but never below the previous 29
        var hold = e.Decide(Serving(29), _history);
        Assert.True(hold.Panicking);
        Assert.Equal(29, hold.DesiredScale);
    }

    // ---- rate bounds ----

    [Fact]
    public void Scale_up_is_bounded_by_the_max_scale_up_rate()
    {
        var d = Running(options: new AutoscalerOptions { MaxScaleUpRate = 2 });
        Feed(60, 700); // wants 10
        Assert.Equal(4, d.Decide(Serving(2), _history).DesiredScale); // at most 2 × 2
        Assert.Equal(8, d.Decide(Serving(4), _history).DesiredScale);
        Assert.Equal(10, d.Decide(Serving(8), _history).DesiredScale);
    }

    [Fact]
    public void The_up_bound_counts_zero_ready_as_one()
    {
        var d = Running();
        Feed(60, 140_000); // wants 2000
        Assert.Equal(1000, d.Decide(Input(0, waiting: 1, lastRequest: Now), _history).DesiredScale); // ceil(1000 × 1)
    }

    [Fact]
    public void Scale_down_at_most_halves_per_decision()
    {
        var d = Running();
        Feed(60, 70);
        Feed(60, 1); // stable: wants 1 of 10
        var r = d.Decide(Serving(10), _history);
        Assert.Equal(5, r.DesiredScale);
        Assert.Equal("stable window", r.Reason);
        Assert.Equal(2, d.Decide(Serving(5), _history).DesiredScale);
        Assert.Equal(1, d.Decide(Serving(2), _history).DesiredScale);
        Assert.Equal(1, d.Decide(Serving(1), _history).DesiredScale);
    }

    [Fact]
    public void A_larger_scale_down_rate_drops_faster()
    {
        var d = Running(options: new AutoscalerOptions { MaxScaleDownRate = 4 });
        Feed(60, 1);
        Assert.Equal(3, d.Decide(Serving(12), _history).DesiredScale);
    }

    // ---- scale-down delay ----

    [Fact]
    public void Scale_down_delay_keeps_the_highest_count_seen_over_the_delay()
    {
        var d = Running(new() { [P + "scale-down-delay"] = "30s" }, options: new AutoscalerOptions { MaxScaleDownRate = 10 });
        Fill(420);
        Assert.Equal(6, d.Decide(Serving(10), _history).DesiredScale); // t = 0

        _time.Advance(TimeSpan.FromSeconds(10));
        Fill(280);
        var held = d.Decide(Serving(10), _history); // t = 10: wants 4
        Assert.Equal(6, held.DesiredScale);
        Assert.Equal("scale-down delay", held.Reason);

        _time.Advance(TimeSpan.FromSeconds(10));
        Fill(350);
        Assert.Equal(6, d.Decide(Serving(10), _history).DesiredScale); // t = 20: wants 5

        _time.Advance(TimeSpan.FromSeconds(11));
        Fill(140);
        Assert.Equal(5, d.Decide(Serving(10), _history).DesiredScale); // t = 31: the 6 left the delay, the 5 of t = 20 is the max

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(5, d.Decide(Serving(10), _history).DesiredScale); // t = 41

        _time.Advance(TimeSpan.FromSeconds(10));
        var released = d.Decide(Serving(10), _history); // t = 51
        Assert.Equal(2, released.DesiredScale);
        Assert.Equal("stable window", released.Reason);
    }

    [Fact]
    public void Scale_down_delay_does_not_slow_scaling_up()
    {
        var d = Running(new() { [P + "scale-down-delay"] = "1m" });
        Fill(140);
        Assert.Equal(2, d.Decide(Serving(2), _history).DesiredScale);
        _time.Advance(TimeSpan.FromSeconds(2));
        Fill(350);
        Assert.Equal(5, d.Decide(Serving(5), _history).DesiredScale);
    }

    [Fact]
    public void Scale_down_delay_also_delays_scale_to_zero()
    {
        var d = Running(new() { [P + "scale-down-delay"] = "20s" });
        var lastRequest = Now;
        var start = Now;
        d.Decide(Input(1, lastRequest: lastRequest), _history);
        ScaleDecision r;
        do
        {
            Feed(1, 0);
            r = d.Decide(Input(1, lastRequest: lastRequest), _history);
            Assert.True(Now - start < TimeSpan.FromMinutes(5), "never headed to zero");
        }
        while (r.Reason != "scale to zero after grace");
        // The last decision of 1 (t = 59, the stable window still held the request) is kept 20 s more.
        Assert.Equal(start + TimeSpan.FromSeconds(79), Now);
        Assert.Equal(Now + TimeSpan.FromSeconds(30), r.ScaleToZeroAt);
    }

    // ---- the data that is there ----

    [Fact]
    public void A_window_without_data_averages_zero()
    {
        var d = Running();
        var r = d.Decide(Input(0, latest: false), _history);
        Assert.Equal(0, r.DesiredScale);
        Assert.Equal(0, r.ObservedStable);
        Assert.Equal(0, r.ObservedPanic);
        Assert.Equal("idle at zero", r.Reason);
        Assert.Null(r.ScaleToZeroAt);
    }

    [Fact]
    public void A_partial_window_averages_only_the_seconds_with_data()
    {
        Feed(3, 140);
        var d = Running();
        var r = d.Decide(Serving(2), _history);
        Assert.Equal(140, r.ObservedStable, 6);
        Assert.Equal(2, r.DesiredScale);
    }

    // ---- demand from the activator ----

    [Fact]
    public void A_request_waiting_at_zero_starts_an_instance_at_once()
    {
        var d = Running();
        var r = d.Decide(Input(0, waiting: 1, lastRequest: Now, inFlight: 1), _history);
        Assert.Equal(1, r.DesiredScale);
        Assert.Equal("requests waiting", r.Reason);
        Assert.Null(r.ScaleToZeroAt);
    }

    [Fact]
    public void Requests_waiting_at_zero_start_as_many_instances_as_they_need()
    {
        var d = Running(cc: 10); // target 10 × 70 % = 7 per instance
        var r = d.Decide(Input(0, waiting: 50, lastRequest: Now, inFlight: 50), _history);
        Assert.Equal(8, r.DesiredScale);
        var capped = Running(new() { [P + "max-scale"] = "5" }, cc: 10);
        Assert.Equal(5, capped.Decide(Input(0, waiting: 50, lastRequest: Now, inFlight: 50), _history).DesiredScale);
    }

    [Fact]
    public void With_metric_rps_waiting_requests_start_one_instance()
    {
        var d = Running(new() { [P + "metric"] = "rps" });
        Assert.Equal(1, d.Decide(Input(0, waiting: 500, lastRequest: Now, inFlight: 500), _history).DesiredScale);
    }

    [Fact]
    public void Waiting_requests_with_an_instance_ready_wait_for_the_data()
    {
        var d = Running(cc: 10);
        Feed(1, 7);
        var r = d.Decide(Input(1, waiting: 50, lastRequest: Now, inFlight: 60), _history);
        Assert.Equal(1, r.DesiredScale); // the samples will show the load; the activator only pokes at zero
    }

    [Fact]
    public void A_request_waiting_cuts_the_grace_short()
    {
        var d = Running();
        var lastRequest = Now;
        d.Decide(Input(1, lastRequest: lastRequest), _history);
        Feed(61, 0);
        Assert.Equal("scale to zero after grace", d.Decide(Input(1, lastRequest: lastRequest), _history).Reason);
        Feed(30, 0);
        Assert.Equal(0, d.Decide(Input(1, lastRequest: lastRequest), _history).DesiredScale);

        // A request arrives while the last instance is going away.
        var r = d.Decide(Input(0, waiting: 1, lastRequest: Now, inFlight: 1), _history);
        Assert.Equal(1, r.DesiredScale);
        Assert.Equal("requests waiting", r.Reason);
    }

    // ---- scale to zero ----

    [Fact]
    public void Scale_to_zero_waits_a_stable_window_after_the_last_request_then_the_grace_period()
    {
        var d = Running();
        var lastRequest = Now;
        d.Decide(Input(1, lastRequest: lastRequest), _history);
        Feed(1, 1);
        Feed(30, 0);
        var during = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(1, during.DesiredScale);
        Assert.Equal("stable window", during.Reason);
        Assert.Equal(lastRequest + TimeSpan.FromSeconds(90), during.ScaleToZeroAt); // predicted: window + grace

        Feed(30, 0); // a whole stable window without traffic: grace starts now
        var grace = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(1, grace.DesiredScale);
        Assert.Equal("scale to zero after grace", grace.Reason);
        Assert.Equal(Now + TimeSpan.FromSeconds(30), grace.ScaleToZeroAt);
        Assert.Equal(lastRequest + TimeSpan.FromSeconds(91), grace.ScaleToZeroAt);

        Feed(29, 0);
        var almost = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(1, almost.DesiredScale);
        Assert.Equal(grace.ScaleToZeroAt, almost.ScaleToZeroAt); // the grace counts from when zero was first wanted

        Feed(1, 0);
        var zero = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(0, zero.DesiredScale);
        Assert.Equal("scale to zero", zero.Reason);
        Assert.Null(zero.ScaleToZeroAt);

        var idle = d.Decide(Input(0, lastRequest: lastRequest), _history);
        Assert.Equal(0, idle.DesiredScale);
        Assert.Null(idle.ScaleToZeroAt);
    }

    [Fact]
    public void With_the_defaults_the_last_instance_goes_about_window_plus_grace_after_the_last_request()
    {
        var d = Running();
        Feed(10, 5);
        var lastRequest = Now;
        var seconds = 0;
        // One decision a second, as the loop samples; the instance stays until desired is 0.
        while (d.Decide(Input(1, lastRequest: lastRequest), _history).DesiredScale > 0)
        {
            Feed(1, 0);
            seconds++;
            Assert.True(seconds < 200, "never went to zero");
        }
        Assert.Equal(90, seconds); // 60 s stable window + 30 s grace
    }

    [Fact]
    public void Grace_zero_goes_to_zero_as_soon_as_the_window_is_empty()
    {
        var d = Running(options: new AutoscalerOptions { ScaleToZeroGracePeriod = TimeSpan.Zero });
        var lastRequest = Now;
        d.Decide(Input(1, lastRequest: lastRequest), _history);
        Feed(59, 0);
        Assert.Equal(1, d.Decide(Input(1, lastRequest: lastRequest), _history).DesiredScale);
        Feed(1, 0);
        Assert.Equal(0, d.Decide(Input(1, lastRequest: lastRequest), _history).DesiredScale);
    }

    [Fact]
    public void Retention_keeps_the_last_instance_at_least_that_long_after_the_last_request()
    {
        var d = Running(new() { [P + "scale-to-zero-pod-retention-period"] = "5m" });
        var lastRequest = Now;
        d.Decide(Input(1, lastRequest: lastRequest), _history);
        Feed(120, 0);
        var r = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(1, r.DesiredScale);
        Assert.Equal("scale to zero after grace", r.Reason);
        Assert.Equal(lastRequest + TimeSpan.FromMinutes(5), r.ScaleToZeroAt);
        Feed(179, 0);
        Assert.Equal(1, d.Decide(Input(1, lastRequest: lastRequest), _history).DesiredScale);
        Feed(1, 0);
        Assert.Equal(0, d.Decide(Input(1, lastRequest: lastRequest), _history).DesiredScale);
    }

    [Fact]
    public void A_short_retention_does_not_shorten_the_grace()
    {
        var d = Running(new() { [P + "scale-to-zero-pod-retention-period"] = "10s" });
        var lastRequest = Now;
        d.Decide(Input(1, lastRequest: lastRequest), _history);
        Feed(60, 0);
        var r = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(Now + TimeSpan.FromSeconds(30), r.ScaleToZeroAt);
    }

    [Fact]
    public void During_the_grace_the_current_instances_stay()
    {
        // A fast scale-down rate lets the decision drop from 3 to 0 in one step; the grace still holds all 3.
        var d = Running(options: new AutoscalerOptions { MaxScaleDownRate = 1000 });
        var lastRequest = Now;
        d.Decide(Input(3, lastRequest: lastRequest), _history);
        Feed(60, 0);
        var r = d.Decide(Input(3, lastRequest: lastRequest), _history);
        Assert.Equal(3, r.DesiredScale);
        Assert.Equal("scale to zero after grace", r.Reason);
    }

    [Fact]
    public void A_request_during_the_grace_starts_it_over()
    {
        var d = Running();
        d.Decide(Input(1), _history); // the instance is up from t = 0
        Feed(60, 0);
        var first = d.Decide(Input(1), _history);
        Assert.Equal(Now + TimeSpan.FromSeconds(30), first.ScaleToZeroAt);

        Feed(10, 0);
        Feed(1, 0.2); // one short request
        var lastRequest = Now;
        var back = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal(1, back.DesiredScale);
        Assert.Equal("stable window", back.Reason);

        Feed(60, 0);
        var again = d.Decide(Input(1, lastRequest: lastRequest), _history);
        Assert.Equal("scale to zero after grace", again.Reason);
        Assert.Equal(Now + TimeSpan.FromSeconds(30), again.ScaleToZeroAt);
    }

    [Fact]
    public void Scale_to_zero_at_is_null_while_serving_or_panicking()
    {
        var d = Running();
        Feed(60, 70);
        Assert.Null(d.Decide(Serving(1), _history).ScaleToZeroAt);
        Feed(6, 700);
        var panic = d.Decide(Serving(1), _history);
        Assert.True(panic.Panicking);
        Assert.Null(panic.ScaleToZeroAt);
    }

    [Fact]
    public void Scale_to_zero_disabled_keeps_one_for_a_routed_revision()
    {
        var d = Running(options: new AutoscalerOptions { EnableScaleToZero = false });
        for (var i = 0; i < 5; i++)
        {
            Feed(100, 0);
            var r = d.Decide(Input(1), _history);
            Assert.Equal(1, r.DesiredScale);
            Assert.Null(r.ScaleToZeroAt);
        }
        Assert.Equal(1, d.Decide(Input(0), _history).DesiredScale);
        Assert.Equal(0, d.Decide(Input(1, routed: false, latest: false), _history).DesiredScale);
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

    // ---- min, max, activation, initial ----

    [Fact]
    public void Min_scale_keeps_a_routed_revision_up_without_traffic()
    {
        var d = Running(new() { [P + "min-scale"] = "2" });
        Feed(200, 0);
        var routed = d.Decide(Input(2), _history);
        Assert.Equal(2, routed.DesiredScale);
        Assert.Equal("min-scale", routed.Reason);
        Assert.Null(routed.ScaleToZeroAt);
        Assert.Equal(2, d.Decide(Input(0), _history).DesiredScale);
    }

    [Fact]
    public void Min_scale_keeps_instances_of_a_revision_without_traffic_routed_to_it()
    {
        var d = Running(new() { [P + "min-scale"] = "2" });
        var r = d.Decide(Input(2, routed: false, latest: false), _history);
        Assert.Equal(2, r.DesiredScale);
        Assert.Equal("min-scale", r.Reason);
        var plain = Running();
        Assert.Equal(0, plain.Decide(Input(2, routed: false, latest: false), _history).DesiredScale);
    }

    [Fact]
    public void Min_scale_from_the_daemon_options_applies_too()
    {
        var d = Running(options: new AutoscalerOptions { MinScale = 1 });
        Feed(200, 0);
        Assert.Equal(1, d.Decide(Input(1), _history).DesiredScale);
    }

    [Fact]
    public void Max_scale_caps_everything_including_panic()
    {
        var d = Running(new() { [P + "max-scale"] = "3" });
        Feed(6, 7000);
        var r = d.Decide(Serving(1), _history);
        Assert.Equal(3, r.DesiredScale);
        Assert.True(r.Panicking);
        Assert.Equal("max-scale", r.Reason);
    }

    [Fact]
    public void Max_scale_caps_initial_scale_and_counts_as_reaching_it()
    {
        var d = Decider(new() { [P + "initial-scale"] = "5", [P + "max-scale"] = "3" });
        Assert.Equal(3, d.Decide(Input(0), _history).DesiredScale);
        d.Decide(Input(3), _history); // as many as max-scale allows: initial scale is done
        Feed(61, 0);
        var r = d.Decide(Input(3), _history);
        Assert.Equal(1, r.DesiredScale); // halving towards zero, no longer held at 3
        Assert.Equal("stable window", r.Reason);
    }

    [Fact]
    public void Activation_scale_raises_any_non_zero_decision()
    {
        var d = Running(new() { [P + "activation-scale"] = "3" });
        var r = d.Decide(Input(0, waiting: 1, lastRequest: Now, inFlight: 1), _history);
        Assert.Equal(3, r.DesiredScale);
        Assert.Equal("activation scale", r.Reason);

        Feed(60, 70); // wants 1
        Assert.Equal(3, d.Decide(Serving(3), _history).DesiredScale);
        Feed(60, 700); // wants 10
        Assert.Equal(10, d.Decide(Serving(10), _history).DesiredScale);
    }

    [Fact]
    public void Activation_scale_leaves_zero_at_zero()
    {
        var d = Running(new() { [P + "activation-scale"] = "3" });
        Feed(200, 0);
        Assert.Equal(0, d.Decide(Input(0), _history).DesiredScale);
    }

    [Fact]
    public void Initial_scale_holds_until_reached_once()
    {
        var d = Decider(new() { [P + "initial-scale"] = "3" });
        var first = d.Decide(Input(0), _history);
        Assert.Equal(3, first.DesiredScale);
        Assert.Equal("initial scale", first.Reason);
        Assert.Null(first.ScaleToZeroAt);
        Assert.Equal(3, d.Decide(Input(2, starting: 1), _history).DesiredScale);
        Feed(100, 0);
        Assert.Equal(3, d.Decide(Input(2, starting: 1), _history).DesiredScale); // however long it takes

        d.Decide(Input(3), _history); // reached
        Feed(100, 0);
        Assert.True(d.Decide(Input(3), _history).DesiredScale < 3);
        Assert.True(d.Decide(Input(1), _history).DesiredScale < 3); // once is enough: losing instances does not bring it back
    }

    [Fact]
    public void Initial_scale_zero_needs_the_daemon_to_allow_it()
    {
        var annotations = new Dictionary<string, string> { [P + "initial-scale"] = "0" };
        var refused = Decider(annotations);
        Assert.Equal(1, refused.Decide(Input(0), _history).DesiredScale);

        var allowed = Decider(annotations, options: new AutoscalerOptions { AllowZeroInitialScale = true });
        var r = allowed.Decide(Input(0), _history);
        Assert.Equal(0, r.DesiredScale);
        Assert.Equal("idle at zero", r.Reason);
    }

    [Fact]
    public void A_new_latest_revision_without_traffic_starts_then_goes_to_zero_at_once()
    {
        var d = Decider();
        var starting = d.Decide(Input(0, routed: false, latest: true), _history);
        Assert.Equal(1, starting.DesiredScale);
        Assert.Equal("initial scale", starting.Reason);
        var ready = d.Decide(Input(1, routed: false, latest: true), _history);
        Assert.Equal(0, ready.DesiredScale);
        Assert.Equal("not routed", ready.Reason);
        Assert.Null(ready.ScaleToZeroAt);
    }

    [Fact]
    public void A_revision_neither_routed_nor_latest_has_no_instances()
    {
        var d = Decider(new() { [P + "initial-scale"] = "2" });
        Feed(60, 500);
        var r = d.Decide(Input(3, routed: false, latest: false), _history);
        Assert.Equal(0, r.DesiredScale);
        Assert.False(r.Panicking);
        Assert.Equal("not routed", r.Reason);
    }

    [Fact]
    public void Taken_out_of_the_routes_a_revision_goes_to_zero_at_once_even_in_panic()
    {
        var d = Running();
        Feed(6, 700);
        Assert.True(d.Decide(Serving(1), _history).Panicking);
        var r = d.Decide(Input(10, routed: false, latest: false, lastRequest: Now), _history);
        Assert.Equal(0, r.DesiredScale);
        Assert.False(r.Panicking);
    }

    [Fact]
    public void Requests_already_waiting_for_a_revision_taken_out_of_the_routes_still_get_an_instance()
    {
        var d = Running();
        var r = d.Decide(Input(0, routed: false, latest: false, waiting: 2, lastRequest: Now, inFlight: 2), _history);
        Assert.Equal(1, r.DesiredScale);
        Assert.Equal("requests waiting", r.Reason);
    }

    // ---- settings changes ----

    [Fact]
    public void Updated_settings_apply_to_the_next_decision()
    {
        var d = Running();
        Feed(60, 700);
        Assert.Equal(10, d.Decide(Serving(10), _history).DesiredScale);
        d.Update(AutoscalerSettings.For(new Dictionary<string, string> { [P + "max-scale"] = "4" }, 0, new AutoscalerOptions()));
        Assert.Equal(4, d.Settings.MaxScale);
        Assert.Equal(4, d.Decide(Serving(10), _history).DesiredScale);
    }
}
