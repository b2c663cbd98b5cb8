using Kinlet.Core.Events;
using Kinlet.Core.Model;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;
using Kinlet.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// The serving resources' front door for the daemon's API and the CLI: composes the reads
/// (<see cref="ServiceQueries"/>), the writes (<see cref="ServiceWriter"/>), the reconciler's status
/// verdicts (<see cref="RevisionStatusRecorder"/>), status refresh (<see cref="ServiceStatusRefresher"/>)
/// and the route table (<see cref="RouteTableBuilder"/>). Holds no logic of its own.
/// </summary>
public sealed class ServiceController : IRevisionStatusSink
{
    private readonly IResourceStore _store;
    private readonly RevisionRegistry _registry;
    private readonly ServiceWriteGate _gate = new();
    private readonly ServiceQueries _queries;
    private readonly ServiceWriter _writer;
    private readonly ServiceStatusRefresher _refresher;
    private readonly RevisionStatusRecorder _recorder;
    private readonly RouteTableBuilder _routes;

    public ServiceController(IResourceStore store, RevisionRegistry registry, ReconcileQueue queue, Router router,
        IOptions<ServingOptions> options, TimeProvider time, ILogger<ServiceController> logger, IPlatformEvents? events = null)
    {
        var platformEvents = events ?? NoPlatformEvents.Instance;
        _store = store;
        _registry = registry;
        _routes = new RouteTableBuilder(registry, router, options.Value);
        _queries = new ServiceQueries(store, registry);
        _refresher = new ServiceStatusRefresher(store, queue, _routes, options.Value, time, platformEvents);
        _recorder = new RevisionStatusRecorder(store, _gate, _refresher, time, platformEvents);
        _writer = new ServiceWriter(store, registry, queue, _gate, _refresher, _routes, options.Value, time, logger, platformEvents);
    }

    /// <summary>Loads every revision into the runtime registry and recomputes every status (daemon start).</summary>
    public void Initialize()
    {
        lock (_gate.Lock)
        {
            foreach (var revision in _store.List<Revision>(Kinds.Revision, null))
                _registry.GetOrAdd(revision);
            foreach (var service in _store.List<Service>(Kinds.Service, null))
                _refresher.Refresh(service.Metadata.Namespace!, service.Metadata.Name!, publish: false);
            _routes.Publish();
        }
    }

    public IReadOnlyList<Service> List(string? @namespace) => _queries.List(@namespace);
    public Service Get(string @namespace, string name) => _queries.Get(@namespace, name);
    public IReadOnlyList<Revision> ListRevisions(string? @namespace, string? service) => _queries.ListRevisions(@namespace, service);
    public Revision GetRevision(string @namespace, string name) => _queries.GetRevision(@namespace, name);
    public IReadOnlyList<Configuration> ListConfigurations(string? @namespace) => _queries.ListConfigurations(@namespace);
    public Configuration GetConfiguration(string @namespace, string name) => _queries.GetConfiguration(@namespace, name);
    public IReadOnlyList<Route> ListRoutes(string? @namespace) => _queries.ListRoutes(@namespace);
    public Route GetRoute(string @namespace, string name) => _queries.GetRoute(@namespace, name);

    public Service Create(Service input) => _writer.Create(input);
    public Service Replace(Service input) => _writer.Replace(input);

    public Task<Service> DeleteAsync(string @namespace, string name, TimeSpan bound, CancellationToken cancellationToken) =>
        _writer.DeleteAsync(@namespace, name, bound, cancellationToken);

    public Task<Revision> DeleteRevisionAsync(string @namespace, string name, TimeSpan bound, CancellationToken cancellationToken) =>
        _writer.DeleteRevisionAsync(@namespace, name, bound, cancellationToken);

    public void RevisionReady(RevisionState revision) => _recorder.RevisionReady(revision);
    public void RevisionFailed(RevisionState revision, RevisionFailure failure) => _recorder.RevisionFailed(revision, failure);
    public void RevisionProgress(RevisionState revision, string message) => _recorder.RevisionProgress(revision, message);
}
