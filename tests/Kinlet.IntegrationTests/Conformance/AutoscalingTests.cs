using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>
/// Scale from and to zero, min-scale and the activator's bounded queue, on a daemon with a 6 s stable
/// window, a 2 s grace period (Knative: 60 s and 30 s), a 1 s tick and an activator queue of 5.
/// containerConcurrency and max-scale under load are in <see cref="ConcurrencyTests"/>, on a daemon
/// with Knative's queue depth (this one's 5 would turn the 8-client load into 503s).
/// </summary>
public sealed class AutoscalingTests(FastAutoscalerFixture fixture, ITestOutputHelper output) : IClassFixture<FastAutoscalerFixture>
{
    private KinletDaemon Daemon => fixture.Daemon;

    private async Task CreateAsync(string name, params string[] flags)
    {
        var result = await Daemon.CliAsync(["service", "create", name, "--image", Images.TestFn, .. flags]);
        output.WriteLine($"$ kinlet service create {name} {string.Join(' ', flags)}\n{result}");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private Task DeleteAsync(string name) => Daemon.CliAsync("service", "delete", name);

    [Fact]
    public async Task Scales_to_zero_after_the_grace_period_and_back_on_the_next_request()
    {
        await CreateAsync("zero", "--scale-min", "0");
        await Eventually.TrueAsync(async () => await Daemon.RunningContainersAsync("zero") == 0, "zero containers after idling", TimeSpan.FromSeconds(60));

        var (status, body, _) = await Daemon.TryGetAsync("zero", "/");
        Assert.Equal(200, status);
        Assert.Equal("Hello World!\n", body);
        Assert.Equal(1, await Daemon.RunningContainersAsync("zero"));

        var metrics = await Daemon.Api.GetStringAsync("/metrics");
        Assert.Contains("kinlet_cold_start_duration_seconds_count{namespace=\"default\",service=\"zero\",revision=\"zero-00001\"}", metrics);

        await Eventually.TrueAsync(async () => await Daemon.RunningContainersAsync("zero") == 0, "back to zero containers", TimeSpan.FromSeconds(60));
        await DeleteAsync("zero");
    }

    [Fact]
    public async Task Min_scale_keeps_instances_warm_without_traffic()
    {
        await CreateAsync("warm", "--scale-min", "2");
        await Eventually.TrueAsync(async () => await Daemon.RunningContainersAsync("warm") == 2, "two containers", TimeSpan.FromSeconds(60));
        // Longer than the stable window plus the grace period: nothing goes.
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.Equal(2, await Daemon.RunningContainersAsync("warm"));
        await DeleteAsync("warm");
    }

    [Fact]
    public async Task A_full_activator_queue_answers_503_with_retry_after()
    {
        // The fixture's queue holds 5; one instance takes one request at a time: 1 in flight + 5 queued get
        // 200, the other 6 get 503 at once. 1.5 s of work instead of 3 s: the admitted ones finish in ~9 s.
        await CreateAsync("full", "--concurrency-limit", "1", "--scale-max", "1", "--scale-min", "1");
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            var (status, _, response) = await Daemon.TryGetAsync("full", "/sleep?ms=1500");
            var retryAfter = response?.Headers.RetryAfter is not null;
            response?.Dispose();
            return (status, retryAfter);
        }));
        output.WriteLine(string.Join(", ", results.Select(r => r.status)));
        Assert.Contains(results, r => r.status == 503 && r.retryAfter);
        Assert.Contains(results, r => r.status == 200);
        Assert.All(results, r => Assert.True(r.status is 200 or 503, $"unexpected status {r.status}"));
        await DeleteAsync("full");
    }
}
