using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Tests;

public sealed class RequestStatsTests
{
    private const long Second = 1000; // ticks per second in these tests

    [Fact]
    public void Concurrency_is_time_weighted_over_the_sample_period()
    {
        var stats = new RequestStats();
        stats.Sample(0, Second);
        stats.Started(0);       // 1 in flight for the whole second
        stats.Started(500);     // a second one for the last half
        var (concurrency, rps) = stats.Sample(1000, Second);
        Assert.Equal(1.5, concurrency, 6);
        Assert.Equal(2, rps, 6);
        Assert.Equal(2, stats.Concurrency);
    }

    [Fact]
    public void A_request_shorter_than_the_period_counts_for_its_share()
    {
        var stats = new RequestStats();
        stats.Sample(0, Second);
        stats.Started(100);
        stats.Finished(350);
        var (concurrency, rps) = stats.Sample(1000, Second);
        Assert.Equal(0.25, concurrency, 6);
        Assert.Equal(1, rps, 6);
    }

    [Fact]
    public void Each_sample_starts_a_new_period_and_keeps_what_is_still_in_flight()
    {
        var stats = new RequestStats();
        stats.Sample(0, Second);
        stats.Started(0);
        stats.Sample(1000, Second);
        var (concurrency, rps) = stats.Sample(3000, Second);
        Assert.Equal(1, concurrency, 6);
        Assert.Equal(0, rps, 6);
        stats.Finished(3000);
        Assert.Equal((0d, 0d), stats.Sample(4000, Second));
    }

    [Fact]
    public void Records_the_last_arrival()
    {
        var stats = new RequestStats();
        Assert.Equal(0, stats.LastRequestTimestamp);
        stats.Started(42);
        stats.Finished(50);
        Assert.Equal(42, stats.LastRequestTimestamp);
    }

    [Fact]
    public void Concurrent_arrivals_and_departures_lose_no_request_and_no_slot()
    {
        var stats = new RequestStats();
        stats.Sample(0, Second);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                stats.Started(0);
                stats.Finished(0);
            }
            stats.Started(0); // one per thread stays in flight for the whole period
        });
        Assert.Equal(8, stats.Concurrency);
        var (concurrency, rps) = stats.Sample(1000, Second);
        Assert.Equal(8, concurrency, 6);
        Assert.Equal(8 * 10_001, rps, 6);
    }

    [Theory]
    [InlineData(123_456_789_012_345_678)] // far beyond the word's 44 bits of clock
    [InlineData((5L << 44) - 100)]        // the word's clock wraps inside the period
    public void Works_at_stopwatch_scale_timestamps(long t)
    {
        var stats = new RequestStats();
        stats.Sample(t, Second);
        stats.Started(t + 250);
        stats.Finished(t + 750);
        stats.Started(t + 900);
        var (concurrency, rps) = stats.Sample(t + 1000, Second);
        Assert.Equal(0.6, concurrency, 6);
        Assert.Equal(2, rps, 6);
        Assert.Equal(1, stats.Concurrency);
    }

    [Fact]
    public void An_idle_gap_longer_than_the_words_clock_adds_no_area()
    {
        const long gap = 1L << 46;
        var stats = new RequestStats();
        stats.Sample(0, Second);
        stats.Started(10);
        stats.Finished(20);
        stats.Sample(gap, Second);
        stats.Started(gap + 500);
        var (concurrency, _) = stats.Sample(gap + 1000, Second);
        Assert.Equal(0.5, concurrency, 6);
    }

    [Fact]
    public void A_timestamp_older_than_the_last_change_adds_no_area_backwards()
    {
        var stats = new RequestStats();
        stats.Sample(0, Second);
        stats.Started(500);
        stats.Started(400); // read its clock before the first one, counted after it
        var (concurrency, rps) = stats.Sample(1000, Second);
        Assert.Equal(1.0, concurrency, 6);
        Assert.Equal(2, rps, 6);
    }

    [Fact]
    public void The_first_request_starts_the_first_period()
    {
        var stats = new RequestStats();
        stats.Started(200);
        stats.Finished(700);
        var (concurrency, rps) = stats.Sample(1200, Second);
        Assert.Equal(0.5, concurrency, 6);
        Assert.Equal(1, rps, 6);
    }
}
