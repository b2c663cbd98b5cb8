using Kinlet.Containers.Builds;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kinlet.Containers.Docker;

/// <summary>
/// <see cref="IContainerRuntime"/> over the Docker Engine API (Docker.DotNet). Thin by design: every
/// method is one or two engine calls, translated; when to call them is the reconciler's business.
/// One client per engine endpoint for the whole process; every call bounded by a timeout.
/// </summary>
public sealed class DockerContainerRuntime : IContainerRuntime, IImageBuilder
{
    private readonly DockerEngine _engine;
    private readonly DockerImages _images;
    private readonly DockerContainers _containers;
    private readonly DockerEvents _events;
    private readonly DockerImageBuilder _builder;

    public DockerContainerRuntime(DockerRuntimeOptions options, ILogger<DockerContainerRuntime>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _engine = new DockerEngine(options, logger ?? NullLogger<DockerContainerRuntime>.Instance, time ?? TimeProvider.System);
        _images = new DockerImages(_engine);
        _containers = new DockerContainers(_engine);
        _events = new DockerEvents(_engine);
        _builder = new DockerImageBuilder(_engine, _images);
    }

    /// <summary>For callers without dependency injection (tools, tests).</summary>
    public static DockerContainerRuntime Create(DockerRuntimeOptions options) => new(options);

    /// <summary>The engine endpoint this runtime talks to.</summary>
    public Uri Endpoint => _engine.Endpoint;

    public Task PingAsync(CancellationToken cancellationToken) =>
        _engine.CallAsync("ping", (client, ct) => client.System.PingAsync(ct), cancellationToken);

    public Task<ImageInfo> EnsureImageAsync(string image, IProgress<string>? progress, CancellationToken cancellationToken) =>
        _images.EnsureAsync(image, progress, cancellationToken);

    public Task<ImageInfo> EnsureImageAsync(string image, RegistryCredentials? credentials, IProgress<string>? progress, CancellationToken cancellationToken) =>
        _images.EnsureAsync(image, progress, cancellationToken, credentials);

    public Task<int> WaitAsync(string containerId, CancellationToken cancellationToken) =>
        _containers.WaitAsync(containerId, cancellationToken);

    public Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken) =>
        _containers.CreateAsync(spec, cancellationToken);

    public Task<ContainerInfo> StartAsync(string containerId, CancellationToken cancellationToken) =>
        _containers.StartAsync(containerId, cancellationToken);

    public Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken) =>
        _containers.InspectAsync(containerId, cancellationToken);

    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken) =>
        _containers.ListAsync(labels, cancellationToken);

    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken) =>
        _containers.StopAsync(containerId, gracePeriod, cancellationToken);

    public Task RemoveAsync(string containerId, CancellationToken cancellationToken) =>
        _containers.RemoveAsync(containerId, cancellationToken);

    public Task PauseAsync(string containerId, CancellationToken cancellationToken) =>
        _containers.PauseAsync(containerId, cancellationToken);

    public Task UnpauseAsync(string containerId, CancellationToken cancellationToken) =>
        _containers.UnpauseAsync(containerId, cancellationToken);

    public Task<int> ExecAsync(string containerId, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        _containers.ExecAsync(containerId, command, cancellationToken);

    public Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken) =>
        _containers.GetLogTailAsync(containerId, lines, cancellationToken);

    public IAsyncEnumerable<LogLine> StreamLogsAsync(string containerId, LogOptions options, CancellationToken cancellationToken) =>
        _containers.StreamLogsAsync(containerId, options, cancellationToken);

    public IAsyncEnumerable<ContainerEvent> WatchAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken) =>
        _events.WatchAsync(labels, cancellationToken);

    public Task<ImageInfo?> FindImageAsync(string image, CancellationToken cancellationToken) =>
        _images.InspectAsync(image, cancellationToken);

    public Task<ImageInfo> BuildAsync(ImageBuildRequest request, IProgress<string>? progress, CancellationToken cancellationToken) =>
        _builder.BuildAsync(request, progress, cancellationToken);
}
