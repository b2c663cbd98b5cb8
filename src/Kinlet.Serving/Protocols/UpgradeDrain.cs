using Kinlet.Serving.Forwarding;
using Kinlet.Serving.Revisions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Protocols;

/// <summary>
/// Spots an upgrade request (HTTP/1.1 <c>Upgrade</c>, or HTTP/2 extended CONNECT) before it is forwarded and
/// follows it as an <see cref="UpgradedConnection"/>: the server features that hand the forwarder the client's
/// stream are wrapped so the connection learns of the upgrade and can close the socket when its revision retires.
/// An ordinary request costs one feature read and returns null.
/// </summary>
public sealed class UpgradeDrain(IOptions<ServingOptions> options, TimeProvider time)
{
    private readonly TimeSpan _drainPeriod = options.Value.UpgradeDrainPeriod;

    public UpgradedConnection? Begin(HttpContext context, RevisionState revision, InstanceState instance, RequestDeadline deadline)
    {
        var features = context.Features;
        if (features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            var webSocket = string.Equals(context.Request.Headers.Upgrade.ToString(), "websocket", StringComparison.OrdinalIgnoreCase);
            var connection = new UpgradedConnection(revision, instance, deadline, webSocket, _drainPeriod, time);
            features.Set<IHttpUpgradeFeature>(new UpgradeFeature(upgrade, connection));
            return connection;
        }
        if (HttpMethods.IsConnect(context.Request.Method) && features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            var webSocket = string.Equals(connect.Protocol, "websocket", StringComparison.OrdinalIgnoreCase);
            var connection = new UpgradedConnection(revision, instance, deadline, webSocket, _drainPeriod, time);
            features.Set<IHttpExtendedConnectFeature>(new ConnectFeature(connect, connection));
            return connection;
        }
        return null;
    }

    /// <summary>Puts the server's own features back (a retry wraps them afresh) and ends the connection's drain rules.</summary>
    public static void End(HttpContext context, UpgradedConnection connection)
    {
        var features = context.Features;
        if (features.Get<IHttpUpgradeFeature>() is UpgradeFeature upgrade) features.Set(upgrade.Inner);
        if (features.Get<IHttpExtendedConnectFeature>() is ConnectFeature connect) features.Set(connect.Inner);
        connection.Dispose();
    }

    private sealed class UpgradeFeature(IHttpUpgradeFeature inner, UpgradedConnection connection) : IHttpUpgradeFeature
    {
        public IHttpUpgradeFeature Inner => inner;

        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => connection.Upgraded(await inner.UpgradeAsync().ConfigureAwait(false));
    }

    private sealed class ConnectFeature(IHttpExtendedConnectFeature inner, UpgradedConnection connection) : IHttpExtendedConnectFeature
    {
        public IHttpExtendedConnectFeature Inner => inner;

        public bool IsExtendedConnect => inner.IsExtendedConnect;

        public string? Protocol => inner.Protocol;

        public async ValueTask<Stream> AcceptAsync() => connection.Upgraded(await inner.AcceptAsync().ConfigureAwait(false));
    }
}
