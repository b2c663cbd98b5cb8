using System.Diagnostics;
using System.Net.Http;
using System.Runtime.CompilerServices;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.TrafficPolicy;
using Kinlet.Serving.TrafficPolicy.Resilience;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Kinlet.Serving.Forwarding;

/// <summary>
/// The request path of a rule with resilience steps (or a destination with connectionPool/outlierDetection): CORS,
/// fault, mirror, pool limits, then tries with retries, per-try and rule timeouts, and outlier reports. Hosts and
/// rules without them never come here.
/// </summary>
public sealed partial class IngressHandler
{
    private readonly MirrorGate _mirrorGate = new(MirrorGate.DefaultMaxInFlight);
    private readonly IRandomSource _random = SharedRandomSource.Instance;

    private static bool HasResilience(in PolicyDecision d) => d.Rule is not null || d.Destination is not null;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ResilientAsync(HttpContext context, PolicyDecision decision)
    {
        var rule = decision.Rule?.Resilience;
        var ruleName = rule?.Rule ?? decision.Rule?.Name ?? "-";
        var counters = rule?.Counters;
        var revision = decision.Revision;

        if (rule?.Cors is { } cors)
        {
            switch (cors.Decide(context.Request, out var origin))
            {
                case CorsAction.AnswerPreflight:
                    cors.WritePreflight(context.Response, origin!);
                    return true;
                case CorsAction.AnswerEmpty:
                    context.Response.StatusCode = StatusCodes.Status200OK;
                    context.Response.ContentLength = 0;
                    return true;
                case CorsAction.ForwardWithHeaders:
                    context.Response.OnStarting(static s =>
                    {
                        var (c, step, o) = ((HttpContext, CorsStep, string))s;
                        step.ApplyToResponse(c.Response.Headers, o);
                        return Task.CompletedTask;
                    }, (context, cors, origin!));
                    break;
            }
        }

        if (rule?.Fault is { } fault)
        {
            var f = fault.Decide(_random);
            if (f.Delay > TimeSpan.Zero)
            {
                Count(counters, revision, ruleName, ResilienceEvent.FaultDelay);
                try
                {
                    await Task.Delay(f.Delay, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return true;
                }
            }
            if (f.Abort)
            {
                Count(counters, revision, ruleName, ResilienceEvent.FaultAbort);
                await fault.WriteAbortAsync(context).ConfigureAwait(false);
                return true;
            }
        }

        if (revision is null)
        {
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, decision.Unavailable ?? "no revision available").ConfigureAwait(false);
            return true;
        }

        // An upgrade (WebSocket) is one long exchange, never retried nor mirrored: the plain path holds it (and its drain).
        if (context.Request.Headers.Upgrade.Count > 0 || context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true)
            return await ForwardAsync(context, revision, null, decision.Picker).ConfigureAwait(false);

        // A body is kept in memory (bounded) only when a retry or a mirror may need it again.
        var request = context.Request;
        var hasBody = request.ContentLength is > 0 || request.Headers.ContainsKey("Transfer-Encoding");
        var resendable = !hasBody || request.ContentLength is > 0 and <= RetryPolicy.MaxBufferedBody;
        var needsBody = hasBody && resendable && (rule?.Retry is not null || decision.Rule is { Mirrors.Length: > 0 });
        if (needsBody) request.EnableBuffering(RetryPolicy.MaxBufferedBody, RetryPolicy.MaxBufferedBody);

        if (decision.Rule is { Mirrors.Length: > 0 } mirrored)
            await MirrorAsync(context, mirrored, ruleName, counters, hasBody && !resendable).ConfigureAwait(false);

        var pool = decision.Destination?.Pool;
        if (pool is not null)
        {
            var overflow = pool.TryEnter(revision.Queue.Count);
            if (overflow != PoolOverflow.None)
            {
                Count(counters ?? decision.Destination!.Counters, revision, ruleName, ResilienceEvent.Overflow);
                if (counters is not null) decision.Destination!.Counters.Add(ResilienceEvent.Overflow);
                context.Response.Headers.RetryAfter = "1";
                await WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                    $"revision {revision.Key} is over its DestinationRule's limit: {pool.Reason(overflow)}").ConfigureAwait(false);
                return true;
            }
        }
        rule?.Budget.RequestStarted();
        try
        {
            await TriesAsync(context, decision, revision, rule, ruleName, counters, resendable).ConfigureAwait(false);
        }
        finally
        {
            rule?.Budget.RequestFinished();
            pool?.Exit();
        }
        return true;
    }

    private async ValueTask TriesAsync(HttpContext context, PolicyDecision decision, RevisionState revision, RuleResilience? rule,
        string ruleName, ResilienceCounters? counters, bool resendable)
    {
        var started = Stopwatch.GetTimestamp();
        revision.Stats.Started(started);
        var deadline = RequestDeadline.Rent(revision, started);
        if (revision.IsH2c) LimitByGrpcTimeout(context.Request, deadline);
        if (rule?.Timeout is { } timeout) deadline.LimitTo(timeout, ruleName);
        context.Features.Set(deadline);
        var outliers = decision.Destination?.Outliers;
        var retry = rule?.Retry;
        var attempt = new TryState(resendable ? retry : null, context.Request.Method, decision.Destination?.Pool?.CloseEachConnection == true);
        context.Features.Set(attempt);
        InstanceState? failed = null;
        try
        {
            var instance = revision.Queue.Count == 0 ? Acquire(context, revision, decision.Picker, outliers, null) : null;
            if (instance is null)
            {
                instance = await ActivateAsync(context, revision, deadline).ConfigureAwait(false);
                if (instance is null) return;
            }
            deadline.Forwarding();
            for (var tries = 1; ; tries++)
            {
                attempt.Tries = tries;
                attempt.RetryStatus = 0;
                var (error, outcome, status) = await TryOnceAsync(context, revision, instance, deadline, retry?.PerTryTimeout).ConfigureAwait(false);
                if (outliers is not null && outliers.Report(instance, error == ForwarderError.None ? status : StatusCodes.Status502BadGateway, revision.Ready))
                {
                    Count(counters, revision, ruleName, ResilienceEvent.Ejection);
                    decision.Destination!.Counters.Add(ResilienceEvent.Ejection);
                    LogEjected(revision.Key.Name, instance.Name);
                }
                if (outcome is null || deadline.IsCancellationRequested || context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
                {
                    if (error != ForwarderError.None || outcome == TryOutcome.PerTryTimeout)
                        await ReportPolicyTimeoutAsync(context, revision, deadline, error, counters, ruleName, outcome).ConfigureAwait(false);
                    return;
                }
                // Without retries in the rule: today's single retry of a bodyless idempotent request that never got an answer.
                var again = retry is null
                    ? tries == 1 && error == ForwarderError.Request && CanRetry(context)
                    : resendable && retry.ShouldRetry(outcome.Value, status, context.Request.Method, tries);
                if (!again)
                {
                    await FinishFailedTryAsync(context, revision, deadline, error, counters, ruleName, outcome.Value, status).ConfigureAwait(false);
                    return;
                }
                if (rule is not null && !rule.Budget.TryStartRetry())
                {
                    Count(counters, revision, ruleName, ResilienceEvent.RetryBudgetExhausted);
                    await FinishFailedTryAsync(context, revision, deadline, error, counters, ruleName, outcome.Value, status).ConfigureAwait(false);
                    return;
                }
                try
                {
                    Count(counters, revision, ruleName, ResilienceEvent.Retry);
                    context.Features.Set<IForwarderErrorFeature>(null);
                    context.Response.Clear();
                    if (context.Request.Body.CanSeek) context.Request.Body.Position = 0;
                    failed = instance;
                    if (retry is not null)
                        await Task.Delay(RetryBackoff.Delay(tries, _random), deadline.Token).ConfigureAwait(false);
                    else if (revision.ReadyCount < 2)
                        await Task.Delay(RetryPause, deadline.Token).ConfigureAwait(false);
                    instance = Acquire(context, revision, decision.Picker, outliers, failed)
                               ?? await ActivateAsync(context, revision, deadline).ConfigureAwait(false);
                    if (instance is null) return;
                    LogRetry(revision.Key.Name, failed.Name, instance.Name);
                }
                catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                {
                    await ReportPolicyTimeoutAsync(context, revision, deadline, ForwarderError.RequestTimedOut, counters, ruleName, null).ConfigureAwait(false);
                    return;
                }
                finally
                {
                    rule?.Budget.RetryFinished();
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left.
        }
        finally
        {
            context.Features.Set<TryState>(null);
            Finish(context, revision, deadline, started);
        }
    }

    /// <summary>Another instance than <paramref name="avoid"/> when there is one, skipping ejected ones.</summary>
    private static InstanceState? Acquire(HttpContext context, RevisionState revision, InstancePicker? picker, OutlierDetector? outliers, InstanceState? avoid)
    {
        if (outliers is not null) return DestinationResilience.AcquireSkippingEjected(revision, outliers, avoid);
        if (avoid is not null && AcquireOther(revision, avoid) is { } other) return other;
        return picker is null ? revision.Policy.Acquire(revision.Ready, revision.ContainerConcurrency) : picker.Acquire(context, revision);
    }

    /// <summary>One send; the outcome is null when the try answered the client (a status not to retry, or the response started).</summary>
    private async ValueTask<(ForwarderError Error, TryOutcome? Outcome, int Status)> TryOnceAsync(
        HttpContext context, RevisionState revision, InstanceState instance, RequestDeadline deadline, TimeSpan? perTry)
    {
        CancellationTokenSource? tryCts = null;
        var token = deadline.Token;
        if (perTry is { } limit)
        {
            tryCts = CancellationTokenSource.CreateLinkedTokenSource(token);
            tryCts.CancelAfter(limit);
            token = tryCts.Token;
        }
        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context, instance.DestinationPrefix, client.Invoker, revision.RequestConfig,
                ResilientTransformer.Instance, token).ConfigureAwait(false);
        }
        finally
        {
            instance.Release();
        }
        var timedOutTry = tryCts is not null && tryCts.IsCancellationRequested && !deadline.IsCancellationRequested;
        tryCts?.Dispose();
        var retryStatus = context.Features.Get<TryState>()!.RetryStatus;
        if (error == ForwarderError.None)
            return retryStatus != 0 ? (error, TryOutcome.Status, retryStatus) : (error, null, context.Response.StatusCode);
        if (context.Response.HasStarted) return (error, null, 0);
        if (timedOutTry) return (error, TryOutcome.PerTryTimeout, StatusCodes.Status504GatewayTimeout);
        if (error != ForwarderError.Request) return (error, null, 0);
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var outcome = exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } ? TryOutcome.ConnectFailure
            : exception?.ToString().Contains("REFUSED_STREAM", StringComparison.Ordinal) == true ? TryOutcome.RefusedStream
            : TryOutcome.Reset;
        return (error, outcome, StatusCodes.Status502BadGateway);
    }

    /// <summary>The last try failed and is not retried: a held-back status is answered as the function sent it (no body), else the error.</summary>
    private ValueTask<bool> FinishFailedTryAsync(HttpContext context, RevisionState revision, RequestDeadline deadline, ForwarderError error,
        ResilienceCounters? counters, string rule, TryOutcome outcome, int status)
    {
        if (error == ForwarderError.None && outcome == TryOutcome.Status)
        {
            // The transformer held the body back to retry; nothing is left to retry: say so rather than send an empty body.
            context.Response.Clear();
            return WriteAsync(context, status, $"revision {revision.Key.Name} answered {status}; rule {rule} gave up after retries");
        }
        return ReportPolicyTimeoutAsync(context, revision, deadline, error, counters, rule, outcome);
    }

    private ValueTask<bool> ReportPolicyTimeoutAsync(HttpContext context, RevisionState revision, RequestDeadline deadline, ForwarderError error,
        ResilienceCounters? counters, string rule, TryOutcome? outcome)
    {
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested) return ValueTask.FromResult(true);
        if (deadline.IsCancellationRequested && deadline.Rule is { } limited && deadline.Elapsed >= deadline.Total)
        {
            Count(counters, revision, rule, ResilienceEvent.Timeout);
            context.Response.Clear();
            return WriteAsync(context, StatusCodes.Status504GatewayTimeout,
                $"rule {limited}: revision {revision.Key.Name} did not answer within {deadline.Total.TotalMilliseconds:0}ms (timeout)");
        }
        if (outcome == TryOutcome.PerTryTimeout)
        {
            Count(counters, revision, rule, ResilienceEvent.Timeout);
            context.Response.Clear();
            return WriteAsync(context, StatusCodes.Status504GatewayTimeout,
                $"rule {rule}: revision {revision.Key.Name} did not answer within perTryTimeout");
        }
        return error == ForwarderError.None ? ValueTask.FromResult(true) : ReportTimeoutAsync(context, revision, deadline, error);
    }

    private void Count(ResilienceCounters? counters, RevisionState? revision, string rule, ResilienceEvent e)
    {
        counters?.Add(e);
        if (revision is not null) metrics.Resilience(revision, rule, e);
    }

    /// <summary>
    /// Shadow copies, fire-and-forget: only to a revision with a ready instance and a free slot (never from zero, never
    /// queued), bounded in flight daemon-wide; the live request never waits for them and their answers are discarded.
    /// </summary>
    private async ValueTask MirrorAsync(HttpContext context, CompiledRule rule, string ruleName, ResilienceCounters? counters, bool bodyTooLarge)
    {
        byte[]? body = null;
        foreach (var m in rule.Mirrors)
        {
            if (!Share.Hit(m.Percent, _random)) continue;
            var target = m.Target.Pick(context);
            if (target is null || bodyTooLarge)
            {
                counters?.Add(ResilienceEvent.MirrorDropped);
                if (target is not null) metrics.Resilience(target, ruleName, ResilienceEvent.MirrorDropped);
                continue;
            }
            var instance = target.Policy.Acquire(target.Ready, target.ContainerConcurrency);
            if (instance is null || !_mirrorGate.TryEnter())
            {
                instance?.Release();
                Count(counters, target, ruleName, ResilienceEvent.MirrorDropped);
                continue;
            }
            if (body is null && context.Request.ContentLength is > 0)
            {
                body = new byte[(int)context.Request.ContentLength.Value];
                await context.Request.Body.ReadExactlyAsync(body, context.RequestAborted).ConfigureAwait(false);
                context.Request.Body.Position = 0;
            }
            Count(counters, target, ruleName, ResilienceEvent.MirrorSent);
            var message = ShadowRequest(context, instance, body);
            _ = SendShadowAsync(message, instance, target);
        }
    }

    private static HttpRequestMessage ShadowRequest(HttpContext context, InstanceState instance, byte[]? body)
    {
        var request = context.Request;
        var message = new HttpRequestMessage(new HttpMethod(request.Method), instance.DestinationPrefix + request.Path.Value + request.QueryString.Value);
        if (body is not null) message.Content = new ByteArrayContent(body);
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                continue;
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        message.Headers.Host = MirrorGate.ShadowHost(request.Host.Value ?? "");
        return message;
    }

    private async Task SendShadowAsync(HttpRequestMessage message, InstanceState instance, RevisionState target)
    {
        try
        {
            using var cts = new CancellationTokenSource(target.Timeout);
            using var response = await client.Invoker.SendAsync(message, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            LogMirrorFailed(target.Key.Name, e.Message);
        }
        finally
        {
            message.Dispose();
            instance.Release();
            _mirrorGate.Exit();
        }
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Revision}: instance {Instance} ejected by outlierDetection")]
    private partial void LogEjected(string revision, string instance);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "{Revision}: mirrored request failed: {Error}")]
    private partial void LogMirrorFailed(string revision, string error);
}

/// <summary>Per-request state the transformer reads: whether a status is to be held back for a retry.</summary>
internal sealed class TryState(RetryPolicy? retry, string method, bool closeConnection)
{
    public RetryPolicy? Retry { get; } = retry;
    public string Method { get; } = method;
    public bool CloseConnection { get; } = closeConnection;
    public int Tries;
    public int RetryStatus;
}

/// <summary>
/// The forwarded-headers transform, plus: a response whose status the rule retries is held back (its body not copied)
/// so the handler can try again before the client sees anything; <c>maxRequestsPerConnection: 1</c> closes each connection.
/// </summary>
internal sealed class ResilientTransformer : HttpTransformer
{
    public static readonly ResilientTransformer Instance = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
        CancellationToken cancellationToken)
    {
        await ForwardedHeadersTransformer.Instance.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        if (httpContext.Features.Get<TryState>() is { CloseConnection: true }) proxyRequest.Headers.ConnectionClose = true;
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && httpContext.Features.Get<TryState>() is { Retry: { RetriesStatusAtAll: true } retry } state)
        {
            var status = (int)proxyResponse.StatusCode;
            if (retry.ShouldRetry(TryOutcome.Status, status, state.Method, state.Tries))
            {
                state.RetryStatus = status;
                return ValueTask.FromResult(false);
            }
        }
        return ForwardedHeadersTransformer.Instance.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}
