using Kinlet.Core.Model;

namespace Kinlet.Core.Serving;

/// <summary>
/// Which of a revision's containers serves: the only one, or (with several) the one that declares <c>ports</c>,
/// as Knative's multi-container feature requires. The others are sidecars.
/// </summary>
public static class PodLayout
{
    public static int ServingIndex(RevisionSpec spec)
    {
        var containers = spec.Containers;
        if (containers is null || containers.Count <= 1) return 0;
        for (var i = 0; i < containers.Count; i++)
            if (containers[i]?.Ports is { Count: > 0 }) return i;
        return 0;
    }

    public static Container? Serving(RevisionSpec spec) =>
        spec.Containers is { Count: > 0 } c ? c[ServingIndex(spec)] : null;

    /// <summary>True when an instance is more than one container (sidecars or init containers).</summary>
    public static bool IsMultiContainer(RevisionSpec spec) =>
        spec.Containers is { Count: > 1 } || spec.InitContainers is { Count: > 0 };
}
