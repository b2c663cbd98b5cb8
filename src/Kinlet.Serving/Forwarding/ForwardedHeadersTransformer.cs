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

        var remote = httpContext.Connection.RemoteIpAddress;
        var remoteText = remote is null ? null : (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString();
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
            headers.TryAddWithoutValidation("Forwarded", Forwarded(remote, remoteText, request));
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse,
        CancellationToken cancellationToken)
    {
        if (proxyResponse is not null) RequestDeadline.Of(httpContext)?.ResponseStarting();
        return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    /// <summary><c>for=203.0.113.7;host=hello.localhost:8080;proto=http</c>; IPv6 and host values with ':' are quoted as RFC 7239 requires.</summary>
    private static string Forwarded(IPAddress? remote, string? remoteText, HttpRequest request)
    {
        var forPart = remoteText is null ? "unknown"
            : remote!.AddressFamily == AddressFamily.InterNetworkV6 && !remote.IsIPv4MappedToIPv6 ? $"\"[{remoteText}]\"" : remoteText;
        var host = request.Host.Value ?? "";
        var hostPart = host.Contains(':') ? $"\"{host}\"" : host;
        return $"for={forPart};host={hostPart};proto={request.Scheme}";
    }
}
