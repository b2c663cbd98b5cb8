using Kinlet.Containers;
using Kinlet.Containers.Readiness;
using System.Globalization;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Serving.Logs;
using Kinlet.Serving.Secrets;
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
    /// Runs the init containers (in order, each to completion), creates (unless <paramref name="precreatedId"/> names a
    /// container created ahead) and starts the serving container, then its sidecars in its network namespace, and waits
    /// until the serving container and every sidecar with a readiness probe are ready. Never throws: the result says
    /// what happened and which containers exist.
    /// </summary>
    public async Task<StartResult> StartAsync(RevisionState revision, string instanceName, string? precreatedId,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var spec = revision.Revision;
        var image = PodLayout.Serving(spec.Spec)!.Image!;
        var started = time.GetTimestamp();
        string? containerId = precreatedId;
        var sidecars = new List<SidecarContainer>();
        var port = 0;
        double? initMs = null;

        try
        {
            var pod = ContainerSpecBuilder.BuildPod(spec, instanceName, _options, _secrets);
            if (pod.Inits.Count > 0)
            {
                var initStarted = time.GetTimestamp();
                foreach (var init in pod.Inits)
                {
                    image = init.Spec.Image;
                    if (await RunInitAsync(revision, instanceName, init, progress, ct).ConfigureAwait(false) is { } initFailure)
                        return Failed(revision, null, initFailure.Reason, initFailure.Message);
                }
                initMs = time.GetElapsedTime(initStarted).TotalMilliseconds;
                LogInitDone(revision.Key.ToString(), instanceName, pod.Inits.Count, initMs.Value);
                statusSink.RevisionProgress(revision, string.Create(CultureInfo.InvariantCulture,
                    $"Init containers ({string.Join(", ", pod.Inits.Select(i => i.Name))}) completed in {initMs:0} ms"));
            }

            image = pod.Serving.Spec.Image;
            ContainerInfo info;
            if (containerId is null) containerId = await CreateAsync(revision, pod.Serving, progress, ct).ConfigureAwait(false);
            try
            {
                info = await runtime.StartAsync(containerId, ct).ConfigureAwait(false);
            }
            catch (ContainerEngineException e) when (precreatedId is not null && e.StatusCode == 404)
            {
                // Removed behind our back while it waited: create it as any start would.
                containerId = await CreateAsync(revision, pod.Serving, progress, ct).ConfigureAwait(false);
                info = await runtime.StartAsync(containerId, ct).ConfigureAwait(false);
            }
            var servingPort = pod.Serving.Spec.ContainerPort;
            if ((info.PublishedPorts is { } published && published.TryGetValue(servingPort, out var p) ? p : info.HostPort) is not { } hostPort)
                return Failed(revision, containerId, sidecars, "ContainerMissing", "the engine did not publish the container port");
            port = hostPort;

            // Sidecars join the serving container's network namespace: one localhost for the whole instance, as in a pod.
            foreach (var sidecar in pod.Sidecars)
            {
                image = sidecar.Spec.Image;
                var id = await CreateAsync(revision, sidecar with { Spec = sidecar.Spec with { NetworkOf = containerId } }, progress, ct).ConfigureAwait(false);
                sidecars.Add(new SidecarContainer(sidecar.Name, id));
                await runtime.StartAsync(id, ct).ConfigureAwait(false);
            }

            var waits = new List<Task<(string? Sidecar, string Id, ReadinessResult Result)>>
            {
                WaitReadyAsync(null, containerId, port, probes.For(spec.Spec, containerId), probes.OptionsFor(spec.Spec), ct),
            };
            for (var i = 0; i < pod.Sidecars.Count; i++)
            {
                var source = spec.Spec.Containers.First(c => c.Name == pod.Sidecars[i].Name);
                var id = sidecars[i].Id;
                if (source.ReadinessProbe is { } sidecarProbe)
                {
                    var probePort = sidecarProbe.HttpGet?.Port?.IntValue ?? sidecarProbe.TcpSocket?.Port?.IntValue;
                    var sidecarHostPort = probePort is { } n && info.PublishedPorts?.TryGetValue(n, out var hp) == true ? hp : 0;
                    waits.Add(WaitReadyAsync(source.Name, id, sidecarHostPort, probes.For(sidecarProbe, id), probes.OptionsFor(sidecarProbe), ct));
                }
            }
            foreach (var wait in waits)
            {
                var (sidecarName, _, readiness) = await wait.ConfigureAwait(false);
                var who = sidecarName is null ? "Container" : $"Sidecar container \"{sidecarName}\"";
                switch (readiness.Outcome)
                {
                    case ReadinessOutcome.Ready:
                        continue;
                    case ReadinessOutcome.Exited:
                        var reason = $"ExitCode{readiness.ExitCode}";
                        var message = readiness.OomKilled
                            ? $"{who} was OOMKilled (memory limit reached). Last log lines:\n{readiness.Logs}"
                            : $"{who} failed with exit code {readiness.ExitCode}. Last log lines:\n{readiness.Logs}";
                        return Failed(revision, containerId, sidecars, reason, message.TrimEnd());
                    default:
                        return Failed(revision, containerId, sidecars, "ProgressDeadlineExceeded",
                            $"{(sidecarName is null ? "Instance" : who)} did not become ready within {_options.ProgressDeadline.TotalSeconds:0}s: {readiness.Detail}");
                }
            }
            // A sidecar without a readiness probe counts as ready while it runs (Knative's rule): one that already ended fails the start.
            foreach (var sidecar in sidecars)
            {
                if (await runtime.InspectAsync(sidecar.Id, ct).ConfigureAwait(false) is { State: ContainerRunState.Running }) continue;
                var logs = await runtime.GetLogTailAsync(sidecar.Id, 20, ct).ConfigureAwait(false);
                var exited = await runtime.InspectAsync(sidecar.Id, ct).ConfigureAwait(false);
                return Failed(revision, containerId, sidecars, exited?.ExitCode is { } code ? $"ExitCode{code}" : "ContainerExited",
                    $"Sidecar container \"{sidecar.Name}\" exited with code {exited?.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"}. Last log lines:\n{logs}".TrimEnd());
            }
            LogReady(revision.Key.ToString(), instanceName, port, time.GetElapsedTime(started).TotalMilliseconds);
            return new StartResult(containerId, port, true, null, false, sidecars) { InitMs = initMs };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new StartResult(containerId, port, false, null, true, sidecars);
        }
        catch (ConfigReferenceException e)
        {
            return Failed(revision, containerId, sidecars, "CreateContainerConfigError", e.Message);
        }
        catch (ContainerConfigException e)
        {
            return Failed(revision, containerId, sidecars, "CreateContainerConfigError", e.Message);
        }
        catch (ImageUnavailableException e)
        {
            return Failed(revision, containerId, sidecars, "ContainerMissing", $"Unable to fetch image \"{e.Image}\": {e.Reason}");
        }
        catch (EngineUnavailableException e)
        {
            return Failed(revision, containerId, sidecars, "EngineUnavailable", e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failed(revision, containerId, sidecars, "InstanceStartFailed", e.Message);
        }
    }

    private async Task<(string? Sidecar, string Id, ReadinessResult Result)> WaitReadyAsync(string? sidecar, string id, int hostPort,
        IReadinessProbe probe, ReadinessOptions readinessOptions, CancellationToken ct) =>
        (sidecar, id, await ReadinessWaiter.WaitAsync(runtime, id, hostPort, probe, readinessOptions, ct).ConfigureAwait(false));

    /// <summary>
    /// Creates one container; checks runAsNonRoot against the image's user first when no runAsUser says who runs it.
    /// The image is pulled only when the create says it is missing: a cold start should not pay an image inspect.
    /// </summary>
    private async Task<string> CreateAsync(RevisionState revision, PodContainer container, IProgress<string>? progress, CancellationToken ct)
    {
        var image = container.Spec.Image;
        if (container.RunAsNonRoot)
        {
            var info = await runtime.EnsureImageAsync(image, PullCredentials(revision, image), progress ?? new LogProgress(this, revision), ct).ConfigureAwait(false);
            if (ContainerSpecBuilder.NonRootViolation(container.Name, info.User) is { } violation) throw new ContainerConfigException(violation);
        }
        try
        {
            return await runtime.CreateAsync(container.Spec, ct).ConfigureAwait(false);
        }
        catch (ImageUnavailableException)
        {
            // No such image here: pull it (with progress on the revision's status), then create.
            await runtime.EnsureImageAsync(image, PullCredentials(revision, image), progress ?? new LogProgress(this, revision), ct).ConfigureAwait(false);
            return await runtime.CreateAsync(container.Spec, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The registry credentials for <paramref name="image"/> from the revision's imagePullSecrets (dockerconfigjson), if any.</summary>
    private RegistryCredentials? PullCredentials(RevisionState revision, string image)
    {
        if (secretStore is null || revision.Revision.Spec.ImagePullSecrets is not { Count: > 0 } names) return null;
        var ns = revision.Key.Namespace;
        var configs = new List<byte[]>();
        foreach (var reference in names)
            if (reference?.Name is { } name && secretStore.Get(ns, name)?.Data.GetValueOrDefault(PullSecrets.DockerConfigJsonKey) is { } json)
                configs.Add(json);
        return PullSecrets.Select(image, configs);
    }

    /// <summary>
    /// One init container: created, started, waited for (within the progress deadline), its lines kept for
    /// <c>kinlet logs</c>, then removed. Null when it exited 0; else Kubernetes' <c>Init:Error</c> with its exit
    /// code and last lines.
    /// </summary>
    private async Task<RevisionFailure?> RunInitAsync(RevisionState revision, string instanceName, PodContainer init, IProgress<string>? progress, CancellationToken ct)
    {
        var id = await CreateAsync(revision, init, progress, ct).ConfigureAwait(false);
        var container = new ContainerRef(id, instanceName, revision.Key.Namespace, revision.ServiceName, revision.Key.Name) { Name = init.Name };
        try
        {
            await runtime.StartAsync(id, ct).ConfigureAwait(false);
            int exitCode;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                deadline.CancelAfter(_options.ProgressDeadline);
                try
                {
                    exitCode = await runtime.WaitAsync(id, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return new RevisionFailure("Init:DeadlineExceeded",
                        $"Init container \"{init.Name}\" did not finish within {_options.ProgressDeadline.TotalSeconds:0}s", time.GetUtcNow());
                }
            }
            if (exitCode == 0) return null;
            var logs = await runtime.GetLogTailAsync(id, 20, ct).ConfigureAwait(false);
            return new RevisionFailure("Init:Error",
                $"Init container \"{init.Name}\" failed with exit code {exitCode}. Last log lines:\n{logs}".TrimEnd(), time.GetUtcNow());
        }
        finally
        {
            // Done with, whatever happened: its lines stay in the recent logs.
            await RemoveOneAsync(container, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private StartResult Failed(RevisionState revision, string? containerId, string reason, string message) =>
        Failed(revision, containerId, [], reason, message);

    private StartResult Failed(RevisionState revision, string? containerId, IReadOnlyList<SidecarContainer> sidecars, string reason, string message)
    {
        LogStartFailed(revision.Key.ToString(), reason, message);
        return new StartResult(containerId, 0, false, new RevisionFailure(reason, message, time.GetUtcNow()), false, sidecars);
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
        // An instance of several containers is created as a whole at its start (sidecars need the serving one running).
        if (PodLayout.IsMultiContainer(spec.Spec)) return null;
        var name = ContainerSpecBuilder.NewInstanceName(revision.Key);
        try
        {
            var image = PodLayout.Serving(spec.Spec)!.Image!;
            await runtime.EnsureImageAsync(image, PullCredentials(revision, image), null, cancellationToken).ConfigureAwait(false);
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
            // The whole instance is frozen together: a sidecar left running would spend CPU nobody is served by.
            await runtime.PauseAsync(container.Id, cancellationToken).ConfigureAwait(false);
            foreach (var sidecar in container.SidecarList) await runtime.PauseAsync(sidecar.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFreezeFailed(container.InstanceName, e.Message);
            return null;
        }
        return new FrozenStandby(container.Id, container.InstanceName, hostPort, time.GetUtcNow(), container.SidecarList);
    }

    /// <summary>Unpauses a frozen standby; false when its container is gone or will not resume.</summary>
    public async Task<bool> ThawAsync(FrozenStandby standby, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var sidecar in standby.SidecarList) await runtime.UnpauseAsync(sidecar.Id, cancellationToken).ConfigureAwait(false);
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
        foreach (var id in container.SidecarList.Select(c => c.Id).Append(container.Id))
        {
            try
            {
                await runtime.UnpauseAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Already running, exited or gone: the removal below copes with each.
            }
        }
        await RemoveContainerAsync(container, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops and removes the instance's containers: the serving container first (it was drained), then its sidecars,
    /// which may still be needed while it finishes; the sidecars are removed before the container whose network they share.
    /// </summary>
    public async Task RemoveContainerAsync(ContainerRef container, CancellationToken cancellationToken)
    {
        if (container.SidecarList.Count == 0)
        {
            await RemoveOneAsync(container, cancellationToken).ConfigureAwait(false);
            return;
        }
        try
        {
            await runtime.StopAsync(container.Id, _options.StopGracePeriod, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRemoveFailed(container.InstanceName, e.Message);
        }
        foreach (var sidecar in container.SidecarList)
            await RemoveOneAsync(container with { Id = sidecar.Id, Name = sidecar.Name, Sidecars = null }, cancellationToken).ConfigureAwait(false);
        await RemoveOneAsync(container with { Sidecars = null }, cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveOneAsync(ContainerRef container, CancellationToken cancellationToken)
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
        if (lines.Count > 0)
            recentLogs.Record(container.Namespace, container.Service, container.Revision, container.InstanceName, lines,
                container.Name ?? container.ServingName, serving: container.Name is null);
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

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Instance {Instance} of {Revision}: {Count} init containers completed in {ElapsedMs:0} ms")]
    private partial void LogInitDone(string revision, string instance, int count, double elapsedMs);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "{Revision}: {Progress}")]
    private partial void LogPull(string revision, string progress);
}

/// <summary>
/// An instance the launcher acts on: its serving container (<see cref="Id"/>) and its sidecars, with what their logs
/// are kept under (no runtime state attached).
/// </summary>
public sealed record ContainerRef(string Id, string InstanceName, string Namespace, string Service, string Revision)
{
    /// <summary>The sidecars of the instance (stopped, paused and removed with it).</summary>
    public IReadOnlyList<SidecarContainer>? Sidecars { get; init; }

    /// <summary>The container's name in the revision when it is not the serving one (its logs are kept under it).</summary>
    public string? Name { get; init; }

    /// <summary>The serving container's name in the revision (<c>kinlet logs --container</c> selects by it).</summary>
    public string? ServingName { get; init; }

    public IReadOnlyList<SidecarContainer> SidecarList => Sidecars ?? [];

    public static ContainerRef For(RevisionState revision, string instanceName, string id, IReadOnlyList<SidecarContainer>? sidecars = null) =>
        new(id, instanceName, revision.Key.Namespace, revision.ServiceName, revision.Key.Name)
        {
            Sidecars = sidecars is { Count: > 0 } ? sidecars : null,
            ServingName = PodLayout.Serving(revision.Revision.Spec)?.Name,
        };
}
