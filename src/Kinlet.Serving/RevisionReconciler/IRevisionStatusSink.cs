using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.RevisionReconciler;

/// <summary>Where the reconciler reports what it learned about a revision (the service controller writes it to status).</summary>
public interface IRevisionStatusSink
{
    void RevisionReady(RevisionState revision);

    void RevisionFailed(RevisionState revision, RevisionFailure failure);
}
