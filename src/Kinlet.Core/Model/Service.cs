namespace Kinlet.Core.Model;

/// <summary>serving.knative.dev/v1 Service: a Configuration plus a Route.</summary>
public sealed class Service
{
    public string ApiVersion { get; set; } = KnativeApi.ServingV1;
    public string Kind { get; set; } = "Service";
    public ObjectMeta Metadata { get; set; } = new();
    public ServiceSpec Spec { get; set; } = new();
    public ServiceStatus? Status { get; set; }
}

public sealed class ServiceSpec
{
    public RevisionTemplate Template { get; set; } = new();
    public List<TrafficTarget>? Traffic { get; set; }
}

public sealed class TrafficTarget
{
    public string? Tag { get; set; }
    public string? RevisionName { get; set; }
    public string? ConfigurationName { get; set; }
    public bool? LatestRevision { get; set; }
    public long? Percent { get; set; }
    /// <summary>Status only: the URL of a tagged target.</summary>
    public string? Url { get; set; }
}

public sealed class Addressable
{
    public string? Url { get; set; }
}

public sealed class ServiceStatus
{
    public long? ObservedGeneration { get; set; }
    public List<Condition> Conditions { get; set; } = [];
    public string? Url { get; set; }
    public Addressable? Address { get; set; }
    public string? LatestCreatedRevisionName { get; set; }
    public string? LatestReadyRevisionName { get; set; }
    public List<TrafficTarget>? Traffic { get; set; }
}

/// <summary>serving.knative.dev/v1 Configuration: the template half of a Service.</summary>
public sealed class Configuration
{
    public string ApiVersion { get; set; } = KnativeApi.ServingV1;
    public string Kind { get; set; } = "Configuration";
    public ObjectMeta Metadata { get; set; } = new();
    public ConfigurationSpec Spec { get; set; } = new();
    public ConfigurationStatus? Status { get; set; }
}

public sealed class ConfigurationSpec
{
    public RevisionTemplate Template { get; set; } = new();
}

public sealed class ConfigurationStatus
{
    public long? ObservedGeneration { get; set; }
    public List<Condition> Conditions { get; set; } = [];
    public string? LatestCreatedRevisionName { get; set; }
    public string? LatestReadyRevisionName { get; set; }
}

/// <summary>serving.knative.dev/v1 Route: the traffic half of a Service.</summary>
public sealed class Route
{
    public string ApiVersion { get; set; } = KnativeApi.ServingV1;
    public string Kind { get; set; } = "Route";
    public ObjectMeta Metadata { get; set; } = new();
    public RouteSpec Spec { get; set; } = new();
    public RouteStatus? Status { get; set; }
}

public sealed class RouteSpec
{
    public List<TrafficTarget>? Traffic { get; set; }
}

public sealed class RouteStatus
{
    public long? ObservedGeneration { get; set; }
    public List<Condition> Conditions { get; set; } = [];
    public string? Url { get; set; }
    public Addressable? Address { get; set; }
    public List<TrafficTarget>? Traffic { get; set; }
}

/// <summary>serving.knative.dev/v1 Revision: an immutable snapshot of a template.</summary>
public sealed class Revision
{
    public string ApiVersion { get; set; } = KnativeApi.ServingV1;
    public string Kind { get; set; } = "Revision";
    public ObjectMeta Metadata { get; set; } = new();
    public RevisionSpec Spec { get; set; } = new();
    public RevisionStatus? Status { get; set; }
}

public sealed class RevisionStatus
{
    public long? ObservedGeneration { get; set; }
    public List<Condition> Conditions { get; set; } = [];
    public List<ContainerStatus>? ContainerStatuses { get; set; }
    public int? ActualReplicas { get; set; }
    public int? DesiredReplicas { get; set; }

    // Kinlet's live additions (read from the runtime, never stored; Knative clients ignore unknown status fields).

    /// <summary>Instances created and not ready yet.</summary>
    public int? StartingReplicas { get; set; }

    /// <summary>The autoscaler is in panic mode (scaling on the short window, never down).</summary>
    public bool? Panicking { get; set; }

    /// <summary>Why the autoscaler wants <see cref="DesiredReplicas"/> (e.g. "min-scale", "panic").</summary>
    public string? ScaleReason { get; set; }

    /// <summary>When the last instance goes if no request arrives (scale to zero).</summary>
    public DateTimeOffset? ScaleToZeroAt { get; set; }

    /// <summary>Instances that crashed, failed liveness or were OOM-killed, and were replaced.</summary>
    public int? Restarts { get; set; }

    /// <summary>Requests waiting in the activator for an instance with a free slot.</summary>
    public int? QueuedRequests { get; set; }

    /// <summary>How long the init containers of the last instance that became ready took, in milliseconds.</summary>
    public long? InitContainersMs { get; set; }
}

public sealed class ContainerStatus
{
    public string? Name { get; set; }
    public string? ImageDigest { get; set; }
}

public static class KnativeApi
{
    public const string ServingGroup = "serving.knative.dev";
    public const string ServingV1 = "serving.knative.dev/v1";
    public const string EventingV1 = "eventing.knative.dev/v1";
    public const string SourcesV1 = "sources.knative.dev/v1";
    public const string DefaultNamespace = "default";
}

/// <summary>Labels and annotations with meaning to Knative and Kinlet.</summary>
public static class KnownKeys
{
    public const string ServiceLabel = "serving.knative.dev/service";
    public const string ConfigurationLabel = "serving.knative.dev/configuration";
    public const string ConfigurationGenerationLabel = "serving.knative.dev/configurationGeneration";
    public const string RouteLabel = "serving.knative.dev/route";

    /// <summary>Every revision carries its own name under this label (Knative's pod label); DestinationRule subsets select by it.</summary>
    public const string RevisionLabel = "serving.knative.dev/revision";

    /// <summary>Kinlet's label for a DestinationRule subset that follows a tag: it selects the revision the tag routes to.</summary>
    public const string TagLabel = "serving.knative.dev/tag";

    /// <summary>Knative's tag-header-based routing: a request with this header and a known tag goes to the tagged revision.</summary>
    public const string TagHeader = "Knative-Serving-Tag";
    public const string CreatorAnnotation = "serving.knative.dev/creator";
    public const string RoutingStateLabel = "serving.knative.dev/routingState";
    public const string NoGcAnnotation = "serving.knative.dev/no-gc";

    /// <summary>When <see cref="RoutingStateLabel"/> last changed (RFC 3339): what revision GC reads as "last active".</summary>
    public const string RoutingStateModifiedAnnotation = "serving.knative.dev/routingStateModified";

    public const string RoutingStateActive = "active";
    public const string RoutingStateReserve = "reserve";

    /// <summary>Prefix of annotations only Kinlet understands; left out of <c>kinlet export</c>.</summary>
    public const string KinletPrefix = "kinlet.dev/";

    /// <summary>
    /// <c>kinlet.dev/standby: frozen</c> on a revision template: at scale to zero the last instance is paused (cgroup
    /// freezer) instead of removed, and a request unpauses it. <c>none</c> turns a daemon-wide default off.
    /// </summary>
    public const string StandbyAnnotation = "kinlet.dev/standby";
    public const string StandbyFrozen = "frozen";
    public const string StandbyNone = "none";

    // Container labels (DESIGN.md contract).
    public const string ContainerService = "dev.kinlet.service";
    public const string ContainerRevision = "dev.kinlet.revision";
    public const string ContainerInstance = "dev.kinlet.instance";
    public const string ContainerNamespace = "dev.kinlet.namespace";
    /// <summary>Which daemon (state dir) owns a container, so two daemons on one engine never touch each other's.</summary>
    public const string ContainerDaemon = "dev.kinlet.daemon";
    /// <summary>The container's name in the revision (<c>containers[].name</c> or <c>initContainers[].name</c>).</summary>
    public const string ContainerName = "dev.kinlet.container";
    /// <summary><see cref="RoleServing"/>, <see cref="RoleSidecar"/> or <see cref="RoleInit"/>; absent on containers from before sidecars (serving).</summary>
    public const string ContainerRole = "dev.kinlet.role";
    public const string RoleServing = "serving";
    public const string RoleSidecar = "sidecar";
    public const string RoleInit = "init";
}
