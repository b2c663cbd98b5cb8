using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Kinlet.Serving.Forwarding;

/// <summary>
/// Copies the request as YARP does, keeps the original Host (functions see their service host, as in
/// Knative), and adds X-Forwarded-For/Proto/Host and an RFC 7239 <c>Forwarded</c> header when absent.
/// </summary>
public sealed class ForwardedHeadersTransformer : HttpTransformer
{
    public static readonly ForwardedHeadersTransformer Instance = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest,
        string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var request = httpContext.Request;
        var headers = proxyRequest.Headers;
        headers.Host = request.Host.Value;

        var values = ValuesFor(httpContext.Connection.RemoteIpAddress, request);
        var remoteText = values.For;
        var existingFor = request.Headers["X-Forwarded-For"];
        if (remoteText is not null)
        {
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-For", existingFor.Count == 0 ? remoteText : existingFor + ", " + remoteText);
        }
        if (!request.Headers.ContainsKey("X-Forwarded-Proto"))
            headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        if (!request.Headers.ContainsKey("X-Forwarded-Host"))
            headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
        if (!request.Headers.ContainsKey("Forwarded"))
            headers.TryAddWithoutValidation("Forwarded", values.Forwarded);
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse,
        CancellationToken cancellationToken)
    {
        if (proxyResponse is not null) RequestDeadline.Of(httpContext)?.ResponseStarting();
        return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    /// <summary>The client's address as text and the <c>Forwarded</c> value, for one client address, host and scheme.</summary>
    private sealed record ForwardedValues(IPAddress? Remote, string Host, string Scheme, string? For, string Forwarded);

    // The last values per slot, picked by the client address: a connection's requests (same address, usually the same
    // host) reuse them instead of formatting the same strings per request. A slot is one reference, swapped whole.
    private readonly ForwardedValues?[] _recent = new ForwardedValues?[64];

    private ForwardedValues ValuesFor(IPAddress? remote, HttpRequest request)
    {
        var host = request.Host.Value ?? "";
        var scheme = request.Scheme;
        ref var slot = ref _recent[(remote?.GetHashCode() ?? 0) & (_recent.Length - 1)];
        var values = Volatile.Read(ref slot);
        if (values is not null && Equals(values.Remote, remote) && values.Host == host && values.Scheme == scheme) return values;
        var remoteText = remote is null ? null : (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString();
        values = new ForwardedValues(remote, host, scheme, remoteText, Forwarded(remote, remoteText, host, scheme));
        Volatile.Write(ref slot, values);
        return values;
    }

    /// <summary><c>for=203.0.113.7;host=hello.localhost:8080;proto=http</c>; IPv6 and host values with ':' are quoted as RFC 7239 requires.</summary>
    private static string Forwarded(IPAddress? remote, string? remoteText, string host, string scheme)
    {
        var forPart = remoteText is null ? "unknown"
            : remote!.AddressFamily == AddressFamily.InterNetworkV6 && !remote.IsIPv4MappedToIPv6 ? $"\"[{remoteText}]\"" : remoteText;
        var hostPart = host.Contains(':') ? $"\"{host}\"" : host;
        return $"for={forPart};host={hostPart};proto={scheme}";
    }
}
