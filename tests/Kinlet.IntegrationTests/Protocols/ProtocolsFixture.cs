using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Kinlet.IntegrationTests.Infrastructure;

namespace Kinlet.IntegrationTests.Protocols;

/// <summary>
/// One daemon for the gRPC, WebSocket and streaming tests: a 1 s drain for sockets on a retired revision, and
/// Knative's windows shortened so an idle or retired revision scales to zero in seconds.
/// </summary>
public sealed class ProtocolsFixture : IAsyncLifetime
{
    public KinletDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync() => Daemon = await KinletDaemon.StartAsync(null,
        "--Kinlet:Autoscaler:StableWindow", "00:00:06",
        "--Kinlet:Autoscaler:ScaleToZeroGracePeriod", "00:00:02",
        "--Kinlet:Autoscaler:TickInterval", "00:00:01",
        "--Kinlet:Serving:UpgradeDrainPeriod", "00:00:01");

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ProtocolsCollection : ICollectionFixture<ProtocolsFixture>
{
    public const string Name = "protocols";
}

internal static class ProtocolSupport
{
    public const string GrpcFn = "kinlet.local/grpcfn:latest";

    /// <summary>
    /// A handler whose every connection goes to 127.0.0.1 whatever the URL's host: the URL carries the service host
    /// (<c>greeter.localhost</c>) as HTTP/2's :authority or HTTP/1.1's Host, as a client of a real DNS name would.
    /// </summary>
    public static SocketsHttpHandler LoopbackHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>A gauge of /metrics for one revision (kinlet_revision_requests_in_flight, ...); -1 when absent.</summary>
    public static async Task<double> RevisionGaugeAsync(this KinletDaemon daemon, string metric, string revision)
    {
        var text = await daemon.Api.GetStringAsync("/metrics");
        var match = Regex.Match(text, "^" + Regex.Escape(metric) + @"\{[^}]*revision=""" + Regex.Escape(revision) + @"""[^}]*\} (\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }
}
