using System.Globalization;
using Kinlet.Core.Model;
using Kinlet.Serving.Logs;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Reconciler;

// Applying each message to the loop's books: the only place lifecycle state changes.
public sealed partial class RevisionReconciler
{
    private void Handle(ReconcileMessage message)
    {
        switch (message)
        {
            case Poke poke:
                if (registry.Find(poke.Revision) is { } poked) BookFor(poked);
                break;
            case Resync:
                foreach (var revision in registry.All) BookFor(revision);
                break;
            case InstanceStarted started:
                OnStarted(started);
                break;
            case InstanceStopped stopped:
                OnStopped(stopped.Instance);
                break;
            case InstanceFrozen frozen:
                OnFrozen(frozen);
                break;
            case InstanceThawed thawed:
                OnThawed(thawed);
                break;
            case InstanceCrashed crashed:
                OnCrashed(crashed);
                break;
            case InstanceRemoved removed:
                OnRemoved(removed.Instance);
                break;
            case Precreated precreated:
                OnPrecreated(precreated);
                break;
            case ContainerExited exited:
                OnContainerExited(exited);
                break;
            case LivenessFailed liveness:
                OnLivenessFailed(liveness);
                break;
            case ReadinessChanged readiness:
                OnReadinessChanged(readiness);
                break;
            case InstanceAdopted adopted:
                OnAdopted(adopted);
                break;
            case StandbyAdopted standby:
                OnStandbyAdopted(standby);
                break;
        }
    }

    private (RevisionBook Book, InstanceRecord Record)? Find(InstanceState instance)
    {
        if (BookFor(instance.Owner) is not { } book || book.Find(instance) is not { } record) return null;
        return (book, record);
    }

    private void OnStarted(InstanceStarted message)
    {
        var instance = message.Instance;
        var result = message.Result;
        if (Find(instance) is not var (book, record))
        {
            // Not tracked any more (cannot normally happen): its container must not leak.
            if (result.ContainerId is { } stray) RemoveInBackground(instance.Owner, instance.Name, stray, standby: false, report: null, result.SidecarList);
            return;
        }
        var revision = book.Revision;
        if (result.ContainerId is { } id) record.ContainerId = id;
        record.Sidecars = result.SidecarList;
        if (result.Ready && record.Stage == InstanceStage.Starting)
        {
            instance.ContainerId = result.ContainerId;
            instance.SetEndpoint(result.HostPort);
            instance.ReadyAt = time.GetUtcNow();
            record.Stage = InstanceStage.Ready;
            Track(book, record, result.ContainerId!);
            book.ConsecutiveFailures = 0;
            revision.AddReady(instance);
            if (result.InitMs is { } initMs)
            {
                book.LastInitMs = initMs;
                Say(revision, instance.Name, string.Create(CultureInfo.InvariantCulture, $"instance {instance.Name}: init containers completed in {initMs:0} ms"));
            }
            Say(revision, instance.Name, $"instance {instance.Name} ready");
            statusSink.RevisionReady(revision);
            WatchHealth(revision, instance, result.ContainerId!);
            return;
        }
        var failure = result.Failure;
        // Kubernetes' name for an init container that keeps failing: the first failure is Init:Error, the ones after it back off.
        if (failure is { Reason: "Init:Error" } && book.ConsecutiveFailures >= 1) failure = failure with { Reason = "Init:CrashLoopBackOff" };
        if (failure is { } failed)
            Say(revision, instance.Name, $"instance {instance.Name} failed to start: {failed.Reason}: {ServiceActivity.FirstLine(failed.Message)}");
        Discard(book, record);
        if (failure is not null) RecordFailure(book, failure, failWaiters: true);
    }

    private void OnStopped(InstanceState instance)
    {
        if (Find(instance) is not var (book, record)) return;
        instance.MarkGone();
        Untrack(record);
        book.Remove(record);
        Say(book.Revision, instance.Name, $"instance {instance.Name} stopped");
    }

    private void OnFrozen(InstanceFrozen message)
    {
        var instance = message.Instance;
        if (Find(instance) is not var (book, record)) return;
        var revision = book.Revision;
        instance.MarkGone();
        Untrack(record);
        if (message.Standby is { } standby && book.Standby is null && RevisionPlanner.WantsStandby(InputFor(book, time.GetUtcNow())))
        {
            book.Standby = standby;
            book.Remove(record);
            Say(revision, instance.Name, $"instance {instance.Name} frozen: kept paused at zero, a request unpauses it");
            return;
        }
        // It could not be paused, or it is no longer wanted (the revision changed while it drained): removed.
        record.Stage = InstanceStage.Ending;
        record.SayStopped = true;
        if (record.ContainerId is { } id) RemoveInBackground(revision, instance.Name, id, standby: message.Standby is not null, report: instance, record.Sidecars);
        else book.Remove(record);
    }

    private void OnThawed(InstanceThawed message)
    {
        var instance = message.Instance;
        if (Find(instance) is not var (book, record)) return;
        var revision = book.Revision;
        if (message.Resumed && record.Stage == InstanceStage.Starting)
        {
            record.Stage = InstanceStage.Ready;
            Track(book, record, record.ContainerId!);
            instance.ReadyAt = time.GetUtcNow();
            revision.AddReady(instance);
            LogThawed(revision.Key.ToString(), instance.Name, message.ElapsedMs);
            Say(revision, instance.Name, string.Create(CultureInfo.InvariantCulture,
                $"instance {instance.Name} unpaused from frozen standby in {message.ElapsedMs:0} ms"));
            statusSink.RevisionReady(revision);
            WatchHealth(revision, instance, record.ContainerId!);
            return;
        }
        // Killed while paused, or the engine refused (or it was stopped meanwhile): a fresh instance takes its place.
        if (!message.Resumed) Say(revision, instance.Name, $"frozen standby {instance.Name} could not be unpaused; starting a new instance");
        instance.MarkGone();
        record.Stage = InstanceStage.Ending;
        RemoveInBackground(revision, instance.Name, record.ContainerId!, standby: !message.Resumed, report: instance, record.Sidecars);
    }

    private void OnCrashed(InstanceCrashed message)
    {
        if (Find(message.Instance) is not var (book, record)) return;
        book.Remove(record);
        var revision = book.Revision;
        if (revision.ReadyCount == 0)
        {
            if (message.FailWaiters) revision.Fail(message.Failure);
            statusSink.RevisionFailed(revision, message.Failure);
        }
    }

    private void OnRemoved(InstanceState instance)
    {
        if (Find(instance) is not var (book, record)) return;
        book.Remove(record);
        if (record.SayStopped) Say(book.Revision, instance.Name, $"instance {instance.Name} stopped");
    }

    private void OnPrecreated(Precreated message)
    {
        if (registry.Find(message.Revision) is not { } revision || BookFor(revision) is not { } book)
        {
            if (message.Container is { } orphan) RemovePrecreatedInBackground(orphan);
            return;
        }
        book.Precreating = false;
        if (message.Container is not { } created) return;
        if (book.Precreated is null && book.Instances.Count == 0 && RevisionPlanner.WantsPrecreated(InputFor(book, time.GetUtcNow()), book.Standby is not null))
        {
            book.Precreated = created;
            return;
        }
        RemovePrecreatedInBackground(created);
    }

    /// <summary>A container stopped without being asked (crash, OOM, docker kill).</summary>
    private void OnContainerExited(ContainerExited message)
    {
        if (!_byContainer.TryGetValue(message.ContainerId, out var entry)) return;
        var (book, record) = entry;
        if (record.Stage != InstanceStage.Ready) return; // starting: the launcher reports it; draining: expected
        var revision = book.Revision;
        var instance = record.Instance;
        var exitCode = message.ExitCode;
        // A sidecar that ends takes its instance with it (the pod restarts as a whole here).
        var sidecar = record.SidecarName(message.ContainerId);
        var who = sidecar is null ? $"instance {instance.Name}" : $"sidecar {sidecar} of instance {instance.Name}";
        LogCrashed(revision.Key.ToString(), sidecar is null ? instance.Name : instance.Name + "/" + sidecar, exitCode ?? -1);
        Say(revision, instance.Name, $"{who} exited with code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"}"
            + (message.OomKilled ? " (OOMKilled)" : "") + "; restarting");
        book.Restarts++;
        Untrack(record);
        revision.RemoveReady(instance);
        instance.MarkGone();
        record.Stage = InstanceStage.Ending;
        // A crash of an instance that was serving fails waiting requests only when the restart fails too.
        var failWaiters = book.ConsecutiveFailures >= 1;
        book.BackOff(time.GetUtcNow(), _options.RestartBackoffInitial, _options.RestartBackoffMax);
        var containerId = message.ContainerId;
        var container = ContainerRef.For(revision, instance.Name, record.ContainerId!, record.Sidecars);
        work.Run(async () =>
        {
            string logs;
            try
            {
                logs = await runtime.GetLogTailAsync(containerId, 20, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logs = "(logs unavailable: " + e.Message + ")";
            }
            await launcher.RemoveContainerAsync(container, CancellationToken.None).ConfigureAwait(false);
            var reason = exitCode is { } code ? $"ExitCode{code}" : "ContainerExited";
            var subject = sidecar is null ? "Container" : $"Sidecar container \"{sidecar}\"";
            var text = (message.OomKilled ? $"{subject} was OOMKilled (memory limit reached)" : $"{subject} exited with code {exitCode}") + ". Last log lines:\n" + logs;
            return new InstanceCrashed(instance, new RevisionFailure(reason, text.TrimEnd(), time.GetUtcNow()), failWaiters);
        }, _ => new InstanceRemoved(instance));
    }

    /// <summary>Kubernetes restarts a container that fails liveness; here the instance is replaced and counted.</summary>
    private void OnLivenessFailed(LivenessFailed message)
    {
        if (Find(message.Instance) is not var (book, record) || record.Stage != InstanceStage.Ready) return;
        var revision = book.Revision;
        var instance = message.Instance;
        book.Restarts++;
        LogReplacing(revision.Key.ToString(), instance.Name, message.Detail);
        Say(revision, instance.Name, $"instance {instance.Name} failed its liveness probe ({message.Detail}); restarting");
        Discard(book, record);
    }

    private void OnReadinessChanged(ReadinessChanged message)
    {
        if (Find(message.Instance) is not var (book, record) || record.Stage != InstanceStage.Ready) return;
        if (message.Ready) book.Revision.ReturnToBalancer(message.Instance);
        else book.Revision.RemoveReady(message.Instance);
    }

    /// <summary>An instance found running at daemon start joins as ready.</summary>
    private void OnAdopted(InstanceAdopted message)
    {
        if (BookFor(message.Revision) is not { } book) return;
        var revision = book.Revision;
        var instance = new InstanceState(message.InstanceName, revision) { ContainerId = message.ContainerId, Adopted = true };
        instance.SetEndpoint(message.HostPort);
        var record = new InstanceRecord(instance, InstanceOrigin.Adopted) { Stage = InstanceStage.Ready, Sidecars = message.Sidecars ?? [] };
        book.Instances.Add(record);
        Track(book, record, message.ContainerId);
        revision.AddReady(instance);
        Say(revision, instance.Name, $"instance {instance.Name} adopted");
        statusSink.RevisionReady(revision);
        WatchHealth(revision, instance, message.ContainerId);
    }

    private void OnStandbyAdopted(StandbyAdopted message)
    {
        if (BookFor(message.Revision) is { Standby: null } book)
        {
            book.Standby = message.Standby;
            return;
        }
        RemoveInBackground(message.Revision, message.Standby.InstanceName, message.Standby.ContainerId, standby: true, report: null, message.Standby.SidecarList);
    }
}
