using System.Diagnostics;
using Kinlet.Core.Model;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Logging;

namespace Kinlet.Serving.Reconciler;

// Carrying out the planner's steps: the loop changes its books at once and hands the container work
// to InstanceWork, whose outcome comes back as a message.
public sealed partial class RevisionReconciler
{
    private void CarryOut(RevisionBook book, PlanStep step, InstanceRecord? record)
    {
        switch (step.Action)
        {
            case PlanAction.Start:
                Start(book, step.UsePrecreated);
                break;
            case PlanAction.Thaw:
                Thaw(book);
                break;
            case PlanAction.Stop:
                Stop(book, record!);
                break;
            case PlanAction.Freeze:
                Freeze(book, record!);
                break;
            case PlanAction.RemoveStandby:
                var standby = book.Standby!;
                book.Standby = null;
                Say(book.Revision, standby.InstanceName, $"frozen standby {standby.InstanceName} removed");
                RemoveInBackground(book.Revision, standby.InstanceName, standby.ContainerId, standby: true, report: null, standby.SidecarList);
                break;
            case PlanAction.RemovePrecreated:
                RemovePrecreatedInBackground(book.Precreated!);
                book.Precreated = null;
                break;
            case PlanAction.Precreate:
                book.Precreating = true;
                var revision = book.Revision;
                work.Run(async () => new Precreated(revision.Key, await launcher.PrecreateAsync(revision, CancellationToken.None).ConfigureAwait(false)),
                    _ => new Precreated(revision.Key, null));
                break;
        }
    }

    private void Start(RevisionBook book, bool usePrecreated)
    {
        var revision = book.Revision;
        // The pre-created container, when there is one: its start is all the engine has left to do.
        var precreated = usePrecreated ? book.Precreated : null;
        if (precreated is not null) book.Precreated = null;
        var instance = new InstanceState(precreated?.InstanceName ?? ContainerSpecBuilder.NewInstanceName(revision.Key), revision);
        var record = new InstanceRecord(instance, InstanceOrigin.Started) { ContainerId = precreated?.ContainerId };
        book.Instances.Add(record);
        LogStarting(revision.Key.ToString(), instance.Name);
        Say(revision, instance.Name, $"instance {instance.Name} starting");
        var precreatedId = precreated?.ContainerId;
        work.Run(async () => new InstanceStarted(instance,
                await launcher.StartAsync(revision, instance.Name, precreatedId, null, instance.Stopping).ConfigureAwait(false)),
            e => new InstanceStarted(instance, new StartResult(precreatedId, 0, false,
                new RevisionFailure("InstanceStartFailed", e.Message, time.GetUtcNow()), false)));
    }

    private void Thaw(RevisionBook book)
    {
        var revision = book.Revision;
        var standby = book.Standby!;
        book.Standby = null;
        // Tracked at once (as starting), so the next pass does not start another instance for the same demand.
        var instance = new InstanceState(standby.InstanceName, revision) { ContainerId = standby.ContainerId };
        instance.SetEndpoint(standby.HostPort);
        book.Instances.Add(new InstanceRecord(instance, InstanceOrigin.Thawed) { ContainerId = standby.ContainerId, Sidecars = standby.SidecarList });
        work.Run(async () =>
        {
            var started = time.GetTimestamp();
            var resumed = await launcher.ThawAsync(standby, CancellationToken.None).ConfigureAwait(false);
            return new InstanceThawed(instance, resumed, time.GetElapsedTime(started).TotalMilliseconds);
        }, _ => new InstanceThawed(instance, false, 0));
    }

    /// <summary>Out of the balancer now; the drain and the removal run in the background. A start in progress is cancelled.</summary>
    private void Stop(RevisionBook book, InstanceRecord record)
    {
        var revision = book.Revision;
        var instance = record.Instance;
        var wasStarting = record.Stage == InstanceStage.Starting;
        record.Stage = InstanceStage.Stopping;
        LogStopping(revision.Key.ToString(), instance.Name, instance.InFlight);
        Say(revision, instance.Name, $"instance {instance.Name} stopping");
        revision.RemoveReady(instance);
        var drained = instance.BeginDrain();
        if (wasStarting)
        {
            // BeginDrain cancelled the start; its result (cancelled) removes the container.
            record.SayStopped = true;
            return;
        }
        var container = ContainerRef.For(revision, instance.Name, record.ContainerId!, record.Sidecars);
        work.Run(async () =>
        {
            await launcher.StopAsync(revision, container, drained, CancellationToken.None).ConfigureAwait(false);
            return new InstanceStopped(instance);
        }, _ => new InstanceStopped(instance));
    }

    /// <summary>Going to zero with frozen standby: drained like a stop, then paused instead of removed.</summary>
    private void Freeze(RevisionBook book, InstanceRecord record)
    {
        var revision = book.Revision;
        var instance = record.Instance;
        record.Stage = InstanceStage.Stopping;
        LogFreezing(revision.Key.ToString(), instance.Name);
        Say(revision, instance.Name, $"instance {instance.Name} freezing (standby at zero)");
        revision.RemoveReady(instance);
        var drained = instance.BeginDrain();
        var container = ContainerRef.For(revision, instance.Name, record.ContainerId!, record.Sidecars);
        var port = instance.HostPort;
        work.Run(async () => new InstanceFrozen(instance,
                await launcher.FreezeAsync(revision, container, port, drained, CancellationToken.None).ConfigureAwait(false)),
            _ => new InstanceFrozen(instance, null));
    }

    /// <summary>Out of the balancer and gone at once; the record stays (ending) until its container is removed.</summary>
    private void Discard(RevisionBook book, InstanceRecord record)
    {
        var instance = record.Instance;
        book.Revision.RemoveReady(instance);
        instance.MarkGone();
        Untrack(record);
        record.Stage = InstanceStage.Ending;
        if (record.ContainerId is { } id) RemoveInBackground(book.Revision, instance.Name, id, standby: false, report: instance, record.Sidecars);
        else
        {
            // Sidecars without a serving container cannot happen (they are created after it); init containers remove themselves.
            book.Remove(record);
            if (record.SayStopped) Say(book.Revision, instance.Name, $"instance {instance.Name} stopped");
        }
    }

    /// <summary>Removes a container in the background; <paramref name="report"/>'s removal comes back as <see cref="InstanceRemoved"/>.</summary>
    private void RemoveInBackground(RevisionState revision, string instanceName, string containerId, bool standby, InstanceState? report,
        IReadOnlyList<SidecarContainer>? sidecars = null)
    {
        var container = ContainerRef.For(revision, instanceName, containerId, sidecars);
        work.Run(async () =>
        {
            if (standby) await launcher.RemoveStandbyAsync(container, CancellationToken.None).ConfigureAwait(false);
            else await launcher.RemoveContainerAsync(container, CancellationToken.None).ConfigureAwait(false);
            return report is null ? null : new InstanceRemoved(report);
        }, _ => report is null ? null : new InstanceRemoved(report));
    }

    /// <summary>Removes a pre-created container nobody will start; nothing reports back.</summary>
    private void RemovePrecreatedInBackground(PrecreatedContainer container) =>
        work.Run(async () =>
        {
            await launcher.RemovePrecreatedAsync(container, CancellationToken.None).ConfigureAwait(false);
            return null;
        });

    /// <summary>
    /// Backs off restarts exponentially. Waiting requests are failed at once when the revision cannot start;
    /// the planner schedules the look after the backoff.
    /// </summary>
    private void RecordFailure(RevisionBook book, RevisionFailure failure, bool failWaiters)
    {
        var revision = book.Revision;
        book.BackOff(time.GetUtcNow(), _options.RestartBackoffInitial, _options.RestartBackoffMax);
        if (revision.ReadyCount == 0)
        {
            if (failWaiters) revision.Fail(failure);
            statusSink.RevisionFailed(revision, failure);
        }
    }

    // Not tracked as work: these loops end when the instance stops, and containers outlive a daemon shutdown.
    private void WatchHealth(RevisionState revision, InstanceState instance, string containerId) =>
        health.WatchAsync(revision, instance, containerId).ContinueWith(
            static (t, state) => ((RevisionReconciler)state!).LogReconcileError("health", t.Exception!),
            this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
