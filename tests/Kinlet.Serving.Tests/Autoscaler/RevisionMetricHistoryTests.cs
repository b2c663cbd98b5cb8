using Kinlet.Serving.Autoscaler;

namespace Kinlet.Serving.Tests.Autoscaler;

public sealed class RevisionMetricHistoryTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    private static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    [Fact]
    public void A_window_without_data_averages_zero()
    {
        var h = new RevisionMetricHistory(Minute);
        Assert.Equal(0, h.Average(ScalingMetric.Concurrency, Minute, T0));
        Assert.Equal(0, h.Average(ScalingMetric.Rps, Minute, T0));

        // Data older than the window is no data either.
        h.Record(At(1), 50, 5);
        Assert.Equal(0, h.Average(ScalingMetric.Concurrency, Minute, At(120)));
    }

    [Fact]
    public void A_full_window_averages_every_second()
    {
        var h = new RevisionMetricHistory(Minute);
        for (var s = 1; s <= 60; s++) h.Record(At(s), s <= 30 ? 10 : 30, 0);
        Assert.Equal(20, h.Average(ScalingMetric.Concurrency, Minute, At(60)), 9);
    }

    [Fact]
    public void A_partial_window_averages_only_the_seconds_with_data()
    {
        var h = new RevisionMetricHistory(Minute);
        h.Record(At(58), 10, 0);
        h.Record(At(59), 20, 0);
        h.Record(At(60), 30, 0);
        // Three seconds of data in a 60 s window: their mean, not diluted by 57 empty seconds.
        Assert.Equal(20, h.Average(ScalingMetric.Concurrency, Minute, At(60)), 9);
    }

    [Fact]
    public void The_window_is_open_at_the_start_and_closed_at_now()
    {
        var h = new RevisionMetricHistory(Minute);
        h.Record(At(0), 100, 0);  // exactly now − window: out
        h.Record(At(30), 10, 0);
        h.Record(At(60), 20, 0);  // exactly now: in
        h.Record(At(61), 1000, 0); // after now: out
        Assert.Equal(15, h.Average(ScalingMetric.Concurrency, Minute, At(60)), 9);
    }

    [Fact]
    public void A_shorter_window_sees_only_its_seconds()
    {
        var h = new RevisionMetricHistory(Minute);
        for (var s = 1; s <= 60; s++) h.Record(At(s), s > 54 ? 280 : 0, 0);
        Assert.Equal(280, h.Average(ScalingMetric.Concurrency, TimeSpan.FromSeconds(6), At(60)), 9);
        Assert.Equal(28, h.Average(ScalingMetric.Concurrency, Minute, At(60)), 9);
    }

    [Fact]
    public void The_metric_picks_concurrency_or_requests_per_second()
    {
        var h = new RevisionMetricHistory(Minute);
        h.Record(At(1), 3, 300);
        h.Record(At(2), 5, 500);
        Assert.Equal(4, h.Average(ScalingMetric.Concurrency, Minute, At(2)), 9);
        Assert.Equal(400, h.Average(ScalingMetric.Rps, Minute, At(2)), 9);
    }

    [Fact]
    public void Samples_older_than_the_kept_window_are_dropped()
    {
        var h = new RevisionMetricHistory(TimeSpan.FromSeconds(10));
        for (var s = 1; s <= 100; s++) h.Record(At(s), 1, 1);
        Assert.Equal(10, h.Count);
    }

    [Fact]
    public void Memory_is_bounded_at_an_hour_of_samples()
    {
        var h = new RevisionMetricHistory(TimeSpan.FromHours(5)); // more than an hour is not kept
        for (var s = 1; s <= 5000; s++) h.Record(At(s), 1, 1);
        Assert.Equal(RevisionMetricHistory.MaxSamples, h.Count);

        // Many samples in the same second do not grow it either.
        var burst = new RevisionMetricHistory(Minute);
        for (var i = 0; i < 10_000; i++) burst.Record(At(1), i, 0);
        Assert.Equal(RevisionMetricHistory.MaxSamples, burst.Count);
    }

    [Fact]
    public void Asking_for_a_longer_window_keeps_more_from_then_on()
    {
        var h = new RevisionMetricHistory(TimeSpan.FromSeconds(10));
        Assert.Equal(0, h.Average(ScalingMetric.Concurrency, Minute, T0));
        for (var s = 1; s <= 60; s++) h.Record(At(s), s, 0);
        Assert.Equal(60, h.Count);
        Assert.Equal(30.5, h.Average(ScalingMetric.Concurrency, Minute, At(60)), 9);
    }

    [Fact]
    public async Task Recording_and_averaging_from_different_threads_is_safe()
    {
        var h = new RevisionMetricHistory(TimeSpan.FromHours(1));
        var writer = Task.Run(() =>
        {
            for (var s = 1; s <= 3000; s++) h.Record(At(s), 7, 70);
        });
        var reader = Task.Run(() =>
        {
            for (var i = 0; i < 3000; i++)
            {
                var avg = h.Average(ScalingMetric.Concurrency, TimeSpan.FromHours(1), At(3000));
                Assert.True(avg is 0 or 7, $"average {avg}");
            }
        });
        await Task.WhenAll(writer, reader).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3000, h.Count);
        Assert.Equal(70, h.Average(ScalingMetric.Rps, TimeSpan.FromHours(1), At(3000)), 9);
    }
}
