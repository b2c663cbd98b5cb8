using System.Net.WebSockets;
using System.Text;
using Kinlet.IntegrationTests.Conformance;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Protocols;

/// <summary>
/// WebSockets through kinletd's ingress to testfn's /ws echo: the request timeouts stop at the 101, an open socket
/// is a request in flight, and a socket on a retired revision gets a close frame after the drain period
/// (the fixture's 1 s) instead of holding the revision up.
/// </summary>
[Collection(ProtocolsCollection.Name)]
public sealed class WebSocketTests(ProtocolsFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private KinletDaemon Daemon => fixture.Daemon;

    private async Task<ClientWebSocket> ConnectAsync(string service)
    {
        var socket = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(ProtocolSupport.LoopbackHandler());
        await socket.ConnectAsync(new Uri($"ws://{service}.localhost:{Daemon.IngressPort}/ws"), invoker, CancellationToken.None).WaitAsync(Bound);
        Assert.StartsWith("hello ", await ReceiveTextAsync(socket));
        return socket;
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(Bound);
        return await ReceiveTextAsync(socket);
    }

    [Fact]
    public async Task An_open_socket_outlives_the_request_timeouts_and_counts_in_flight_until_it_closes()
    {
        await Daemon.ApplyAsync(output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: wsopen
            spec:
              template:
                metadata:
                  annotations:
                    autoscaling.knative.dev/min-scale: "1"
                spec:
                  timeoutSeconds: 6
                  responseStartTimeoutSeconds: 5
                  containers:
                    - image: kinlet.local/testfn:latest

            """);
        using var socket = await ConnectAsync("wsopen");
        Assert.Equal("one", await EchoAsync(socket, "one"));
        await Eventually.TrueAsync(async () => await Daemon.RevisionGaugeAsync("kinlet_revision_requests_in_flight", "wsopen-00001") == 1,
            "the open socket counted in flight");
        // Past both responseStartTimeoutSeconds (5) and timeoutSeconds (6), counted from the upgrade request: the socket
        // still echoes (knative/serving #16169). The limits leave a loaded machine room for the upgrade itself.
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.Equal("two", await EchoAsync(socket, "two"));
        Assert.Equal(WebSocketState.Open, socket.State);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        await Eventually.TrueAsync(async () => await Daemon.RevisionGaugeAsync("kinlet_revision_requests_in_flight", "wsopen-00001") == 0,
            "nothing in flight once the socket closed");
        await Daemon.DeleteServiceAsync(output, "wsopen");
    }

    [Fact]
    public async Task A_socket_on_a_retired_revision_gets_a_close_frame_and_the_revision_scales_to_zero()
    {
        await Daemon.ApplyAsync(output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: wsdrain
            spec:
              template:
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest
                      env:
                        - name: TARGET
                          value: v1

            """);
        using var socket = await ConnectAsync("wsdrain");
        Assert.Equal("before", await EchoAsync(socket, "before"));

        // A new revision takes all the traffic: wsdrain-00001 is retired, its socket has the drain period (1 s) left.
        await Daemon.ApplyAsync(output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: wsdrain
            spec:
              template:
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest
                      env:
                        - name: TARGET
                          value: v2

            """);
        var buffer = new byte[4096];
        var closed = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Bound);
        output.WriteLine($"{closed.MessageType} {closed.CloseStatus} {closed.CloseStatusDescription}");
        Assert.Equal(WebSocketMessageType.Close, closed.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, closed.CloseStatus);
        Assert.Equal("revision retired", closed.CloseStatusDescription);

        // Nothing holds the old revision now: it goes to zero; the new one answers.
        await Eventually.TrueAsync(async () => await Daemon.LiveContainersAsync("wsdrain", "wsdrain-00001") == 0,
            "wsdrain-00001 scaled to zero", TimeSpan.FromMinutes(2));
        Assert.Equal("Hello v2!", (await Daemon.GetAsync(Daemon.Host("wsdrain"))).Body.Trim());
        await Daemon.DeleteServiceAsync(output, "wsdrain");
    }
}
