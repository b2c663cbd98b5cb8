using System.Collections.Concurrent;
using System.Diagnostics;
using Kinlet.Serving.Revisions;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.Forwarding;

/// <summary>
/// Knative's timeouts for one request, as one token: until the first response byte it fires at the
/// earlier of responseStartTimeoutSeconds and timeoutSeconds; once headers arrive it is re-armed for
/// what is left of timeoutSeconds. Time spent in the activator counts, since the clock starts on arrival.
/// One object per request is both the token source and the per-request state the transformer reads.
/// Pooled the way YARP pools its activity-timeout source: a deadline that did not fire is reset
/// (<see cref="CancellationTokenSource.TryReset"/> stops its timer and keeps it) and serves the next
/// request, so the fast path allocates neither a source nor a timer.
/// </summary>
public sealed class RequestDeadline : CancellationTokenSource
{
    private const int MaxPooled = 1024;
    private static readonly ConcurrentQueue<RequestDeadline> Pool = new();
    private static int _pooled;

    private long _started;
    private TimeSpan _total;
    private volatile bool _responseStarted;
    private bool _grpcLimited;

    private RequestDeadline() { }

    /// <summary>A deadline for a request to <paramref name="revision"/> that arrived at <paramref name="started"/>; give it back with <see cref="Return"/>.</summary>
    public static RequestDeadline Rent(RevisionState revision, long started)
    {
        if (Pool.TryDequeue(out var deadline)) Interlocked.Decrement(ref _pooled);
        else deadline = new RequestDeadline();
        deadline._started = started;
        deadline._total = revision.Timeout;
        deadline.ResponseStartLimit = revision.ResponseStartTimeout;
        deadline._responseStarted = false;
        deadline._grpcLimited = false;
        deadline.Rule = null;
        deadline.CancelAfter(deadline._total);
        return deadline;
    }

    /// <summary>
    /// The request is over and nothing holds the token any more: back to the pool, or disposed when it fired
    /// (a cancelled source cannot be reset) or the pool is full.
    /// </summary>
    public void Return()
    {
        if (TryReset())
        {
            if (Interlocked.Increment(ref _pooled) <= MaxPooled)
            {
                Pool.Enqueue(this);
                return;
            }
            Interlocked.Decrement(ref _pooled);
        }
        Dispose();
    }

    /// <summary>The limit to the first byte (responseStartTimeoutSeconds, or timeoutSeconds when unset).</summary>
    public TimeSpan ResponseStartLimit { get; private set; }

    public TimeSpan Total => _total;

    /// <summary>The VirtualService rule whose <c>timeout</c> set <see cref="Total"/>, when it was smaller than timeoutSeconds.</summary>
    public string? Rule { get; private set; }

    /// <summary>A rule's <c>timeout</c>: bounds the whole request (retries included) when it is below timeoutSeconds.</summary>
    public void LimitTo(TimeSpan total, string rule)
    {
        if (total >= _total) return;
        _total = total;
        Rule = rule;
        if (ResponseStartLimit > total) ResponseStartLimit = total;
        var left = total - Elapsed;
        if (left > TimeSpan.Zero) CancelAfter(left);
        else Cancel();
    }

    /// <summary>True once response headers came back from the instance.</summary>
    public bool ResponseStarted => _responseStarted;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>The request leaves the activator and goes to an instance: the response-start clock starts now.</summary>
    public void Forwarding()
    {
        if (ResponseStartLimit >= _total) return;
        var left = _total - Elapsed;
        var limit = ResponseStartLimit < left ? ResponseStartLimit : left;
        if (limit > TimeSpan.Zero) CancelAfter(limit);
        else Cancel();
    }

    /// <summary>Headers arrived: only the total timeout is left to fire (after this, the stream is cut, not answered).</summary>
    public void ResponseStarting()
    {
        _responseStarted = true;
        if (ResponseStartLimit >= _total) return;
        var left = _total - Elapsed;
        if (left > TimeSpan.Zero) CancelAfter(left);
        else Cancel();
    }

    /// <summary>
    /// The call's own deadline (gRPC's <c>grpc-timeout</c>), when it is earlier than timeoutSeconds: the request then
    /// ends at the earlier of the two. Called right after <see cref="Rent"/>.
    /// </summary>
    public void Limit(TimeSpan limit)
    {
        var left = _total - Elapsed;
        if (limit >= left) return;
        _total = Elapsed + limit;
        _grpcLimited = true;
        if (ResponseStartLimit > _total) ResponseStartLimit = _total;
        if (limit > TimeSpan.Zero) CancelAfter(limit);
        else Cancel();
    }

    /// <summary>The total limit is the call's grpc-timeout, not the revision's timeoutSeconds.</summary>
    public bool LimitedByGrpcTimeout => _grpcLimited;

    /// <summary>
    /// The instance accepted an upgrade (a WebSocket): no request timeout cuts the socket from here on
    /// (knative/serving #16169); idleTimeoutSeconds and the revision's retirement do (Protocols/UpgradedConnection).
    /// </summary>
    public void StopTimers() => CancelAfter(Timeout.InfiniteTimeSpan);

    /// <summary>The deadline of the request on <paramref name="context"/>, when the ingress set one.</summary>
    public static RequestDeadline? Of(HttpContext context) => context.Features.Get<RequestDeadline>();
}
