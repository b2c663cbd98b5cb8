using Kinlet.IntegrationTests.Conformance;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Protocols;

/// <summary>Server-sent events through kinletd keep flushing per chunk: each arrives before the next exists.</summary>
[Collection(ProtocolsCollection.Name)]
public sealed class StreamingTests(ProtocolsFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private KinletDaemon Daemon => fixture.Daemon;

    [Fact]
    public async Task Server_sent_events_arrive_one_chunk_at_a_time()
    {
        await Daemon.ApplyAsync(output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: sse
            spec:
              template:
                metadata:
                  annotations:
                    autoscaling.knative.dev/min-scale: "1"
                    autoscaling.knative.dev/max-scale: "1"
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest

            """);
        var id = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Daemon.IngressPort}/sse?id={id}&chunks=3&pauseMs=400");
        request.Headers.Host = Daemon.Host("sse");
        using var response = await Daemon.Ingress.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Bound);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        for (var i = 0; i < 3; i++)
        {
            if (i > 0)
            {
                // The function sends chunk i only once told to: reading chunk i-1 first proves it was not held back.
                using var next = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{Daemon.IngressPort}/sse/next?id={id}");
                next.Headers.Host = Daemon.Host("sse");
                using var told = await Daemon.Ingress.SendAsync(next).WaitAsync(Bound);
                Assert.True(told.IsSuccessStatusCode);
            }
            Assert.Equal($"data: chunk {i}", await reader.ReadLineAsync().WaitAsync(Bound));
            Assert.Equal("", await reader.ReadLineAsync().WaitAsync(Bound));
            output.WriteLine($"read chunk {i}");
        }
        Assert.Null(await reader.ReadLineAsync().WaitAsync(Bound));
        await Daemon.DeleteServiceAsync(output, "sse");
    }
}
