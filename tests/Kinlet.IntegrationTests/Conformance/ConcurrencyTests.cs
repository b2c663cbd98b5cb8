using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>
/// containerConcurrency as a hard per-instance limit (Knative's SingleConcurrency) and max-scale as a
/// hard cap on instances, under sustained load. testfn stamps every answer with X-Max-Concurrency, the
/// most requests its process ever held at once, so each instance's figure is read from its own answers.
/// </summary>
public sealed class ConcurrencyTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private async Task CreateAsync(string name, params string[] flags)
    {
        var result = await Cli(["service", "create", name, "--image", Images.TestFn, .. flags]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Single_concurrency_never_gives_an_instance_two_requests_at_once()
    {
        await CreateAsync("single", "--concurrency-limit", "1");

        // Knative's SingleConcurrency runs 5 clients for 20 s; 10 s shows the same (hundreds of requests,
        // several instances) and keeps the integration run within its budget on a 2-core machine.
        var results = await Daemon.LoadAsync("single", "/sleep?ms=50", clients: 5, TimeSpan.FromSeconds(10));

        Output.WriteLine($"{results.Count} requests; X-Max-Concurrency seen: {string.Join(", ", results.Select(r => r.MaxConcurrency).Distinct().Order())}");
        Assert.All(results, r => Assert.True(r.Status == 200, $"status {r.Status}: {r.Error}"));
        Assert.All(results, r => Assert.True(r.MaxConcurrency == 1, $"an instance held {r.MaxConcurrency} requests at once"));
        await Daemon.DeleteServiceAsync(Output, "single");
    }

    [Fact]
    public async Task Max_scale_2_with_concurrency_1_never_runs_more_than_2_containers_under_8_clients()
    {
        await CreateAsync("capped", "--concurrency-limit", "1", "--scale-max", "2");
        var maxContainers = 0;
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                maxContainers = Math.Max(maxContainers, await Daemon.LiveContainersAsync("capped", "capped-00001"));
                await Task.Delay(100);
            }
        });

        // 8 clients on 2 slots: the autoscaler wants 8+ instances, max-scale holds it at 2 and the
        // activator queue (Knative's depth) holds the other requests until a slot frees.
        var results = await Daemon.LoadAsync("capped", "/sleep?ms=100", clients: 8, TimeSpan.FromSeconds(8));
        await stop.CancelAsync();
        await watcher;

        Output.WriteLine($"{results.Count} requests, at most {maxContainers} live containers");
        Assert.All(results, r => Assert.True(r.Status == 200, $"status {r.Status}: {r.Error}"));
        Assert.InRange(maxContainers, 1, 2);
        Assert.All(results, r => Assert.True(r.MaxConcurrency == 1, $"an instance held {r.MaxConcurrency} requests at once"));
        await Daemon.DeleteServiceAsync(Output, "capped");
    }
}
