using System.Text.Json;
using Kinlet.Core.Events;
using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Core.Validation;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Routing;
using Kinlet.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// Owns the serving resources: a Service write becomes its Configuration, Route and (when the
/// template changed) a new Revision, atomically; status is recomputed from the revisions whenever
/// one changes, and the route table is republished from it. Writes are serialized by one lock
/// that is never held across an await.
/// </summary>
public sealed partial class ServiceController : IRevisionStatusSink
{
    private readonly IResourceStore _store;
    private readonly RevisionRegistry _registry;
    private readonly ReconcileQueue _queue;
    private readonly Router _router;
    private readonly ServingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ServiceController> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Ns, string Name), KeyValuePair<string, RouteEntry>[]> _routes = new();

    private readonly IPlatformEvents _events;

    public ServiceController(IResourceStore store, RevisionRegistry registry, ReconcileQueue queue, Router router,
        IOptions<ServingOptions> options, TimeProvider time, ILogger<ServiceController> logger, IPlatformEvents? events = null)
    {
        _events = events ?? NoPlatformEvents.Instance;
        _store = store;
        _registry = registry;
        _queue = queue;
        _router = router;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    private ServingDefaults Defaults => new() { TimeoutSeconds = _options.DefaultTimeoutSeconds, MaxTimeoutSeconds = _options.MaxTimeoutSeconds };

    /// <summary>Loads every revision into the runtime registry and recomputes every status (daemon start).</summary>
    public void Initialize()
    {
        lock (_gate)
        {
            foreach (var revision in _store.List<Revision>(Kinds.Revision, null))
                _registry.GetOrAdd(revision);
            foreach (var service in _store.List<Service>(Kinds.Service, null))
                RefreshLocked(service.Metadata.Namespace!, service.Metadata.Name!, publish: false);
            PublishRoutesLocked();
        }
    }

    public IReadOnlyList<Service> List(string? @namespace) => _store.List<Service>(Kinds.Service, @namespace);

    public Service Get(string @namespace, string name) =>
        _store.Get<Service>(Kinds.Service, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Service, name);

    public IReadOnlyList<Revision> ListRevisions(string? @namespace, string? service)
    {
        var all = _store.List<Revision>(Kinds.Revision, @namespace);
        var list = service is null ? all : all.Where(r => r.Metadata.Label(KnownKeys.ServiceLabel) == service).ToList();
        return list.Select(WithLiveCounts).ToList();
    }

    public Revision GetRevision(string @namespace, string name) =>
        WithLiveCounts(_store.Get<Revision>(Kinds.Revision, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Revision, name));

    public IReadOnlyList<Configuration> ListConfigurations(string? @namespace) => _store.List<Configuration>(Kinds.Configuration, @namespace);

    public Configuration GetConfiguration(string @namespace, string name) =>
        _store.Get<Configuration>(Kinds.Configuration, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Configuration, name);

    public IReadOnlyList<Route> ListRoutes(string? @namespace) => _store.List<Route>(Kinds.Route, @namespace);

    public Route GetRoute(string @namespace, string name) =>
        _store.Get<Route>(Kinds.Route, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Route, name);

    /// <summary>Instance counts are runtime facts: read them live, never from the store.</summary>
    private Revision WithLiveCounts(Revision revision)
    {
        if (_registry.Find(revision.Metadata.Namespace!, revision.Metadata.Name!) is { } state)
        {
            revision.Status ??= new RevisionStatus();
            var status = revision.Status;
            status.ActualReplicas = state.ReadyCount;
            status.DesiredReplicas = state.DesiredScale;
            status.StartingReplicas = state.StartingCount;
            status.QueuedRequests = state.Waiting;
            status.Restarts = state.Restarts;
            if (state.LastDecision is { } decision)
            {
                status.Panicking = decision.Panicking;
                status.ScaleReason = decision.Reason;
                status.ScaleToZeroAt = decision.ScaleToZeroAt;
            }
        }
        return revision;
    }

    public Service Create(Service input)
    {
        var ns = Normalize(input);
        lock (_gate)
        {
            var name = input.Metadata.Name!;
            if (_store.Get<Service>(Kinds.Service, ns, name) is not null)
                throw new ResourceConflictException($"service \"{name}\" already exists", "metadata.name");

            var now = _time.GetUtcNow();
            input.Metadata.Uid = Guid.NewGuid().ToString();
            input.Metadata.Generation = 1;
            input.Metadata.CreationTimestamp = now;
            input.Metadata.ResourceVersion = "1";

            var revisionName = input.Spec.Template.Metadata?.Name ?? RevisionTemplates.RevisionName(name, 1);
            if (_store.Get<Revision>(Kinds.Revision, ns, revisionName) is not null)
                throw new ResourceConflictException($"revision \"{revisionName}\" already exists", "spec.template.metadata.name");
            CheckTrafficRevisions(input, ns, revisionName);

            var revision = NewRevision(input, revisionName, 1, now);
            var configuration = new Configuration
            {
                Metadata = ChildMeta(input, now, 1),
                Spec = new ConfigurationSpec { Template = input.Spec.Template },
                Status = new ConfigurationStatus { LatestCreatedRevisionName = revisionName },
            };
            var route = new Route
            {
                Metadata = ChildMeta(input, now, 1),
                Spec = new RouteSpec { Traffic = input.Spec.Traffic },
            };
            _store.Write(w =>
            {
                w.Put(Kinds.Service, ns, name, input);
                w.Put(Kinds.Configuration, ns, name, configuration);
                w.Put(Kinds.Route, ns, name, route);
                w.Put(Kinds.Revision, ns, revisionName, revision);
            });
            _registry.GetOrAdd(revision);
            LogCreated(ns, name, revisionName);
            var created = RefreshLocked(ns, name, publish: true)!;
            _events.Emit(new PlatformEvent("dev.kinlet.service.created", ns, "service", name, new Dictionary<string, object?> { ["revision"] = revisionName }));
            return created;
        }
    }

    public Service Replace(Service input)
    {
        var ns = Normalize(input);
        lock (_gate)
        {
            var name = input.Metadata.Name!;
            var existing = _store.Get<Service>(Kinds.Service, ns, name) ?? throw new ResourceNotFoundException(Kinds.Service, name);
            var configuration = _store.Get<Configuration>(Kinds.Configuration, ns, name)
                ?? throw new InvalidOperationException($"configuration of service {name} is missing");
            var route = _store.Get<Route>(Kinds.Route, ns, name) ?? new Route { Metadata = ChildMeta(existing, _time.GetUtcNow(), 1) };

            var templateChanged = !RevisionTemplates.TemplateEquals(existing.Spec.Template, input.Spec.Template);
            var trafficChanged = Canonical(existing.Spec.Traffic) != Canonical(input.Spec.Traffic);
            var metaChanged = Canonical(existing.Metadata.Labels) != Canonical(input.Metadata.Labels)
                || Canonical(existing.Metadata.Annotations) != Canonical(input.Metadata.Annotations);
            if (!templateChanged && !trafficChanged && !metaChanged) return existing;

            var now = _time.GetUtcNow();
            input.Metadata.Uid = existing.Metadata.Uid;
            input.Metadata.CreationTimestamp = existing.Metadata.CreationTimestamp;
            input.Metadata.Generation = (existing.Metadata.Generation ?? 1) + (templateChanged || trafficChanged ? 1 : 0);
            input.Metadata.ResourceVersion = NextVersion(existing.Metadata.ResourceVersion);
            input.Status = existing.Status;

            Revision? revision = null;
            var revisionName = configuration.Status?.LatestCreatedRevisionName;
            if (templateChanged)
            {
                var configGeneration = (configuration.Metadata.Generation ?? 1) + 1;
                revisionName = input.Spec.Template.Metadata?.Name ?? RevisionTemplates.RevisionName(name, configGeneration);
                if (_store.Get<Revision>(Kinds.Revision, ns, revisionName) is not null)
                    throw new ResourceConflictException(
                        $"revision \"{revisionName}\" already exists with a different template; give the changed template a new name",
                        "spec.template.metadata.name");
                revision = NewRevision(input, revisionName, configGeneration, now);
                configuration.Metadata.Generation = configGeneration;
                configuration.Spec.Template = input.Spec.Template;
                configuration.Status ??= new ConfigurationStatus();
                configuration.Status.LatestCreatedRevisionName = revisionName;
            }
            CheckTrafficRevisions(input, ns, revisionName);
            if (trafficChanged)
            {
                route.Metadata.Generation = (route.Metadata.Generation ?? 1) + 1;
                route.Spec.Traffic = input.Spec.Traffic;
            }
            _store.Write(w =>
            {
                w.Put(Kinds.Service, ns, name, input);
                w.Put(Kinds.Configuration, ns, name, configuration);
                w.Put(Kinds.Route, ns, name, route);
                if (revision is not null) w.Put(Kinds.Revision, ns, revision.Metadata.Name!, revision);
            });
            if (revision is not null)
            {
                _registry.GetOrAdd(revision);
                LogCreated(ns, name, revision.Metadata.Name!);
            }
            var updated = RefreshLocked(ns, name, publish: true)!;
            _events.Emit(new PlatformEvent("dev.kinlet.service.updated", ns, "service", name, new Dictionary<string, object?>
            {
                ["generation"] = input.Metadata.Generation,
                ["revision"] = revision?.Metadata.Name,
            }));
            return updated;
        }
    }

    /// <summary>Deletes the service and its revisions, and returns once their containers are gone (bounded).</summary>
    public async Task<Service> DeleteAsync(string @namespace, string name, TimeSpan bound, CancellationToken cancellationToken)
    {
        Service service;
        List<RevisionState> states = [];
        lock (_gate)
        {
            service = _store.Get<Service>(Kinds.Service, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Service, name);
            var revisions = _store.List<Revision>(Kinds.Revision, @namespace).Where(r => r.Metadata.Label(KnownKeys.ServiceLabel) == name).ToList();
            _store.Write(w =>
            {
                w.Delete(Kinds.Service, @namespace, name);
                w.Delete(Kinds.Configuration, @namespace, name);
                w.Delete(Kinds.Route, @namespace, name);
                foreach (var r in revisions) w.Delete(Kinds.Revision, @namespace, r.Metadata.Name!);
            });
            _routes.Remove((@namespace, name));
            PublishRoutesLocked();
            foreach (var r in revisions)
            {
                if (_registry.Find(@namespace, r.Metadata.Name!) is not { } state) continue;
                _queue.Deleted(state);
                states.Add(state);
            }
        }
        LogDeleted(@namespace, name);
        _events.Emit(new PlatformEvent("dev.kinlet.service.deleted", @namespace, "service", name, new Dictionary<string, object?>()));
        await WaitForNoInstancesAsync(states, bound, cancellationToken).ConfigureAwait(false);
        return service;
    }

    public async Task<Revision> DeleteRevisionAsync(string @namespace, string name, TimeSpan bound, CancellationToken cancellationToken)
    {
        Revision revision;
        RevisionState? state;
        lock (_gate)
        {
            revision = _store.Get<Revision>(Kinds.Revision, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Revision, name);
            state = _registry.Find(@namespace, name);
            var service = revision.Metadata.Label(KnownKeys.ServiceLabel);
            var configuration = service is null ? null : _store.Get<Configuration>(Kinds.Configuration, @namespace, service);
            if (configuration?.Status?.LatestCreatedRevisionName == name)
                throw new ResourceConflictException($"revision \"{name}\" is the latest revision of service \"{service}\"; update or delete the service instead");
            if (state is { IsRouted: true })
                throw new ResourceConflictException($"revision \"{name}\" receives traffic; move its traffic away first");
            _store.Delete(Kinds.Revision, @namespace, name);
            if (state is not null)
            {
                _queue.Deleted(state);
            }
            if (service is not null) RefreshLocked(@namespace, service, publish: true);
        }
        if (state is not null) await WaitForNoInstancesAsync([state], bound, cancellationToken).ConfigureAwait(false);
        return revision;
    }

    private async Task WaitForNoInstancesAsync(List<RevisionState> states, TimeSpan bound, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(bound);
        try
        {
            foreach (var state in states)
            {
                while (true)
                {
                    var changed = state.Changed;
                    if (state.Instances().Length == 0) break;
                    await changed.WaitAsync(cts.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Bounded: the reconciler keeps going; the caller gets its answer.
        }
    }

    public void RevisionReady(RevisionState revision) =>
        UpdateRevisionStatus(revision, status =>
        {
            var now = _time.GetUtcNow();
            status.Conditions.Set(ConditionTypes.ResourcesAvailable, ConditionStatus.True, null, null, now);
            status.Conditions.Set(ConditionTypes.ContainerHealthy, ConditionStatus.True, null, null, now);
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.True, null, null, now);
        });

    public void RevisionFailed(RevisionState revision, RevisionFailure failure) =>
        UpdateRevisionStatus(revision, status =>
        {
            var now = _time.GetUtcNow();
            var type = failure.Reason is "ContainerMissing" or "ProgressDeadlineExceeded" or "EngineUnavailable"
                ? ConditionTypes.ResourcesAvailable
                : ConditionTypes.ContainerHealthy;
            status.Conditions.Set(type, ConditionStatus.False, failure.Reason, failure.Message, now);
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.False, failure.Reason, failure.Message, now);
        });

    public void RevisionProgress(RevisionState revision, string message) =>
        UpdateRevisionStatus(revision, status =>
        {
            // Only while it is still deploying: progress never overrides a verdict.
            if (status.Conditions.Get(ConditionTypes.Ready)?.Status is ConditionStatus.True or ConditionStatus.False) return;
            status.Conditions.Set(ConditionTypes.Ready, ConditionStatus.Unknown, "Deploying", message, _time.GetUtcNow());
        });

    private void UpdateRevisionStatus(RevisionState state, Action<RevisionStatus> change)
    {
        lock (_gate)
        {
            var revision = _store.Get<Revision>(Kinds.Revision, state.Key.Namespace, state.Key.Name);
            if (revision is null) return;
            revision.Status ??= new RevisionStatus();
            var before = Canonical(revision.Status.Conditions);
            var readyBefore = revision.Status.Conditions.Get(ConditionTypes.Ready)?.Status;
            change(revision.Status);
            if (Canonical(revision.Status.Conditions) == before) return;
            if (revision.Status.Conditions.Get(ConditionTypes.Ready) is { } ready && ready.Status != readyBefore && ready.Status != ConditionStatus.Unknown)
                _events.Emit(new PlatformEvent(ready.Status == ConditionStatus.True ? "dev.kinlet.revision.ready" : "dev.kinlet.revision.failed",
                    state.Key.Namespace, "revision", state.Key.Name, new Dictionary<string, object?>
                    {
                        ["service"] = revision.Metadata.Label(KnownKeys.ServiceLabel),
                        ["reason"] = ready.Reason,
                        ["message"] = ready.Message,
                    }));
            revision.Status.ObservedGeneration = revision.Metadata.Generation;
            _store.Put(Kinds.Revision, state.Key.Namespace, state.Key.Name, revision);
            if (revision.Metadata.Label(KnownKeys.ServiceLabel) is { } service)
                RefreshLocked(state.Key.Namespace, service, publish: true);
        }
    }

    /// <summary>
    /// Recomputes the service's status from its revisions, stores what changed, marks which revisions
    /// are routed or newest, and (optionally) republishes the route table.
    /// </summary>
    private Service? RefreshLocked(string ns, string name, bool publish)
    {
        var service = _store.Get<Service>(Kinds.Service, ns, name);
        if (service is null) return null;
        var configuration = _store.Get<Configuration>(Kinds.Configuration, ns, name);
        var route = _store.Get<Route>(Kinds.Route, ns, name);
        var revisions = _store.List<Revision>(Kinds.Revision, ns)
            .Where(r => r.Metadata.Label(KnownKeys.ServiceLabel) == name)
            .ToList();

        var readyBefore = service.Status?.Conditions.Get(ConditionTypes.Ready)?.Status;
        var result = ServiceStatusBuilder.Build(service, configuration, revisions, _options.Domain, _options.IngressPort, _time.GetUtcNow());
        if (result.Service.Status?.Conditions.Get(ConditionTypes.Ready) is { Status: ConditionStatus.True } && readyBefore != ConditionStatus.True)
            _events.Emit(new PlatformEvent("dev.kinlet.service.ready", ns, "service", name, new Dictionary<string, object?>
            {
                ["url"] = result.Service.Status.Url,
                ["latestReadyRevisionName"] = result.Service.Status.LatestReadyRevisionName,
            }));

        if (result.ServiceChanged) _store.Put(Kinds.Service, ns, name, result.Service);
        if (configuration is not null && result.ConfigurationStatus is not null
            && Canonical(configuration.Status) != Canonical(result.ConfigurationStatus))
        {
            configuration.Status = result.ConfigurationStatus;
            _store.Put(Kinds.Configuration, ns, name, configuration);
        }
        if (route is not null && Canonical(route.Status) != Canonical(result.RouteStatus))
        {
            route.Status = result.RouteStatus;
            _store.Put(Kinds.Route, ns, name, route);
        }

        foreach (var r in revisions)
        {
            var routed = result.RoutedRevisions.Contains(r.Metadata.Name!);
            _queue.Observe(r, routed, latestCreated: r.Metadata.Name == result.LatestCreatedRevisionName);
            RecordRoutingStateLocked(ns, r, routed);
        }

        _routes[(ns, name)] = BuildRouteEntries(ns, name, result);
        if (publish) PublishRoutesLocked();
        return result.Service;
    }

    /// <summary>
    /// Knative's routingState label and its change time on the stored revision: revision GC reads it as
    /// "last active", and it survives a daemon restart.
    /// </summary>
    private void RecordRoutingStateLocked(string ns, Revision revision, bool routed)
    {
        var wanted = routed ? KnownKeys.RoutingStateActive : KnownKeys.RoutingStateReserve;
        if (revision.Metadata.Label(KnownKeys.RoutingStateLabel) == wanted) return;
        revision.Metadata.Labels ??= [];
        revision.Metadata.Labels[KnownKeys.RoutingStateLabel] = wanted;
        revision.Metadata.Annotations ??= [];
        revision.Metadata.Annotations[KnownKeys.RoutingStateModifiedAnnotation] =
            _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        _store.Put(Kinds.Revision, ns, revision.Metadata.Name!, revision);
    }

    private KeyValuePair<string, RouteEntry>[] BuildRouteEntries(string ns, string name, ServiceStatusBuilder.Result result)
    {
        var domain = _options.Domain;
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

    private void PublishRoutesLocked()
    {
        var table = new Dictionary<string, RouteEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entries in _routes.Values)
            foreach (var (host, entry) in entries)
                table.TryAdd(host, entry);
        _router.Publish(new RouteTable(table, _options.Domain));
    }

    private string Normalize(Service input)
    {
        input.Metadata.Namespace ??= KnativeApi.DefaultNamespace;
        input.Status = null;
        ServiceValidator.ValidateOrThrow(input, Defaults);
        var container = input.Spec.Template.Spec.Containers[0];
        if (container.Env is { } env)
        {
            for (var i = 0; i < env.Count; i++)
                if (env[i].ValueFrom?.ConfigMapKeyRef is not null)
                    throw new ValidationException($"spec.template.spec.containers[0].env[{i}].valueFrom.configMapKeyRef", "config maps are not supported; use value or secretKeyRef");
        }
        return input.Metadata.Namespace;
    }

    private void CheckTrafficRevisions(Service input, string ns, string? newRevision)
    {
        var traffic = input.Spec.Traffic;
        if (traffic is null) return;
        for (var i = 0; i < traffic.Count; i++)
        {
            var rev = traffic[i].RevisionName;
            if (string.IsNullOrEmpty(rev) || rev == newRevision) continue;
            var stored = _store.Get<Revision>(Kinds.Revision, ns, rev);
            if (stored is null || stored.Metadata.Label(KnownKeys.ServiceLabel) != input.Metadata.Name)
                throw new ValidationException($"spec.traffic[{i}].revisionName", $"revision \"{rev}\" does not exist");
        }
    }

    private Revision NewRevision(Service service, string revisionName, long configGeneration, DateTimeOffset now)
    {
        var name = service.Metadata.Name!;
        var template = KinletJson.Clone(service.Spec.Template);
        var labels = new Dictionary<string, string>(template.Metadata?.Labels ?? [])
        {
            [KnownKeys.ServiceLabel] = name,
            [KnownKeys.ConfigurationLabel] = name,
            [KnownKeys.ConfigurationGenerationLabel] = configGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return new Revision
        {
            Metadata = new ObjectMeta
            {
                Name = revisionName,
                Namespace = service.Metadata.Namespace,
                Uid = Guid.NewGuid().ToString(),
                Generation = 1,
                CreationTimestamp = now,
                Labels = labels,
                Annotations = template.Metadata?.Annotations is { Count: > 0 } a ? new Dictionary<string, string>(a) : null,
            },
            Spec = RevisionTemplates.WithDefaults(template.Spec, Defaults),
            Status = new RevisionStatus
            {
                ObservedGeneration = 1,
                Conditions =
                [
                    new Condition { Type = ConditionTypes.Ready, Status = ConditionStatus.Unknown, Reason = "Deploying", LastTransitionTime = now },
                ],
            },
        };
    }

    private static ObjectMeta ChildMeta(Service service, DateTimeOffset now, long generation) => new()
    {
        Name = service.Metadata.Name,
        Namespace = service.Metadata.Namespace,
        Uid = Guid.NewGuid().ToString(),
        Generation = generation,
        CreationTimestamp = now,
        Labels = new Dictionary<string, string> { [KnownKeys.ServiceLabel] = service.Metadata.Name! },
    };

    private static string NextVersion(string? version) =>
        (long.TryParse(version, out var v) ? v + 1 : 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Canonical<T>(T value) => CanonicalJson.Of(value);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Service {Namespace}/{Service}: created revision {Revision}")]
    private partial void LogCreated(string @namespace, string service, string revision);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Service {Namespace}/{Service} deleted")]
    private partial void LogDeleted(string @namespace, string service);
}
