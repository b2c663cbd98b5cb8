using System.Diagnostics;
using System.Net;

namespace Kinlet.Serving.Forwarding;

/// <summary>
/// The one HTTP client every proxied request goes through: a shared connection pool to all
/// instances, no proxy, no redirects, no cookies, no decompression — bytes pass through as they are.
/// </summary>
public sealed class ForwardingClient : IDisposable
{
    public ForwardingClient()
    {
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            EnableMultipleHttp2Connections = true,
            // The client's own traceparent passes through untouched; the proxy adds none of its own.
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
        }, disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
