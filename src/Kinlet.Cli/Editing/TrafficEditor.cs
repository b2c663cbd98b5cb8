using System.Globalization;
using System.Text.RegularExpressions;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Editing;

/// <summary>The traffic flags of <c>service update</c>, as given.</summary>
internal sealed record TrafficEdits(IReadOnlyList<string> Traffic, IReadOnlyList<string> Tags, IReadOnlyList<string> Untags)
{
    public static readonly TrafficEdits None = new([], [], []);
    public bool Any => Traffic.Count > 0 || Tags.Count > 0 || Untags.Count > 0;
}

/// <summary>
/// kn's traffic semantics, applied to <c>spec.traffic</c>: untag first, then tag (a tag attaches to an
/// untagged target of that revision, else a new 0% target), then <c>--traffic</c> sets the named
/// targets and zeroes the rest, and untagged 0% targets are dropped. Pure and table-tested.
/// </summary>
internal static partial class TrafficEditor
{
    public const string Latest = "@latest";

    /// <param name="current">The service's <c>spec.traffic</c>; null means all traffic to the latest revision.</param>
    /// <param name="knownRevisions">The service's revisions, so a typo fails here instead of at the daemon.</param>
    public static List<TrafficTarget> Compute(IReadOnlyList<TrafficTarget>? current, TrafficEdits edits,
        IReadOnlyCollection<string> knownRevisions, string serviceName)
    {
        var percents = ParsePercents(edits.Traffic);
        var tags = ParseTags(edits.Tags);

        var targets = current is { Count: > 0 }
            ? current.Select(Copy).ToList()
            : [new TrafficTarget { LatestRevision = true, Percent = 100 }];

        var missing = edits.Untags.Where(tag => targets.Find(t => t.Tag == tag) is null).Distinct().ToList();
        if (missing.Count > 0)
            throw CliException.Usage($"--untag: {Quote(missing)} {(missing.Count == 1 ? "is" : "are")} not a tag of service {serviceName}");
        foreach (var tag in edits.Untags)
            targets.Find(t => t.Tag == tag)!.Tag = null;

        foreach (var (revision, tag) in tags)
            ApplyTag(targets, revision, tag, knownRevisions, serviceName);

        if (percents.Count > 0)
        {
            foreach (var t in targets) t.Percent = 0;
            foreach (var (reference, percent) in percents)
                SetPercent(targets, reference, percent, knownRevisions, serviceName);
        }

        targets.RemoveAll(t => (t.Percent ?? 0) == 0 && string.IsNullOrEmpty(t.Tag));
        return targets;
    }

    private static void ApplyTag(List<TrafficTarget> targets, string revision, string tag, IReadOnlyCollection<string> known, string service)
    {
        var isLatest = revision == Latest;
        bool Refers(TrafficTarget t) => isLatest ? t.LatestRevision == true : t.LatestRevision != true && t.RevisionName == revision;

        var holder = targets.Find(t => t.Tag == tag);
        if (holder is not null)
        {
            if (Refers(holder)) return; // already there: nothing to do
            throw CliException.Usage($"--tag: tag '{tag}' is already on {Describe(holder)}; remove it first with --untag {tag}");
        }
        if (!isLatest) RequireRevision(targets, revision, known, service, "--tag");

        var untagged = targets.Find(t => Refers(t) && string.IsNullOrEmpty(t.Tag));
        if (untagged is not null)
        {
            untagged.Tag = tag;
            return;
        }
        targets.Add(isLatest
            ? new TrafficTarget { Tag = tag, LatestRevision = true, Percent = 0 }
            : new TrafficTarget { Tag = tag, RevisionName = revision, LatestRevision = false, Percent = 0 });
    }

    private static void SetPercent(List<TrafficTarget> targets, string reference, int percent, IReadOnlyCollection<string> known, string service)
    {
        if (reference == Latest)
        {
            var latest = targets.Find(t => t.LatestRevision == true && string.IsNullOrEmpty(t.Tag))
                         ?? targets.Find(t => t.LatestRevision == true);
            if (latest is not null) latest.Percent = percent;
            else targets.Add(new TrafficTarget { LatestRevision = true, Percent = percent });
            return;
        }
        // A tag names one target exactly; kn looks at tags before revision names for the same reason.
        var tagged = targets.Find(t => t.Tag == reference);
        if (tagged is not null)
        {
            tagged.Percent = percent;
            return;
        }
        var byRevision = targets.Find(t => t.LatestRevision != true && t.RevisionName == reference && string.IsNullOrEmpty(t.Tag))
                         ?? targets.Find(t => t.LatestRevision != true && t.RevisionName == reference);
        if (byRevision is not null)
        {
            byRevision.Percent = percent;
            return;
        }
        RequireRevision(targets, reference, known, service, "--traffic");
        targets.Add(new TrafficTarget { RevisionName = reference, LatestRevision = false, Percent = percent });
    }

    private static void RequireRevision(List<TrafficTarget> targets, string revision, IReadOnlyCollection<string> known, string service, string flag)
    {
        if (known.Contains(revision) || targets.Exists(t => t.RevisionName == revision)) return;
        throw CliException.Usage($"{flag}: revision '{revision}' does not exist for service {service}"
            + (known.Count > 0 ? $" (it has {string.Join(", ", known.Order(StringComparer.Ordinal))})" : ""));
    }

    private static List<(string Reference, int Percent)> ParsePercents(IReadOnlyList<string> values)
    {
        var result = new List<(string, int)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sum = 0;
        foreach (var raw in values)
        {
            var (reference, text) = Split(raw, "--traffic", "REVISION=PERCENT (or @latest=PERCENT)");
            if (!int.TryParse(text.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var percent) || percent > 100)
                throw CliException.Usage($"--traffic: '{text}' in '{raw}' must be a whole percent from 0 to 100");
            if (!seen.Add(reference))
                throw CliException.Usage($"--traffic: '{reference}' is given more than once");
            sum += percent;
            result.Add((reference, percent));
        }
        if (result.Count > 0 && sum != 100)
            throw CliException.Usage($"--traffic: the percents sum to {sum}; they must sum to 100");
        return result;
    }

    private static List<(string Revision, string Tag)> ParseTags(IReadOnlyList<string> values)
    {
        var result = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in values)
        {
            var (revision, tag) = Split(raw, "--tag", "REVISION=TAG (or @latest=TAG)");
            if (!TagPattern().IsMatch(tag))
                throw CliException.Usage($"--tag: '{tag}' must be lowercase letters, digits and '-', starting with a letter (it becomes part of a host name)");
            if (!seen.Add(tag)) throw CliException.Usage($"--tag: tag '{tag}' is given more than once");
            result.Add((revision, tag));
        }
        return result;
    }

    private static (string Left, string Right) Split(string raw, string flag, string shape)
    {
        var eq = raw.LastIndexOf('=');
        if (eq <= 0 || eq == raw.Length - 1) throw CliException.Usage($"{flag}: '{raw}' must be {shape}");
        return (raw[..eq], raw[(eq + 1)..]);
    }

    private static TrafficTarget Copy(TrafficTarget t) => new()
    {
        Tag = string.IsNullOrEmpty(t.Tag) ? null : t.Tag,
        RevisionName = t.RevisionName,
        ConfigurationName = t.ConfigurationName,
        LatestRevision = t.LatestRevision,
        Percent = t.Percent,
        // Url is status-only; it never goes back into spec.
    };

    private static string Describe(TrafficTarget t) => t.LatestRevision == true ? "@latest" : $"revision {t.RevisionName}";

    private static string Quote(IEnumerable<string> tags) => string.Join(", ", tags.Select(t => $"'{t}'"));

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex TagPattern();
}
