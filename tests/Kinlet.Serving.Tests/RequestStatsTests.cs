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
}
