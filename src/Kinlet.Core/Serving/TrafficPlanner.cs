using System.Globalization;
using Kinlet.Core.Model;

namespace Kinlet.Core.Serving;

/// <summary>One traffic target with its revision resolved.</summary>
/// <param name="RevisionName">The revision that gets the traffic; null while a latest-revision target has no ready revision.</param>
/// <param name="Percent">Share of the service's untagged traffic, 0..100.</param>
/// <param name="Tag">The tag, whose host <c>&lt;tag&gt;-&lt;service&gt;</c> reaches this revision alone.</param>
/// <param name="LatestRevision">True when the target follows the latest ready revision.</param>
/// <param name="Url">The tag's URL; null for untagged targets.</param>
public sealed record PlannedTarget(string? RevisionName, long Percent, string? Tag, bool LatestRevision, string? Url);

/// <summary>What a service's traffic resolves to right now.</summary>
public sealed class TrafficPlan
{
    /// <summary>The targets in spec order, each resolved.</summary>
    public required IReadOnlyList<PlannedTarget> Targets { get; init; }

    /// <summary>True when every target has a revision (Knative's AllTrafficAssigned); until then keep routing as before.</summary>
    public required bool AllTrafficAssigned { get; init; }

    /// <summary>Why traffic is not all assigned, for the RoutesReady condition; null when it is.</summary>
    public string? Message { get; init; }

    /// <summary>The latest created revision when latest-revision targets wait for it to become ready; null otherwise.</summary>
    public string? PendingRevision { get; init; }

    /// <summary>Percent per resolved revision (targets naming one revision add up); only revisions with a share.</summary>
    public required IReadOnlyDictionary<string, long> Weights { get; init; }

    /// <summary>Every revision a target names, even at 0 % or by tag only: these must keep (or be able to start) instances.</summary>
    public required IReadOnlySet<string> RoutedRevisions { get; init; }

    /// <summary>Tag → revision, for resolved tagged targets.</summary>
    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    /// <summary><c>status.traffic</c>: one entry per target, with <c>url</c> on tagged ones.</summary>
    public List<TrafficTarget> StatusTraffic() =>
        Targets.Select(t => new TrafficTarget
        {
            Tag = t.Tag,
            RevisionName = t.RevisionName,
            LatestRevision = t.LatestRevision,
            Percent = t.Percent,
            Url = t.Url,
        }).ToList();
}

/// <summary>Resolves a service's <c>spec.traffic</c> against its revisions, and builds its URLs. Pure.</summary>
public static class TrafficPlanner
{
    /// <summary>Knative's default route: all traffic to the latest ready revision (a fresh list each time: targets are mutable).</summary>
    public static IReadOnlyList<TrafficTarget> DefaultTraffic => [new TrafficTarget { LatestRevision = true, Percent = 100 }];

    public static TrafficPlan Plan(Service service, string? latestReadyRevision, string? latestCreatedRevision, string domain, int port)
    {
        ArgumentNullException.ThrowIfNull(service);
        return Plan(service.Metadata?.Name ?? "", service.Metadata?.Namespace, service.Spec?.Traffic,
            latestReadyRevision, latestCreatedRevision, domain, port);
    }

    /// <summary>
    /// Resolves <paramref name="traffic"/> (null or empty: <see cref="DefaultTraffic"/>). A target without a
    /// revisionName follows <paramref name="latestReadyRevision"/>; a new revision gets that traffic only once ready.
    /// The input is assumed valid (<see cref="Validation.TrafficValidator"/>).
    /// </summary>
    public static TrafficPlan Plan(string serviceName, string? @namespace, IReadOnlyList<TrafficTarget?>? traffic,
        string? latestReadyRevision, string? latestCreatedRevision, string domain, int port)
    {
        var spec = traffic is { Count: > 0 } ? traffic : DefaultTraffic;
        var latestReady = string.IsNullOrEmpty(latestReadyRevision) ? null : latestReadyRevision;
        var targets = new List<PlannedTarget>(spec.Count);
        var weights = new Dictionary<string, long>(StringComparer.Ordinal);
        var routed = new HashSet<string>(StringComparer.Ordinal);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var followsLatest = false;

        foreach (var t in spec)
        {
            if (t is null) continue;
            var latest = string.IsNullOrEmpty(t.RevisionName);
            followsLatest |= latest;
            var revision = latest ? latestReady : t.RevisionName;
            var percent = t.Percent ?? 0;
            var tag = string.IsNullOrEmpty(t.Tag) ? null : t.Tag;
            targets.Add(new PlannedTarget(revision, percent, tag, latest,
                tag is null ? null : TagUrl(tag, serviceName, @namespace, domain, port)));
            if (revision is null) continue;
            routed.Add(revision);
            if (percent > 0) weights[revision] = weights.GetValueOrDefault(revision) + percent;
            if (tag is not null) tags.TryAdd(tag, revision);
        }

        var assigned = targets.TrueForAll(t => t.RevisionName is not null);
        var latestCreated = string.IsNullOrEmpty(latestCreatedRevision) ? null : latestCreatedRevision;
        var pending = followsLatest && latestCreated is not null && latestCreated != latestReady ? latestCreated : null;
        string? message = null;
        if (!assigned)
            message = latestCreated is null
                ? $"Configuration \"{serviceName}\" has no revision yet."
                : $"Configuration \"{serviceName}\" does not have any ready Revision (\"{latestCreated}\" is not ready).";

        return new TrafficPlan
        {
            Targets = targets,
            AllTrafficAssigned = assigned,
            Message = message,
            PendingRevision = pending,
            Weights = weights,
            RoutedRevisions = routed,
            Tags = tags,
        };
    }

    /// <summary>The service's host: <c>&lt;name&gt;.&lt;domain&gt;</c> in namespace "default", else <c>&lt;name&gt;.&lt;namespace&gt;.&lt;domain&gt;</c>.</summary>
    public static string ServiceHost(string name, string? @namespace, string domain) =>
        string.IsNullOrEmpty(@namespace) || @namespace == KnativeApi.DefaultNamespace
            ? $"{name}.{domain}"
            : $"{name}.{@namespace}.{domain}";

    /// <summary>A tag's host: <c>&lt;tag&gt;-&lt;name&gt;</c> in place of the service name.</summary>
    public static string TagHost(string tag, string name, string? @namespace, string domain) =>
        ServiceHost($"{tag}-{name}", @namespace, domain);

    /// <summary><c>http://&lt;host&gt;:&lt;port&gt;</c>, with <c>:80</c> left out.</summary>
    public static string ServiceUrl(string name, string? @namespace, string domain, int port) =>
        Url(ServiceHost(name, @namespace, domain), port);

    public static string TagUrl(string tag, string name, string? @namespace, string domain, int port) =>
        Url(TagHost(tag, name, @namespace, domain), port);

    private static string Url(string host, int port) =>
        port == 80 ? "http://" + host : string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}");
}
