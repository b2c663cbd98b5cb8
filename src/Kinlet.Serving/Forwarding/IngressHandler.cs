using System.Diagnostics;
using System.Runtime.CompilerServices;
using Kinlet.Serving.Activator;
using Kinlet.Serving.Metrics;
using Kinlet.Serving.Protocols;
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
    ServingMetrics metrics,
    UpgradeDrain upgrades,
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
        // A host with a VirtualService, a DestinationRule or tags has a compiled policy; every other host takes the plain path.
        if (entry!.Policy is { } policy) return RouteByPolicyAsync(context, policy);
        return ForwardAsync(context, entry.Pick(), entry.UnavailableReason, null);
    }

    /// <summary>The policy picks the revision (or answers itself: redirect, direct response, no rule matched).</summary>
    private ValueTask<bool> RouteByPolicyAsync(HttpContext context, TrafficPolicy.CompiledPolicy policy)
    {
        var decision = policy.Decide(context);
        if (decision.Reply is { } reply) return ReplyAsync(context, reply);
        if (HasResilience(decision)) return ResilientAsync(context, decision);
        return ForwardAsync(context, decision.Revision, decision.Unavailable, decision.Picker);
    }

    private static async ValueTask<bool> ReplyAsync(HttpContext context, TrafficPolicy.LocalReply reply)
    {
        await reply.WriteAsync(context).ConfigureAwait(false);
        return true;
    }

    // The state machines of the per-request methods come from a pool, not a new box per request.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ForwardAsync(HttpContext context, RevisionState? revision, string? unavailable, TrafficPolicy.InstancePicker? picker)
    {
        if (revision is null)
        {
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, unavailable ?? "no revision available").ConfigureAwait(false);
            return true;
        }

        var started = Stopwatch.GetTimestamp();
        // Counted from arrival, waiting included: queued requests are demand the autoscaler must see.
        revision.Stats.Started(started);
        var deadline = RequestDeadline.Rent(revision, started);
        if (revision.IsH2c) LimitByGrpcTimeout(context.Request, deadline);
        context.Features.Set(deadline);
        try
        {
            // FIFO: while requests queue in the activator, a newcomer does not take a slot ahead of them.
            var instance = revision.Queue.Count == 0
                ? picker is null ? revision.Policy.Acquire(revision.Ready, revision.ContainerConcurrency) : picker.Acquire(context, revision)
                : null;
            if (instance is null)
            {
                instance = await ActivateAsync(context, revision, deadline).ConfigureAwait(false);
                if (instance is null) return true;
            }

            deadline.Forwarding();
            var error = await SendAsync(context, revision, instance, deadline).ConfigureAwait(false);
            if (error == ForwarderError.Request && CanRetry(context) && !deadline.IsCancellationRequested)
                error = await RetryAsync(context, revision, instance, deadline).ConfigureAwait(false);
            if (error != ForwarderError.None) await ReportTimeoutAsync(context, revision, deadline, error).ConfigureAwait(false);
            return true;
        }
        finally
        {
            Finish(context, revision, deadline, started);
        }
    }

    /// <summary>The end of every forwarded request, on the plain path and the policy path alike.</summary>
    private void Finish(HttpContext context, RevisionState revision, RequestDeadline deadline, long started)
    {
        context.Features.Set<RequestDeadline>(null);
        // Nothing holds the token now: the forwarder's and the activator's registrations are gone.
        deadline.Return();
        revision.Stats.Finished(Stopwatch.GetTimestamp());
        // A client that left before any answer: 499 (nginx's "client closed request"), not the 200 nobody sent.
        var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted
            ? ClientClosedRequest
            : context.Response.StatusCode;
        metrics.RequestFinished(revision, status, Stopwatch.GetElapsedTime(started).TotalSeconds);
        LogRequest(context, revision, status, started);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ForwarderError> SendAsync(HttpContext context, RevisionState revision, InstanceState instance, RequestDeadline deadline)
    {
        // A WebSocket (or other upgrade) holds its instance slot, and counts as in flight, for as long as it is open.
        var upgrade = upgrades.Begin(context, revision, instance, deadline);
        try
        {
            return await forwarder.SendAsync(context, instance.DestinationPrefix, client.Invoker,
                upgrade is null ? revision.RequestConfig : revision.UpgradeRequestConfig,
                ForwardedHeadersTransformer.Instance, deadline.Token).ConfigureAwait(false);
        }
        finally
        {
            if (upgrade is not null) UpgradeDrain.End(context, upgrade);
            instance.Release();
        }
    }

    /// <summary>A gRPC call's grpc-timeout bounds it when it is earlier than timeoutSeconds.</summary>
    private static void LimitByGrpcTimeout(HttpRequest request, RequestDeadline deadline)
    {
        if (request.Headers.TryGetValue(GrpcTimeout.Header, out var value) && GrpcTimeout.TryParse(value.ToString(), out var limit))
            deadline.Limit(limit);
    }

    /// <summary>
    /// Knative's answers to a timeout: before the first byte a 504 that says which limit passed; after it
    /// the forwarder has already cut the stream and the status stays what was sent.
    /// </summary>
    private static ValueTask<bool> ReportTimeoutAsync(HttpContext context, RevisionState revision, RequestDeadline deadline, ForwarderError error)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested) return ValueTask.FromResult(true);
        string? message = null;
        if (deadline.IsCancellationRequested)
        {
            message = deadline.ResponseStartLimit < deadline.Total && deadline.Elapsed < deadline.Total
                ? $"revision {revision.Key.Name} did not start its response within {deadline.ResponseStartLimit.TotalSeconds:0}s (responseStartTimeoutSeconds)"
                : deadline.LimitedByGrpcTimeout
                    ? $"revision {revision.Key.Name} did not answer within the call's grpc-timeout"
                    : $"revision {revision.Key.Name} did not answer within {deadline.Total.TotalSeconds:0}s (timeoutSeconds)";
        }
        else if (error == ForwarderError.RequestTimedOut)
        {
            message = $"revision {revision.Key.Name} sent nothing for {revision.RequestConfig.ActivityTimeout?.TotalSeconds:0}s (idleTimeoutSeconds)";
        }
        if (message is null) return ValueTask.FromResult(true);
        context.Response.Clear();
        return WriteAsync(context, StatusCodes.Status504GatewayTimeout, message);
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

    private async ValueTask<ForwarderError> RetryAsync(HttpContext context, RevisionState revision, InstanceState failed, RequestDeadline deadline)
    {
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.Clear();
        // Another instance first: the balancer would favour the failed one, which looks idle because it fails fast.
        var instance = AcquireOther(revision, failed) ?? revision.Policy.Acquire(revision.Ready, revision.ContainerConcurrency);
        if (ReferenceEquals(instance, failed))
        {
            // Same instance: give a process that was just starting a moment before asking again.
            instance.Release();
            await Task.Delay(RetryPause, deadline.Token).ConfigureAwait(false);
            instance = revision.Policy.Acquire(revision.Ready, revision.ContainerConcurrency);
        }
        instance ??= await ActivateAsync(context, revision, deadline).ConfigureAwait(false);
        if (instance is null) return ForwarderError.None;
        LogRetry(revision.Key.Name, failed.Name, instance.Name);
        return await SendAsync(context, revision, instance, deadline).ConfigureAwait(false);
    }

    private static InstanceState? AcquireOther(RevisionState revision, InstanceState failed)
    {
        foreach (var candidate in revision.Ready)
            if (!ReferenceEquals(candidate, failed) && candidate.TryAcquire(revision.ContainerConcurrency)) return candidate;
        return null;
    }

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);

    /// <summary>The slow path: no free slot, so wait in the activator's queue (bounded by the request's deadline).</summary>
    private async Task<InstanceState?> ActivateAsync(HttpContext context, RevisionState revision, RequestDeadline deadline)
    {
        var cold = revision.ReadyCount == 0;
        try
        {
            var instance = await activator.AcquireAsync(revision, context.RequestAborted, deadline.Token).ConfigureAwait(false);
            if (cold) metrics.ColdStart(revision, deadline.Elapsed.TotalSeconds);
            return instance;
        }
        catch (RevisionUnavailableException e)
        {
            context.Response.Headers.RetryAfter = "5";
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"revision {revision.Key} is not available: {e.Reason}: {FirstLine(e.Detail)}").ConfigureAwait(false);
        }
        catch (ActivatorQueueFullException e)
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"revision {revision.Key} is overloaded: {e.Depth} requests are already waiting for an instance").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            await WriteAsync(context, StatusCodes.Status504GatewayTimeout, deadline.LimitedByGrpcTimeout
                ? $"the call's grpc-timeout passed while waiting for revision {revision.Key} to have an instance with a free slot"
                : $"timed out after {deadline.Total.TotalSeconds:0}s (timeoutSeconds) waiting for revision {revision.Key} to have an instance with a free slot").ConfigureAwait(false);
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
        // A gRPC client reads kinletd's own answers as a gRPC status, not an HTTP body.
        if (GrpcStatus.IsGrpc(context.Request))
        {
            await GrpcStatus.WriteAsync(context, status, message).ConfigureAwait(false);
            return true;
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
        return true;
    }

    private const int ClientClosedRequest = 499;

    private void LogRequest(HttpContext context, RevisionState revision, int status, long started)
    {
        if (!_accessLog || !logger.IsEnabled(LogLevel.Information)) return;
        var request = context.Request;
        LogAccess(request.Method, request.Host.Value ?? "", request.Path.Value ?? "/", revision.ServiceName, revision.Key.Name,
            status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Revision}: request to {Failed} failed before any response; retrying on {Instance}")]
    private partial void LogRetry(string revision, string failed, string instance);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Method} {Host}{Path} -> {Service}/{Revision} {StatusCode} in {ElapsedMs:0.0} ms")]
    private partial void LogAccess(string method, string host, string path, string service, string revision, int statusCode, double elapsedMs);
}
