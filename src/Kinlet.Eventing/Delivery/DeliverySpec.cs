namespace Kinlet.Eventing.Delivery;

/// <summary>Knative's <c>spec.delivery</c> (DeliverySpec) on a trigger or a broker, as written in the manifest.</summary>
public sealed class DeliverySpec
{
    /// <summary>Retries after the first attempt (retry 2 → 3 attempts).</summary>
    public int? Retry { get; set; }

    /// <summary><c>exponential</c> or <c>linear</c>.</summary>
    public string? BackoffPolicy { get; set; }

    /// <summary>ISO-8601 duration, e.g. <c>PT0.2S</c>.</summary>
    public string? BackoffDelay { get; set; }

    /// <summary>ISO-8601 per-attempt timeout.</summary>
    public string? Timeout { get; set; }

    /// <summary>ISO-8601 cap on honouring a subscriber's Retry-After header (unset: Retry-After is ignored).</summary>
    public string? RetryAfterMax { get; set; }

    /// <summary>Where an event goes after its last failed attempt: a URI (or a resolved ref).</summary>
    public string? DeadLetterSinkUri { get; set; }
}
