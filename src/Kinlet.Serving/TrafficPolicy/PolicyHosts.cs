using Kinlet.Core.Model;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>What an Istio host names once resolved: a service's main hosts (<see cref="Tag"/> null) or one of its tag hosts.</summary>
public readonly record struct HostTarget(string Namespace, string Service, string? Tag)
{
    public override string ToString() => Tag is null ? $"{Namespace}/{Service}" : $"{Namespace}/{Service} (tag {Tag})";
}

/// <summary>
/// The names a cluster user gives a Kinlet service in <c>hosts</c> and <c>destination.host</c>: <c>web</c> (the
/// resource's namespace), <c>web.default</c>, <c>web.default.svc</c>, <c>web.default.svc.cluster.local</c>, the
/// external <c>web.localhost</c> / <c>web.ns.localhost</c> (the daemon's domain), and tag hosts <c>canary-web…</c>
/// in any of those forms. Pure: the known services and their tags come in.
/// </summary>
public static class PolicyHosts
{
    private const string ClusterSuffix = ".svc.cluster.local";
    private const string SvcSuffix = ".svc";

    /// <summary>The (namespace, name) a host spells, before knowing whether name is a service or tag-service; null when it is no Kinlet host.</summary>
    public static (string Namespace, string Name)? Parse(string host, string defaultNamespace, string domain)
    {
        var h = host.Trim().TrimEnd('.').ToLowerInvariant();
        if (h.EndsWith(ClusterSuffix, StringComparison.Ordinal)) h = h[..^ClusterSuffix.Length];
        else if (h.EndsWith(SvcSuffix, StringComparison.Ordinal)) h = h[..^SvcSuffix.Length];
        else if (h.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
        {
            h = h[..^(domain.Length + 1)];
            // An external host without a namespace is in the default namespace, as the router reads it.
            if (!h.Contains('.', StringComparison.Ordinal)) return (KnativeApi.DefaultNamespace, h);
        }
        var parts = h.Split('.');
        return parts.Length switch
        {
            1 when parts[0].Length > 0 => (defaultNamespace, parts[0]),
            2 when parts[0].Length > 0 && parts[1].Length > 0 => (parts[1], parts[0]),
            _ => null,
        };
    }

    /// <summary>
    /// Resolves against the services that exist: a service of that name wins; else <c>TAG-SERVICE</c> where SERVICE has
    /// the tag. Null when nothing matches (accepted with a warning: Istio accepts hosts that name no service yet).
    /// </summary>
    public static HostTarget? Resolve(string host, string defaultNamespace, string domain, Func<string, string, IReadOnlyCollection<string>?> tagsOf)
    {
        if (Parse(host, defaultNamespace, domain) is not var (ns, name)) return null;
        if (tagsOf(ns, name) is not null) return new HostTarget(ns, name, null);
        for (var dash = name.IndexOf('-', StringComparison.Ordinal); dash > 0 && dash < name.Length - 1; dash = name.IndexOf('-', dash + 1))
        {
            var tag = name[..dash];
            var service = name[(dash + 1)..];
            if (tagsOf(ns, service) is { } tags && tags.Contains(tag)) return new HostTarget(ns, service, tag);
        }
        return null;
    }
}
