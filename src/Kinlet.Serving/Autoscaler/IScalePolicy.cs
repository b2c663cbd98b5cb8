using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Autoscaler;

/// <summary>How many instances a revision should have now. The reconciler asks; the policy decides.</summary>
public interface IScalePolicy
{
    int DesiredScale(RevisionState revision, DateTimeOffset now);
}

/// <summary>
/// One instance for every revision that takes traffic or is the newest of its configuration (it must
/// become ready before traffic can move to it); none for the rest. The KPA autoscaler replaces this.
/// </summary>
public sealed class FixedScalePolicy : IScalePolicy
{
    public int DesiredScale(RevisionState revision, DateTimeOffset now) =>
        revision.IsDeleted ? 0 : revision.IsRouted || revision.IsLatestCreated ? 1 : 0;
}
