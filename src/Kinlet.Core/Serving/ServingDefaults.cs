namespace Kinlet.Core.Serving;

/// <summary>
/// Knative's config-defaults (and the one autoscaler setting validation needs), with Knative's values.
/// The daemon binds its own copy from configuration; these are what a fresh Knative cluster uses.
/// </summary>
public sealed record ServingDefaults
{
    public static ServingDefaults Knative { get; } = new();

    /// <summary>revision-timeout-seconds: used when timeoutSeconds is unset or 0.</summary>
    public long TimeoutSeconds { get; init; } = 300;

    /// <summary>max-revision-timeout-seconds: the largest timeoutSeconds accepted.</summary>
    public long MaxTimeoutSeconds { get; init; } = 600;

    /// <summary>container-concurrency: 0 = unlimited.</summary>
    public long ContainerConcurrency { get; init; }

    /// <summary>container-concurrency-max-limit.</summary>
    public long MaxContainerConcurrency { get; init; } = 1000;

    /// <summary>container-name-template: the name given to an unnamed container.</summary>
    public string ContainerName { get; init; } = "user-container";

    /// <summary>The port a container listens on when it declares none (Knative's runtime contract).</summary>
    public int ContainerPort { get; init; } = 8080;

    /// <summary>config-autoscaler allow-zero-initial-scale: whether initial-scale may be 0.</summary>
    public bool AllowZeroInitialScale { get; init; }
}
