using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Reconciler;

/// <summary>Where the reconciler reports what it learned about a revision (the service controller writes it to status).</summary>
public interface IRevisionStatusSink
{
    void RevisionReady(RevisionState revision);

    void RevisionFailed(RevisionState revision, RevisionFailure failure);

    /// <summary>What a revision that is not ready yet is doing (e.g. pulling its image).</summary>
    void RevisionProgress(RevisionState revision, string message);
}
