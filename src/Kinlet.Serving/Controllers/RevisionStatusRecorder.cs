using Kinlet.Core.Events;
using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Revisions;
using Kinlet.Store;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// Writes what the reconciler learns about a revision (ready, failed, pulling) into its stored status, then
/// refreshes its service. The reconcile loop only posts: the store work runs on the write loop.
/// </summary>
public sealed class RevisionStatusRecorder(
    IResourceStore store,
    ServingWriteLoop writes,
    ServiceStatusRefresher refresher,
    TimeProvider time,
    IPlatformEvents? events = null) : IRevisionStatusSink
{
    private readonly IPlatformEvents _events = events ?? NoPlatformEvents.Instance;

    public void RevisionReady(RevisionState revision)
    {
        var now = time.GetUtcNow();
        Update(revision, status =>
        {
            status.Conditions.Set(ConditionTypes.ResourcesAvailable, ConditionStatus.True, null, null, now);
            status.Conditions.Set(ConditionTypes.ContainerHealthy, ConditionStatus.True, null, null, now);
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.True, null, null, now);
        });
    }

    public void RevisionFailed(RevisionState revision, RevisionFailure failure)
    {
        var now = time.GetUtcNow();
        Update(revision, status =>
        {
            var type = failure.Reason is "ContainerMissing" or "ProgressDeadlineExceeded" or "EngineUnavailable"
                ? ConditionTypes.ResourcesAvailable
                : ConditionTypes.ContainerHealthy;
            status.Conditions.Set(type, ConditionStatus.False, failure.Reason, failure.Message, now);
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.False, failure.Reason, failure.Message, now);
        });
    }

    public void RevisionProgress(RevisionState revision, string message)
    {
        var now = time.GetUtcNow();
        Update(revision, status =>
        {
            // Only while it is still deploying: progress never overrides a verdict.
            if (status.Conditions.Get(ConditionTypes.Ready)?.Status is ConditionStatus.True or ConditionStatus.False) return;
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.Unknown, "Deploying", message, now);
        });
    }

    private void Update(RevisionState state, Action<RevisionStatus> change) =>
        writes.Post(() => Apply(state.Key, change), "the status of " + state.Key);

    /// <summary>Applies one change on the write loop (public for tests that drive it directly).</summary>
    public void Apply(RevisionKey key, Action<RevisionStatus> change)
    {
        var revision = store.Get<Revision>(Kinds.Revision, key.Namespace, key.Name);
        if (revision is null) return;
        revision.Status ??= new RevisionStatus();
        var before = CanonicalJson.Of(revision.Status.Conditions);
        var readyBefore = revision.Status.Conditions.Get(ConditionTypes.Ready)?.Status;
        change(revision.Status);
        if (CanonicalJson.Of(revision.Status.Conditions) == before) return;
        if (revision.Status.Conditions.Get(ConditionTypes.Ready) is { } ready && ready.Status != readyBefore && ready.Status != ConditionStatus.Unknown)
            _events.Emit(new PlatformEvent(ready.Status == ConditionStatus.True ? "dev.kinlet.revision.ready" : "dev.kinlet.revision.failed",
                key.Namespace, "revision", key.Name, new Dictionary<string, object?>
                {
                    ["service"] = revision.Metadata.Label(KnownKeys.ServiceLabel),
                    ["reason"] = ready.Reason,
                    ["message"] = ready.Message,
                }));
        revision.Status.ObservedGeneration = revision.Metadata.Generation;
        store.Put(Kinds.Revision, key.Namespace, key.Name, revision);
        if (revision.Metadata.Label(KnownKeys.ServiceLabel) is { } service) refresher.Refresh(key.Namespace, service);
    }
}
