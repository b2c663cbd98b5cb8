namespace Kinlet.Serving.RevisionGc;

/// <summary>One revision as the collector sees it.</summary>
public sealed record GcCandidate(
    string Name,
    DateTimeOffset Created,
    /// <summary>When traffic last pointed at it (null: never, or not recorded).</summary>
    DateTimeOffset? LastActive,
    bool Routed,
    /// <summary>The latest created or latest ready revision of its service.</summary>
    bool Latest,
    /// <summary>Annotated <c>serving.knative.dev/no-gc: "true"</c>.</summary>
    bool NoGc);

/// <summary>
/// Knative's revision garbage collection for one service, pure: which revisions to delete now. A
/// routed, latest or no-gc revision is never collected and does not count. Of the rest, the
/// <c>MinNonActiveRevisions</c> most recently active stay; older ones go when both stale (created before
/// the create window and not active within the active window) or beyond <c>MaxNonActiveRevisions</c>.
/// </summary>
public static class RevisionGcPolicy
{
    public static IReadOnlyList<string> Select(IEnumerable<GcCandidate> revisions, DateTimeOffset now, RevisionGcOptions options)
    {
        var nonActive = revisions
            .Where(r => !r.Routed && !r.Latest && !r.NoGc)
            .OrderByDescending(r => r.LastActive ?? r.Created)
            .ThenByDescending(r => r.Created)
            .ThenByDescending(r => r.Name, StringComparer.Ordinal)
            .ToList();
        var min = Math.Max(0, options.MinNonActiveRevisions);
        var max = options.MaxNonActiveRevisions > 0 ? Math.Max(options.MaxNonActiveRevisions, min) : int.MaxValue;
        var delete = new List<string>();
        for (var i = min; i < nonActive.Count; i++)
        {
            var r = nonActive[i];
            var stale = r.Created < now - options.RetainSinceCreateTime
                && (r.LastActive ?? r.Created) < now - options.RetainSinceLastActiveTime;
            if (stale || i >= max) delete.Add(r.Name);
        }
        return delete;
    }
}
