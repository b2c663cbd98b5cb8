using System.Globalization;
using Kinlet.Core.Model;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>
/// Which revision a DestinationRule subset names. Its labels are matched against each revision's labels, where every
/// revision also carries <c>serving.knative.dev/revision: NAME</c> (as its pods do in Knative) and Kinlet's
/// <c>serving.knative.dev/tag: TAG</c> for every tag routed to it. When several revisions match (labels copied from
/// the template stay the same across revisions), the newest wins: a subset names one revision at a time.
/// </summary>
public static class SubsetSelector
{
    public static string? Select(IReadOnlyDictionary<string, string> labels, IReadOnlyList<Revision> revisions, IReadOnlyList<(string Tag, string Revision)> tags)
    {
        Revision? best = null;
        foreach (var revision in revisions)
        {
            if (!Matches(labels, revision, tags)) continue;
            if (best is null || Generation(revision) > Generation(best)) best = revision;
        }
        return best?.Metadata.Name;
    }

    public static bool Matches(IReadOnlyDictionary<string, string> labels, Revision revision, IReadOnlyList<(string Tag, string Revision)> tags)
    {
        var name = revision.Metadata.Name;
        foreach (var (key, value) in labels)
        {
            var ok = key switch
            {
                KnownKeys.RevisionLabel => value == name,
                KnownKeys.TagLabel => HasTag(tags, value, name),
                _ => revision.Metadata.Label(key) == value,
            };
            if (!ok) return false;
        }
        return true;
    }

    private static bool HasTag(IReadOnlyList<(string Tag, string Revision)> tags, string tag, string? revision)
    {
        foreach (var (t, r) in tags)
            if (t == tag && r == revision) return true;
        return false;
    }

    private static long Generation(Revision r) =>
        long.TryParse(r.Metadata.Label(KnownKeys.ConfigurationGenerationLabel), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;
}
