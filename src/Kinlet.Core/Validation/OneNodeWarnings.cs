using Kinlet.Core.Model;

namespace Kinlet.Core.Validation;

/// <summary>
/// Scheduling fields a manifest written for a cluster carries: accepted and kept (so an export gives them back),
/// ignored on one node, and said so in a warning rather than silently.
/// </summary>
public static class OneNodeWarnings
{
    public static IReadOnlyList<string> For(RevisionSpec? spec, string path)
    {
        if (spec is null) return [];
        List<string>? warnings = null;
        void Add(string field) =>
            (warnings ??= []).Add($"{path}.{field}: accepted and ignored (Kinlet runs every instance on this one node)");
        if (spec.NodeSelector is { Count: > 0 }) Add("nodeSelector");
        if (spec.Tolerations is { Count: > 0 }) Add("tolerations");
        if (spec.Affinity is { Count: > 0 }) Add("affinity");
        return warnings ?? (IReadOnlyList<string>)[];
    }
}
