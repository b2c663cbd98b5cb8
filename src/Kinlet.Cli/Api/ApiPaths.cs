using Kinlet.Core.Model;

namespace Kinlet.Cli.Api;

/// <summary>Knative's resource paths under the daemon (DESIGN.md: control API).</summary>
internal static class ApiPaths
{
    private const string Serving = "/apis/" + KnativeApi.ServingV1;
    private const string Eventing = "/apis/" + KnativeApi.EventingV1;
    private const string Sources = "/apis/" + KnativeApi.SourcesV1;

    public const string Version = "/version";
    public const string Healthz = "/healthz";
    public const string AllServices = Serving + "/services";

    public static string Services(string ns) => $"{Serving}/namespaces/{E(ns)}/services";
    public static string Service(string ns, string name) => $"{Services(ns)}/{E(name)}";

    public static string ServiceLogs(string ns, string name, LogsQuery q)
    {
        var query = new List<string>();
        if (q.Follow) query.Add("follow=true");
        if (q.Revision is { } revision) query.Add("revision=" + Uri.EscapeDataString(revision));
        if (q.SinceSeconds is { } since) query.Add("since=" + since.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (q.Tail is { } tail) query.Add("tail=" + tail.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (q.Container is { } container) query.Add("container=" + Uri.EscapeDataString(container));
        return $"{Service(ns, name)}/logs" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }

    public static string Revisions(string ns, string? service = null) =>
        service is null
            ? $"{Serving}/namespaces/{E(ns)}/revisions"
            : $"{Serving}/namespaces/{E(ns)}/revisions?labelSelector={Uri.EscapeDataString($"{KnownKeys.ServiceLabel}={service}")}";

    public static string Revision(string ns, string name) => $"{Serving}/namespaces/{E(ns)}/revisions/{E(name)}";
    public static string Routes(string ns) => $"{Serving}/namespaces/{E(ns)}/routes";
    public static string Route(string ns, string name) => $"{Routes(ns)}/{E(name)}";
    public static string Configurations(string ns) => $"{Serving}/namespaces/{E(ns)}/configurations";
    public static string Configuration(string ns, string name) => $"{Configurations(ns)}/{E(name)}";

    public static string Brokers(string ns) => $"{Eventing}/namespaces/{E(ns)}/brokers";
    public static string Broker(string ns, string name) => $"{Brokers(ns)}/{E(name)}";

    public static string Triggers(string ns) => $"{Eventing}/namespaces/{E(ns)}/triggers";
    public static string Trigger(string ns, string name) => $"{Triggers(ns)}/{E(name)}";

    public static string PingSources(string ns) => $"{Sources}/namespaces/{E(ns)}/pingsources";
    public static string PingSource(string ns, string name) => $"{PingSources(ns)}/{E(name)}";

    public static string VirtualServices(string ns) => $"/apis/{IstioApi.V1}/namespaces/{E(ns)}/virtualservices";
    public static string VirtualService(string ns, string name) => $"{VirtualServices(ns)}/{E(name)}";
    public static string DestinationRules(string ns) => $"/apis/{IstioApi.V1}/namespaces/{E(ns)}/destinationrules";
    public static string DestinationRule(string ns, string name) => $"{DestinationRules(ns)}/{E(name)}";

    /// <summary>Kinlet's view of a service's effective routing rules, in order, with their counters.</summary>
    public static string Routing(string ns, string service) => $"{KinletV1}/namespaces/{E(ns)}/routing/{E(service)}";

    public static string Secrets(string ns) => $"/api/v1/namespaces/{E(ns)}/secrets";
    public static string Secret(string ns, string name) => $"{Secrets(ns)}/{E(name)}";

    public static string ConfigMaps(string ns) => $"/api/v1/namespaces/{E(ns)}/configmaps";
    public static string ConfigMap(string ns, string name) => $"{ConfigMaps(ns)}/{E(name)}";

    /// <summary>Kinlet's own endpoints for <c>kinlet deploy</c> (not Knative resources).</summary>
    public const string KinletV1 = "/apis/kinlet.dev/v1";

    public static string Image(string image) => $"{KinletV1}/images?name={E(image)}";

    public static string Build(string image, string? dockerfile) =>
        dockerfile is null ? $"{KinletV1}/builds?image={E(image)}" : $"{KinletV1}/builds?image={E(image)}&dockerfile={E(dockerfile)}";

    private static string E(string segment) => Uri.EscapeDataString(segment);
}

/// <summary>What <c>kinlet logs</c> asks the daemon for; <see cref="SinceSeconds"/> is the API's <c>since</c>.</summary>
internal sealed record LogsQuery(bool Follow, string? Revision, long? SinceSeconds, int? Tail, string? Container = null);
