using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Kinlet.IntegrationTests.Conformance;
using Kinlet.IntegrationTests.Infrastructure;
using Kinlet.TestGrpc;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Protocols;

/// <summary>
/// gRPC through kinletd's h2c ingress to a revision whose port is named h2c (tests/images/grpcfn): every call kind,
/// from zero, status and trailers as the function sent them, per-call balancing, deadlines.
/// </summary>
[Collection(ProtocolsCollection.Name)]
public sealed class GrpcTests(ProtocolsFixture fixture, ITestOutputHelper output)
{
    private KinletDaemon Daemon => fixture.Daemon;

    /// <summary>A grpcfn service with its port named h2c; annotation and spec lines as given.</summary>
    private static string Service(string name, string[]? annotations = null, string[]? spec = null)
    {
        var lines = new List<string>
        {
            "apiVersion: serving.knative.dev/v1", "kind: Service", "metadata:", $"  name: {name}", "spec:", "  template:",
        };
        if (annotations is { Length: > 0 })
        {
            lines.AddRange(["    metadata:", "      annotations:"]);
            lines.AddRange(annotations.Select(a => "        " + a));
        }
        lines.Add("    spec:");
        lines.AddRange((spec ?? []).Select(a => "      " + a));
        lines.AddRange(["      containers:", $"        - image: {ProtocolSupport.GrpcFn}", "          ports:",
            "            - name: h2c", "              containerPort: 8080"]);
        return string.Join('\n', lines) + "\n";
    }

    private GrpcChannel Channel(string service) =>
        GrpcChannel.ForAddress($"http://{service}.localhost:{Daemon.H2cPort}", new GrpcChannelOptions { HttpHandler = ProtocolSupport.LoopbackHandler() });

    [Fact]
    public async Task Unary_and_every_streaming_kind_work_from_zero_with_status_and_trailers_intact()
    {
        await Daemon.ApplyAsync(output, Service("greeter"));
        // The first instance goes once idle (the fixture's short windows): the first call below is a cold start.
        await Eventually.TrueAsync(async () => await Daemon.RunningContainersAsync("greeter") == 0, "greeter at zero", TimeSpan.FromMinutes(2));
        using var channel = Channel("greeter");
        var client = new Greeter.GreeterClient(channel);
        var bound = new CallOptions(deadline: DateTime.UtcNow.AddMinutes(2));

        // Unary, the cold one: the activator holds it until the first instance is ready.
        using (var call = client.SayHelloAsync(new HelloRequest { Name = "zero" }, bound))
        {
            Assert.Equal("Hello zero", (await call.ResponseAsync).Message);
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
            Assert.False(string.IsNullOrEmpty(call.GetTrailers().GetValue("x-served-by")), "the function's trailer came through");
        }
        Assert.Equal(1, await Daemon.RunningContainersAsync("greeter"));

        // The function's own error status and message, untouched.
        var failed = await Assert.ThrowsAsync<RpcException>(async () => await client.SayHelloAsync(new HelloRequest { Name = "fail" }, bound));
        Assert.Equal(StatusCode.FailedPrecondition, failed.StatusCode);
        Assert.Equal("told to fail", failed.Status.Detail);

        // Server streaming.
        using (var call = client.SayHelloStreamReply(new HelloRequest { Name = "s", Count = 3 }, bound))
        {
            var replies = new List<string>();
            await foreach (var reply in call.ResponseStream.ReadAllAsync()) replies.Add(reply.Message);
            Assert.Equal(["Hello s 0", "Hello s 1", "Hello s 2"], replies);
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
            Assert.False(string.IsNullOrEmpty(call.GetTrailers().GetValue("x-served-by")));
        }

        // Client streaming.
        using (var call = client.SayHelloClientStream(bound))
        {
            foreach (var name in new[] { "a", "b", "c" }) await call.RequestStream.WriteAsync(new HelloRequest { Name = name });
            await call.RequestStream.CompleteAsync();
            Assert.Equal("Hello a, b, c", (await call.ResponseAsync).Message);
            Assert.False(string.IsNullOrEmpty(call.GetTrailers().GetValue("x-served-by")));
        }

        // Bidirectional, in lock step: each reply is read before the next request is written, so nothing is
        // buffered whole on the way.
        using (var call = client.SayHelloBidi(bound))
        {
            foreach (var name in new[] { "x", "y", "z" })
            {
                await call.RequestStream.WriteAsync(new HelloRequest { Name = name });
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                Assert.Equal("Hello " + name, call.ResponseStream.Current.Message);
            }
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
            Assert.False(string.IsNullOrEmpty(call.GetTrailers().GetValue("x-served-by")));
        }
        await Daemon.DeleteServiceAsync(output, "greeter");
    }

    [Fact]
    public async Task Calls_on_one_connection_are_balanced_per_call_over_the_ready_instances()
    {
        await Daemon.ApplyAsync(output, Service("spread", annotations: ["autoscaling.knative.dev/min-scale: \"2\""]));
        await Eventually.TrueAsync(async () => await Daemon.RevisionGaugeAsync("kinlet_revision_ready_instances", "spread-00001") == 2,
            "two ready instances of spread-00001", TimeSpan.FromMinutes(2));
        using var channel = Channel("spread");
        var client = new Greeter.GreeterClient(channel);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 100; i++)
        {
            var reply = await client.SayHelloAsync(new HelloRequest { Name = "n" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
            counts[reply.Instance] = counts.GetValueOrDefault(reply.Instance) + 1;
        }
        output.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key}={kv.Value}")));
        // One HTTP/2 connection from this client; the calls still reach both instances.
        Assert.Equal(2, counts.Count);
        Assert.All(counts.Values, n => Assert.True(n >= 10, $"each instance takes a share of the calls ({n})"));
        await Daemon.DeleteServiceAsync(output, "spread");
    }

    [Fact]
    public async Task A_stream_is_in_flight_while_open_grpc_timeout_is_honoured_and_timeout_seconds_bounds_a_stream()
    {
        await Daemon.ApplyAsync(output, Service("bounded", annotations: ["autoscaling.knative.dev/min-scale: \"1\""], spec: ["timeoutSeconds: 3"]));
        using var channel = Channel("bounded");
        var client = new Greeter.GreeterClient(channel);

        // An open bidi stream is one request in flight for the autoscaler, until it ends.
        using (var call = client.SayHelloBidi(new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30))))
        {
            await call.RequestStream.WriteAsync(new HelloRequest { Name = "open" });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await Eventually.TrueAsync(async () => await Daemon.RevisionGaugeAsync("kinlet_revision_requests_in_flight", "bounded-00001") == 1,
                "the open stream counted in flight");
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        }
        await Eventually.TrueAsync(async () => await Daemon.RevisionGaugeAsync("kinlet_revision_requests_in_flight", "bounded-00001") == 0,
            "nothing in flight once the stream ended");

        // The function sees the call's grpc-timeout (it passes through).
        var reply = await client.SayHelloAsync(new HelloRequest { Name = "t" }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2)));
        Assert.False(string.IsNullOrEmpty(reply.GrpcTimeout), "grpc-timeout reached the function");

        // kinletd itself ends a call at its grpc-timeout (500 ms, under timeoutSeconds 3) with DEADLINE_EXCEEDED; the
        // raw HTTP/2 client here has no deadline of its own, so the answer can only be kinletd's.
        using (var http = new HttpMessageInvoker(ProtocolSupport.LoopbackHandler()))
        {
            var message = new HelloRequest { Name = "slow", DelayMs = 20_000 }.ToByteArray();
            var frame = new byte[5 + message.Length];
            frame[4] = (byte)message.Length;
            message.CopyTo(frame, 5);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://bounded.localhost:{Daemon.H2cPort}/helloworld.Greeter/SayHello")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(frame),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            request.Headers.TryAddWithoutValidation("te", "trailers");
            request.Headers.TryAddWithoutValidation("grpc-timeout", "500m");
            using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            await response.Content.ReadAsByteArrayAsync();
            var status = response.Headers.TryGetValues("grpc-status", out var s) ? s.Single()
                : response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.Single() : null;
            var text = response.Headers.TryGetValues("grpc-message", out var m) ? Uri.UnescapeDataString(m.Single()) : "";
            output.WriteLine($"{(int)response.StatusCode} grpc-status {status}: {text}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("4", status);
            Assert.Contains("grpc-timeout", text);
        }

        // timeoutSeconds (3) still bounds a stream that started at once: it ends early, not with its 1000th reply.
        using (var call = client.SayHelloStreamReply(new HelloRequest { Name = "long", Count = 1000, DelayMs = 100 }, new CallOptions(deadline: DateTime.UtcNow.AddMinutes(1))))
        {
            var received = 0;
            var error = await Record.ExceptionAsync(async () =>
            {
                await foreach (var _ in call.ResponseStream.ReadAllAsync()) received++;
            });
            output.WriteLine($"{received} replies, then {error?.Message}");
            Assert.IsType<RpcException>(error);
            Assert.True(received is > 0 and < 1000, $"the stream started and was cut ({received} replies)");
        }
        await Daemon.DeleteServiceAsync(output, "bounded");
    }

    [Fact]
    public async Task The_http1_ingress_port_does_not_take_prior_knowledge_http2_and_the_h2c_port_does()
    {
        using var http = new HttpMessageInvoker(ProtocolSupport.LoopbackHandler());
        foreach (var (port, works) in new[] { (Daemon.IngressPort, false), (Daemon.H2cPort, true) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://localhost:{port}/healthz")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            var result = await Record.ExceptionAsync(async () =>
            {
                using var response = await http.SendAsync(request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(HttpVersion.Version20, response.Version);
            });
            output.WriteLine($"port {port}: {result?.Message ?? "HTTP/2 200"}");
            Assert.Equal(works, result is null);
        }
    }
}
