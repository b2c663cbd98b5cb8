namespace Kinlet.Containers;

/// <summary>
/// The container engine as Kinlet needs it. Thin: each call is one engine operation; decisions
/// (when to start, stop, replace) belong to the reconciler, not here.
/// Every call is bounded by a timeout, because engines can get stuck.
/// </summary>
/// <remarks>
/// Errors, for every member: <see cref="EngineUnavailableException"/> when the engine cannot be reached or does
/// not answer in time; <see cref="ContainerEngineException"/> when it answers with a refusal (name in use, no
/// such container, the entrypoint does not exist...); <see cref="OperationCanceledException"/> only when the
/// caller's token is cancelled.
/// </remarks>
public interface IContainerRuntime
{
    /// <summary>Answers when the engine answers; throws <see cref="EngineUnavailableException"/> otherwise.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes the image present locally: nothing to do when it is, else pulls it, reporting progress lines.
    /// Throws <see cref="ImageUnavailableException"/> when it is missing and cannot be pulled (including a pull
    /// that does not finish within the pull timeout).
    /// </summary>
    Task<ImageInfo> EnsureImageAsync(string image, IProgress<string>? progress, CancellationToken cancellationToken);

    /// <summary>As <see cref="EnsureImageAsync(string, IProgress{string}?, CancellationToken)"/>, pulling with the registry's credentials (imagePullSecrets).</summary>
    Task<ImageInfo> EnsureImageAsync(string image, RegistryCredentials? credentials, IProgress<string>? progress, CancellationToken cancellationToken) =>
        EnsureImageAsync(image, progress, cancellationToken);

    /// <summary>Waits for a started container's process to end and returns its exit code (init containers).</summary>
    Task<int> WaitAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Creates (does not start) a container; returns its id. A missing image is an <see cref="ImageUnavailableException"/>.</summary>
    Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a created (or stopped) container and returns its state, with the published host port.
    /// When the engine cannot start the process (e.g. the entrypoint does not exist) this throws
    /// <see cref="ContainerEngineException"/> with the engine's message; the container stays "created".
    /// </summary>
    Task<ContainerInfo> StartAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>The container's state, or null when it no longer exists.</summary>
    Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// Containers in any state whose labels include every given label (value "" = label present).
    /// The engine's listing carries no exit code or times: inspect a container for those.
    /// </summary>
    Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken);

    /// <summary>SIGTERM, then SIGKILL after the grace period. A missing or stopped container is not an error.</summary>
    Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Removes the container (forced). A missing container is not an error.</summary>
    Task RemoveAsync(string containerId, CancellationToken cancellationToken);

    Task PauseAsync(string containerId, CancellationToken cancellationToken);

    Task UnpauseAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Runs a command inside a running container, waits for it and returns its exit code (exec probes).</summary>
    Task<int> ExecAsync(string containerId, IReadOnlyList<string> command, CancellationToken cancellationToken);

    /// <summary>The last lines of the container's stdout and stderr, interleaved as the engine keeps them.</summary>
    Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken);

    /// <summary>
    /// The container's stdout and stderr as lines, each with the engine's timestamp, in the engine's order:
    /// the lines in the window <paramref name="options"/> describes, then (with <see cref="LogOptions.Follow"/>)
    /// new lines as they are written, until the container stops. Completes quietly when cancelled.
    /// A container that does not exist is a <see cref="ContainerEngineException"/> with status 404.
    /// </summary>
    IAsyncEnumerable<LogLine> StreamLogsAsync(string containerId, LogOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Container lifecycle events (start, die, oom, destroy...) for containers carrying the given labels,
    /// in the engine's order, from the moment of the call. Completes when cancelled; ends with an
    /// exception when the engine connection drops (the caller reconnects).
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
    /// <summary>
    /// The port the process listens on inside the container; published on 127.0.0.1 at an engine-chosen port.
    /// 0: nothing published (an init container, or a sidecar in another container's network namespace).
    /// </summary>
    public required int ContainerPort { get; init; }
    /// <summary>More container ports to publish on 127.0.0.1 (a sidecar's probe ports, published by the container whose network it shares).</summary>
    public IReadOnlyList<int> ExtraPorts { get; init; } = [];
    /// <summary>Join this container's network namespace (Docker's <c>container:&lt;id&gt;</c>): a pod's sidecars reach each other on localhost.</summary>
    public string? NetworkOf { get; init; }
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
    /// <summary>Docker's <c>no-new-privileges</c> (Kubernetes <c>allowPrivilegeEscalation: false</c>); on unless asked otherwise.</summary>
    public bool NoNewPrivileges { get; init; } = true;
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    /// <summary>Supplementary groups of the process (Kubernetes <c>supplementalGroups</c>, <c>fsGroup</c>).</summary>
    public IReadOnlyList<string> GroupAdd { get; init; } = [];
}

/// <summary>Credentials for one registry, from a <c>kubernetes.io/dockerconfigjson</c> secret. Never printed.</summary>
public sealed class RegistryCredentials(string serverAddress, string? username, string? password, string? identityToken)
{
    public string ServerAddress { get; } = serverAddress;
    public string? Username { get; } = username;
    public string? Password { get; } = password;
    public string? IdentityToken { get; } = identityToken;

    // A record would print the password; this says only whose it is.
    public override string ToString() => $"credentials for {ServerAddress}";
}

public enum ContainerRunState { Created, Running, Paused, Restarting, Exited, Dead, Removing, Unknown }

public sealed record ContainerInfo
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public required ContainerRunState State { get; init; }
    /// <summary>Set once the process has ended (or failed to start); null while it runs or before it first starts.</summary>
    public int? ExitCode { get; init; }
    public bool OomKilled { get; init; }
    /// <summary>The 127.0.0.1 port the container port is published on, when running.</summary>
    public int? HostPort { get; init; }
    /// <summary>Every published container port (tcp) → its 127.0.0.1 host port, when running (inspect only).</summary>
    public IReadOnlyDictionary<int, int>? PublishedPorts { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The engine's own error for the container (e.g. "exec: not found"), if any.</summary>
    public string? Error { get; init; }
}

public enum LogStream { Stdout, Stderr }

/// <summary>One line a container wrote (without its newline), with the time the engine received it.</summary>
public sealed record LogLine(DateTimeOffset Time, LogStream Stream, string Text);

/// <summary>Which of a container's lines to read.</summary>
public sealed record LogOptions
{
    /// <summary>Keep reading new lines until the container stops (or the caller cancels).</summary>
    public bool Follow { get; init; }

    /// <summary>Only lines the engine received at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only the last N lines of the window (null: all of them).</summary>
    public int? Tail { get; init; }
}

/// <param name="Id">The engine's image id (<c>sha256:...</c>).</param>
/// <param name="Digest">The first repo digest (<c>name@sha256:...</c>), null for images that never came from a registry.</param>
/// <param name="User">The image's configured user ("" or null: root).</param>
public sealed record ImageInfo(string Id, string? Digest, string? User = null);

/// <summary>
/// A lifecycle event: <c>Action</c> is the engine's word (create, start, die, oom, kill, pause, unpause, destroy).
/// <c>Labels</c> are the container's labels; <c>ExitCode</c> is set on "die".
/// </summary>
public sealed record ContainerEvent(string ContainerId, string Action, IReadOnlyDictionary<string, string> Labels, int? ExitCode, DateTimeOffset Time);

public sealed class ImageUnavailableException(string image, string reason, Exception? inner = null)
    : Exception($"image {image} is not available: {reason}", inner)
{
    public string Image { get; } = image;
    public string Reason { get; } = reason;
}

public sealed class EngineUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The engine answered, and refused: the message is the engine's own (e.g. "Conflict. The container name ... is already in use").</summary>
public sealed class ContainerEngineException(string operation, string engineMessage, int statusCode, Exception? inner = null)
    : Exception($"{operation} failed: {engineMessage}", inner)
{
    /// <summary>What was asked of the engine ("create", "start", ...).</summary>
    public string Operation { get; } = operation;
    public string EngineMessage { get; } = engineMessage;
    /// <summary>The engine's HTTP status: 404 no such container, 409 conflict, 500 the engine's own failure.</summary>
    public int StatusCode { get; } = statusCode;
}
