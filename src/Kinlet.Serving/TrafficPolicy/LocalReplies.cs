using System.Globalization;
using System.Text;
using Kinlet.Core.Model;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>A rule answered by kinletd itself: no revision is involved.</summary>
public abstract class LocalReply
{
    public abstract Task WriteAsync(HttpContext context);
}

/// <summary><c>redirect</c>: Location built from the request with the rule's uri, authority, port and scheme.</summary>
internal sealed class RedirectReply(HttpRedirect redirect) : LocalReply
{
    private readonly int _status = redirect.RedirectCode ?? StatusCodes.Status301MovedPermanently;

    public override Task WriteAsync(HttpContext context)
    {
        var request = context.Request;
        var scheme = redirect.Scheme ?? request.Scheme;
        var host = redirect.Authority ?? Routing.RouteTable.HostName(request.Host.Value ?? "").ToString();
        var port = redirect.Port
            ?? (redirect.DerivePort == "FROM_PROTOCOL_DEFAULT" ? null
                : redirect.Authority is null || redirect.DerivePort == "FROM_REQUEST_PORT" ? request.Host.Port : null);
        var defaultPort = scheme == "https" ? 443 : 80;
        var location = new StringBuilder(scheme).Append("://").Append(host);
        if (port is { } p && p != defaultPort) location.Append(':').Append(p.ToString(CultureInfo.InvariantCulture));
        location.Append(redirect.Uri ?? (request.PathBase + request.Path).Value ?? "/");
        // Envoy keeps the query unless the new uri brings its own.
        if (redirect.Uri?.Contains('?', StringComparison.Ordinal) != true) location.Append(request.QueryString.Value);
        context.Response.StatusCode = _status;
        context.Response.Headers.Location = location.ToString();
        return Task.CompletedTask;
    }
}

/// <summary><c>directResponse</c>: the status and body as written (text/plain, as Envoy answers).</summary>
internal sealed class DirectReply(HttpDirectResponse direct) : LocalReply
{
    private readonly int _status = direct.Status ?? 200;
    private readonly byte[] _body = direct.Body?.String is { } s ? Encoding.UTF8.GetBytes(s)
        : direct.Body?.Bytes is { } b ? Convert.FromBase64String(b) : [];

    public override async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = _status;
        if (_body.Length == 0) return;
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = _body.Length;
        await context.Response.Body.WriteAsync(_body, context.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>A VirtualService whose rules all miss: 404, as Envoy answers a route that is not found.</summary>
internal sealed class NoRouteReply(string virtualService) : LocalReply
{
    private readonly byte[] _body = Encoding.UTF8.GetBytes($"no rule of VirtualService {virtualService} matched the request\n");

    public override async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = _body.Length;
        await context.Response.Body.WriteAsync(_body, context.RequestAborted).ConfigureAwait(false);
    }
}
