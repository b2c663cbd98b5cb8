using System.Collections.Concurrent;
using System.Collections.Frozen;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Core.Validation;
using Kinlet.Serving.LoadBalancing;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;

using Kinlet.Serving.TrafficPolicy.Resilience;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>What the compiler reads about the services: resolved hosts, their route entries, revisions and rules.</summary>
public interface IPolicyInputs
{
    HostTarget? Resolve(string host, string @namespace);

    /// <summary>The route entry of a service's main hosts (tag null) or of one tag, without any policy.</summary>
    RouteEntry? Entry(HostTarget target);

    /// <summary>Tag → its entry, for Knative's tag-header routing.</summary>
    FrozenDictionary<string, RouteEntry> Tags(string @namespace, string service);

    DestinationRule? RuleFor(HostTarget target);

    IReadOnlyList<Revision> Revisions(string @namespace, string service);

    IReadOnlyList<(string Tag, string Revision)> TagTargets(string @namespace, string service);

    RevisionState? Revision(string @namespace, string name);
}

/// <summary>Counters per rule, kept while the VirtualService's generation stays (the table is compiled again on any service change).</summary>
public sealed class RuleStatsBook
{
    private readonly ConcurrentDictionary<(string Uid, long Generation, int Index), RuleStats> _stats = new();

    public RuleStats For(VirtualService vs, int index)
    {
        if (_stats.Count > 10_000) _stats.Clear();
        return _stats.GetOrAdd((vs.Metadata.Uid ?? vs.Metadata.Name ?? "", vs.Metadata.Generation ?? 0, index), _ => new RuleStats());
    }
}

/// <summary>
/// Compiles a host's VirtualService and DestinationRule into a <see cref="CompiledPolicy"/> (validation already ran:
/// the pieces assume well-formed input). Destinations resolve now, to route entries and revisions, so the request
/// path never looks a name up; the table is compiled again whenever a rule or a service changes.
/// </summary>
public sealed class PolicyCompiler(RuleStatsBook stats)
{
    public CompiledPolicy Compile(HostTarget self, VirtualService? vs, IPolicyInputs inputs)
    {
        var selfRule = inputs.RuleFor(self) ?? (self.Tag is not null ? inputs.RuleFor(self with { Tag = null }) : null);
        var fallback = new WeightedDestination(Target(self, null, inputs, selfRule), 100, 100, null, null,
            Picker(selfRule?.Spec.TrafficPolicy, null), self.Service, DestinationPolicy(selfRule?.Spec.TrafficPolicy, null));
        var rules = new List<CompiledRule>();
        if (vs?.Spec.Http is { } http)
        {
            var ns = vs.Metadata.Namespace ?? KnativeApi.DefaultNamespace;
            for (var i = 0; i < http.Count; i++)
                rules.Add(Rule(vs, i, http[i], ns, inputs));
        }
        return new CompiledPolicy(
            vs is null ? null : $"{vs.Metadata.Namespace}/{vs.Metadata.Name}",
            selfRule is null ? null : $"{selfRule.Metadata.Namespace}/{selfRule.Metadata.Name}",
            [.. rules], fallback, IstioRuleText.LoadBalancer(selfRule?.Spec.TrafficPolicy?.LoadBalancer));
    }

    private CompiledRule Rule(VirtualService vs, int index, HttpRoute rule, string ns, IPolicyInputs inputs)
    {
        var blocks = new List<MatchBlock>();
        foreach (var m in rule.Match ?? [])
            blocks.Add(Block(m));
        LocalReply? reply = rule.Redirect is { } redirect ? new RedirectReply(redirect)
            : rule.DirectResponse is { } direct ? new DirectReply(direct) : null;
        var destinations = new List<WeightedDestination>();
        if (reply is null)
        {
            var routes = rule.Route ?? [];
            var cumulative = 0;
            foreach (var route in routes)
            {
                var weight = routes.Count == 1 ? route.Weight ?? 100 : route.Weight ?? 0;
                if (weight <= 0 && routes.Count > 1) continue;
                cumulative += weight;
                var d = route.Destination!;
                var target = inputs.Resolve(d.Host!, ns);
                var rule2 = target is { } t ? inputs.RuleFor(t) ?? (t.Tag is not null ? inputs.RuleFor(t with { Tag = null }) : null) : null;
                var subset = d.Subset is { } s ? rule2?.Spec.Subsets?.FirstOrDefault(x => x.Name == s) : null;
                destinations.Add(new WeightedDestination(
                    target is { } resolved ? Target(resolved, d.Subset, inputs, rule2) : new MissingTarget($"host \"{d.Host}\" names no service"),
                    weight, cumulative, HeaderEdits.From(route.Headers?.Request), HeaderEdits.From(route.Headers?.Response),
                    Picker(rule2?.Spec.TrafficPolicy, subset?.TrafficPolicy), IstioRuleText.Destination(d),
                    DestinationPolicy(rule2?.Spec.TrafficPolicy, subset?.TrafficPolicy)));
            }
        }
        var ruleStats = stats.For(vs, index);
        var resilience = RuleResilience.From(rule, rule.Name ?? $"http[{index}]", vs.Metadata.Annotations, ruleStats.Resilience);
        var mirrors = new List<MirrorRoute>();
        foreach (var m in resilience?.Mirrors ?? [])
        {
            var target = inputs.Resolve(m.Destination.Host!, ns);
            var mrule = target is { } t ? inputs.RuleFor(t) ?? (t.Tag is not null ? inputs.RuleFor(t with { Tag = null }) : null) : null;
            mirrors.Add(new MirrorRoute(
                target is { } resolved ? Target(resolved, m.Destination.Subset, inputs, mrule) : new MissingTarget($"host \"{m.Destination.Host}\" names no service"),
                m.Percent, IstioRuleText.Destination(m.Destination)));
        }
        return new CompiledRule(index, rule.Name, [.. blocks], [.. destinations], reply, Rewrite.From(rule.Rewrite),
            HeaderEdits.From(rule.Headers?.Request), HeaderEdits.From(rule.Headers?.Response), ruleStats,
            IstioRuleText.Match(rule.Match), IstioRuleText.Action(rule), resilience, [.. mirrors]);
    }

    private static MatchBlock Block(HttpMatchRequest m)
    {
        var conditions = new List<RequestCondition>();
        StringMatcher? uri = null;
        if (m.Uri is not null)
        {
            uri = StringMatcher.From(m.Uri, m.IgnoreUriCase == true);
            conditions.Add(new UriCondition(uri));
        }
        if (m.Method is not null) conditions.Add(new MethodCondition(StringMatcher.From(m.Method)));
        if (m.Authority is not null) conditions.Add(new AuthorityCondition(StringMatcher.From(m.Authority, ignoreCase: m.Authority.Regex is null)));
        if (m.Scheme is not null) conditions.Add(new SchemeCondition(StringMatcher.From(m.Scheme)));
        foreach (var (name, value) in m.Headers ?? []) conditions.Add(new HeaderCondition(name, StringMatcher.From(value)));
        foreach (var (name, value) in m.WithoutHeaders ?? []) conditions.Add(new WithoutHeaderCondition(name, StringMatcher.From(value)));
        foreach (var (name, value) in m.QueryParams ?? []) conditions.Add(new QueryCondition(name, StringMatcher.From(value)));
        return new MatchBlock([.. conditions], uri);
    }

    private static DestinationTarget Target(HostTarget target, string? subset, IPolicyInputs inputs, DestinationRule? rule)
    {
        if (subset is not null)
        {
            var s = rule?.Spec.Subsets?.FirstOrDefault(x => x.Name == subset);
            if (s?.Labels is not { Count: > 0 } labels) return new MissingTarget($"subset \"{subset}\" of {target} is in no DestinationRule");
            var name = SubsetSelector.Select(labels, inputs.Revisions(target.Namespace, target.Service), inputs.TagTargets(target.Namespace, target.Service));
            return name is not null && inputs.Revision(target.Namespace, name) is { } revision
                ? new RevisionTarget(revision)
                : new MissingTarget($"subset \"{subset}\" of {target} selects no revision");
        }
        if (inputs.Entry(target) is not { } entry) return new MissingTarget($"{target} has no route");
        return target.Tag is null ? new ServiceTarget(entry, inputs.Tags(target.Namespace, target.Service)) : new EntryTarget(entry);
    }

    /// <summary>The subset's connectionPool/outlierDetection, else the host's (each field group whole, not merged).</summary>
    private static DestinationResilience? DestinationPolicy(IstioTrafficPolicy? host, IstioTrafficPolicy? subset)
    {
        if (host is null && subset is null) return null;
        var merged = new IstioTrafficPolicy
        {
            ConnectionPool = subset?.ConnectionPool ?? host?.ConnectionPool,
            OutlierDetection = subset?.OutlierDetection ?? host?.OutlierDetection,
        };
        return DestinationResilience.From(merged, TimeProvider.System);
    }

    /// <summary>The subset's balancer, else the host's; null keeps the revision's own (Knative's choice by containerConcurrency).</summary>
    private static InstancePicker? Picker(IstioTrafficPolicy? host, IstioTrafficPolicy? subset)
    {
        var lb = subset?.LoadBalancer ?? host?.LoadBalancer;
        if (lb?.ConsistentHash is { } ch)
            return new ConsistentHashPicker(
                ch.HttpHeaderName is { } header ? new HeaderHashKey(header)
                : ch.HttpCookie is { } cookie ? new CookieHashKey(cookie.Name!, cookie.Path, cookie.Ttl is { } ttl ? IstioValidator.ParseDuration(ttl) : null)
                : ch.HttpQueryParameterName is { } query ? new QueryHashKey(query)
                : SourceIpHashKey.Instance);
        return lb?.Simple switch
        {
            "LEAST_REQUEST" or "LEAST_CONN" => new SimplePicker(LoadBalancingPolicies.PowerOfTwoChoices),
            "ROUND_ROBIN" => new SimplePicker(new RoundRobinPolicy()),
            "RANDOM" => new SimplePicker(LoadBalancingPolicies.Random),
            _ => null,
        };
    }
}
