using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Autoscaler;

/// <summary>How many instances a revision should have now. The reconciler asks; the policy (the KPA) decides.</summary>
public interface IScalePolicy
{
    int DesiredScale(RevisionState revision, DateTimeOffset now);
}
