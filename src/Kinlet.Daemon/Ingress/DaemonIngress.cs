using Kinlet.Serving.Routing;

namespace Kinlet.Daemon.Ingress;

/// <summary>
/// Ingress requests whose Host names no service (<c>localhost:8080</c>, <c>127.0.0.1:8080</c>) are the
/// daemon's own: health and (before this) the broker ingress. Never the control API.
/// </summary>
public static class DaemonIngress
{
    public static Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path.Equals("/healthz", StringComparison.Ordinal))
            return Text(context, StatusCodes.Status200OK, "ok");
        var host = RouteTable.HostName(context.Request.Host.Value ?? "").ToString();
        return Text(context, StatusCodes.Status404NotFound,
            host.Length == 0 ? "no service: the request has no Host header" : "no service for host " + host);
    }

    private static Task Text(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(body + "\n", context.RequestAborted);
    }
}
