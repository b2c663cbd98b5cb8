using System.Collections.Frozen;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Routing;

/// <summary>One revision behind a host, with its share of the traffic.</summary>
public readonly record struct RouteTarget(RevisionState Revision, int Percent, int CumulativePercent);

/// <summary>What a host routes to: a service's traffic split, or one tagged revision.</summary>
public sealed class RouteEntry
{
    public RouteEntry(string @namespace, string service, string? tag, RouteTarget[] targets, string? unavailableReason,
        TrafficPolicy.CompiledPolicy? policy = null)
    {
        Policy = policy;
        Namespace = @namespace;
        Service = service;
        Tag = tag;
        Targets = targets;
        UnavailableReason = unavailableReason;
        _total = targets.Length == 0 ? 0 : targets[^1].CumulativePercent;
    }

    private readonly int _total;

    public string Namespace { get; }
    public string Service { get; }
    public string? Tag { get; }
    public RouteTarget[] Targets { get; }

    /// <summary>
    /// The host's VirtualService/DestinationRule (or Knative tag-header routing), compiled; null for a host with none,
    /// whose requests take the plain path.
    /// </summary>
    public TrafficPolicy.CompiledPolicy? Policy { get; }

    /// <summary>The same host with <paramref name="policy"/> on it.</summary>
    public RouteEntry WithPolicy(TrafficPolicy.CompiledPolicy policy) => new(Namespace, Service, Tag, Targets, UnavailableReason, policy);

    /// <summary>Set when no revision can take traffic (e.g. the only revision failed): answered with 503 and this text.</summary>
    public string? UnavailableReason { get; }

    /// <summary>Weighted random pick; no allocation.</summary>
    public RevisionState? Pick()
    {
        var targets = Targets;
        if (targets.Length == 0) return null;
        if (targets.Length == 1 || _total <= 0) return targets[0].Revision;
        var roll = Random.Shared.Next(_total);
        foreach (var t in targets)
            if (roll < t.CumulativePercent) return t.Revision;
        return targets[^1].Revision;
    }
}

/// <summary>
/// Host → route, an immutable snapshot replaced whole when anything changes; the request path
/// reads it once and looks the host up by span, without allocating.
/// </summary>
public sealed class RouteTable
{
    public static readonly RouteTable Empty = new(new Dictionary<string, RouteEntry>(), "localhost");

    private readonly FrozenDictionary<string, RouteEntry> _byHost;
    private readonly FrozenDictionary<string, RouteEntry>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string _domainSuffix;

    public RouteTable(IDictionary<string, RouteEntry> byHost, string domain)
    {
        _byHost = byHost.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _lookup = _byHost.GetAlternateLookup<ReadOnlySpan<char>>();
        Domain = domain;
        _domainSuffix = "." + domain;
    }

    public string Domain { get; }

    public IReadOnlyDictionary<string, RouteEntry> Entries => _byHost;

    /// <summary>The host without port or trailing dot.</summary>
    public static ReadOnlySpan<char> HostName(ReadOnlySpan<char> hostHeader)
    {
        if (hostHeader.Length > 0 && hostHeader[0] == '[')
        {
            var close = hostHeader.IndexOf(']');
            return close > 0 ? hostHeader[..(close + 1)] : hostHeader;
        }
        var colon = hostHeader.LastIndexOf(':');
        var host = colon >= 0 ? hostHeader[..colon] : hostHeader;
        return host.Length > 1 && host[^1] == '.' ? host[..^1] : host;
    }

    public bool TryResolve(ReadOnlySpan<char> hostHeader, out RouteEntry? entry) =>
        _lookup.TryGetValue(HostName(hostHeader), out entry);

    /// <summary>A host under the service domain (<c>x.localhost</c>): it names a service, known or not.</summary>
    public bool IsServiceHost(ReadOnlySpan<char> hostHeader) =>
        HostName(hostHeader).EndsWith(_domainSuffix, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Holds the current route table; swapped atomically by the service controller.</summary>
public sealed class Router
{
    private RouteTable _table = RouteTable.Empty;

    public RouteTable Table => Volatile.Read(ref _table);

    public void Publish(RouteTable table) => Interlocked.Exchange(ref _table, table);
}
