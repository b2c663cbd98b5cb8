using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>Knative's RevisionTimeout, with 5 s instead of 10 s to save time, plus the response-start and idle limits.</summary>
public sealed class RevisionTimeoutTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task Timeout_seconds_bounds_the_request_504_before_the_first_byte_and_a_cut_stream_after()
    {
        await Daemon.ApplyAsync(Output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: timeout
            spec:
              template:
                spec:
                  timeoutSeconds: 5
                  containers:
                    - image: kinlet.local/testfn:latest

            """);
        var ok = await Daemon.TryGetAsync("timeout", "/sleep?ms=1000");
        Assert.Equal(200, ok.Status);

        var late = await Daemon.TryGetAsync("timeout", "/sleep?ms=7000");
        Assert.Equal(504, late.Status);
        Assert.Contains("timeoutSeconds", late.Body);

        // The first byte comes at once: the status stays 200 and the stream is cut at the limit.
        await AssertCutAfterHeadersAsync("timeout", "/stream?chunks=2&intervalMs=7000");
        await Cli("service", "delete", "timeout");
    }

    [Fact]
    public async Task Response_start_and_idle_timeouts()
    {
        await Daemon.ApplyAsync(Output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: startidle
            spec:
              template:
                metadata:
                  annotations:
                    autoscaling.knative.dev/min-scale: "1"
                spec:
                  timeoutSeconds: 30
                  responseStartTimeoutSeconds: 2
                  idleTimeoutSeconds: 2
                  containers:
                    - image: kinlet.local/testfn:latest

            """);
        var slowStart = await Daemon.TryGetAsync("startidle", "/sleep?ms=4000");
        Assert.Equal(504, slowStart.Status);
        Assert.Contains("responseStartTimeoutSeconds", slowStart.Body);

        var steady = await Daemon.TryGetAsync("startidle", "/stream?chunks=3&intervalMs=1000");
        Assert.Equal(200, steady.Status);
        Assert.Equal("chunk 0\nchunk 1\nchunk 2\n", steady.Body);

        await AssertCutAfterHeadersAsync("startidle", "/stream?chunks=2&intervalMs=4000");
        await Cli("service", "delete", "startidle");
    }

    /// <summary>A 200 whose headers came at once and whose body the daemon cut: reading it to the end fails.</summary>
    private async Task AssertCutAfterHeadersAsync(string service, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Daemon.IngressPort}{path}");
        request.Headers.Host = Daemon.Host(service);
        using var response = await Daemon.Ingress.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsStringAsync());
    }
}
