using System.Diagnostics;
using Kinlet.Serving.Revisions;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.Forwarding;

/// <summary>
/// Knative's timeouts for one request, as one token: until the first response byte it fires at the
/// earlier of responseStartTimeoutSeconds and timeoutSeconds; once headers arrive it is re-armed for
/// what is left of timeoutSeconds. Time spent in the activator counts, since the clock starts on arrival.
/// One object per request is both the token source and the per-request state the transformer reads.
/// </summary>
public sealed class RequestDeadline : CancellationTokenSource
{
    private readonly long _started;
    private readonly TimeSpan _total;
    private volatile bool _responseStarted;

    public RequestDeadline(RevisionState revision, long started)
    {
        _started = started;
        _total = revision.Timeout;
        ResponseStartLimit = revision.ResponseStartTimeout;
        CancelAfter(_total);
    }

    /// <summary>The limit to the first byte (responseStartTimeoutSeconds, or timeoutSeconds when unset).</summary>
    public TimeSpan ResponseStartLimit { get; }

    public TimeSpan Total => _total;

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

    /// <summary>The deadline of the request on <paramref name="context"/>, when the ingress set one.</summary>
    public static RequestDeadline? Of(HttpContext context) => context.Features.Get<RequestDeadline>();
}
