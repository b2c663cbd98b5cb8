using System.Collections.Concurrent;
using System.Net;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary>
/// The resilience steps of a VirtualService on the real engine: fault abort share, CORS preflight and response headers,
/// a mirror reaching the shadow revision, and retries across a killed instance.
/// </summary>
public sealed class ResiliencePolicyTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string Chaos = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: chaos}
        spec:
          host: chaos
          subsets:
          - name: v2
            labels: {serving.knative.dev/revision: chaos-00002}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: chaos}
        spec:
          hosts: [chaos.localhost]
          http:
          - name: flaky
            match: [{uri: {prefix: /status}}]
            fault: {abort: {httpStatus: 503, percentage: {value: 30}}}
            route: [{destination: {host: chaos}}]
          - name: shadowed
            match: [{uri: {prefix: /events}}]
            mirror: {host: chaos, subset: v2}
            route: [{destination: {host: chaos}}]
          - name: web
            corsPolicy:
              allowOrigins: [{exact: "https://app.local"}, {prefix: "https://dev."}]
              allowMethods: [GET, POST]
              allowHeaders: [x-token]
              exposeHeaders: [x-request-id]
              maxAge: 1h
            route: [{destination: {host: chaos}}]
        """;

    [Fact]
    public async Task Fault_abort_share_cors_and_mirror_to_the_shadow_revision()
    {
        Assert.Equal(0, (await Cli("service", "create", "chaos", "--image", Images.TestFn, "--env", "TARGET=v1")).ExitCode);
        var update = await Cli("service", "update", "chaos", "--env", "TARGET=v2", "--traffic", "chaos-00001=100", "--tag", "@latest=canary");
        Assert.True(update.ExitCode == 0, update.ToString());
        var file = Path.Combine(Daemon.StateDir, "chaos-policy.yaml");
        await File.WriteAllTextAsync(file, Chaos);
        var apply = await Cli("apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());

        // Fault: 30 % of 1,000 requests aborted by kinletd; binomial σ ≈ 14.5, so ±75 is 5σ (a count, not a clock).
        var aborted = 0;
        for (var i = 0; i < 1000; i++)
        {
            using var r = await Daemon.SendAsync(HttpMethod.Get, "chaos", "/status?code=200");
            var body = (await r.Content.ReadAsStringAsync()).Trim();
            if (r.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal("fault filter abort", body);
                aborted++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            }
        }
        Output.WriteLine($"aborted {aborted} of 1000 at 30 %");
        Assert.InRange(aborted, 225, 375);

        // CORS: the preflight is answered by kinletd; an allowed origin gets its headers on the real response; others none.
        using (var preflight = await Daemon.SendAsync(HttpMethod.Options, "chaos", "/", null,
                   ("Origin", "https://app.local"), ("Access-Control-Request-Method", "POST")))
        {
            Assert.Equal(HttpStatusCode.OK, preflight.StatusCode);
            Assert.Equal("https://app.local", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal("GET,POST", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single());
            Assert.Equal("x-token", preflight.Headers.GetValues("Access-Control-Allow-Headers").Single());
            Assert.Equal("3600", preflight.Headers.GetValues("Access-Control-Max-Age").Single());
        }
        using (var actual = await Daemon.SendAsync(HttpMethod.Get, "chaos", "/", null, ("Origin", "https://dev.example")))
        {
            Assert.Equal("Hello v1!", (await actual.Content.ReadAsStringAsync()).Trim());
            Assert.Equal("https://dev.example", actual.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal("x-request-id", actual.Headers.GetValues("Access-Control-Expose-Headers").Single());
        }
        using (var other = await Daemon.SendAsync(HttpMethod.Get, "chaos", "/", null, ("Origin", "https://evil.example")))
            Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));

        // Mirror: a copy of each /events POST reaches v2 (which has a ready instance once the tag header woke it);
        // the live request goes to v1 once.
        await Eventually.TrueAsync(async () =>
        {
            using var wake = await Daemon.SendAsync(HttpMethod.Get, "chaos", "/", null, ("Knative-Serving-Tag", "canary"));
            var id = "m-" + Guid.NewGuid().ToString("N");
            using var post = await Daemon.SendAsync(HttpMethod.Post, "chaos", "/events", new StringContent("{}"), ("ce-id", id));
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
            using var live = await Daemon.SendAsync(HttpMethod.Get, "chaos", "/events");
            var liveIds = (await live.Content.ReadAsStringAsync()).Split('\n');
            Assert.Equal(1, liveIds.Count(x => x == id));
            for (var i = 0; i < 20; i++)
            {
                using var shadow = await Daemon.SendAsync(HttpMethod.Get, "chaos", "/events", null, ("Knative-Serving-Tag", "canary"));
                if ((await shadow.Content.ReadAsStringAsync()).Split('\n').Contains(id)) return true;
                await Task.Delay(100);
            }
            return false;
        }, "a mirrored POST on the v2 revision", Timeouts.Test);

        var describe = await Cli("route", "describe", "chaos");
        Output.WriteLine(describe.Stdout);
        Assert.Contains("fault abort 503 at 30%", describe.Stdout);
        Assert.Contains("fault_abort=" + aborted, describe.Stdout);
        Assert.Contains("mirror_sent=", describe.Stdout);
        var metrics = await Daemon.Api.GetStringAsync("/metrics");
        Assert.Contains($"kinlet_traffic_policy_events_total{{namespace=\"default\",service=\"chaos\",revision=\"chaos-00001\",rule=\"flaky\",event=\"fault_abort\"}} {aborted}", metrics);
        Assert.Contains("revision=\"chaos-00002\",rule=\"shadowed\",event=\"mirror_sent\"", metrics);
        await Cli("vs", "delete", "chaos");
        await Cli("service", "delete", "chaos");
    }

    [Fact]
    public async Task Retries_carry_GETs_across_a_killed_instance_and_never_send_a_POST_twice()
    {
        var created = await Cli("service", "create", "sturdy", "--image", Images.TestFn, "--scale-min", "2");
        Assert.True(created.ExitCode == 0, created.ToString());
        var file = Path.Combine(Daemon.StateDir, "sturdy-policy.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: sturdy}
            spec:
              hosts: [sturdy]
              http:
              - name: all
                retries: {attempts: 2}
                route: [{destination: {host: sturdy}}]
            """);
        Assert.Equal(0, (await Cli("apply", "-f", file)).ExitCode);
        var before = await Daemon.ContainersAsync("sturdy");
        Assert.Equal(2, before.Count);

        using var stop = new CancellationTokenSource();
        var statuses = new ConcurrentDictionary<int, int>();
        var posted = new ConcurrentQueue<string>();
        var loops = Enumerable.Range(0, 4).Select(n => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                if (n == 0)
                {
                    var id = "p-" + Guid.NewGuid().ToString("N");
                    using var post = await Daemon.SendAsync(HttpMethod.Post, "sturdy", "/events", new StringContent("{}"), ("ce-id", id));
                    if (post.StatusCode == HttpStatusCode.Accepted) posted.Enqueue(id);
                    continue;
                }
                var (status, _) = await Daemon.GetAsync(Daemon.Host("sturdy"), "/sleep?ms=20", bound.Token);
                statuses.AddOrUpdate(status, 1, (_, k) => k + 1);
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(1));
        var killed = await ProcessRunner.RunAsync("docker", ["kill", before[0].Id]);
        Assert.True(killed.ExitCode == 0, killed.ToString());
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        Output.WriteLine("GET statuses: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        Assert.Equal([200], statuses.Keys.Order());
        // The survivor's record of POSTs: none arrived twice (the killed one's record died with it).
        var seen = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (_, body) = await Daemon.GetAsync(Daemon.Host("sturdy"), "/events", CancellationToken.None);
            seen = [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
            if (seen.Count > 0) break;
        }
        Assert.Equal(seen.Count, seen.Distinct().Count());
        var describe = await Cli("route", "describe", "sturdy");
        Output.WriteLine(describe.Stdout);
        Assert.Contains("retries attempts 2 on connect-failure,refused-stream,reset", describe.Stdout);
        await Cli("vs", "delete", "sturdy");
        await Cli("service", "delete", "sturdy");
    }
    [Fact]
    public async Task Connection_pool_overflow_is_a_503_naming_the_limit_and_outlier_detection_ejects_one_of_two()
    {
        var created = await Cli("service", "create", "guarded", "--image", Images.TestFn, "--scale-min", "2");
        Assert.True(created.ExitCode == 0, created.ToString());
        var file = Path.Combine(Daemon.StateDir, "guarded-policy.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: guarded}
            spec:
              host: guarded
              trafficPolicy:
                connectionPool: {http: {http2MaxRequests: 1}}
                outlierDetection: {consecutive5xxErrors: 3, maxEjectionPercent: 10}
            """);
        var apply = await Cli("apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        await Eventually.TrueAsync(async () => (await Daemon.ContainersAsync("guarded")).Count == 2, "two instances", Timeouts.Test);

        // Five at once against a limit of one: the others are refused at once, naming the field.
        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Daemon.GetAsync(Daemon.Host("guarded"), "/sleep?ms=1500")));
        Output.WriteLine(string.Join(" | ", answers.Select(a => $"{a.Status} {a.Body.Trim()}")));
        Assert.Contains(answers, a => a.Status == 200);
        Assert.Contains(answers, a => a.Status == 503 && a.Body.Contains("http2MaxRequests (1)", StringComparison.Ordinal));

        // Every answer a 500: after 3 in a row one instance is ejected (even at 10 % of 2), the other never.
        for (var i = 0; i < 20; i++) Assert.Equal(500, (await Daemon.GetAsync(Daemon.Host("guarded"), "/status?code=500")).Status);
        var metrics = await Daemon.Api.GetStringAsync("/metrics");
        var ejections = metrics.Split('\n').Where(l => l.StartsWith("kinlet_traffic_policy_events_total{", StringComparison.Ordinal)
                                                      && l.Contains("service=\"guarded\"", StringComparison.Ordinal)
                                                      && l.Contains("event=\"ejection\"", StringComparison.Ordinal)).ToList();
        Output.WriteLine(string.Join("\n", ejections));
        Assert.Single(ejections);
        Assert.EndsWith(" 1", ejections[0]);
        Assert.Contains(metrics.Split('\n'), l => l.Contains("service=\"guarded\"", StringComparison.Ordinal) && l.Contains("event=\"overflow\"", StringComparison.Ordinal));
        await Cli("dr", "delete", "guarded");
        await Cli("service", "delete", "guarded");
    }
}
