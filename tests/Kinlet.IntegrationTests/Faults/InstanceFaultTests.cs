using System.Collections.Concurrent;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Faults;

/// <summary>An instance killed under load, and a rollout under 200 concurrent clients.</summary>
public sealed class InstanceFaultTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task Docker_kill_of_an_instance_under_load_is_replaced_and_no_request_hangs_or_fails_unclearly()
    {
        var created = await Cli("service", "create", "victim", "--image", Images.TestFn, "--scale-min", "2");
        Assert.True(created.ExitCode == 0, created.ToString());
        var before = await Daemon.ContainersAsync("victim");
        Assert.Equal(2, before.Count);

        using var stop = new CancellationTokenSource();
        var statuses = new ConcurrentDictionary<int, int>();
        var hung = 0;
        var loops = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Bounded: a request that takes 10 s counts as hung.
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    var (status, _) = await Daemon.GetAsync(Daemon.Host("victim"), "/sleep?ms=20", bound.Token);
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref hung);
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(1));
        var killed = await ProcessRunner.RunAsync("docker", ["kill", before[0].Id]);
        Assert.True(killed.ExitCode == 0, killed.ToString());
        await Eventually.TrueAsync(async () =>
        {
            var now = await Daemon.ContainersAsync("victim");
            return now.Count(c => c.State == Kinlet.Containers.ContainerRunState.Running) == 2 && now.All(c => c.Id != before[0].Id);
        }, "the killed instance replaced", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        Output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        Assert.Equal(0, hung);
        Assert.True(statuses.GetValueOrDefault(200) > 50);
        // Idempotent GETs that hit the dead instance before any response are retried once on the other one;
        // anything else must be a clear gateway answer, never a 500 or a hang.
        Assert.All(statuses.Keys, s => Assert.True(s is 200 or 502 or 503, $"unexpected status {s}"));
        var revision = await Daemon.Api.GetStringAsync("/apis/serving.knative.dev/v1/namespaces/default/revisions/victim-00001");
        Assert.Contains("\"restarts\":1", revision); // the kill counted as a restart
        await Cli("service", "delete", "victim");
    }

    [Fact]
    public async Task A_rollout_under_200_concurrent_clients_fails_no_request()
    {
        var created = await Cli("service", "create", "roll", "--image", Images.TestFn, "--env", "TARGET=v1", "--scale-min", "2");
        Assert.True(created.ExitCode == 0, created.ToString());

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var stop = new CancellationTokenSource();
        var ok = 0;
        var seenV2 = 0;
        var failures = new ConcurrentBag<string>();
        var clients = Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Daemon.IngressPort}/");
                    request.Headers.Host = Daemon.Host("roll");
                    using var response = await client.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    if ((int)response.StatusCode != 200) failures.Add($"{(int)response.StatusCode}: {body.Trim()}");
                    else if (body.Contains("v2", StringComparison.Ordinal)) Interlocked.Increment(ref seenV2);
                    else Interlocked.Increment(ref ok);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Add(e.GetType().Name + ": " + e.Message);
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        var updated = await Cli("service", "update", "roll", "--env", "TARGET=v2");
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref seenV2) > 200), "v2 answering", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Output.WriteLine($"v1 answers {ok}, v2 answers {seenV2}, failures {failures.Count}: {string.Join(" | ", failures.Take(5))}");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        Assert.Empty(failures);
        await Cli("service", "delete", "roll");
    }
}
