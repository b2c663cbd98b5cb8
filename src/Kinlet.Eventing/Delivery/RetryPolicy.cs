using System.Xml;
using Kinlet.Core.Model;

namespace Kinlet.Eventing.Delivery;

public enum BackoffPolicy { Exponential, Linear }

/// <summary>A delivery setting that cannot be used; <see cref="Field"/> is its path, e.g. <c>spec.delivery.backoffDelay</c>.</summary>
public sealed class DeliverySpecException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
    public string Detail { get; } = message;
}

/// <summary>
/// When to try a delivery again, from a validated <see cref="DeliverySpec"/>. Pure: the dispatcher asks after
/// each failed attempt. Exponential waits d, 2d, 4d…; linear waits d, 2d, 3d… (Knative's code starts linear at
/// 0 and its docs describe a constant d; Kinlet grows linearly from d so no retry is immediate). Every wait is
/// capped at <see cref="MaxDelay"/>. A subscriber's Retry-After is honoured up to retryAfterMax when that is set.
/// </summary>
public sealed record RetryPolicy(int Retries, BackoffPolicy Policy, TimeSpan Delay, TimeSpan? Timeout, TimeSpan? RetryAfterMax)
{
    /// <summary>Knative's cluster default: retry 10, exponential, PT0.2S.</summary>
    public static readonly RetryPolicy Default = new(10, BackoffPolicy.Exponential, TimeSpan.FromMilliseconds(200), null, null);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    /// <summary>The policy for <paramref name="spec"/> (null: the default); errors name <c>{path}.field</c>.</summary>
    public static RetryPolicy From(DeliverySpec? spec, string path = "spec.delivery")
    {
        if (spec is null) return Default;
        var retries = spec.Retry ?? Default.Retries;
        if (retries < 0) throw new DeliverySpecException(path + ".retry", "must be 0 or more");
        if (retries > 1000) throw new DeliverySpecException(path + ".retry", "must be 1000 or less");
        var policy = spec.BackoffPolicy switch
        {
            null or "exponential" => BackoffPolicy.Exponential,
            "linear" => BackoffPolicy.Linear,
            _ => throw new DeliverySpecException(path + ".backoffPolicy", "must be \"exponential\" or \"linear\""),
        };
        var delay = Duration(spec.BackoffDelay, path + ".backoffDelay") ?? Default.Delay;
        var timeout = Duration(spec.Timeout, path + ".timeout");
        if (timeout == TimeSpan.Zero) throw new DeliverySpecException(path + ".timeout", "must be longer than zero");
        return new RetryPolicy(retries, policy, delay, timeout, Duration(spec.RetryAfterMax, path + ".retryAfterMax"));
    }

    /// <summary>ISO-8601 duration (xs:duration, e.g. PT0.2S, PT1M, P1D) through the BCL's parser.</summary>
    public static TimeSpan? Duration(string? text, string field)
    {
        if (string.IsNullOrEmpty(text)) return null;
        TimeSpan value;
        try
        {
            value = XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            throw new DeliverySpecException(field, $"\"{text}\" is not an ISO-8601 duration (e.g. PT0.2S, PT5S, PT1M)");
        }
        catch (OverflowException)
        {
            throw new DeliverySpecException(field, $"\"{text}\" is too long");
        }
        if (value < TimeSpan.Zero) throw new DeliverySpecException(field, "must not be negative");
        return value;
    }

    /// <summary>Knative retries connection failures (no status), 5xx, 404, 408, 409 and 429; other statuses fail at once.</summary>
    public static bool IsRetryable(int? status) => status switch
    {
        null => true,
        404 or 408 or 409 or 429 => true,
        >= 500 and <= 599 => true,
        _ => false,
    };

    /// <summary>
    /// The wait before the next attempt after <paramref name="attempts"/> attempts failed (the last with
    /// <paramref name="status"/>, null when there was no response), or null when the event is done trying.
    /// </summary>
    public TimeSpan? NextDelay(int attempts, int? status, TimeSpan? retryAfter = null)
    {
        if (attempts < 1 || attempts > Retries || !IsRetryable(status)) return null;
        var factor = Policy == BackoffPolicy.Exponential
            ? Math.Pow(2, Math.Min(attempts - 1, 40))
            : attempts;
        var ticks = Delay.Ticks * factor;
        var delay = ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
        if (retryAfter is { } ra && RetryAfterMax is { } cap)
        {
            var honoured = ra < cap ? ra : cap;
            if (honoured > delay) delay = honoured;
        }
        return delay;
    }
}
