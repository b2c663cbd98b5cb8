using Kinlet.Core.Events;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Routing;
using Kinlet.Store;
using static Kinlet.Serving.Controllers.ServiceDocuments;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// Recomputes a service's status from its revisions, stores what changed, tells the reconciler which
/// revisions are routed or newest, records the routing-state labels and hands the result to the route
/// table. Callers hold the <see cref="ServiceWriteGate"/>.
/// </summary>
public sealed class ServiceStatusRefresher(IResourceStore store, ReconcileQueue queue, RouteTableBuilder routes,
    ServingOptions options, TimeProvider time, IPlatformEvents events)
{
    public Service? Refresh(string ns, string name, bool publish)
    {
        var service = store.Get<Service>(Kinds.Service, ns, name);
        if (service is null) return null;
        var configuration = store.Get<Configuration>(Kinds.Configuration, ns, name);
        var route = store.Get<Route>(Kinds.Route, ns, name);
        var revisions = store.List<Revision>(Kinds.Revision, ns)
            .Where(r => r.Metadata.Label(KnownKeys.ServiceLabel) == name)
            .ToList();

        var readyBefore = service.Status?.Conditions.Get(ConditionTypes.Ready)?.Status;
        var result = ServiceStatusBuilder.Build(service, configuration, revisions, options.Domain, options.IngressPort, time.GetUtcNow());
        if (result.Service.Status?.Conditions.Get(ConditionTypes.Ready) is { Status: ConditionStatus.True } && readyBefore != ConditionStatus.True)
            events.Emit(new PlatformEvent("dev.kinlet.service.ready", ns, "service", name, new Dictionary<string, object?>
            {
                ["url"] = result.Service.Status.Url,
                ["latestReadyRevisionName"] = result.Service.Status.LatestReadyRevisionName,
            }));

        if (result.ServiceChanged) store.Put(Kinds.Service, ns, name, result.Service);
        if (configuration is not null && result.ConfigurationStatus is not null
            && Canonical(configuration.Status) != Canonical(result.ConfigurationStatus))
        {
            configuration.Status = result.ConfigurationStatus;
            store.Put(Kinds.Configuration, ns, name, configuration);
        }
        if (route is not null && Canonical(route.Status) != Canonical(result.RouteStatus))
        {
            route.Status = result.RouteStatus;
            store.Put(Kinds.Route, ns, name, route);
        }

        foreach (var r in revisions)
        {
            var routed = result.RoutedRevisions.Contains(r.Metadata.Name!);
            queue.Observe(r, routed, latestCreated: r.Metadata.Name == result.LatestCreatedRevisionName);
            RecordRoutingState(ns, r, routed);
        }

        routes.Set(ns, name, result, publish);
        return result.Service;
    }

    /// <summary>
    /// Knative's routingState label and its change time on the stored revision: revision GC reads it as
    /// "last active", and it survives a daemon restart.
    /// </summary>
    private void RecordRoutingState(string ns, Revision revision, bool routed)
    {
        var wanted = routed ? KnownKeys.RoutingStateActive : KnownKeys.RoutingStateReserve;
        if (revision.Metadata.Label(KnownKeys.RoutingStateLabel) == wanted) return;
        revision.Metadata.Labels ??= [];
        revision.Metadata.Labels[KnownKeys.RoutingStateLabel] = wanted;
        revision.Metadata.Annotations ??= [];
        revision.Metadata.Annotations[KnownKeys.RoutingStateModifiedAnnotation] =
            time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        store.Put(Kinds.Revision, ns, revision.Metadata.Name!, revision);
    }
}
