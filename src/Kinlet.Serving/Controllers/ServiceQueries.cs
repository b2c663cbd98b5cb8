using Kinlet.Core.Validation;
using Kinlet.Core.Model;
using Kinlet.Serving.Revisions;
using Kinlet.Store;

namespace Kinlet.Serving.Controllers;

/// <summary>Reads of the serving resources, straight from the store (no lock), with a revision's live counts overlaid.</summary>
public sealed class ServiceQueries(IResourceStore store, RevisionRegistry registry)
{
    public IReadOnlyList<Service> List(string? @namespace) => store.List<Service>(Kinds.Service, @namespace);

    public Service Get(string @namespace, string name) =>
        store.Get<Service>(Kinds.Service, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Service, name);

    public IReadOnlyList<Revision> ListRevisions(string? @namespace, string? service)
    {
        var all = store.List<Revision>(Kinds.Revision, @namespace);
        var list = service is null ? all : all.Where(r => r.Metadata.Label(KnownKeys.ServiceLabel) == service).ToList();
        return list.Select(WithLiveCounts).ToList();
    }

    public Revision GetRevision(string @namespace, string name) =>
        WithLiveCounts(store.Get<Revision>(Kinds.Revision, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Revision, name));

    public IReadOnlyList<Configuration> ListConfigurations(string? @namespace) => store.List<Configuration>(Kinds.Configuration, @namespace);

    public Configuration GetConfiguration(string @namespace, string name) =>
        store.Get<Configuration>(Kinds.Configuration, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Configuration, name);

    public IReadOnlyList<Route> ListRoutes(string? @namespace) => store.List<Route>(Kinds.Route, @namespace);

    public Route GetRoute(string @namespace, string name) =>
        store.Get<Route>(Kinds.Route, @namespace, name) ?? throw new ResourceNotFoundException(Kinds.Route, name);

    /// <summary>Instance counts are runtime facts: read them live (the reconcile loop's published view), never from the store.</summary>
    private Revision WithLiveCounts(Revision revision)
    {
        if (registry.Find(revision.Metadata.Namespace!, revision.Metadata.Name!) is { } state)
        {
            revision.Status ??= new RevisionStatus();
            var status = revision.Status;
            var view = state.View;
            status.ActualReplicas = state.ReadyCount;
            status.DesiredReplicas = view.DesiredScale;
            status.StartingReplicas = view.Starting;
            status.QueuedRequests = state.Waiting;
            status.Restarts = view.Restarts;
            if (view.LastInitMs is { } initMs) status.InitContainersMs = (long)Math.Round(initMs);
            if (view.Decision is { } decision)
            {
                status.Panicking = decision.Panicking;
                status.ScaleReason = decision.Reason;
                status.ScaleToZeroAt = decision.ScaleToZeroAt;
            }
        }
        return revision;
    }
}
