using System.Diagnostics;
using Kinlet.Serving.Activator;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Kinlet.Serving.Forwarding;

/// <summary>
/// The request path: Host → route → revision → instance with a free slot (or the activator) →
/// YARP's forwarder. The fast path reads one route snapshot, takes a slot with Interlocked, and
/// forwards; it takes no lock and builds no strings of its own.
/// </summary>
public sealed partial class IngressHandler(
    Router router,
    RevisionActivator activator,
    IHttpForwarder forwarder,
    ForwardingClient client,
    IOptions<ServingOptions> options,
    ILogger<IngressHandler> logger)
{
    private readonly bool _accessLog = options.Value.AccessLog;

    /// <summary>Handles the request when its host names a service; false when the host is the daemon's own.</summary>
    public ValueTask<bool> TryHandleAsync(HttpContext context)
    {
        var table = router.Table;
        var host = context.Request.Host.Value ?? "";
        if (!table.TryResolve(host, out var entry))
        {
            if (!table.IsServiceHost(host)) return ValueTask.FromResult(false);
            return WriteAsync(context, StatusCodes.Status404NotFound, "no service for host " + RouteTable.HostName(host).ToString());
        }
        return new ValueTask<bool>(ForwardAsync(context, entry!));
    }

    private async Task<bool> ForwardAsync(HttpContext context, RouteEntry entry)
    {
        var revision = entry.Pick();
        if (revision is null)
        {
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, entry.UnavailableReason ?? "no revision available").ConfigureAwait(false);
            return true;
        }

        var started = Stopwatch.GetTimestamp();
        var instance = revision.Policy.Acquire(revision.Ready, revision.ContainerConcurrency);
        if (instance is null)
        {
            instance = await ActivateAsync(context, revision).ConfigureAwait(false);
            if (instance is null)
            {
                LogRequest(context, revision, started);
                return true;
            }
        }

        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context, instance.DestinationPrefix, client.Invoker, revision.RequestConfig,
                ForwardedHeadersTransformer.Instance).ConfigureAwait(false);
        }
        finally
        {
            instance.Release();
        }
        if (error == ForwarderError.Request && CanRetry(context))
            await RetryAsync(context, revision, instance).ConfigureAwait(false);
        LogRequest(context, revision, started);
        return true;
    }

    /// <summary>
    /// A request without a body whose method is safe to repeat, that failed before any response:
    /// the instance died or was not quite listening. One more try, on another instance when there is one.
    /// </summary>
    private static bool CanRetry(HttpContext context)
    {
        var request = context.Request;
        return !context.Response.HasStarted
            && !context.RequestAborted.IsCancellationRequested
            && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
            && request.ContentLength is null or 0
            && !request.Headers.ContainsKey("Transfer-Encoding");
    }

    private async Task RetryAsync(HttpContext context, RevisionState revision, InstanceState failed)
    {
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.Clear();
        var instance = revision.Policy.Acquire(revision.Ready, revision.ContainerConcurrency);
        if (ReferenceEquals(instance, failed))
        {
            // Same instance: give a process that was just starting a moment before asking again.
            instance.Release();
            await Task.Delay(RetryPause, context.RequestAborted).ConfigureAwait(false);
            instance = revision.Policy.Acquire(revision.Ready, revision.ContainerConcurrency);
        }
        instance ??= await ActivateAsync(context, revision).ConfigureAwait(false);
        if (instance is null) return;
        try
        {
            LogRetry(revision.Key.Name, failed.Name, instance.Name);
            await forwarder.SendAsync(context, instance.DestinationPrefix, client.Invoker, revision.RequestConfig,
                ForwardedHeadersTransformer.Instance).ConfigureAwait(false);
        }
        finally
        {
            instance.Release();
        }
    }

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);

    /// <summary>The slow path: no free slot, so wait (bounded by the revision timeout) in the activator.</summary>
    private async Task<InstanceState?> ActivateAsync(HttpContext context, RevisionState revision)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(revision.Timeout);
        try
        {
            return await activator.AcquireAsync(revision, deadline.Token).ConfigureAwait(false);
        }
        catch (RevisionUnavailableException e)
        {
            context.Response.Headers.RetryAfter = "5";
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"revision {revision.Key} is not available: {e.Reason}: {FirstLine(e.Detail)}").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await WriteAsync(context, StatusCodes.Status504GatewayTimeout,
                $"timed out after {revision.Timeout.TotalSeconds:0}s waiting for revision {revision.Key} to have a ready instance").ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client went away while waiting.
        }
        return null;
    }

    private static string FirstLine(string text)
    {
        var i = text.IndexOf('\n');
        return i < 0 ? text : text[..i];
    }

    private static async ValueTask<bool> WriteAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted) return true;
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
        return true;
    }

    private void LogRequest(HttpContext context, RevisionState revision, long started)
    {
        if (!_accessLog || !logger.IsEnabled(LogLevel.Information)) return;
        var request = context.Request;
        LogAccess(request.Method, request.Host.Value ?? "", request.Path.Value ?? "/", revision.ServiceName, revision.Key.Name,
            context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Revision}: request to {Failed} failed before any response; retrying on {Instance}")]
    private partial void LogRetry(string revision, string failed, string instance);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Method} {Host}{Path} -> {Service}/{Revision} {StatusCode} in {ElapsedMs:0.0} ms")]
    private partial void LogAccess(string method, string host, string path, string service, string revision, int statusCode, double elapsedMs);
}
