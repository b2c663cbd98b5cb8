using System.Net;
using System.Net.Sockets;

namespace Kinlet.IntegrationTests.Infrastructure;

public static class FreePort
{
    /// <summary>A port the OS just handed out and released; good enough for a test daemon started right after.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
