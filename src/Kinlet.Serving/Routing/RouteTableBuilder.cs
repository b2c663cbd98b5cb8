using System.Collections.Frozen;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.TrafficPolicy;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Routing;

/// <summary>
/// Builds the router's table one service at a time: a status refresh replaces only that service's entries
/// and publishes a new immutable table (swapped whole); nothing is read from the store. Called on the write loop only.
/// </summary>
public sealed class RouteTableBuilder(Router router, RevisionRegistry registry, IOptions<ServingOptions> options,
    TrafficPolicyBook? policies = null, PolicyCompiler? compiler = null)
{
    private readonly RevisionRegistry _registry = registry;
    private readonly PolicyCompiler _compiler = compiler ?? new PolicyCompiler(new RuleStatsBook());
    private readonly string _domain = options.Value.Domain;
    private readonly Dictionary<(string Ns, string Name), ServiceRoutes> _byService = [];
    private bool _dirty = true;

    /// <summary>Replaces the service's hosts from its freshly computed status; publishes unless <paramref name="publish"/> is false.</summary>
    public void Update(string ns, string name, ServiceStatusBuilder.Result result, bool publish = true, IReadOnlyList<Revision>? revisions = null)
    {
        var entries = Entries(ns, name, result);
        var main = entries[0].Value;
        var tags = entries.Where(e => e.Value.Tag is not null).DistinctBy(e => e.Value.Tag).ToFrozenDictionary(e => e.Value.Tag!, e => e.Value, StringComparer.Ordinal);
        _byService[(ns, name)] = new ServiceRoutes(entries, main, tags, result, revisions ?? []);
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
        var inputs = new PolicyInputs(this, policies?.Snapshot ?? PolicySnapshot.Empty);
        foreach (var ((ns, name), service) in _byService)
        {
            // Compiled once per publish per target, shared by the target's host aliases.
            var compiled = new Dictionary<string, CompiledPolicy?>(StringComparer.Ordinal);
            foreach (var (host, entry) in service.Entries)
            {
                var key = entry.Tag ?? "";
                if (!compiled.TryGetValue(key, out var policy))
                    compiled[key] = policy = inputs.PolicyFor(new HostTarget(ns, name, entry.Tag), service);
                table.TryAdd(host, policy is null ? entry : entry.WithPolicy(policy));
            }
        }
        router.Publish(new RouteTable(table, _domain));
    }

    /// <summary>The services as this builder holds them, and the rules by the target their host resolves to (oldest rule wins a host).</summary>
    private sealed class PolicyInputs : IPolicyInputs
    {
        private readonly RouteTableBuilder _owner;
        private readonly Dictionary<HostTarget, VirtualService> _virtualServices = [];
        private readonly Dictionary<HostTarget, DestinationRule> _destinationRules = [];

        public PolicyInputs(RouteTableBuilder owner, PolicySnapshot snapshot)
        {
            _owner = owner;
            foreach (var vs in snapshot.VirtualServices)
                foreach (var host in vs.Spec.Hosts ?? [])
                    if (Resolve(host, vs.Metadata.Namespace!) is { } t) _virtualServices.TryAdd(t, vs);
            foreach (var dr in snapshot.DestinationRules)
                if (dr.Spec.Host is { } host && Resolve(host, dr.Metadata.Namespace!) is { } t) _destinationRules.TryAdd(t, dr);
        }

        /// <summary>
        /// A policy for the host when it has a VirtualService or a DestinationRule, or (main hosts) tags for Knative's
        /// tag-header routing; null otherwise, so the request takes the plain path.
        /// </summary>
        public CompiledPolicy? PolicyFor(HostTarget target, ServiceRoutes service)
        {
            var vs = _virtualServices.GetValueOrDefault(target);
            var hasRule = _destinationRules.ContainsKey(target) || (target.Tag is not null && _destinationRules.ContainsKey(target with { Tag = null }));
            if (vs is null && !hasRule && (target.Tag is not null || service.Tags.Count == 0)) return null;
            return _owner._compiler.Compile(target, vs, this);
        }

        public HostTarget? Resolve(string host, string @namespace) =>
            PolicyHosts.Resolve(host, @namespace, _owner._domain, TagsOf);

        private IReadOnlyCollection<string>? TagsOf(string ns, string name) =>
            _owner._byService.TryGetValue((ns, name), out var s) ? s.Tags.Keys : null;

        public RouteEntry? Entry(HostTarget target) =>
            !_owner._byService.TryGetValue((target.Namespace, target.Service), out var s) ? null
            : target.Tag is null ? s.Main : s.Tags.GetValueOrDefault(target.Tag);

        public FrozenDictionary<string, RouteEntry> Tags(string @namespace, string service) =>
            _owner._byService.TryGetValue((@namespace, service), out var s) ? s.Tags : FrozenDictionary<string, RouteEntry>.Empty;

        public DestinationRule? RuleFor(HostTarget target) => _destinationRules.GetValueOrDefault(target);

        public IReadOnlyList<Revision> Revisions(string @namespace, string service) =>
            _owner._byService.TryGetValue((@namespace, service), out var s) ? s.Revisions : [];

        public IReadOnlyList<(string Tag, string Revision)> TagTargets(string @namespace, string service) =>
            _owner._byService.TryGetValue((@namespace, service), out var s) ? s.Result.TagTargets : [];

        public RevisionState? Revision(string @namespace, string name) => _owner._registry.Find(@namespace, name);
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
                if (_registry.Find(ns, rev) is not { } state) continue;
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
    private sealed record ServiceRoutes(KeyValuePair<string, RouteEntry>[] Entries, RouteEntry Main, FrozenDictionary<string, RouteEntry> Tags,
        ServiceStatusBuilder.Result Result, IReadOnlyList<Revision> Revisions);
}
