using System.Globalization;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Output;

/// <summary>Rows shared by several verbs: traffic targets, conditions, readiness cells.</summary>
internal static class ResourceTables
{
    public static TableView Traffic(IEnumerable<TrafficTarget>? targets)
    {
        var table = new TableView("PERCENT", "REVISION", "TAG", "URL");
        foreach (var t in targets ?? [])
            table.Add(Percent(t.Percent), RevisionCell(t), t.Tag, t.Url);
        return table;
    }

    /// <summary><c>@latest (echo-00002)</c> for a latestRevision target, as kn shows it.</summary>
    public static string RevisionCell(TrafficTarget t) =>
        t.LatestRevision == true
            ? t.RevisionName is { Length: > 0 } r ? $"@latest ({r})" : "@latest"
            : t.RevisionName ?? "";

    public static TableView Conditions(IEnumerable<Condition>? conditions, DateTimeOffset now)
    {
        var table = new TableView("TYPE", "STATUS", "AGE", "REASON", "MESSAGE");
        foreach (var c in conditions ?? [])
            table.Add(c.Type, c.Status, Age.Format(c.LastTransitionTime, now), c.Reason, FirstLine(c.Message));
        return table;
    }

    public static string ReadyStatus(List<Condition>? conditions) =>
        conditions.Get(ConditionTypes.Ready)?.Status ?? ConditionStatus.Unknown;

    /// <summary>The reason is worth a column only while the resource is not Ready.</summary>
    public static string ReadyReason(List<Condition>? conditions) =>
        conditions.Get(ConditionTypes.Ready) is { Status: not ConditionStatus.True } c ? c.Reason ?? "" : "";

    public static string Percent(long? percent) =>
        percent is { } p ? p.ToString(CultureInfo.InvariantCulture) + "%" : "";

    public static string Instances(int? actual, int? desired) =>
        $"{(actual is { } a ? a.ToString(CultureInfo.InvariantCulture) : "-")}/{(desired is { } d ? d.ToString(CultureInfo.InvariantCulture) : "-")}";

    /// <summary>"2/3" ready/desired, with "+1 starting" while instances come up.</summary>
    public static string Instances(Core.Model.RevisionStatus? status) =>
        Instances(status?.ActualReplicas, status?.DesiredReplicas)
        + (status?.StartingReplicas is > 0 and var s ? $" (+{s.ToString(CultureInfo.InvariantCulture)} starting)" : "");

    /// <summary>What the autoscaler is doing: "panic", its reason, and when the last instance goes without traffic.</summary>
    public static string Scaling(Core.Model.RevisionStatus? status, DateTimeOffset now)
    {
        if (status is null) return "";
        var parts = new List<string>(3);
        if (status.Panicking == true) parts.Add("PANIC");
        if (!string.IsNullOrEmpty(status.ScaleReason) && status.ScaleReason != "panic") parts.Add(status.ScaleReason);
        if (ScaleToZero(status, now) is { } zero) parts.Add("zero " + zero);
        return string.Join(", ", parts);
    }

    /// <summary>"at 19:40:12 (in 8s)" in local time, or null when the revision is not heading to zero.</summary>
    public static string? ScaleToZero(Core.Model.RevisionStatus? status, DateTimeOffset now)
    {
        if (status?.ScaleToZeroAt is not { } at) return null;
        var left = at - now;
        var seconds = left <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(left.TotalSeconds);
        return $"at {at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} (in {seconds.ToString(CultureInfo.InvariantCulture)}s)";
    }

    public static string FirstLine(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var line = text.Split('\n', 2)[0].TrimEnd();
        return text.Contains('\n', StringComparison.Ordinal) ? line + " …" : line;
    }

    /// <summary>Env as <c>KEY=value</c>; references (secrets, config maps) by name only, never a value.</summary>
    public static string? Env(IEnumerable<EnvVar>? env)
    {
        if (env is null) return null;
        var parts = env.Select(e => e.ValueFrom switch
        {
            { SecretKeyRef: { } s } => $"{e.Name}=<secret {s.Name}:{s.Key}>",
            { ConfigMapKeyRef: { } m } => $"{e.Name}=<configmap {m.Name}:{m.Key}>",
            _ => $"{e.Name}={e.Value}",
        }).ToList();
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary><c>envFrom</c> as <c>configmap:NAME</c> / <c>secret:NAME</c> (with <c>PREFIX*</c> and "optional" when set).</summary>
    public static string? EnvFrom(IEnumerable<EnvFromSource>? envFrom)
    {
        if (envFrom is null) return null;
        var parts = envFrom.Select(e =>
        {
            var (kind, reference) = e.SecretRef is { } s ? ("secret", s) : ("configmap", e.ConfigMapRef);
            var text = $"{kind}:{reference?.Name}";
            if (!string.IsNullOrEmpty(e.Prefix)) text += $" (prefix {e.Prefix})";
            if (reference?.Optional == true) text += " (optional)";
            return text;
        }).ToList();
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>Per revision: its share of the service's traffic and its tags, from <c>status.traffic</c>.</summary>
    public static (Dictionary<string, long> Percent, Dictionary<string, List<string>> Tags) TrafficByRevision(IEnumerable<Core.Model.Service> services)
    {
        var percent = new Dictionary<string, long>(StringComparer.Ordinal);
        var tags = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var s in services)
            foreach (var t in s.Status?.Traffic ?? [])
            {
                if (t.RevisionName is not { Length: > 0 } rev) continue;
                percent[rev] = percent.GetValueOrDefault(rev) + (t.Percent ?? 0);
                if (t.Tag is { Length: > 0 } tag)
                {
                    if (!tags.TryGetValue(rev, out var list)) tags[rev] = list = [];
                    list.Add(tag);
                }
            }
        return (percent, tags);
    }
}
