using System.Collections.Concurrent;
using Kinlet.Containers;
using Kinlet.Core.Model;
using Kinlet.Serving.Autoscaler;
using Kinlet.Serving.Logs;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Reconciler;

/// <summary>
/// The control loop: makes each revision's running instances match what the scale policy wants.
/// It decides; <see cref="InstanceLauncher"/> does the container work in tracked background tasks,
/// so one slow start never holds up another revision.
/// </summary>
public sealed partial class RevisionReconciler(
    RevisionRegistry registry,
    ReconcileQueue queue,
    IScalePolicy scalePolicy,
    InstanceLauncher launcher,
    HealthMonitor health,
    IContainerRuntime runtime,
    IRevisionStatusSink statusSink,
    ServiceActivity activity,
    IOptions<ServingOptions> options,
    TimeProvider time,
    ILogger<RevisionReconciler> logger)
{
    private readonly ServingOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, InstanceState> _byContainer = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _work = new();

    public IReadOnlyDictionary<string, string> OwnLabels => new Dictionary<string, string> { [KnownKeys.ContainerDaemon] = _options.DaemonId };

    /// <summary>Runs the loop until cancelled: queued revisions first, every revision each resync tick.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(_options.ResyncInterval, time);
        var ticker = TickAsync(tick, cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var key = await queue.DequeueAsync(cancellationToken).ConfigureAwait(false);
                if (registry.Find(key) is { } revision)
                {
                    try
                    {
                        Reconcile(revision);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogReconcileError(key.ToString(), e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await ticker.ConfigureAwait(false);
    }

    private async Task TickAsync(PeriodicTimer tick, CancellationToken cancellationToken)
    {
        try
        {
            while (await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var revision in registry.All) queue.Enqueue(revision.Key);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One pass over one revision. Never blocks: starts and stops run as tracked tasks.</summary>
    public void Reconcile(RevisionState revision)
    {
        var now = time.GetUtcNow();
        var desired = revision.IsDeleted ? 0 : scalePolicy.DesiredScale(revision, now);
        revision.DesiredScale = desired;

        var instances = revision.Instances();
        var live = 0;
        foreach (var i in instances)
            if (i.Phase is InstancePhase.Starting or InstancePhase.Ready) live++;

        // A frozen standby nobody wants any more (revision deleted or no longer routed, annotation removed) goes.
        if (revision.Standby is { } unwanted && !WantsStandby(revision))
        {
            revision.Standby = null;
            Say(revision, unwanted.InstanceName, $"frozen standby {unwanted.InstanceName} removed");
            Track(launcher.RemoveStandbyAsync(revision, unwanted, CancellationToken.None));
        }

        // A pre-created container nobody will start (revision deleted, unrouted, or keeping a frozen standby) goes.
        if (revision.Precreated is { } stale && !WantsPrecreated(revision))
        {
            revision.Precreated = null;
            Track(launcher.RemovePrecreatedAsync(stale, CancellationToken.None));
        }

        if (live < desired && now >= revision.RestartNotBefore)
        {
            // Waking from zero: the frozen standby first; unpausing it is the whole cold start.
            if (revision.Standby is { } standby)
            {
                revision.Standby = null;
                ThawInstance(revision, standby);
                live++;
            }
            for (var n = live; n < desired; n++) StartInstance(revision);
        }
        else if (live > desired)
        {
            // Stop the ones that are not serving yet first, then the least busy.
            var victims = instances
                .Where(i => i.Phase is InstancePhase.Starting or InstancePhase.Ready)
                .OrderBy(i => i.Phase == InstancePhase.Ready ? 1 : 0)
                .ThenBy(i => i.InFlight)
                .Take(live - desired)
                .ToList();
            // Going to zero with frozen standby: the last ready instance is paused instead of removed.
            var freeze = desired == 0 && revision.Standby is null && WantsStandby(revision)
                ? victims.LastOrDefault(i => i.Phase == InstancePhase.Ready)
                : null;
            foreach (var victim in victims)
            {
                if (ReferenceEquals(victim, freeze)) FreezeInstance(revision, victim);
                else StopInstance(revision, victim);
            }
        }

        // At zero with nothing left: create (not start) the next container, so the next cold start skips the create.
        if (desired == 0 && instances.Length == 0 && revision.Precreated is null && !revision.Precreating && WantsPrecreated(revision))
        {
            revision.Precreating = true;
            Track(PrecreateAsync(revision));
        }

        if (revision.IsDeleted && instances.Length == 0)
        {
            registry.Remove(revision);
            revision.Fail(new RevisionFailure("RevisionDeleted", "the revision was deleted", now));
        }
    }

    private bool WantsPrecreated(RevisionState revision) =>
        _options.PrecreateAtZero && !revision.IsDeleted && revision.IsRouted && revision.Standby is null && !WantsStandby(revision);

    private async Task PrecreateAsync(RevisionState revision)
    {
        var created = await launcher.PrecreateAsync(revision, CancellationToken.None).ConfigureAwait(false);
        revision.Precreating = false;
        if (created is null) return;
        if (revision.Precreated is null && WantsPrecreated(revision)) revision.Precreated = created;
        else await launcher.RemovePrecreatedAsync(created, CancellationToken.None).ConfigureAwait(false);
        queue.Enqueue(revision.Key);
    }

    private void StartInstance(RevisionState revision)
    {
        // The pre-created container, when there is one: its start is all the engine has left to do.
        var precreated = revision.Precreated;
        revision.Precreated = null;
        var instance = precreated is null
            ? new InstanceState(ContainerSpecBuilder.NewInstanceName(revision.Key), revision)
            : new InstanceState(precreated.InstanceName, revision) { ContainerId = precreated.ContainerId };
        revision.Track(instance);
        LogStarting(revision.Key.ToString(), instance.Name);
        Say(revision, instance, $"instance {instance.Name} starting");
        Track(StartAsync(revision, instance));
    }

    private async Task StartAsync(RevisionState revision, InstanceState instance)
    {
        var result = await launcher.StartAsync(revision, instance, i => _byContainer[i.ContainerId!] = i, CancellationToken.None).ConfigureAwait(false);
        if (result.Ready && instance.Phase == InstancePhase.Starting)
        {
            revision.ConsecutiveFailures = 0;
            revision.AddReady(instance);
            Say(revision, instance, $"instance {instance.Name} ready");
            statusSink.RevisionReady(revision);
            WatchHealth(revision, instance);
        }
        else
        {
            if (result.Failure is { } failed) Say(revision, instance, $"instance {instance.Name} failed to start: {failed.Reason}: {ServiceActivity.FirstLine(failed.Message)}");
            await DiscardAsync(revision, instance).ConfigureAwait(false);
            if (result.Failure is { } failure) RecordFailure(revision, failure, failWaiters: true);
        }
        queue.Enqueue(revision.Key);
    }

    private void StopInstance(RevisionState revision, InstanceState instance)
    {
        LogStopping(revision.Key.ToString(), instance.Name, instance.InFlight);
        Say(revision, instance, $"instance {instance.Name} stopping");
        Track(StopAsync(revision, instance));
    }

    private async Task StopAsync(RevisionState revision, InstanceState instance)
    {
        await launcher.StopAsync(revision, instance, CancellationToken.None).ConfigureAwait(false);
        Say(revision, instance, $"instance {instance.Name} stopped");
        if (instance.ContainerId is { } id) _byContainer.TryRemove(id, out _);
        queue.Enqueue(revision.Key);
    }

    private bool WantsStandby(RevisionState revision) =>
        !revision.IsDeleted && revision.IsRouted && revision.WantsFrozenStandby(_options.Standby);

    private void FreezeInstance(RevisionState revision, InstanceState instance)
    {
        LogFreezing(revision.Key.ToString(), instance.Name);
        Say(revision, instance, $"instance {instance.Name} freezing (standby at zero)");
        Track(FreezeAsync(revision, instance));
    }

    private async Task FreezeAsync(RevisionState revision, InstanceState instance)
    {
        var standby = await launcher.FreezeAsync(revision, instance, CancellationToken.None).ConfigureAwait(false);
        if (instance.ContainerId is { } id) _byContainer.TryRemove(id, out _);
        if (standby is not null && revision.Standby is null && WantsStandby(revision))
        {
            revision.Standby = standby;
            Say(revision, instance, $"instance {instance.Name} frozen: kept paused at zero, a request unpauses it");
        }
        else
        {
            // It could not be paused, or it is no longer wanted (the revision changed while it drained): removed.
            if (standby is not null)
            {
                await launcher.RemoveStandbyAsync(revision, standby, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await launcher.RemoveContainerAsync(instance, CancellationToken.None).ConfigureAwait(false);
                instance.MarkGone();
                revision.Forget(instance);
            }
            Say(revision, instance, $"instance {instance.Name} stopped");
        }
        queue.Enqueue(revision.Key);
    }

    private void ThawInstance(RevisionState revision, FrozenStandby standby)
    {
        // Tracked at once (as starting), so the loop does not start another instance for the same demand.
        var instance = new InstanceState(standby.InstanceName, revision) { ContainerId = standby.ContainerId };
        instance.SetEndpoint(standby.HostPort);
        revision.Track(instance);
        Track(ThawAsync(revision, instance, standby));
    }

    private async Task ThawAsync(RevisionState revision, InstanceState instance, FrozenStandby standby)
    {
        var started = time.GetTimestamp();
        if (await launcher.ThawAsync(standby, CancellationToken.None).ConfigureAwait(false) && instance.Phase == InstancePhase.Starting)
        {
            _byContainer[standby.ContainerId] = instance;
            instance.ReadyAt = time.GetUtcNow();
            revision.AddReady(instance);
            var ms = time.GetElapsedTime(started).TotalMilliseconds;
            LogThawed(revision.Key.ToString(), instance.Name, ms);
            Say(revision, instance, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"instance {instance.Name} unpaused from frozen standby in {ms:0} ms"));
            statusSink.RevisionReady(revision);
            WatchHealth(revision, instance);
        }
        else
        {
            // Killed while paused, or the engine refused: a fresh instance takes its place.
            Say(revision, instance, $"frozen standby {instance.Name} could not be unpaused; starting a new instance");
            instance.MarkGone();
            revision.Forget(instance);
            await launcher.RemoveStandbyAsync(revision, standby, CancellationToken.None).ConfigureAwait(false);
        }
        queue.Enqueue(revision.Key);
    }

    private async Task DiscardAsync(RevisionState revision, InstanceState instance)
    {
        revision.RemoveReady(instance);
        instance.MarkGone();
        await launcher.RemoveContainerAsync(instance, CancellationToken.None).ConfigureAwait(false);
        if (instance.ContainerId is { } id) _byContainer.TryRemove(id, out _);
        revision.Forget(instance);
    }

    /// <summary>
    /// Backs off restarts exponentially. Waiting requests are failed at once when the revision cannot
    /// start; a crash of an instance that was serving fails them only when the restart fails too.
    /// </summary>
    private void RecordFailure(RevisionState revision, RevisionFailure failure, bool failWaiters)
    {
        revision.ConsecutiveFailures++;
        var exp = Math.Min(revision.ConsecutiveFailures - 1, 16);
        var backoff = TimeSpan.FromTicks(Math.Min(_options.RestartBackoffInitial.Ticks << exp, _options.RestartBackoffMax.Ticks));
        revision.RestartNotBefore = time.GetUtcNow() + backoff;
        if (revision.ReadyCount == 0)
        {
            if (failWaiters) revision.Fail(failure);
            statusSink.RevisionFailed(revision, failure);
        }
        // Come back when the backoff ends, not only at the next tick.
        Track(RequeueAfterAsync(revision.Key, backoff));
    }

    private async Task RequeueAfterAsync(RevisionKey key, TimeSpan delay)
    {
        await Task.Delay(delay, time).ConfigureAwait(false);
        queue.Enqueue(key);
    }

    /// <summary>A container stopped without being asked (crash, OOM, docker kill).</summary>
    public async Task OnContainerExitedAsync(string containerId, int? exitCode, bool oomKilled)
    {
        if (!_byContainer.TryGetValue(containerId, out var instance)) return;
        if (instance.Phase is not (InstancePhase.Ready)) return; // starting: the launcher reports it; draining: expected
        var revision = instance.Owner;
        var logs = "";
        try
        {
            logs = await runtime.GetLogTailAsync(containerId, 20, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logs = "(logs unavailable: " + e.Message + ")";
        }
        LogCrashed(revision.Key.ToString(), instance.Name, exitCode ?? -1);
        Say(revision, instance, $"instance {instance.Name} exited with code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}"
            + (oomKilled ? " (OOMKilled)" : "") + "; restarting");
        revision.CountRestart();
        await DiscardAsync(revision, instance).ConfigureAwait(false);
        var reason = exitCode is { } code ? $"ExitCode{code}" : "ContainerExited";
        var message = (oomKilled ? "Container was OOMKilled (memory limit reached)" : $"Container exited with code {exitCode}") + ". Last log lines:\n" + logs;
        RecordFailure(revision, new RevisionFailure(reason, message.TrimEnd(), time.GetUtcNow()), failWaiters: revision.ConsecutiveFailures >= 1);
        queue.Enqueue(revision.Key);
    }

    /// <summary>Registers an instance found running at start (adoption).</summary>
    public void Adopt(RevisionState revision, InstanceState instance)
    {
        revision.Track(instance);
        if (instance.ContainerId is { } id) _byContainer[id] = instance;
        revision.AddReady(instance);
        Say(revision, instance, $"instance {instance.Name} adopted");
        statusSink.RevisionReady(revision);
        WatchHealth(revision, instance);
    }

    /// <summary>A line for <c>kinlet logs</c> of the instance's service.</summary>
    private void Say(RevisionState revision, InstanceState instance, string text) => Say(revision, instance.Name, text);

    private void Say(RevisionState revision, string instanceName, string text) =>
        activity.Append(revision.Key.Namespace, revision.ServiceName, revision.Key.Name, instanceName, text);

    // Not tracked as work: these loops end when the instance stops, and containers outlive a daemon shutdown.
    private void WatchHealth(RevisionState revision, InstanceState instance) =>
        health.WatchAsync(revision, instance, OnLivenessFailedAsync).ContinueWith(
            static (t, state) => ((RevisionReconciler)state!).LogReconcileError("health", t.Exception!),
            this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Kubernetes restarts a container that fails liveness; here the instance is replaced and counted.</summary>
    private async Task OnLivenessFailedAsync(InstanceState instance, string detail)
    {
        var revision = instance.Owner;
        if (instance.Phase != InstancePhase.Ready) return;
        revision.CountRestart();
        LogReplacing(revision.Key.ToString(), instance.Name, detail);
        Say(revision, instance, $"instance {instance.Name} failed its liveness probe ({detail}); restarting");
        await DiscardAsync(revision, instance).ConfigureAwait(false);
        queue.Enqueue(revision.Key);
    }

    /// <summary>Instances this loop believes are running, by container id (for the periodic check against the engine).</summary>
    public IReadOnlyDictionary<string, InstanceState> TrackedContainers => _byContainer;

    private void Track(Task task)
    {
        _work.TryAdd(task, 0);
        task.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _), _work,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits (bounded) for starts and stops in progress, at daemon shutdown.</summary>
    public async Task DrainWorkAsync(TimeSpan bound)
    {
        var pending = _work.Keys.ToArray();
        if (pending.Length == 0) return;
        try
        {
            await Task.WhenAll(pending).WaitAsync(bound, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Starting instance {Instance} of {Revision}")]
    private partial void LogStarting(string revision, string instance);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Stopping instance {Instance} of {Revision} ({InFlight} requests in flight)")]
    private partial void LogStopping(string revision, string instance, int inFlight);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Instance {Instance} of {Revision} exited unexpectedly with code {ExitCode}")]
    private partial void LogCrashed(string revision, string instance, int exitCode);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Replacing instance {Instance} of {Revision}: {Detail}")]
    private partial void LogReplacing(string revision, string instance, string detail);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Freezing instance {Instance} of {Revision} (frozen standby at zero)")]
    private partial void LogFreezing(string revision, string instance);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Unpaused frozen standby {Instance} of {Revision} in {ElapsedMs:0.0} ms")]
    private partial void LogThawed(string revision, string instance, double elapsedMs);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Reconciling {Revision} failed")]
    private partial void LogReconcileError(string revision, Exception exception);
}
