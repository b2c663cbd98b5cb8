using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>What the fault step decided for one request.</summary>
public readonly record struct FaultDecision(TimeSpan Delay, bool Abort);

/// <summary>
/// A rule's <c>fault</c>: <c>delay {fixedDelay, percentage}</c> and <c>abort {httpStatus | grpcStatus, percentage}</c>,
/// each share drawn per request and independently (Envoy: the delay, then the abort). An unset percentage injects
/// nothing (Istio). The abort is answered by kinletd with Envoy's body "fault filter abort"; a grpcStatus abort is a
/// gRPC trailers-only answer (HTTP 200, grpc-status in the headers).
/// </summary>
public sealed class FaultStep(TimeSpan delay, double delayPercent, int abortStatus, int? grpcStatus, double abortPercent)
{
    public const string AbortBody = "fault filter abort";

    public TimeSpan FixedDelay { get; } = delay;
    public double DelayPercent { get; } = delayPercent;
    public int AbortStatus { get; } = abortStatus;
    public int? GrpcStatus { get; } = grpcStatus;
    public double AbortPercent { get; } = abortPercent;

    public FaultDecision Decide(IRandomSource random)
    {
        var delay = FixedDelay > TimeSpan.Zero && Share.Hit(DelayPercent, random) ? FixedDelay : TimeSpan.Zero;
        var abort = (AbortStatus > 0 || GrpcStatus is not null) && Share.Hit(AbortPercent, random);
        return new FaultDecision(delay, abort);
    }

    public async ValueTask WriteAbortAsync(HttpContext context)
    {
        var response = context.Response;
        if (response.HasStarted) return;
        if (GrpcStatus is { } grpc)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = grpc.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = AbortBody;
            return;
        }
        response.StatusCode = AbortStatus;
        response.ContentType = "text/plain";
        response.ContentLength = AbortBody.Length;
        await response.WriteAsync(AbortBody, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>gRPC status names as Istio writes them ("UNAVAILABLE") to their codes.</summary>
    public static int? GrpcCode(string? name) => name switch
    {
        null => null,
        "OK" => 0, "CANCELLED" => 1, "UNKNOWN" => 2, "INVALID_ARGUMENT" => 3, "DEADLINE_EXCEEDED" => 4, "NOT_FOUND" => 5,
        "ALREADY_EXISTS" => 6, "PERMISSION_DENIED" => 7, "RESOURCE_EXHAUSTED" => 8, "FAILED_PRECONDITION" => 9, "ABORTED" => 10,
        "OUT_OF_RANGE" => 11, "UNIMPLEMENTED" => 12, "INTERNAL" => 13, "UNAVAILABLE" => 14, "DATA_LOSS" => 15, "UNAUTHENTICATED" => 16,
        _ => int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 2,
    };

    public string Describe()
    {
        var parts = new List<string>(2);
        if (FixedDelay > TimeSpan.Zero) parts.Add($"delay {FixedDelay.TotalMilliseconds:0}ms at {DelayPercent:0.##}%");
        if (AbortStatus > 0 || GrpcStatus is not null)
            parts.Add(GrpcStatus is { } g ? $"abort grpc {g} at {AbortPercent:0.##}%" : $"abort {AbortStatus} at {AbortPercent:0.##}%");
        return string.Join(", ", parts);
    }
}
