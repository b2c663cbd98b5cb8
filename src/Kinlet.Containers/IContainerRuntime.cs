namespace Kinlet.Containers;

/// <summary>
/// The container engine as Kinlet needs it. Thin: each call is one engine operation; decisions
/// (when to start, stop, replace) belong to the reconciler, not here.
/// Every call is bounded by a timeout, because engines can get stuck.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>Answers when the engine answers; throws <see cref="EngineUnavailableException"/> otherwise.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes the image present locally: nothing to do when it is, else pulls it, reporting progress lines.
    /// Throws <see cref="ImageUnavailableException"/> when it is missing and cannot be pulled.
    /// </summary>
    Task<ImageInfo> EnsureImageAsync(string image, IProgress<string>? progress, CancellationToken cancellationToken);

    /// <summary>Creates (does not start) a container; returns its id.</summary>
    Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken);

    /// <summary>Starts a created (or stopped) container and returns its state, with the published host port.</summary>
    Task<ContainerInfo> StartAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>The container's state, or null when it no longer exists.</summary>
    Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Containers in any state whose labels include every given label (value "" = label present).</summary>
    Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken);

    /// <summary>SIGTERM, then SIGKILL after the grace period. A missing or stopped container is not an error.</summary>
    Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Removes the container (forced). A missing container is not an error.</summary>
    Task RemoveAsync(string containerId, CancellationToken cancellationToken);

    Task PauseAsync(string containerId, CancellationToken cancellationToken);

    Task UnpauseAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Runs a command inside a running container and returns its exit code (exec probes).</summary>
    Task<int> ExecAsync(string containerId, IReadOnlyList<string> command, CancellationToken cancellationToken);

    /// <summary>The last lines of the container's stdout and stderr, interleaved as the engine keeps them.</summary>
    Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken);

    /// <summary>
    /// Container lifecycle events (start, die, oom, destroy...) for containers carrying the given labels,
    /// until cancelled. Ends with an exception when the engine connection drops; the caller reconnects.
    /// </summary>
    IAsyncEnumerable<ContainerEvent> WatchAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken);
}

/// <summary>What to create. The runtime adds the engine-level details (loopback port publishing, host.docker.internal, no-new-privileges).</summary>
public sealed record ContainerSpec
{
    /// <summary>Container name, unique on the engine (e.g. <c>kinlet-hello-00001-3f2a9c1b</c>).</summary>
    public required string Name { get; init; }
    public required string Image { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    /// <summary>Environment as (name, value) pairs, in order.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Env { get; init; }
    /// <summary>The port the process listens on inside the container; published on 127.0.0.1 at an engine-chosen port.</summary>
    public required int ContainerPort { get; init; }
    /// <summary>Overrides the image's entrypoint (Kubernetes <c>command</c>).</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Overrides the image's cmd (Kubernetes <c>args</c>).</summary>
    public IReadOnlyList<string>? Args { get; init; }
    public string? WorkingDir { get; init; }
    /// <summary>"uid" or "uid:gid".</summary>
    public string? User { get; init; }
    public long? MemoryBytes { get; init; }
    /// <summary>CPU limit in billionths of a CPU (Docker's NanoCPUs).</summary>
    public long? NanoCpus { get; init; }
    public long PidsLimit { get; init; } = 1024;
    public bool ReadOnlyRootFilesystem { get; init; }
}

public enum ContainerRunState { Created, Running, Paused, Restarting, Exited, Dead, Removing, Unknown }

public sealed record ContainerInfo
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public required ContainerRunState State { get; init; }
    public int? ExitCode { get; init; }
    public bool OomKilled { get; init; }
    /// <summary>The 127.0.0.1 port the container port is published on, when running.</summary>
    public int? HostPort { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The engine's own error for the container (e.g. "exec: not found"), if any.</summary>
    public string? Error { get; init; }
}

public sealed record ImageInfo(string Id, string? Digest);

/// <summary>A lifecycle event: <c>Action</c> is the engine's word (create, start, die, oom, kill, pause, unpause, destroy).</summary>
public sealed record ContainerEvent(string ContainerId, string Action, IReadOnlyDictionary<string, string> Labels, int? ExitCode, DateTimeOffset Time);

public sealed class ImageUnavailableException(string image, string reason, Exception? inner = null)
    : Exception($"image {image} is not available: {reason}", inner)
{
    public string Image { get; } = image;
    public string Reason { get; } = reason;
}

public sealed class EngineUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
