namespace Kinlet.Eventing.Delivery;

/// <summary>
/// Where a delivery goes: <see cref="Uri"/> is what users see (status, <c>knativeerrordest</c>); <see cref="Connect"/>
/// is what kinletd dials, with <see cref="Host"/> as the Host header when the two differ. A service's host
/// (<c>name.localhost:8080</c>) is dialled on the ingress's own address, so it goes through the router and its
/// revision can scale from zero, whatever the domain resolves to.
/// </summary>
public sealed record SinkTarget(string Uri, Uri Connect, string? Host)
{
    /// <summary>
    /// The target for <paramref name="uri"/>: hosts under <c>localhost</c> or the services' domain on the ingress
    /// port are dialled at <paramref name="ingressAddress"/>; anything else as written. Null when it is not an
    /// absolute http(s) URL.
    /// </summary>
    public static SinkTarget? From(string? uri, string domain, int ingressPort, string ingressAddress)
    {
        if (uri is null || !System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) return null;
        if (parsed.Scheme != System.Uri.UriSchemeHttp && parsed.Scheme != System.Uri.UriSchemeHttps) return null;
        var host = parsed.IdnHost;
        var loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
        var ours = parsed.Port == ingressPort && (loopback || host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase));
        if (!ours && !loopback) return new SinkTarget(uri, parsed, null);
        var connect = new UriBuilder(parsed) { Host = ours ? ingressAddress : "127.0.0.1" }.Uri;
        return new SinkTarget(uri, connect, parsed.Authority);
    }
}
