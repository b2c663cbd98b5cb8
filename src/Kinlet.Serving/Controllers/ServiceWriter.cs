using Kinlet.Core.Events;
using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Core.Validation;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;
using Kinlet.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// Service writes: a Service becomes its Configuration, Route and (when the template changed) a new Revision,
/// atomically; deletes remove them and tell the reconcile loop. Every method runs on <see cref="ServingWriteLoop"/>,
/// one at a time, so none needs a lock.
/// </summary>
public sealed partial class ServiceWriter(
    IResourceStore store,
    RevisionRegistry registry,
    ServiceRevisionIndex index,
    IRevisionLifecycle lifecycle,
    ServiceStatusRefresher refresher,
    RouteTableBuilder routes,
    IOptions<ServingOptions> options,
    TimeProvider time,
    ILogger<ServiceWriter> logger,
    IPlatformEvents? events = null)
{
    private readonly IResourceStore _store = store;
    private readonly RevisionRegistry _registry = registry;
    private readonly ServiceRevisionIndex _index = index;
    private readonly ServiceStatusRefresher _refresher = refresher;
    private readonly ServingOptions _options = options.Value;
    private readonly TimeProvider _time = time;
    private readonly ILogger<ServiceWriter> _logger = logger;
    private readonly IPlatformEvents _events = events ?? NoPlatformEvents.Instance;

    private ServingDefaults Defaults => new() { TimeoutSeconds = _options.DefaultTimeoutSeconds, MaxTimeoutSeconds = _options.MaxTimeoutSeconds };

    /// <summary>Loads every revision into the registry and the index and recomputes every status (daemon start).</summary>
    public void Initialize()
    {
        foreach (var revision in _store.List<Revision>(Kinds.Revision, null))
        {
            _registry.GetOrAdd(revision);
            _index.Add(revision);
        }
        foreach (var service in _store.List<Service>(Kinds.Service, null))
            _refresher.Refresh(service.Metadata.Namespace!, service.Metadata.Name!, publish: false);
        routes.Publish();
    }

    public Service Create(Service input)
    {
        var ns = Normalize(input);
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
        _index.Add(revision);
        LogCreated(ns, name, revisionName);
        var created = _refresher.Refresh(ns, name)!;
        _events.Emit(new PlatformEvent("dev.kinlet.service.created", ns, "service", name, new Dictionary<string, object?> { ["revision"] = revisionName }));
        return created;
    }

    public Service Replace(Service input)
    {
        var ns = Normalize(input);
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
            _index.Add(revision);
            LogCreated(ns, name, revision.Metadata.Name!);
        }
        var updated = _refresher.Refresh(ns, name)!;
        _events.Emit(new PlatformEvent("dev.kinlet.service.updated", ns, "service", name, new Dictionary<string, object?>
        {
            ["generation"] = input.Metadata.Generation,
            ["revision"] = revision?.Metadata.Name,
        }));
        return updated;
    }

    /// <summary>Deletes the service and its revisions from the store; returns it and the revisions the loop now stops.</summary>
    public (Service Service, List<RevisionState> Stopping) Delete(string @namespace, string name)
    {
        var service = _store.Get<Service>(Kinds.Service, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Service, name);
        var revisions = _index.Of(@namespace, name);
        _store.Write(w =>
        {
            w.Delete(Kinds.Service, @namespace, name);
            w.Delete(Kinds.Configuration, @namespace, name);
            w.Delete(Kinds.Route, @namespace, name);
            foreach (var r in revisions) w.Delete(Kinds.Revision, @namespace, r);
        });
        _index.RemoveService(@namespace, name);
        routes.Remove(@namespace, name);
        List<RevisionState> states = [];
        foreach (var r in revisions)
        {
            if (_registry.Find(@namespace, r) is not { } state) continue;
            lifecycle.Deleted(state);
            states.Add(state);
        }
        LogDeleted(@namespace, name);
        _events.Emit(new PlatformEvent("dev.kinlet.service.deleted", @namespace, "service", name, new Dictionary<string, object?>()));
        return (service, states);
    }

    /// <summary>Deletes one revision that neither is the latest nor receives traffic.</summary>
    public (Revision Revision, RevisionState? Stopping) DeleteRevision(string @namespace, string name)
    {
        var revision = _store.Get<Revision>(Kinds.Revision, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Revision, name);
        var state = _registry.Find(@namespace, name);
        var service = revision.Metadata.Label(KnownKeys.ServiceLabel);
        var configuration = service is null ? null : _store.Get<Configuration>(Kinds.Configuration, @namespace, service);
        if (configuration?.Status?.LatestCreatedRevisionName == name)
            throw new ResourceConflictException($"revision \"{name}\" is the latest revision of service \"{service}\"; update or delete the service instead");
        if (state is { IsRouted: true })
            throw new ResourceConflictException($"revision \"{name}\" receives traffic; move its traffic away first");
        _store.Delete(Kinds.Revision, @namespace, name);
        if (state is not null) lifecycle.Deleted(state);
        if (service is not null)
        {
            _index.Remove(@namespace, service, name);
            _refresher.Refresh(@namespace, service);
        }
        return (revision, state);
    }

    private string Normalize(Service input)
    {
        input.Metadata.Namespace ??= KnativeApi.DefaultNamespace;
        input.Status = null;
        ServiceValidator.ValidateOrThrow(input, Defaults);
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
