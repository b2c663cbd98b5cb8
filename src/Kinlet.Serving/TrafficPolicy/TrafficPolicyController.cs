using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Routing;
using Kinlet.Store;

namespace Kinlet.Serving.TrafficPolicy;

/// <summary>What a write did, and the warnings the API returns as <c>Warning</c> headers.</summary>
public sealed record PolicyWrite<T>(T Resource, IReadOnlyList<string> Warnings);

/// <summary>
/// VirtualService and DestinationRule resources: validated (shape, then against the services and the other rules),
/// stored as v1, kept in <see cref="TrafficPolicyBook"/>, and the services they touch refreshed so the route table is
/// compiled again. Writes run on the serving write loop, like every serving write.
/// </summary>
public sealed class TrafficPolicyController(
    IResourceStore store,
    TrafficPolicyBook book,
    ServingWriteLoop writes,
    ServiceStatusRefresher refresher,
    RouteTableBuilder routes,
    Router router,
    TimeProvider time)
{
    /// <summary>
    /// The service's effective rules as compiled into the route table, in order, with their request counts (for
    /// <c>kinlet route describe</c>).
    /// </summary>
    public RoutingView Describe(string ns, string service)
    {
        if (store.Get<Service>(Kinds.Service, ns, service) is null) throw new ResourceNotFoundException(Kinds.Service, service);
        var table = router.Table;
        table.TryResolve(Core.Serving.TrafficPlanner.ServiceHost(service, ns, book.Domain), out var entry);
        var tags = new List<string>();
        foreach (var e in table.Entries.Values)
            if (e.Namespace == ns && e.Service == service && e.Tag is { } tag && !tags.Contains(tag)) tags.Add(tag);
        var policy = entry?.Policy;
        var rules = new List<RuleView>();
        foreach (var rule in policy?.Rules ?? [])
            rules.Add(new RuleView(rule.Index, rule.Name, rule.MatchText, rule.ActionText, rule.Stats.Requests,
                rule.Resilience?.Describe(), rule.Stats.Resilience.Describe()));
        return new RoutingView(ns, service, policy?.VirtualService, policy?.DestinationRule, policy?.LoadBalancer ?? "LEAST_REQUEST (Knative's default)",
            tags.Count > 0, tags, rules, policy?.VirtualService is null ? null : policy.Unmatched);
    }

    public IReadOnlyList<VirtualService> ListVirtualServices(string? ns) => store.List<VirtualService>(Kinds.VirtualService, ns);

    public VirtualService GetVirtualService(string ns, string name) =>
        store.Get<VirtualService>(Kinds.VirtualService, ns, name) ?? throw new ResourceNotFoundException(Kinds.VirtualService, name);

    public IReadOnlyList<DestinationRule> ListDestinationRules(string? ns) => store.List<DestinationRule>(Kinds.DestinationRule, ns);

    public DestinationRule GetDestinationRule(string ns, string name) =>
        store.Get<DestinationRule>(Kinds.DestinationRule, ns, name) ?? throw new ResourceNotFoundException(Kinds.DestinationRule, name);

    /// <param name="replace">false: create (409 when it exists); true: replace (404 when it does not).</param>
    public Task<PolicyWrite<VirtualService>> ApplyAsync(VirtualService vs, bool replace) => writes.RunAsync(() =>
    {
        var check = IstioValidator.Validate(vs);
        IstioValidator.ThrowIfInvalid(check);
        var ns = vs.Metadata.Namespace!;
        var name = vs.Metadata.Name!;
        var existing = store.Get<VirtualService>(Kinds.VirtualService, ns, name);
        Exists(existing is not null, replace, Kinds.VirtualService, name);
        var services = Services();
        var warnings = new List<string>(check.Warnings);
        var touched = new HashSet<HostTarget>();
        var hosts = vs.Spec.Hosts!;
        for (var i = 0; i < hosts.Count; i++)
        {
            if (Resolve(hosts[i], ns, services) is not { } target)
            {
                warnings.Add($"spec.hosts[{i}]: \"{hosts[i]}\" names no service yet; the rules apply once it exists");
                continue;
            }
            touched.Add(target);
            foreach (var other in book.Snapshot.VirtualServices)
            {
                if (other.Metadata.Namespace == ns && other.Metadata.Name == name) continue;
                if (other.Spec.Hosts?.Any(h => Resolve(h, other.Metadata.Namespace!, services) == target) == true)
                    throw new ResourceConflictException(
                        $"host \"{hosts[i]}\" ({target}) already has VirtualService {other.Metadata.Namespace}/{other.Metadata.Name}; one VirtualService per host", $"spec.hosts[{i}]");
            }
        }
        CheckDestinations(vs, ns, services, touched, warnings);

        Stamp(vs.Metadata, existing?.Metadata);
        vs.ApiVersion = IstioApi.V1;
        vs.Status = null;
        store.Put(Kinds.VirtualService, ns, name, vs);
        if (existing is not null) AddTouched(existing, services, touched);
        book.Set(vs);
        Refresh(touched);
        return new PolicyWrite<VirtualService>(vs, warnings);
    });

    public Task<PolicyWrite<DestinationRule>> ApplyAsync(DestinationRule dr, bool replace) => writes.RunAsync(() =>
    {
        var check = IstioValidator.Validate(dr);
        IstioValidator.ThrowIfInvalid(check);
        var ns = dr.Metadata.Namespace!;
        var name = dr.Metadata.Name!;
        var existing = store.Get<DestinationRule>(Kinds.DestinationRule, ns, name);
        Exists(existing is not null, replace, Kinds.DestinationRule, name);
        var services = Services();
        var warnings = new List<string>(check.Warnings);
        var touched = new HashSet<HostTarget>();
        if (Resolve(dr.Spec.Host!, ns, services) is { } target)
        {
            touched.Add(target);
            foreach (var other in book.Snapshot.DestinationRules)
            {
                if (other.Metadata.Namespace == ns && other.Metadata.Name == name) continue;
                if (Resolve(other.Spec.Host!, other.Metadata.Namespace!, services) == target)
                    throw new ResourceConflictException(
                        $"host \"{dr.Spec.Host}\" ({target}) already has DestinationRule {other.Metadata.Namespace}/{other.Metadata.Name}; one DestinationRule per host", "spec.host");
            }
        }
        else
        {
            warnings.Add($"spec.host: \"{dr.Spec.Host}\" names no service yet; the rule applies once it exists");
        }
        // A subset that a VirtualService routes to may not disappear under it.
        if (existing is not null)
            foreach (var vs in book.Snapshot.VirtualServices)
                foreach (var (path, d) in Destinations(vs))
                    if (d.Subset is { } subset && Key(d.Host!, vs.Metadata.Namespace!, services) is { } t && t == Key(dr.Spec.Host!, ns, services)
                        && dr.Spec.Subsets?.Any(s => s.Name == subset) != true)
                        throw new ValidationException("spec.subsets",
                            $"subset \"{subset}\" is used by VirtualService {vs.Metadata.Namespace}/{vs.Metadata.Name} ({path}); keep it or change that rule first");

        Stamp(dr.Metadata, existing?.Metadata);
        dr.ApiVersion = IstioApi.V1;
        dr.Status = null;
        store.Put(Kinds.DestinationRule, ns, name, dr);
        if (existing is not null && Resolve(existing.Spec.Host!, ns, services) is { } old) touched.Add(old);
        book.Set(dr);
        Refresh(touched);
        return new PolicyWrite<DestinationRule>(dr, warnings);
    });

    public Task<VirtualService> DeleteVirtualServiceAsync(string ns, string name) => writes.RunAsync(() =>
    {
        var vs = GetVirtualService(ns, name);
        store.Delete(Kinds.VirtualService, ns, name);
        book.RemoveVirtualService(ns, name);
        var touched = new HashSet<HostTarget>();
        AddTouched(vs, Services(), touched);
        Refresh(touched);
        return vs;
    });

    public Task<DestinationRule> DeleteDestinationRuleAsync(string ns, string name) => writes.RunAsync(() =>
    {
        var dr = GetDestinationRule(ns, name);
        var services = Services();
        var target = Key(dr.Spec.Host!, ns, services);
        foreach (var vs in book.Snapshot.VirtualServices)
            foreach (var (path, d) in Destinations(vs))
                if (d.Subset is not null && target is not null && Key(d.Host!, vs.Metadata.Namespace!, services) == target)
                    throw new ResourceConflictException(
                        $"VirtualService {vs.Metadata.Namespace}/{vs.Metadata.Name} routes to subset \"{d.Subset}\" of this rule ({path}); change that rule first");
        store.Delete(Kinds.DestinationRule, ns, name);
        book.RemoveDestinationRule(ns, name);
        if (Resolve(dr.Spec.Host!, ns, services) is { } t) Refresh([t]);
        return dr;
    });

    private static void Exists(bool exists, bool replace, string kind, string name)
    {
        if (exists && !replace) throw new ResourceConflictException($"{kind.ToLowerInvariant()} \"{name}\" already exists", "metadata.name");
        if (!exists && replace) throw new ResourceNotFoundException(kind, name);
    }

    private void Stamp(ObjectMeta meta, ObjectMeta? existing)
    {
        meta.CreationTimestamp = existing?.CreationTimestamp ?? time.GetUtcNow();
        meta.Uid = existing?.Uid ?? Guid.NewGuid().ToString();
        meta.Generation = (existing?.Generation ?? 0) + 1;
        meta.ResourceVersion = null;
    }

    /// <summary>Each destination's subset must be one of the DestinationRule for its host (Istio answers 503 at run time; Kinlet says it at once).</summary>
    private void CheckDestinations(VirtualService vs, string ns, ServiceTags services, HashSet<HostTarget> touched, List<string> warnings)
    {
        foreach (var (path, d) in Destinations(vs))
        {
            var target = Resolve(d.Host!, ns, services);
            if (target is null) warnings.Add($"{path}.host: \"{d.Host}\" names no service yet; requests routed there get 503 until it exists");
            else touched.Add(target.Value);
            target ??= Spelled(d.Host!, ns);
            if (d.Subset is not { } subset) continue;
            var rule = book.Snapshot.DestinationRules.FirstOrDefault(r =>
                Key(r.Spec.Host!, r.Metadata.Namespace!, services) == target);
            if (rule is null)
                throw new ValidationException(path + ".subset", $"\"{subset}\": no DestinationRule has host {d.Host}; apply the DestinationRule with its subsets first");
            if (rule.Spec.Subsets?.Any(s => s.Name == subset) != true)
                throw new ValidationException(path + ".subset",
                    $"\"{subset}\" is not a subset of DestinationRule {rule.Metadata.Namespace}/{rule.Metadata.Name} (it has {string.Join(", ", rule.Spec.Subsets?.Select(s => s.Name) ?? ["none"])})");
        }
    }

    /// <summary>Every destination of a VirtualService (routes and mirrors) with its field path.</summary>
    public static IEnumerable<(string Path, IstioDestination Destination)> Destinations(VirtualService vs)
    {
        if (vs.Spec.Http is not { } http) yield break;
        for (var i = 0; i < http.Count; i++)
        {
            var rule = http[i];
            if (rule?.Route is { } route)
                for (var j = 0; j < route.Count; j++)
                    if (route[j]?.Destination is { Host: not null } d) yield return ($"spec.http[{i}].route[{j}].destination", d);
            if (rule?.Mirror is { Host: not null } m) yield return ($"spec.http[{i}].mirror", m);
            if (rule?.Mirrors is { } mirrors)
                for (var j = 0; j < mirrors.Count; j++)
                    if (mirrors[j]?.Destination is { Host: not null } d) yield return ($"spec.http[{i}].mirrors[{j}].destination", d);
        }
    }

    private void AddTouched(VirtualService vs, ServiceTags services, HashSet<HostTarget> touched)
    {
        foreach (var host in vs.Spec.Hosts ?? [])
            if (Resolve(host, vs.Metadata.Namespace!, services) is { } t) touched.Add(t);
        foreach (var (_, d) in Destinations(vs))
            if (Resolve(d.Host!, vs.Metadata.Namespace!, services) is { } t) touched.Add(t);
    }

    /// <summary>Recomputes the touched services (their routed revisions may change with a subset) and publishes one table.</summary>
    private void Refresh(IEnumerable<HostTarget> touched)
    {
        foreach (var (ns, service) in touched.Select(t => (t.Namespace, t.Service)).Distinct())
            refresher.Refresh(ns, service, publish: false);
        routes.Invalidate();
        routes.Publish();
    }

    private HostTarget? Resolve(string host, string ns, ServiceTags services) => PolicyHosts.Resolve(host, ns, book.Domain, services.TagsOf);

    /// <summary>A host that names no service yet, as spelled (namespace and name), so rules for it can still be matched up.</summary>
    private HostTarget? Spelled(string host, string ns) =>
        PolicyHosts.Parse(host, ns, book.Domain) is var (n, name) ? new HostTarget(n, name, null) : null;

    private HostTarget? Key(string host, string ns, ServiceTags services) => Resolve(host, ns, services) ?? Spelled(host, ns);

    private ServiceTags Services() => new(store.List<Service>(Kinds.Service, null));

    /// <summary>The services that exist and their tags, read once per write.</summary>
    private sealed class ServiceTags(IReadOnlyList<Service> services)
    {
        private readonly Dictionary<(string, string), IReadOnlyCollection<string>> _tags = services.ToDictionary(
            s => (s.Metadata.Namespace ?? KnativeApi.DefaultNamespace, s.Metadata.Name!),
            s => (IReadOnlyCollection<string>)(s.Spec.Traffic?.Where(t => t.Tag is { Length: > 0 }).Select(t => t.Tag!).ToHashSet(StringComparer.Ordinal) ?? []));

        public IReadOnlyCollection<string>? TagsOf(string ns, string name) => _tags.GetValueOrDefault((ns, name));
    }
}

/// <summary>A service's routing as kinletd applies it: <c>GET /apis/kinlet.dev/v1/namespaces/{ns}/routing/{service}</c>.</summary>
/// <param name="Unmatched">Requests no rule matched (404); null without a VirtualService (every request takes the service's split).</param>
public sealed record RoutingView(string Namespace, string Service, string? VirtualService, string? DestinationRule, string LoadBalancer,
    bool TagHeaderRouting, IReadOnlyList<string> Tags, IReadOnlyList<RuleView> Rules, long? Unmatched);

/// <summary>One rule in order; <see cref="Requests"/> counts the requests it took since its VirtualService last changed.</summary>
/// <param name="Policy">The rule's resilience steps as applied (timeout, retries, fault, mirrors, cors), or null.</param>
/// <param name="Events">Its resilience counts ("retry=3 fault_abort=10"), "-" when none.</param>
public sealed record RuleView(int Index, string? Name, string Match, string Action, long Requests, string? Policy = null, string? Events = null);
