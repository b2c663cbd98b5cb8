using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>Envoy's <c>retryOn</c> conditions Kinlet can tell apart.</summary>
[Flags]
public enum RetryConditions
{
    None = 0,
    /// <summary>No connection could be made: the request never reached the function.</summary>
    ConnectFailure = 1,
    /// <summary>HTTP/2 REFUSED_STREAM: the function never saw the request either.</summary>
    RefusedStream = 2,
    /// <summary>The connection broke (or the instance died) before any response header.</summary>
    Reset = 4,
    /// <summary>Any 5xx, a per-try timeout included (Envoy counts it as 504).</summary>
    ServerError = 8,
    /// <summary>502, 503, 504 (and per-try timeouts).</summary>
    GatewayError = 16,
    /// <summary>The statuses listed in retryOn ("503", "429", ...).</summary>
    RetriableStatusCodes = 32,
    /// <summary>"reset-before-request": like Reset, for resets before the request was written (treated as ConnectFailure).</summary>
    ResetBeforeRequest = 64,
}

/// <summary>How one try ended, as the retry step sees it.</summary>
public enum TryOutcome
{
    /// <summary>Response headers came back with a status (2xx..5xx).</summary>
    Status,
    /// <summary>The connection could not be made; nothing was sent.</summary>
    ConnectFailure,
    /// <summary>HTTP/2 stream refused; nothing was processed.</summary>
    RefusedStream,
    /// <summary>The connection broke after the request may have been sent, before any response.</summary>
    Reset,
    /// <summary>perTryTimeout passed before response headers.</summary>
    PerTryTimeout,
}

/// <summary>
/// A rule's <c>retries</c>, compiled: which outcomes are retried, how often, and for which methods. Pure.
/// Defaults are the safe ones (issue 15, part 3): without <c>retryOn</c> only connect-failure, refused-stream and
/// reset are retried; statuses are opt-in. A non-idempotent method (POST, PATCH, or any method RFC 9110 does not
/// call idempotent) is retried only when the function cannot have seen it (connect failure, refused stream),
/// unless the VirtualService carries <see cref="NonIdempotentAnnotation"/>: "true".
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>The explicit switch that lets a rule resend POST/PATCH after a reset, a 5xx or a per-try timeout.</summary>
    public const string NonIdempotentAnnotation = "kinlet.dev/retry-non-idempotent";

    public const RetryConditions DefaultConditions = RetryConditions.ConnectFailure | RetryConditions.RefusedStream | RetryConditions.Reset;

    /// <summary>Largest request body kept in memory so it can be sent again; a larger or unsized body is sent once.</summary>
    public const int MaxBufferedBody = 64 * 1024;

    private readonly int[] _statuses;

    public RetryPolicy(int attempts, TimeSpan? perTryTimeout, RetryConditions conditions, int[] statuses, bool allowNonIdempotent)
    {
        Attempts = Math.Max(0, attempts);
        PerTryTimeout = perTryTimeout;
        Conditions = conditions;
        _statuses = statuses;
        AllowNonIdempotent = allowNonIdempotent;
    }

    /// <summary>Retries after the first try (Istio's attempts: at most 1 + attempts sends).</summary>
    public int Attempts { get; }

    public TimeSpan? PerTryTimeout { get; }

    public RetryConditions Conditions { get; }

    public IReadOnlyList<int> Statuses => _statuses;

    public bool AllowNonIdempotent { get; }

    /// <summary>True when a response with <paramref name="status"/> is retried (before it is sent to the client).</summary>
    public bool RetriesStatusAtAll => (Conditions & (RetryConditions.ServerError | RetryConditions.GatewayError | RetryConditions.RetriableStatusCodes)) != 0;

    /// <summary>Parses <c>retryOn</c> (validated already: unknown tokens are ignored here).</summary>
    public static RetryPolicy From(int? attempts, TimeSpan? perTryTimeout, string? retryOn, bool allowNonIdempotent)
    {
        var conditions = RetryConditions.None;
        var statuses = new List<int>();
        if (string.IsNullOrWhiteSpace(retryOn))
        {
            conditions = DefaultConditions;
        }
        else
        {
            foreach (var raw in retryOn.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status))
                {
                    // A bare status implies retriable-status-codes (Istio).
                    statuses.Add(status);
                    conditions |= RetryConditions.RetriableStatusCodes;
                    continue;
                }
                conditions |= raw switch
                {
                    "connect-failure" => RetryConditions.ConnectFailure,
                    "refused-stream" => RetryConditions.RefusedStream,
                    "reset" => RetryConditions.Reset,
                    "reset-before-request" => RetryConditions.ResetBeforeRequest,
                    "5xx" => RetryConditions.ServerError,
                    "gateway-error" => RetryConditions.GatewayError,
                    "retriable-status-codes" => RetryConditions.RetriableStatusCodes,
                    // gRPC's "unavailable" is the HTTP/2 form of a refused or dropped connection.
                    "unavailable" => RetryConditions.RefusedStream | RetryConditions.ConnectFailure,
                    _ => RetryConditions.None,
                };
            }
        }
        return new RetryPolicy(attempts ?? 2, perTryTimeout, conditions, [.. statuses], allowNonIdempotent);
    }

    /// <summary>RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT, DELETE. POST, PATCH and the rest are not.</summary>
    public static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    /// <summary>
    /// Whether another try is due after <paramref name="outcome"/> (with <paramref name="status"/> when it is
    /// <see cref="TryOutcome.Status"/>) of try number <paramref name="tries"/> (1 = the first send).
    /// </summary>
    public bool ShouldRetry(TryOutcome outcome, int status, string method, int tries)
    {
        if (tries > Attempts) return false;
        var neverSeen = outcome is TryOutcome.ConnectFailure or TryOutcome.RefusedStream;
        if (!neverSeen && !AllowNonIdempotent && !IsIdempotent(method)) return false;
        return outcome switch
        {
            TryOutcome.ConnectFailure => (Conditions & (RetryConditions.ConnectFailure | RetryConditions.ResetBeforeRequest)) != 0,
            TryOutcome.RefusedStream => (Conditions & RetryConditions.RefusedStream) != 0,
            TryOutcome.Reset => (Conditions & RetryConditions.Reset) != 0,
            TryOutcome.PerTryTimeout => RetriesStatus(StatusCodes.Status504GatewayTimeout),
            _ => RetriesStatus(status),
        };
    }

    private bool RetriesStatus(int status)
    {
        if ((Conditions & RetryConditions.ServerError) != 0 && status >= 500) return true;
        if ((Conditions & RetryConditions.GatewayError) != 0 && status is 502 or 503 or 504) return true;
        return (Conditions & RetryConditions.RetriableStatusCodes) != 0 && Array.IndexOf(_statuses, status) >= 0;
    }

    /// <summary>The retryOn text as applied, for <c>kinlet route describe</c>.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if ((Conditions & RetryConditions.ConnectFailure) != 0) parts.Add("connect-failure");
        if ((Conditions & RetryConditions.RefusedStream) != 0) parts.Add("refused-stream");
        if ((Conditions & RetryConditions.Reset) != 0) parts.Add("reset");
        if ((Conditions & RetryConditions.ResetBeforeRequest) != 0) parts.Add("reset-before-request");
        if ((Conditions & RetryConditions.ServerError) != 0) parts.Add("5xx");
        if ((Conditions & RetryConditions.GatewayError) != 0) parts.Add("gateway-error");
        foreach (var s in _statuses) parts.Add(s.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var text = $"attempts {Attempts} on {string.Join(',', parts)}";
        if (PerTryTimeout is { } t) text += $" perTry {t.TotalMilliseconds:0}ms";
        if (AllowNonIdempotent) text += " (non-idempotent too)";
        return text;
    }
}
