using Kinlet.Core.Events;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Revisions;
using Kinlet.Store;
using static Kinlet.Serving.Controllers.ServiceDocuments;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// The reconciler's verdicts on a revision (ready, failed, progress) written to its stored conditions;
/// a change refreshes the owning service.
/// </summary>
public sealed class RevisionStatusRecorder(IResourceStore store, ServiceWriteGate gate, ServiceStatusRefresher refresher,
    TimeProvider time, IPlatformEvents events) : IRevisionStatusSink
{
    public void RevisionReady(RevisionState revision) =>
        Update(revision, status =>
        {
            var now = time.GetUtcNow();
            status.Conditions.Set(ConditionTypes.ResourcesAvailable, ConditionStatus.True, null, null, now);
            status.Conditions.Set(ConditionTypes.ContainerHealthy, ConditionStatus.True, null, null, now);
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.True, null, null, now);
        });

    public void RevisionFailed(RevisionState revision, RevisionFailure failure) =>
        Update(revision, status =>
        {
            var now = time.GetUtcNow();
            var type = failure.Reason is "ContainerMissing" or "ProgressDeadlineExceeded" or "EngineUnavailable"
                ? ConditionTypes.ResourcesAvailable
                : ConditionTypes.ContainerHealthy;
            status.Conditions.Set(type, ConditionStatus.False, failure.Reason, failure.Message, now);
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.False, failure.Reason, failure.Message, now);
        });

    public void RevisionProgress(RevisionState revision, string message) =>
        Update(revision, status =>
        {
            // Only while it is still deploying: progress never overrides a verdict.
            if (status.Conditions.Get(ConditionTypes.Ready)?.Status is ConditionStatus.True or ConditionStatus.False) return;
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.Unknown, "Deploying", message, time.GetUtcNow());
        });

    private void Update(RevisionState state, Action<RevisionStatus> change)
    {
        lock (gate.Lock)
        {
            var revision = store.Get<Revision>(Kinds.Revision, state.Key.Namespace, state.Key.Name);
            if (revision is null) return;
            revision.Status ??= new RevisionStatus();
            var before = Canonical(revision.Status.Conditions);
            var readyBefore = revision.Status.Conditions.Get(ConditionTypes.Ready)?.Status;
            change(revision.Status);
            if (Canonical(revision.Status.Conditions) == before) return;
            if (revision.Status.Conditions.Get(ConditionTypes.Ready) is { } ready && ready.Status != readyBefore && ready.Status != ConditionStatus.Unknown)
                events.Emit(new PlatformEvent(ready.Status == ConditionStatus.True ? "dev.kinlet.revision.ready" : "dev.kinlet.revision.failed",
                    state.Key.Namespace, "revision", state.Key.Name, new Dictionary<string, object?>
                    {
                        ["service"] = revision.Metadata.Label(KnownKeys.ServiceLabel),
                        ["reason"] = ready.Reason,
                        ["message"] = ready.Message,
                    }));
            revision.Status.ObservedGeneration = revision.Metadata.Generation;
            store.Put(Kinds.Revision, state.Key.Namespace, state.Key.Name, revision);
            if (revision.Metadata.Label(KnownKeys.ServiceLabel) is { } service)
                refresher.Refresh(state.Key.Namespace, service, publish: true);
        }
    }
}
