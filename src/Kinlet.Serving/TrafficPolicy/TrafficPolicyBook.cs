using Kinlet.Core.Model;
using Kinlet.Store;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>
/// The VirtualServices and DestinationRules as stored, kept in memory so the route table is compiled without a
/// store read. Written on the serving write loop only (by <see cref="TrafficPolicyController"/>); readers take a snapshot.
/// </summary>
public sealed class TrafficPolicyBook
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Ns, string Name), VirtualService> _virtualServices = [];
    private readonly Dictionary<(string Ns, string Name), DestinationRule> _destinationRules = [];
    private PolicySnapshot _snapshot = PolicySnapshot.Empty;

    public TrafficPolicyBook(IResourceStore store, IOptions<ServingOptions> options)
    {
        Domain = options.Value.Domain;
        foreach (var vs in store.List<VirtualService>(Kinds.VirtualService, null)) _virtualServices[(vs.Metadata.Namespace!, vs.Metadata.Name!)] = vs;
        foreach (var dr in store.List<DestinationRule>(Kinds.DestinationRule, null)) _destinationRules[(dr.Metadata.Namespace!, dr.Metadata.Name!)] = dr;
        Rebuild();
    }

    public string Domain { get; }

    public PolicySnapshot Snapshot => Volatile.Read(ref _snapshot);

    public void Set(VirtualService vs) => Change(() => _virtualServices[(vs.Metadata.Namespace!, vs.Metadata.Name!)] = vs);

    public void Set(DestinationRule dr) => Change(() => _destinationRules[(dr.Metadata.Namespace!, dr.Metadata.Name!)] = dr);

    public void RemoveVirtualService(string ns, string name) => Change(() => _virtualServices.Remove((ns, name)));

    public void RemoveDestinationRule(string ns, string name) => Change(() => _destinationRules.Remove((ns, name)));

    private void Change(Action change)
    {
        lock (_gate)
        {
            change();
            Rebuild();
        }
    }

    private void Rebuild() => Volatile.Write(ref _snapshot, new PolicySnapshot(
        [.. _virtualServices.Values.OrderBy(v => v.Metadata.CreationTimestamp).ThenBy(v => v.Metadata.Namespace, StringComparer.Ordinal).ThenBy(v => v.Metadata.Name, StringComparer.Ordinal)],
        [.. _destinationRules.Values.OrderBy(v => v.Metadata.CreationTimestamp).ThenBy(v => v.Metadata.Namespace, StringComparer.Ordinal).ThenBy(v => v.Metadata.Name, StringComparer.Ordinal)]));

    /// <summary>
    /// The revisions of a service that its DestinationRules' subsets select: they count as routed (they may scale from
    /// zero and revision GC keeps them) although the service's own traffic does not name them.
    /// </summary>
    public IReadOnlySet<string> SubsetRevisions(string ns, string service, IReadOnlyList<Revision> revisions, IReadOnlyList<(string Tag, string Revision)> tags)
    {
        var snapshot = Snapshot;
        if (snapshot.DestinationRules.Length == 0) return EmptySet;
        HashSet<string>? selected = null;
        foreach (var dr in snapshot.DestinationRules)
        {
            if (dr.Spec.Subsets is not { Count: > 0 } subsets || dr.Spec.Host is not { } host) continue;
            if (PolicyHosts.Parse(host, dr.Metadata.Namespace!, Domain) is not var (hns, hname) || hns != ns) continue;
            if (hname != service && !IsTagHost(hname, service, tags)) continue;
            foreach (var subset in subsets)
                if (subset.Labels is { Count: > 0 } labels && SubsetSelector.Select(labels, revisions, tags) is { } name)
                    (selected ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
        }
        return selected ?? EmptySet;
    }

    private static bool IsTagHost(string host, string service, IReadOnlyList<(string Tag, string Revision)> tags)
    {
        foreach (var (tag, _) in tags)
            if (host.Length == tag.Length + 1 + service.Length && host.StartsWith(tag, StringComparison.Ordinal)
                && host[tag.Length] == '-' && host.EndsWith(service, StringComparison.Ordinal)) return true;
        return false;
    }

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();
}

/// <summary>Every VirtualService and DestinationRule, oldest first (the oldest wins a host two of them claim).</summary>
public sealed record PolicySnapshot(VirtualService[] VirtualServices, DestinationRule[] DestinationRules)
{
    public static readonly PolicySnapshot Empty = new([], []);
}
