using System.Net;
using System.Net.Sockets;

namespace Kinlet.Containers.Readiness;

/// <summary>
/// "Is the process listening?" through the published port. The engine's userland proxy accepts every
/// connection on the host port even when nothing listens in the container, then closes it within a
/// millisecond; so a connection that stays open for a short hold window means the app accepted it.
/// (Without the proxy the connect itself is refused: same answer.)
/// </summary>
public sealed class TcpReadinessProbe(TimeSpan holdWindow) : IReadinessProbe
{
    public static readonly TimeSpan DefaultHoldWindow = TimeSpan.FromMilliseconds(10);

    public TcpReadinessProbe() : this(DefaultHoldWindow) { }

    public async Task<ProbeOutcome> ProbeAsync(int hostPort, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hostPort), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return ProbeOutcome.NotReady("connect: " + e.SocketErrorCode);
        }

        using var hold = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hold.CancelAfter(holdWindow);
        var buffer = new byte[1];
        try
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, hold.Token).ConfigureAwait(false);
            // Closed at once: the proxy found nothing listening. Data: something listens and greets.
            return read == 0 ? ProbeOutcome.NotReady("connection closed: nothing listening in the container yet") : ProbeOutcome.Success;
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
