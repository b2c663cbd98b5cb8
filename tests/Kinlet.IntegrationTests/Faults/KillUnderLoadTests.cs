using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using Kinlet.IntegrationTests.Infrastructure;
using Kinlet.Store.Events;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Faults;

/// <summary>
/// kill -9 of kinletd while HTTP requests and event ingest are in full flow: nothing accepted is lost, the
/// running containers are adopted (no duplicates, no orphans), and the service answers after the restart.
/// </summary>
public sealed class KillUnderLoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Kill_9_during_http_load_and_event_ingest_loses_no_accepted_event_and_adopts_the_containers()
    {
        await using var daemon = await KinletDaemon.StartAsync();
        var created = await daemon.CliAsync("service", "create", "busy", "--image", Images.TestFn, "--scale-min", "2");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(0, (await daemon.CliAsync("broker", "create", "crash")).ExitCode);
        var before = (await daemon.ContainersAsync("busy")).Select(c => c.Id).Order().ToList();
        Assert.Equal(2, before.Count);

        using var stop = new CancellationTokenSource();
        var accepted = new ConcurrentBag<string>();
        var httpOk = 0;
        var ingest = Enumerable.Range(0, 4).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = $"{sender}-{i}";
                try
                {
                    using var request = Event(daemon, id);
                    using var response = await daemon.Ingress.SendAsync(request, stop.Token);
                    if ((int)response.StatusCode == 202) accepted.Add(id);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    // The daemon died mid-request: this event was never acknowledged.
                }
            }
        })).ToList();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if ((await daemon.GetAsync(daemon.Host("busy"), "/", stop.Token)).Status == 200) Interlocked.Increment(ref httpOk);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                }
            }
        })).ToList();

        await Eventually.TrueAsync(() => Task.FromResult(accepted.Count >= 100 && Volatile.Read(ref httpOk) >= 100),
            "load and ingest under way", TimeSpan.FromSeconds(30));
        await daemon.KillAsync();
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(ingest.Concat(load));
        output.WriteLine($"{accepted.Count} events accepted and {httpOk} requests answered before kill -9");

        // Every 202 is in the log (read with the daemon down).
        await using (var log = LiteDbEventLog.Open(daemon.StateDir))
        {
            var stored = log.Read("default", "crash", 0, 100_000).Select(e => e.Attributes["id"]).ToHashSet();
            var lost = accepted.Where(id => !stored.Contains(id)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} accepted events are missing: {string.Join(", ", lost.Take(10))}");
        }

        // The restarted daemon takes both containers back: the same ids, no third one, none left behind.
        await daemon.RestartAsync();
        var (status, body) = await daemon.GetAsync(daemon.Host("busy"));
        Assert.Equal(200, status);
        Assert.Equal("Hello World!", body.Trim());
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = (await daemon.ContainersAsync("busy")).Select(c => c.Id).Order().ToList();
        Assert.Equal(before, after);
        using var accepts = Event(daemon, "after-restart");
        Assert.Equal(202, (int)(await daemon.Ingress.SendAsync(accepts)).StatusCode);
    }

    private static HttpRequestMessage Event(KinletDaemon daemon, string id)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{daemon.IngressPort}/default/crash")
        {
            Content = new StringContent("{\"kill\":9}", new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Host = $"localhost:{daemon.IngressPort}";
        request.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
        request.Headers.TryAddWithoutValidation("ce-id", id);
        request.Headers.TryAddWithoutValidation("ce-source", "/faults");
        request.Headers.TryAddWithoutValidation("ce-type", "dev.kinlet.test.crash");
        return request;
    }
}
