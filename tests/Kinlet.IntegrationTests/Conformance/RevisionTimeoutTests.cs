using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>
/// Knative's RevisionTimeout (timeoutSeconds 10: 2 s of work → 200, 12 s before the first byte → 504,
/// first byte at once then 15 s → 200), plus responseStartTimeoutSeconds and idleTimeoutSeconds.
/// The requests of one test run side by side: the wait is the longest of them, not their sum.
/// </summary>
public sealed class RevisionTimeoutTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task Timeout_seconds_10_answers_2s_of_work_504s_a_12s_stall_and_keeps_a_stream_that_started_at_once()
    {
        await Daemon.ApplyAsync(Output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: timeout
            spec:
              template:
                metadata:
                  annotations:
                    autoscaling.knative.dev/min-scale: "1"
                spec:
                  timeoutSeconds: 10
                  containers:
                    - image: kinlet.local/testfn:latest

            """);
        var within = Daemon.TryGetAsync("timeout", "/sleep?ms=2000");
        var stalled = Daemon.TryGetAsync("timeout", "/stall?ms=12000");
        // A response that started at once keeps its 200, and timeoutSeconds still bounds the whole request:
        // the stream is cut at the limit (shared/reference/knative-serving.md, per-instance proxy: "After it:
        // the stream is cut, the status stays what was sent").
        var started = ReadAllAsync("timeout", "/firstbyte?stallMs=15000");

        var ok = await within;
        Assert.True(ok.Status == 200, $"2 s of work: {ok.Status} {ok.Body}");
        Assert.Equal("slept 2000", ok.Body);

        var late = await stalled;
        Assert.True(late.Status == 504, $"12 s before the first byte: {late.Status} {late.Body}");
        Assert.False(string.IsNullOrWhiteSpace(late.Body), "the 504 carries a message");
        Assert.Contains("timeoutSeconds", late.Body);

        var (status, body, error) = await started;
        Assert.True(status == 200, $"first byte at once, then 15 s: status {status}");
        Assert.True(error is not null || body != "first\nrest\n", $"first byte at once, then 15 s: not cut at 10 s, read \"{body}\"");
        await Daemon.DeleteServiceAsync(Output, "timeout");
    }

    [Fact]
    public async Task Response_start_timeout_504s_a_late_first_byte_and_idle_timeout_cuts_a_stalled_stream()
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
        var lateStart = Daemon.TryGetAsync("startidle", "/stall?ms=4000");
        // Gaps of 1 s stay under the idle limit: the stream runs to its end.
        var steady = Daemon.TryGetAsync("startidle", "/stream?chunks=3&intervalMs=1000");
        var stalledStream = ReadAllAsync("startidle", "/firstbyte?stallMs=4000");

        var slowStart = await lateStart;
        Assert.True(slowStart.Status == 504, $"first byte after 4 s: {slowStart.Status} {slowStart.Body}");
        Assert.Contains("responseStartTimeoutSeconds", slowStart.Body);

        var ok = await steady;
        Assert.Equal(200, ok.Status);
        Assert.Equal("chunk 0\nchunk 1\nchunk 2\n", ok.Body);

        // After the first byte the status stays what was sent; the stream is cut at the idle limit.
        var (status, body, error) = await stalledStream;
        Assert.Equal(200, status);
        Assert.True(error is not null || body != "first\nrest\n", $"a 4 s gap over a 2 s idle limit was not cut: read \"{body}\"");
        await Daemon.DeleteServiceAsync(Output, "startidle");
    }

    /// <summary>Status as soon as headers come, then the body read to its end: what arrived, and the error that ended it early (null: complete).</summary>
    private async Task<(int Status, string Body, string? Error)> ReadAllAsync(string service, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Daemon.IngressPort}{path}");
        request.Headers.Host = Daemon.Host(service);
        using var response = await Daemon.Ingress.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) received.Write(buffer, 0, n);
            return ((int)response.StatusCode, System.Text.Encoding.UTF8.GetString(received.ToArray()), null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return ((int)response.StatusCode, System.Text.Encoding.UTF8.GetString(received.ToArray()), e.GetType().Name + ": " + e.Message);
        }
    }
}
