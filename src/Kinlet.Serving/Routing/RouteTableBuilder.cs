using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Routing;

/// <summary>
/// Builds the router's table one service at a time: a status refresh replaces only that service's entries
/// and publishes a new immutable table (swapped whole); nothing is read from the store. Called on the write loop only.
/// </summary>
public sealed class RouteTableBuilder(Router router, RevisionRegistry registry, IOptions<ServingOptions> options)
{
    private readonly string _domain = options.Value.Domain;
    private readonly Dictionary<(string Ns, string Name), ServiceRoutes> _byService = [];
    private bool _dirty = true;

    /// <summary>Replaces the service's hosts from its freshly computed status; publishes unless <paramref name="publish"/> is false.</summary>
    public void Update(string ns, string name, ServiceStatusBuilder.Result result, bool publish = true, IReadOnlyList<Revision>? revisions = null)
    {
        _byService[(ns, name)] = new ServiceRoutes(Entries(ns, name, result), result, revisions ?? []);
        _dirty = true;
        if (publish) Publish();
    }

    /// <summary>A VirtualService or DestinationRule changed: the next <see cref="Publish"/> compiles the policies again.</summary>
    public void Invalidate() => _dirty = true;

    public void Remove(string ns, string name)
    {
        if (!_byService.Remove((ns, name))) return;
        _dirty = true;
        Publish();
    }

    /// <summary>
    /// The table goes to the router, merged from the services' entries in memory (a host two services
    /// claim stays with the first).
    /// </summary>
    public void Publish()
    {
        if (!_dirty) return;
        _dirty = false;
        var table = new Dictionary<string, RouteEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in _byService.Values)
            foreach (var (host, entry) in service.Entries)
                table.TryAdd(host, entry);
        router.Publish(new RouteTable(table, _domain));
    }

    private KeyValuePair<string, RouteEntry>[] Entries(string ns, string name, ServiceStatusBuilder.Result result)
    {
        var entries = new List<KeyValuePair<string, RouteEntry>>();

        RouteEntry Entry(string? tag, IEnumerable<(string Revision, int Percent)> targets)
        {
            var list = new List<RouteTarget>();
            var cumulative = 0;
            foreach (var (rev, pct) in targets)
            {
                if (registry.Find(ns, rev) is not { } state) continue;
                cumulative += pct;
                list.Add(new RouteTarget(state, pct, cumulative));
            }
            return new RouteEntry(ns, name, tag, [.. list], list.Count == 0 ? $"service \"{name}\" has no revision to serve it" : null);
        }

        // In the default namespace the namespaced host (<name>.default.<domain>) works too.
        var main = Entry(null, result.MainTargets);
        entries.Add(new(TrafficPlanner.ServiceHost(name, ns, _domain), main));
        if (ns == KnativeApi.DefaultNamespace) entries.Add(new($"{name}.{ns}.{_domain}", main));
        foreach (var (tag, rev) in result.TagTargets)
        {
            var tagged = Entry(tag, [(rev, 100)]);
            entries.Add(new(TrafficPlanner.TagHost(tag, name, ns, _domain), tagged));
            if (ns == KnativeApi.DefaultNamespace) entries.Add(new($"{tag}-{name}.{ns}.{_domain}", tagged));
        }
        return [.. entries];
    }

    /// <summary>One service's host entries, with what they were built from (the policy compiler reads the tags and revisions).</summary>
    private sealed record ServiceRoutes(KeyValuePair<string, RouteEntry>[] Entries, ServiceStatusBuilder.Result Result, IReadOnlyList<Revision> Revisions);
}
