using Kinlet.Containers;
using Kinlet.Containers.Readiness;
using Kinlet.Core.Model;
using Kinlet.Serving.Logs;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Reconciler;

/// <summary>Starts one instance (image, container, readiness) and stops one (drain, SIGTERM, remove).</summary>
public sealed partial class InstanceLauncher(
    IContainerRuntime runtime,
    ReadinessProbes probes,
    IRevisionStatusSink statusSink,
    IOptions<ServingOptions> options,
    TimeProvider time,
    ILogger<InstanceLauncher> logger,
    Kinlet.Store.Secrets.ISecretStore? secretStore = null,
    RecentInstanceLogs? recentLogs = null,
    Kinlet.Store.IResourceStore? resources = null)
{
    // Secrets and config maps, read when a container is created.
    private readonly IConfigLookup _secrets = new StoreConfigLookup(secretStore, resources);
    private readonly ServingOptions _options = options.Value;

    /// <summary>
    /// Creates (unless <paramref name="precreatedId"/> names a container created ahead), starts and waits for
    /// readiness of one instance. Never throws: the result says what happened and which container exists.
    /// </summary>
    public async Task<StartResult> StartAsync(RevisionState revision, string instanceName, string? precreatedId,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var spec = revision.Revision;
        var image = spec.Spec.Containers[0].Image!;
        var started = time.GetTimestamp();
        string? containerId = precreatedId;
        var port = 0;

        async Task<string> CreateAsync()
        {
            var containerSpec = ContainerSpecBuilder.Build(spec, instanceName, _options, _secrets);
            try
            {
                // Create first: the image is almost always there, and a cold start should not pay an image inspect.
                return await runtime.CreateAsync(containerSpec, ct).ConfigureAwait(false);
            }
            catch (ImageUnavailableException)
            {
                // No such image here: pull it (with progress on the revision's status), then create.
                await runtime.EnsureImageAsync(image, progress ?? new LogProgress(this, revision), ct).ConfigureAwait(false);
                return await runtime.CreateAsync(containerSpec, ct).ConfigureAwait(false);
            }
        }

        try
        {
            containerId ??= await CreateAsync().ConfigureAwait(false);
            ContainerInfo info;
            try
            {
                info = await runtime.StartAsync(containerId, ct).ConfigureAwait(false);
            }
            catch (ContainerEngineException e) when (precreatedId is not null && e.StatusCode == 404)
            {
                // Removed behind our back while it waited: create it as any start would.
                containerId = await CreateAsync().ConfigureAwait(false);
                info = await runtime.StartAsync(containerId, ct).ConfigureAwait(false);
            }
            if (info.HostPort is not { } published)
                return Failed(revision, containerId, "ContainerMissing", "the engine did not publish the container port");
            port = published;

            var probe = probes.For(spec.Spec, containerId);
            var readiness = await ReadinessWaiter.WaitAsync(runtime, containerId, port, probe,
                probes.OptionsFor(spec.Spec), ct).ConfigureAwait(false);
            switch (readiness.Outcome)
            {
                case ReadinessOutcome.Ready:
                    LogReady(revision.Key.ToString(), instanceName, port, time.GetElapsedTime(started).TotalMilliseconds);
                    return new StartResult(containerId, port, true, null, false);
                case ReadinessOutcome.Exited:
                    var reason = $"ExitCode{readiness.ExitCode}";
                    var message = readiness.OomKilled
                        ? $"Container was OOMKilled (memory limit reached). Last log lines:\n{readiness.Logs}"
                        : $"Container failed with exit code {readiness.ExitCode}. Last log lines:\n{readiness.Logs}";
                    return Failed(revision, containerId, reason, message.TrimEnd());
                default:
                    return Failed(revision, containerId, "ProgressDeadlineExceeded",
                        $"Instance did not become ready within {_options.ProgressDeadline.TotalSeconds:0}s: {readiness.Detail}");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new StartResult(containerId, port, false, null, true);
        }
        catch (ConfigReferenceException e)
        {
            return Failed(revision, containerId, "CreateContainerConfigError", e.Message);
        }
        catch (ImageUnavailableException e)
        {
            return Failed(revision, containerId, "ContainerMissing", $"Unable to fetch image \"{image}\": {e.Reason}");
        }
        catch (EngineUnavailableException e)
        {
            return Failed(revision, containerId, "EngineUnavailable", e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failed(revision, containerId, "InstanceStartFailed", e.Message);
        }
    }

    private StartResult Failed(RevisionState revision, string? containerId, string reason, string message)
    {
        LogStartFailed(revision.Key.ToString(), reason, message);
        return new StartResult(containerId, 0, false, new RevisionFailure(reason, message, time.GetUtcNow()), false);
    }

    /// <summary>
    /// After the loop took the instance out of the balancer: waits for its requests in flight (bounded by the
    /// revision timeout), then stops and removes the container.
    /// </summary>
    public async Task StopAsync(RevisionState revision, ContainerRef container, Task drained, CancellationToken cancellationToken)
    {
        await DrainAsync(revision, container, drained, cancellationToken).ConfigureAwait(false);
        await RemoveContainerAsync(container, cancellationToken).ConfigureAwait(false);
        LogStopped(revision.Key.ToString(), container.InstanceName);
    }

    /// <summary>Creates (does not start) the revision's next container; null when it cannot (the next start creates one).</summary>
    public async Task<PrecreatedContainer?> PrecreateAsync(RevisionState revision, CancellationToken cancellationToken)
    {
        var spec = revision.Revision;
        var name = ContainerSpecBuilder.NewInstanceName(revision.Key);
        try
        {
            await runtime.EnsureImageAsync(spec.Spec.Containers[0].Image!, null, cancellationToken).ConfigureAwait(false);
            var id = await runtime.CreateAsync(ContainerSpecBuilder.Build(spec, name, _options, _secrets), cancellationToken).ConfigureAwait(false);
            return new PrecreatedContainer(id, name);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPrecreateFailed(name, e.Message);
            return null;
        }
    }

    /// <summary>Removes a pre-created container nobody will start (it never ran: nothing to stop or keep).</summary>
    public async Task RemovePrecreatedAsync(PrecreatedContainer precreated, CancellationToken cancellationToken)
    {
        try
        {
            await runtime.RemoveAsync(precreated.ContainerId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRemoveFailed(precreated.InstanceName, e.Message);
        }
    }

    /// <summary>Its requests in flight finish (bounded by the revision timeout).</summary>
    private async Task DrainAsync(RevisionState revision, ContainerRef container, Task drained, CancellationToken cancellationToken)
    {
        if (drained.IsCompleted) return;
        try
        {
            await drained.WaitAsync(revision.Timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogDrainTimeout(container.InstanceName);
        }
    }

    /// <summary>
    /// Frozen standby: after the drain, pauses the container (the engine's cgroup freezer: memory kept, no CPU).
    /// Null when it could not be paused (the caller removes it).
    /// </summary>
    public async Task<FrozenStandby?> FreezeAsync(RevisionState revision, ContainerRef container, int hostPort, Task drained, CancellationToken cancellationToken)
    {
        await DrainAsync(revision, container, drained, cancellationToken).ConfigureAwait(false);
        if (hostPort == 0) return null;
        try
        {
            await runtime.PauseAsync(container.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFreezeFailed(container.InstanceName, e.Message);
            return null;
        }
        return new FrozenStandby(container.Id, container.InstanceName, hostPort, time.GetUtcNow());
    }

    /// <summary>Unpauses a frozen standby; false when its container is gone or will not resume.</summary>
    public async Task<bool> ThawAsync(FrozenStandby standby, CancellationToken cancellationToken)
    {
        try
        {
            await runtime.UnpauseAsync(standby.ContainerId, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogThawFailed(standby.InstanceName, e.Message);
            return false;
        }
    }

    /// <summary>Removes a frozen standby: unpaused first, so the process gets its SIGTERM instead of the grace period and a SIGKILL.</summary>
    public async Task RemoveStandbyAsync(ContainerRef container, CancellationToken cancellationToken)
    {
        try
        {
            await runtime.UnpauseAsync(container.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Already running, exited or gone: the removal below copes with each.
        }
        await RemoveContainerAsync(container, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveContainerAsync(ContainerRef container, CancellationToken cancellationToken)
    {
        try
        {
            await runtime.StopAsync(container.Id, _options.StopGracePeriod, cancellationToken).ConfigureAwait(false);
            // After the stop, so what the process said on its way out is kept too.
            await CaptureLogsAsync(container, cancellationToken).ConfigureAwait(false);
            await runtime.RemoveAsync(container.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRemoveFailed(container.InstanceName, e.Message);
        }
    }

    /// <summary>
    /// Keeps the instance's last lines for <c>kinlet logs</c> before its container (and the engine's copy of its
    /// output) goes. Bounded in time: a removal never waits long on logs.
    /// </summary>
    private async Task CaptureLogsAsync(ContainerRef container, CancellationToken cancellationToken)
    {
        if (recentLogs is null || container.Service.Length == 0) return;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(LogCaptureTimeout);
        var lines = new List<LogLine>();
        try
        {
            await foreach (var line in runtime.StreamLogsAsync(container.Id, new LogOptions { Tail = RecentInstanceLogs.MaxLinesPerInstance }, bounded.Token).ConfigureAwait(false))
                lines.Add(line);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCaptureFailed(container.InstanceName, e.Message);
        }
        if (lines.Count > 0) recentLogs.Record(container.Namespace, container.Service, container.Revision, container.InstanceName, lines);
    }

    private static readonly TimeSpan LogCaptureTimeout = TimeSpan.FromSeconds(5);

    private void ReportProgress(RevisionState revision, string message) => statusSink.RevisionProgress(revision, message);

    /// <summary>
    /// Pull progress goes to the daemon log, tagged with the revision; the first line also goes to the
    /// revision's status, so `kinlet` shows "pulling ..." while it waits instead of a silent spinner.
    /// </summary>
    private sealed class LogProgress(InstanceLauncher owner, RevisionState revision) : IProgress<string>
    {
        private int _reported;

        public void Report(string value)
        {
            owner.LogPull(revision.Key.ToString(), value);
            if (Interlocked.Exchange(ref _reported, 1) == 0) owner.ReportProgress(revision, "Pulling image: " + value);
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Instance {Instance} of {Revision} ready on 127.0.0.1:{Port} after {ElapsedMs:0} ms")]
    private partial void LogReady(string revision, string instance, int port, double elapsedMs);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Revision {Revision} failed to start an instance: {Reason}: {Message}")]
    private partial void LogStartFailed(string revision, string reason, string message);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Instance {Instance} still had requests in flight when its drain timed out")]
    private partial void LogDrainTimeout(string instance);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Instance {Instance} of {Revision} stopped")]
    private partial void LogStopped(string revision, string instance);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Could not remove the container of {Instance}: {Error}")]
    private partial void LogRemoveFailed(string instance, string error);

    [LoggerMessage(EventId = 206, Level = LogLevel.Debug, Message = "Could not keep the last log lines of {Instance}: {Error}")]
    private partial void LogCaptureFailed(string instance, string error);

    [LoggerMessage(EventId = 209, Level = LogLevel.Warning, Message = "Could not pre-create {Instance}: {Error}")]
    private partial void LogPrecreateFailed(string instance, string error);

    [LoggerMessage(EventId = 207, Level = LogLevel.Warning, Message = "Could not pause {Instance} for frozen standby: {Error}")]
    private partial void LogFreezeFailed(string instance, string error);

    [LoggerMessage(EventId = 208, Level = LogLevel.Warning, Message = "Could not unpause the frozen standby {Instance}: {Error}")]
    private partial void LogThawFailed(string instance, string error);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "{Revision}: {Progress}")]
    private partial void LogPull(string revision, string progress);
}

/// <summary>A container the launcher acts on, with what its logs are kept under (no runtime state attached).</summary>
public sealed record ContainerRef(string Id, string InstanceName, string Namespace, string Service, string Revision)
{
    public static ContainerRef For(RevisionState revision, string instanceName, string id) =>
        new(id, instanceName, revision.Key.Namespace, revision.ServiceName, revision.Key.Name);
}
