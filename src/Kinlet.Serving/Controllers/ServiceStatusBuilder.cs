using System.Globalization;
using System.Text.Json;
using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;

namespace Kinlet.Serving.Controllers;

/// <summary>
/// Knative's status rules as a pure function: from a service, its configuration and its revisions,
/// the service/configuration/route status and where traffic goes. Ready = ConfigurationsReady ∧ RoutesReady.
/// </summary>
public static class ServiceStatusBuilder
{
    public sealed record Result(
        Service Service,
        bool ServiceChanged,
        ConfigurationStatus? ConfigurationStatus,
        RouteStatus RouteStatus,
        IReadOnlySet<string> RoutedRevisions,
        string? LatestCreatedRevisionName,
        IReadOnlyList<(string Revision, int Percent)> MainTargets,
        IReadOnlyList<(string Tag, string Revision)> TagTargets);

    public static Result Build(Service service, Configuration? configuration, IReadOnlyList<Revision> revisions,
        string domain, int port, DateTimeOffset now)
    {
        var name = service.Metadata.Name!;
        var ns = service.Metadata.Namespace ?? KnativeApi.DefaultNamespace;
        var byName = revisions.ToDictionary(r => r.Metadata.Name!, StringComparer.Ordinal);
        var latestCreated = configuration?.Status?.LatestCreatedRevisionName;
        var latestReady = revisions
            .Where(r => r.Status?.Conditions.IsTrue(ConditionTypes.Ready) == true)
            .OrderByDescending(Generation)
            .Select(r => r.Metadata.Name)
            .FirstOrDefault();

        // Traffic: latestRevision resolves to the latest ready revision; while none is ready, requests
        // are held for the latest created one (the activator waits for it) but status leaves it unresolved.
        var plan = TrafficPlanner.Plan(service, latestReady, latestCreated, domain, port);
        var main = new List<(string, int)>();
        var tags = new List<(string, string)>();
        var routed = new HashSet<string>(plan.RoutedRevisions, StringComparer.Ordinal);
        var allResolved = plan.AllTrafficAssigned;
        string? failedTarget = null;
        foreach (var target in plan.Targets)
        {
            if (target.RevisionName is { } resolved && byName.TryGetValue(resolved, out var rev)
                && rev.Status?.Conditions.IsTrue(ConditionTypes.Ready) != true)
            {
                allResolved = false;
                if (rev.Status?.Conditions.IsFalse(ConditionTypes.Ready) == true) failedTarget = resolved;
            }
            var serving = target.RevisionName ?? (target.LatestRevision ? latestCreated : null);
            if (serving is null) continue;
            if (target.Percent > 0) main.Add((serving, (int)target.Percent));
            if (target.Tag is { } tag) tags.Add((tag, serving));
            if (target.Percent > 0 || target.Tag is not null) routed.Add(serving);
        }
        var statusTraffic = plan.StatusTraffic();

        var status = service.Status is null ? new ServiceStatus() : KinletJson.Clone(service.Status);
        var before = JsonSerializer.Serialize(status, KinletJson.Options);

        // ConfigurationsReady follows the latest created revision.
        var latestCreatedRevision = latestCreated is null ? null : byName.GetValueOrDefault(latestCreated);
        var latestCondition = latestCreatedRevision?.Status?.Conditions.Get(ConditionTypes.Ready);
        var (configStatus, configReason, configMessage) = latestCondition?.Status switch
        {
            ConditionStatus.True => (ConditionStatus.True, (string?)null, (string?)null),
            ConditionStatus.False => (ConditionStatus.False, "RevisionFailed",
                $"Revision \"{latestCreated}\" failed with message: {latestCondition.Message}."),
            _ => (ConditionStatus.Unknown, "RevisionMissing", latestCondition?.Message is { Length: > 0 } progress
                ? $"Revision \"{latestCreated}\": {progress}"
                : $"Configuration \"{name}\" is waiting for a Revision to become ready."),
        };

        var (routeStatus, routeReason, routeMessage) =
            allResolved ? (ConditionStatus.True, (string?)null, (string?)null)
            : failedTarget is not null ? (ConditionStatus.False, "RevisionFailed", $"Revision \"{failedTarget}\" referenced in traffic is not ready.")
            : latestReady is null && configStatus == ConditionStatus.False
                ? (ConditionStatus.False, "RevisionMissing", $"Configuration \"{name}\" does not have any ready Revision.")
                : (ConditionStatus.Unknown, "RevisionMissing", $"Configuration \"{name}\" is waiting for a Revision to become ready.");

        status.Conditions.Set(ConditionTypes.ConfigurationsReady, configStatus, configReason, configMessage, now);
        status.Conditions.Set(ConditionTypes.RoutesReady, routeStatus, routeReason, routeMessage, now);
        var (readyStatus, readyReason, readyMessage) =
            configStatus == ConditionStatus.False ? (configStatus, configReason, configMessage)
            : routeStatus == ConditionStatus.False ? (routeStatus, routeReason, routeMessage)
            : configStatus == ConditionStatus.Unknown ? (configStatus, configReason, configMessage)
            : routeStatus == ConditionStatus.Unknown ? (routeStatus, routeReason, routeMessage)
            : (ConditionStatus.True, null, null);
        status.Conditions.Set(ConditionTypes.Ready, readyStatus, readyReason, readyMessage, now);
        status.Conditions.Sort((a, b) => string.CompareOrdinal(a.Type, b.Type));

        var url = TrafficPlanner.ServiceUrl(name, ns, domain, port);
        status.ObservedGeneration = service.Metadata.Generation;
        status.Url = url;
        status.Address = new Addressable { Url = url };
        status.LatestCreatedRevisionName = latestCreated;
        status.LatestReadyRevisionName = latestReady;
        status.Traffic = statusTraffic;

        var changed = JsonSerializer.Serialize(status, KinletJson.Options) != before;
        service.Status = status;

        var configurationStatus = configuration is null ? null : new ConfigurationStatus
        {
            ObservedGeneration = configuration.Metadata.Generation,
            LatestCreatedRevisionName = latestCreated,
            LatestReadyRevisionName = latestReady,
            Conditions = [Copy(status.Conditions.Get(ConditionTypes.ConfigurationsReady)!, ConditionTypes.Ready)],
        };
        var routeStatusObj = new RouteStatus
        {
            Url = url,
            Address = new Addressable { Url = url },
            Traffic = statusTraffic,
            Conditions =
            [
                Copy(status.Conditions.Get(ConditionTypes.RoutesReady)!, ConditionTypes.AllTrafficAssigned),
                Copy(status.Conditions.Get(ConditionTypes.RoutesReady)!, ConditionTypes.Ready),
            ],
        };
        return new Result(service, changed, configurationStatus, routeStatusObj, routed, latestCreated, main, tags);
    }

    private static long Generation(Revision r) =>
        long.TryParse(r.Metadata.Label(KnownKeys.ConfigurationGenerationLabel), NumberStyles.None, CultureInfo.InvariantCulture, out var g) ? g : 0;

    private static Condition Copy(Condition c, string type) => new()
    {
        Type = type, Status = c.Status, Reason = c.Reason, Message = c.Message, LastTransitionTime = c.LastTransitionTime,
    };
}
