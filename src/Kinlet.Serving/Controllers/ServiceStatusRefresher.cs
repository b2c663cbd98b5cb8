using Kinlet.Core.Events;
using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Routing;
using Kinlet.Store;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// Recomputes a service's status from its own revisions (found through <see cref="ServiceRevisionIndex"/>,
/// not a namespace scan), stores what changed, records each revision's routing state, tells the reconcile
/// loop which revisions are routed or newest, and updates the service's routes. Runs on the write loop.
/// </summary>
public sealed class ServiceStatusRefresher(
    IResourceStore store,
    ServiceRevisionIndex index,
    IRevisionLifecycle lifecycle,
    RouteTableBuilder routes,
    IOptions<ServingOptions> options,
    TimeProvider time,
    IPlatformEvents? events = null,
    TrafficPolicy.TrafficPolicyBook? policies = null)
{
    private readonly ServingOptions _options = options.Value;
    private readonly IPlatformEvents _events = events ?? NoPlatformEvents.Instance;

    public Service? Refresh(string ns, string name, bool publish = true)
    {
        var service = store.Get<Service>(Kinds.Service, ns, name);
        if (service is null) return null;
        var configuration = store.Get<Configuration>(Kinds.Configuration, ns, name);
        var route = store.Get<Route>(Kinds.Route, ns, name);
        var revisions = new List<Revision>();
        foreach (var revisionName in index.Of(ns, name))
            if (store.Get<Revision>(Kinds.Revision, ns, revisionName) is { } r) revisions.Add(r);

        var readyBefore = service.Status?.Conditions.Get(ConditionTypes.Ready)?.Status;
        var result = ServiceStatusBuilder.Build(service, configuration, revisions, _options.Domain, _options.IngressPort, time.GetUtcNow());
        if (result.Service.Status?.Conditions.Get(ConditionTypes.Ready) is { Status: ConditionStatus.True } && readyBefore != ConditionStatus.True)
            _events.Emit(new PlatformEvent("dev.kinlet.service.ready", ns, "service", name, new Dictionary<string, object?>
            {
                ["url"] = result.Service.Status.Url,
                ["latestReadyRevisionName"] = result.Service.Status.LatestReadyRevisionName,
            }));

        if (result.ServiceChanged) store.Put(Kinds.Service, ns, name, result.Service);
        if (configuration is not null && result.ConfigurationStatus is not null
            && CanonicalJson.Of(configuration.Status) != CanonicalJson.Of(result.ConfigurationStatus))
        {
            configuration.Status = result.ConfigurationStatus;
            store.Put(Kinds.Configuration, ns, name, configuration);
        }
        if (route is not null && CanonicalJson.Of(route.Status) != CanonicalJson.Of(result.RouteStatus))
        {
            route.Status = result.RouteStatus;
            store.Put(Kinds.Route, ns, name, route);
        }

        // A revision a DestinationRule subset selects is routed too: a VirtualService may send requests to it.
        var subsets = policies?.SubsetRevisions(ns, name, revisions, result.TagTargets);
        foreach (var r in revisions)
        {
            var routed = result.RoutedRevisions.Contains(r.Metadata.Name!) || subsets?.Contains(r.Metadata.Name!) == true;
            lifecycle.Observe(r, routed, latestCreated: r.Metadata.Name == result.LatestCreatedRevisionName);
            RecordRoutingState(ns, r, routed);
        }

        routes.Update(ns, name, result, publish, revisions);
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
