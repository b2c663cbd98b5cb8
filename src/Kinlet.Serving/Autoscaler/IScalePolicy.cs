using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Autoscaler;

/// <summary>How many instances a revision should have now. The reconciler asks; the policy (the KPA) decides.</summary>
public interface IScalePolicy
{
    int DesiredScale(RevisionState revision, DateTimeOffset now);

    /// <summary>The last decision for the revision (null before the first): for status and describe.</summary>
    ScaleDecision? Current(RevisionState revision);
}
