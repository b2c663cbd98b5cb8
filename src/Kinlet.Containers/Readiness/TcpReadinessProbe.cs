using System.Net;
using System.Net.Sockets;

namespace Kinlet.Containers.Readiness;

/// <summary>
/// "Is the process listening?" through the published port. The engine's userland proxy (docker-proxy) accepts
/// every connection on the host port even when nothing listens in the container, then closes it — usually
/// within a millisecond, but under load it can take over 100 ms. So the probe connects and sends a request
/// line no server serves (an unknown method, HTTP/9.9): any bytes back (a 400, a 505, an HTTP/2 GOAWAY)
/// prove a process answered, at once; a close or reset means nothing listens yet; a connection held open
/// and silent for the whole hold window counts as listening (a server that never speaks first).
/// Without the proxy the connect itself is refused: the same answer.
/// </summary>
public sealed class TcpReadinessProbe : IReadinessProbe
{
    /// <summary>Long enough to outlast a slow proxy close under load; only silent servers ever wait it out.</summary>
    public static readonly TimeSpan DefaultHoldWindow = TimeSpan.FromMilliseconds(250);

    // Rejected by every HTTP parser before any handler runs, so probing has no side effect on the function.
    private static readonly byte[] Nudge = "KINLET-PROBE /.kinlet/readiness HTTP/9.9\r\nHost: kinlet-probe\r\n\r\n"u8.ToArray();
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _holdWindow;
    private readonly TimeSpan _connectTimeout;

    public TcpReadinessProbe() : this(DefaultHoldWindow) { }

    /// <param name="holdWindow">How long the connection must stay open to count as accepted by the app.</param>
    /// <param name="connectTimeout">Bound on the connect itself (default 1 s).</param>
    public TcpReadinessProbe(TimeSpan holdWindow, TimeSpan? connectTimeout = null)
    {
        _holdWindow = holdWindow;
        _connectTimeout = connectTimeout ?? DefaultConnectTimeout;
    }

    public Task<ProbeOutcome> ProbeAsync(int hostPort, CancellationToken cancellationToken) =>
        ProbeOnSocketAsync(hostPort, cancellationToken).OnThreadPool();

    private async Task<ProbeOutcome> ProbeOnSocketAsync(int hostPort, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_connectTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hostPort), attempt.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return ProbeOutcome.NotReady($"connect to 127.0.0.1:{hostPort}: {e.SocketErrorCode}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.NotReady($"connect to 127.0.0.1:{hostPort}: no answer within {_connectTimeout.TotalMilliseconds:0} ms");
        }

        attempt.CancelAfter(_holdWindow);
        var buffer = new byte[1];
        try
        {
            await socket.SendAsync(Nudge, SocketFlags.None, attempt.Token).ConfigureAwait(false);
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, attempt.Token).ConfigureAwait(false);
            // Closed: the proxy found nothing listening. Data: a process answered.
            return read == 0 ? ProbeOutcome.NotReady("connection closed at once: nothing listening in the container yet") : ProbeOutcome.Success;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.Success;
        }
        catch (SocketException e)
        {
            return ProbeOutcome.NotReady("connection reset: " + e.SocketErrorCode);
        }
    }
}
