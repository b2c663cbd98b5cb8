namespace Kinlet.Core.Model;

// Knative Eventing's resources in their v1 shapes (eventing.knative.dev/v1, sources.knative.dev/v1), so the
// same manifests apply to Kinlet and to a cluster.

/// <summary>eventing.knative.dev/v1 Broker: a durable event log with an ingress URL.</summary>
public sealed class Broker
{
    public string ApiVersion { get; set; } = KnativeApi.EventingV1;
    public string Kind { get; set; } = "Broker";
    public ObjectMeta Metadata { get; set; } = new();
    public BrokerSpec Spec { get; set; } = new();
    public BrokerStatus? Status { get; set; }
}

public sealed class BrokerSpec
{
    /// <summary>The default delivery for its triggers (a trigger's own replaces it as a whole).</summary>
    public DeliverySpec? Delivery { get; set; }
}

public sealed class BrokerStatus
{
    public long? ObservedGeneration { get; set; }
    public List<Condition> Conditions { get; set; } = [];
    public Addressable? Address { get; set; }
}

/// <summary>eventing.knative.dev/v1 Trigger: a filter over a broker's events and where they go.</summary>
public sealed class Trigger
{
    public string ApiVersion { get; set; } = KnativeApi.EventingV1;
    public string Kind { get; set; } = "Trigger";
    public ObjectMeta Metadata { get; set; } = new();
    public TriggerSpec Spec { get; set; } = new();
    public TriggerStatus? Status { get; set; }
}

public sealed class TriggerSpec
{
    public string? Broker { get; set; }
    public TriggerFilter? Filter { get; set; }

    /// <summary>Knative's newer filters (SubscriptionsAPIFilter); when set they are used instead of <see cref="Filter"/>.</summary>
    public List<FilterSpec>? Filters { get; set; }

    public Destination? Subscriber { get; set; }
    public DeliverySpec? Delivery { get; set; }
}

public sealed class TriggerFilter
{
    public Dictionary<string, string>? Attributes { get; set; }
}

/// <summary>One entry of <c>spec.filters</c>: exactly one dialect is set.</summary>
public sealed class FilterSpec
{
    public Dictionary<string, string>? Exact { get; set; }
    public Dictionary<string, string>? Prefix { get; set; }
    public Dictionary<string, string>? Suffix { get; set; }
    public List<FilterSpec>? All { get; set; }
    public List<FilterSpec>? Any { get; set; }
    public FilterSpec? Not { get; set; }
    public string? Cesql { get; set; }
}

public sealed class TriggerStatus
{
    public long? ObservedGeneration { get; set; }
    public List<Condition> Conditions { get; set; } = [];
    public string? SubscriberUri { get; set; }

    // Kinlet's live additions (read from the dispatcher, never stored).
    public long? Delivered { get; set; }
    public long? Retrying { get; set; }
    public long? DeadLettered { get; set; }
    public long? Failed { get; set; }
    public long? Backlog { get; set; }
    public string? LastError { get; set; }
}

/// <summary>Knative's Destination: a reference to an addressable resource, or a URI (relative to the ref when both are set).</summary>
public sealed class Destination
{
    public KReference? Ref { get; set; }
    public string? Uri { get; set; }
}

public sealed class KReference
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public string? Name { get; set; }
    public string? Namespace { get; set; }
}

/// <summary>Knative's DeliverySpec on a trigger or a broker.</summary>
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

    public Destination? DeadLetterSink { get; set; }
}

/// <summary>sources.knative.dev/v1 PingSource: a cron schedule that sends an event to a sink.</summary>
public sealed class PingSource
{
    public string ApiVersion { get; set; } = KnativeApi.SourcesV1;
    public string Kind { get; set; } = "PingSource";
    public ObjectMeta Metadata { get; set; } = new();
    public PingSourceSpec Spec { get; set; } = new();
    public PingSourceStatus? Status { get; set; }
}

public sealed class PingSourceSpec
{
    public string? Schedule { get; set; }
    public string? Timezone { get; set; }
    public string? ContentType { get; set; }
    public string? Data { get; set; }
    public string? DataBase64 { get; set; }
    public Destination? Sink { get; set; }
}

public sealed class PingSourceStatus
{
    public long? ObservedGeneration { get; set; }
    public List<Condition> Conditions { get; set; } = [];
    public string? SinkUri { get; set; }
}
