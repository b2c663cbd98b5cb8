using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Routing;

/// <summary>
/// Keeps each service's host entries and publishes the whole table as one immutable snapshot, so
/// the data plane reads it without locks. A service's change rebuilds only that service's entries.
/// </summary>
public sealed class RouteTableBuilder(RevisionRegistry registry, Router router, ServingOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Ns, string Name), KeyValuePair<string, RouteEntry>[]> _routes = new();

    /// <summary>Replaces the service's entries; publishes when asked (start-up publishes once at the end).</summary>
    public void Set(string ns, string name, ServiceStatusBuilder.Result result, bool publish)
    {
        var entries = BuildEntries(ns, name, result);
        lock (_gate)
        {
            _routes[(ns, name)] = entries;
            if (publish) PublishLocked();
        }
    }

    public void Remove(string ns, string name)
    {
        lock (_gate)
        {
            _routes.Remove((ns, name));
            PublishLocked();
        }
    }

    public void Publish()
    {
        lock (_gate) PublishLocked();
    }

    private KeyValuePair<string, RouteEntry>[] BuildEntries(string ns, string name, ServiceStatusBuilder.Result result)
    {
        var domain = options.Domain;
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
        entries.Add(new(TrafficPlanner.ServiceHost(name, ns, domain), main));
        if (ns == KnativeApi.DefaultNamespace) entries.Add(new($"{name}.{ns}.{domain}", main));
        foreach (var (tag, rev) in result.TagTargets)
        {
            var tagged = Entry(tag, [(rev, 100)]);
            entries.Add(new(TrafficPlanner.TagHost(tag, name, ns, domain), tagged));
            if (ns == KnativeApi.DefaultNamespace) entries.Add(new($"{tag}-{name}.{ns}.{domain}", tagged));
        }
        return [.. entries];
    }

    // In-memory only: the snapshot is built from the per-service entries, never from the store.
    private void PublishLocked()
    {
        var table = new Dictionary<string, RouteEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entries in _routes.Values)
            foreach (var (host, entry) in entries)
                table.TryAdd(host, entry);
        router.Publish(new RouteTable(table, options.Domain));
    }
}
