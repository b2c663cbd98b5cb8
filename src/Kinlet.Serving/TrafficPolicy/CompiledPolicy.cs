using Kinlet.Serving.Revisions;
using Kinlet.Serving.TrafficPolicy.Resilience;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>A rule's counters; kept across recompiles of the same VirtualService generation (see <see cref="RuleStatsBook"/>).</summary>
public sealed class RuleStats
{
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    public void Hit() => Interlocked.Increment(ref _requests);

    /// <summary>The rule's retry/fault/mirror/overflow/ejection/timeout counts.</summary>
    public ResilienceCounters Resilience { get; } = new();
}

/// <summary>One <c>http[]</c> rule compiled: match blocks (ORed; none = every request), then a route or a local reply.</summary>
public sealed class CompiledRule(
    int index, string? name, MatchBlock[] matches, WeightedDestination[] destinations, LocalReply? reply,
    Rewrite? rewrite, HeaderEdits? requestEdits, HeaderEdits? responseEdits, RuleStats stats, string matchText, string actionText,
    RuleResilience? resilience = null, MirrorRoute[]? mirrors = null)
{
    private readonly int _total = destinations.Length == 0 ? 0 : destinations[^1].Cumulative;

    public int Index { get; } = index;
    public string? Name { get; } = name;
    public RuleStats Stats { get; } = stats;
    public string MatchText { get; } = matchText;
    public string ActionText { get; } = actionText;
    public LocalReply? Reply { get; } = reply;

    /// <summary>timeout, retries, fault, mirrors, CORS; null when the rule has none of them.</summary>
    public RuleResilience? Resilience { get; } = resilience;

    /// <summary>The rule's mirror destinations, resolved like its routes (same order as <see cref="RuleResilience.Mirrors"/>).</summary>
    public MirrorRoute[] Mirrors { get; } = mirrors ?? [];
    public Rewrite? Rewrite { get; } = rewrite;
    public HeaderEdits? RequestEdits { get; } = requestEdits;
    public HeaderEdits? ResponseEdits { get; } = responseEdits;

    /// <summary>The block that matched (null when the rule has none), or false.</summary>
    public bool TryMatch(HttpContext context, out MatchBlock? matched)
    {
        matched = null;
        if (matches.Length == 0) return true;
        foreach (var block in matches)
            if (block.Matches(context))
            {
                matched = block;
                return true;
            }
        return false;
    }

    public WeightedDestination Pick()
    {
        if (destinations.Length == 1 || _total <= 0) return destinations[0];
        var roll = Random.Shared.Next(_total);
        foreach (var d in destinations)
            if (roll < d.Cumulative) return d;
        return destinations[^1];
    }

    public IReadOnlyList<WeightedDestination> Destinations => destinations;
}

/// <summary>What the policy decided for one request: a revision (and how to pick its instance), or a reply of kinletd's own.</summary>
public readonly record struct PolicyDecision(RevisionState? Revision, InstancePicker? Picker, LocalReply? Reply, string? Unavailable,
    CompiledRule? Rule = null, DestinationResilience? Destination = null);

/// <summary>A mirror compiled: where the copy goes and the share copied.</summary>
public sealed record MirrorRoute(DestinationTarget Target, double Percent, string Label);

/// <summary>
/// A host's traffic policy, compiled once from its VirtualService and DestinationRule (and the service's tags) into
/// immutable pieces and stored in its route entry. The request path walks the rules in order (first match wins),
/// applies the rule's rewrite and header edits, and picks a destination; no lock, no LINQ.
/// </summary>
public sealed class CompiledPolicy(string? virtualService, string? destinationRule, CompiledRule[] rules, WeightedDestination fallback, string loadBalancer)
{
    private readonly NoRouteReply? _noRoute = virtualService is null ? null : new NoRouteReply(virtualService);
    private readonly RuleStats _unmatched = new();

    /// <summary><c>namespace/name</c> of the VirtualService, when one applies.</summary>
    public string? VirtualService { get; } = virtualService;

    public string? DestinationRule { get; } = destinationRule;

    public IReadOnlyList<CompiledRule> Rules => rules;

    /// <summary>Where a request goes when there are no rules: the host itself (with its DestinationRule's balancer).</summary>
    public WeightedDestination Fallback { get; } = fallback;

    public string LoadBalancer { get; } = loadBalancer;

    /// <summary>Requests no rule matched (answered 404).</summary>
    public long Unmatched => _unmatched.Requests;

    public PolicyDecision Decide(HttpContext context)
    {
        WeightedDestination destination;
        CompiledRule? taken = null;
        if (rules.Length == 0)
        {
            destination = Fallback;
        }
        else
        {
            CompiledRule? rule = null;
            MatchBlock? matched = null;
            foreach (var candidate in rules)
                if (candidate.TryMatch(context, out matched))
                {
                    rule = candidate;
                    break;
                }
            if (rule is null)
            {
                _unmatched.Hit();
                return new PolicyDecision(null, null, _noRoute, null);
            }
            rule.Stats.Hit();
            taken = rule;
            if (rule.Reply is { } reply)
            {
                HeaderEdits.OnResponse(context, rule.ResponseEdits, null);
                return new PolicyDecision(null, null, reply, null);
            }
            destination = rule.Pick();
            rule.Rewrite?.Apply(context, matched);
            rule.RequestEdits?.Apply(context.Request.Headers);
            destination.RequestEdits?.Apply(context.Request.Headers);
            HeaderEdits.OnResponse(context, rule.ResponseEdits, destination.ResponseEdits);
        }
        var revision = destination.Target.Pick(context);
        return new PolicyDecision(revision, destination.Picker, null, revision is null ? destination.Target.Unavailable : null,
            taken?.Resilience is null && taken?.Mirrors.Length is null or 0 ? null : taken, destination.Resilience);
    }
}
