using System.Text;
using Kinlet.Core.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Kinlet.Serving;
using Kinlet.Eventing.Controllers;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.ConfigMaps;
using Kinlet.Serving.Secrets;
using Kinlet.Serving.TrafficPolicy;
using Microsoft.Extensions.Options;

namespace Kinlet.Daemon.Api;

/// <summary>Knative's resource paths under the daemon, JSON in Knative's shapes (DESIGN.md contract).</summary>
public static class ControlApi
{
    private const string Serving = "/apis/serving.knative.dev/v1";
    private const string Eventing = "/apis/eventing.knative.dev/v1";
    private const string Sources = "/apis/sources.knative.dev/v1";
    private const int MaxBodyBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan DeleteBound = TimeSpan.FromMinutes(2);

    public static void MapControlApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", (ServingHostedService serving) =>
            serving.IsReady ? Results.Text("ok\n") : Results.Text(serving.NotReadyReason + "\n", statusCode: 503));
        app.MapGet("/version", (IOptions<ServingOptions> o) =>
            Json(new VersionInfo(DaemonVersion.Current, o.Value.Domain, o.Value.IngressPort, o.Value.IngressH2cPort)));
        // Behind the token like the rest of the API: revision and service names are not for anyone on the host.
        app.MapGet("/metrics", async (HttpContext context, Kinlet.Serving.Metrics.ServingMetrics metrics, Kinlet.Eventing.Metrics.EventingMetrics eventing) =>
        {
            context.Response.ContentType = Kinlet.Serving.Metrics.ServingMetrics.ContentType;
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
            await eventing.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });

        var s = app.MapGroup(Serving);
        s.MapGet("/services", (ServiceController c) => Json(List("ServiceList", c.List(null))));
        s.MapGet("/namespaces/{ns}/services", (string ns, ServiceController c) => Json(List("ServiceList", c.List(ns))));
        s.MapGet("/namespaces/{ns}/services/{name}", (string ns, string name, ServiceController c) => Json(c.Get(ns, name)));
        s.MapPost("/namespaces/{ns}/services", async (string ns, HttpContext http, ServiceController c) =>
        {
            var service = await ReadServiceAsync(http, ns, null).ConfigureAwait(false);
            return Json(await c.CreateAsync(service).ConfigureAwait(false), StatusCodes.Status201Created);
        });
        s.MapPut("/namespaces/{ns}/services/{name}", async (string ns, string name, HttpContext http, ServiceController c) =>
        {
            var service = await ReadServiceAsync(http, ns, name).ConfigureAwait(false);
            return Json(await c.ReplaceAsync(service).ConfigureAwait(false));
        });
        // Kinlet's own sub-resource: the service's instance output and kinletd's lines about it, as NDJSON.
        s.MapGet("/namespaces/{ns}/services/{name}/logs", ServiceLogsEndpoint.HandleAsync);
        s.MapDelete("/namespaces/{ns}/services/{name}", async (string ns, string name, ServiceController c, CancellationToken ct) =>
            Json(await c.DeleteAsync(ns, name, DeleteBound, ct).ConfigureAwait(false)));

        s.MapGet("/revisions", (string? labelSelector, ServiceController c) =>
            Json(List("RevisionList", Select(c.ListRevisions(null, null), labelSelector))));
        s.MapGet("/namespaces/{ns}/revisions", (string ns, string? labelSelector, ServiceController c) =>
            Json(List("RevisionList", Select(c.ListRevisions(ns, null), labelSelector))));
        s.MapGet("/namespaces/{ns}/revisions/{name}", (string ns, string name, ServiceController c) => Json(c.GetRevision(ns, name)));
        s.MapDelete("/namespaces/{ns}/revisions/{name}", async (string ns, string name, ServiceController c, CancellationToken ct) =>
            Json(await c.DeleteRevisionAsync(ns, name, DeleteBound, ct).ConfigureAwait(false)));

        var e = app.MapGroup(Eventing);
        e.MapGet("/brokers", (BrokerController c) => Json(List("BrokerList", c.List(null), KnativeApi.EventingV1)));
        e.MapGet("/namespaces/{ns}/brokers", (string ns, BrokerController c) => Json(List("BrokerList", c.List(ns), KnativeApi.EventingV1)));
        e.MapGet("/namespaces/{ns}/brokers/{name}", (string ns, string name, BrokerController c) => Json(c.Get(ns, name)));
        e.MapPost("/namespaces/{ns}/brokers", async (string ns, HttpContext http, BrokerController c) =>
            Json(c.Apply(await ReadResourceAsync<Broker>(http, ns, null, "an eventing.knative.dev/v1 Broker").ConfigureAwait(false), ns),
                StatusCodes.Status201Created));
        e.MapPut("/namespaces/{ns}/brokers/{name}", async (string ns, string name, HttpContext http, BrokerController c) =>
            Json(c.Apply(await ReadResourceAsync<Broker>(http, ns, name, "an eventing.knative.dev/v1 Broker").ConfigureAwait(false), ns)));
        e.MapDelete("/namespaces/{ns}/brokers/{name}", (string ns, string name, BrokerController c) => Json(c.Delete(ns, name)));
        e.MapGet("/triggers", (TriggerController c) => Json(List("TriggerList", c.List(null), KnativeApi.EventingV1)));
        e.MapGet("/namespaces/{ns}/triggers", (string ns, TriggerController c) => Json(List("TriggerList", c.List(ns), KnativeApi.EventingV1)));
        e.MapGet("/namespaces/{ns}/triggers/{name}", (string ns, string name, TriggerController c) => Json(c.Get(ns, name)));
        e.MapPost("/namespaces/{ns}/triggers", async (string ns, HttpContext http, TriggerController c) =>
            Json(await c.ApplyAsync(await ReadResourceAsync<Trigger>(http, ns, null, "an eventing.knative.dev/v1 Trigger").ConfigureAwait(false), ns, http.RequestAborted).ConfigureAwait(false),
                StatusCodes.Status201Created));
        e.MapPut("/namespaces/{ns}/triggers/{name}", async (string ns, string name, HttpContext http, TriggerController c) =>
            Json(await c.ApplyAsync(await ReadResourceAsync<Trigger>(http, ns, name, "an eventing.knative.dev/v1 Trigger").ConfigureAwait(false), ns, http.RequestAborted).ConfigureAwait(false)));
        e.MapDelete("/namespaces/{ns}/triggers/{name}", (string ns, string name, TriggerController c) => Json(c.Delete(ns, name)));
        // Kinlet's own sub-resources: the events a trigger gave up on, and sending them again.
        e.MapGet("/namespaces/{ns}/triggers/{name}/failed", (string ns, string name, TriggerController c) =>
            Json(new FailedList([.. c.Failed(ns, name, 1000).Select(FailedEvent.From)])));
        e.MapPost("/namespaces/{ns}/triggers/{name}/redrive", async (string ns, string name, HttpContext http, TriggerController c) =>
            Json(new RedriveResult(await c.RedriveAsync(ns, name, http.RequestAborted).ConfigureAwait(false))));

        // Secrets (Kubernetes' core path): reads give names and keys, never values.
        var core = app.MapGroup("/api/v1");
        core.MapGet("/secrets", (SecretController c) => Json(List("SecretList", c.List(null), "v1")));
        core.MapGet("/namespaces/{ns}/secrets", (string ns, SecretController c) => Json(List("SecretList", c.List(ns), "v1")));
        core.MapGet("/namespaces/{ns}/secrets/{name}", (string ns, string name, SecretController c) => Json(c.Get(ns, name)));
        core.MapPost("/namespaces/{ns}/secrets", async (string ns, HttpContext http, SecretController c) =>
            Json(c.Apply(await ReadResourceAsync<Secret>(http, ns, null, "a v1 Secret").ConfigureAwait(false), ns, replace: false), StatusCodes.Status201Created));
        core.MapPut("/namespaces/{ns}/secrets/{name}", async (string ns, string name, HttpContext http, SecretController c) =>
            Json(c.Apply(await ReadResourceAsync<Secret>(http, ns, name, "a v1 Secret").ConfigureAwait(false), ns, replace: true)));
        core.MapDelete("/namespaces/{ns}/secrets/{name}", (string ns, string name, SecretController c) => Json(c.Delete(ns, name)));
        // ConfigMaps (Kubernetes' core path and shape): not secret, reads give the data.
        core.MapGet("/configmaps", (ConfigMapController c) => Json(List("ConfigMapList", c.List(null), "v1")));
        core.MapGet("/namespaces/{ns}/configmaps", (string ns, ConfigMapController c) => Json(List("ConfigMapList", c.List(ns), "v1")));
        core.MapGet("/namespaces/{ns}/configmaps/{name}", (string ns, string name, ConfigMapController c) => Json(c.Get(ns, name)));
        core.MapPost("/namespaces/{ns}/configmaps", async (string ns, HttpContext http, ConfigMapController c) =>
            Json(c.Apply(await ReadResourceAsync<ConfigMap>(http, ns, null, "a v1 ConfigMap").ConfigureAwait(false), ns, replace: false), StatusCodes.Status201Created));
        core.MapPut("/namespaces/{ns}/configmaps/{name}", async (string ns, string name, HttpContext http, ConfigMapController c) =>
            Json(c.Apply(await ReadResourceAsync<ConfigMap>(http, ns, name, "a v1 ConfigMap").ConfigureAwait(false), ns, replace: true)));
        core.MapDelete("/namespaces/{ns}/configmaps/{name}", (string ns, string name, ConfigMapController c) => Json(c.Delete(ns, name)));

        var src = app.MapGroup(Sources);
        src.MapGet("/pingsources", (PingSourceController c) => Json(List("PingSourceList", c.List(null), KnativeApi.SourcesV1)));
        src.MapGet("/namespaces/{ns}/pingsources", (string ns, PingSourceController c) => Json(List("PingSourceList", c.List(ns), KnativeApi.SourcesV1)));
        src.MapGet("/namespaces/{ns}/pingsources/{name}", (string ns, string name, PingSourceController c) => Json(c.Get(ns, name)));
        src.MapPost("/namespaces/{ns}/pingsources", async (string ns, HttpContext http, PingSourceController c) =>
            Json(c.Apply(await ReadResourceAsync<PingSource>(http, ns, null, "a sources.knative.dev/v1 PingSource").ConfigureAwait(false), ns),
                StatusCodes.Status201Created));
        src.MapPut("/namespaces/{ns}/pingsources/{name}", async (string ns, string name, HttpContext http, PingSourceController c) =>
            Json(c.Apply(await ReadResourceAsync<PingSource>(http, ns, name, "a sources.knative.dev/v1 PingSource").ConfigureAwait(false), ns)));
        src.MapDelete("/namespaces/{ns}/pingsources/{name}", (string ns, string name, PingSourceController c) => Json(c.Delete(ns, name)));

        // Istio's networking group, all three versions of the same shape; everything is stored and answered as v1.
        foreach (var version in IstioApi.Versions)
        {
            var n = app.MapGroup("/apis/" + version);
            n.MapGet("/virtualservices", (TrafficPolicyController c) => Json(List("VirtualServiceList", c.ListVirtualServices(null), IstioApi.V1)));
            n.MapGet("/namespaces/{ns}/virtualservices", (string ns, TrafficPolicyController c) => Json(List("VirtualServiceList", c.ListVirtualServices(ns), IstioApi.V1)));
            n.MapGet("/namespaces/{ns}/virtualservices/{name}", (string ns, string name, TrafficPolicyController c) => Json(c.GetVirtualService(ns, name)));
            n.MapPost("/namespaces/{ns}/virtualservices", async (string ns, HttpContext http, TrafficPolicyController c) =>
                Json(Warn(http, await c.ApplyAsync(await ReadResourceAsync<VirtualService>(http, ns, null, "a networking.istio.io/v1 VirtualService").ConfigureAwait(false), replace: false).ConfigureAwait(false)),
                    StatusCodes.Status201Created));
            n.MapPut("/namespaces/{ns}/virtualservices/{name}", async (string ns, string name, HttpContext http, TrafficPolicyController c) =>
                Json(Warn(http, await c.ApplyAsync(await ReadResourceAsync<VirtualService>(http, ns, name, "a networking.istio.io/v1 VirtualService").ConfigureAwait(false), replace: true).ConfigureAwait(false))));
            n.MapDelete("/namespaces/{ns}/virtualservices/{name}", async (string ns, string name, TrafficPolicyController c) =>
                Json(await c.DeleteVirtualServiceAsync(ns, name).ConfigureAwait(false)));
            n.MapGet("/destinationrules", (TrafficPolicyController c) => Json(List("DestinationRuleList", c.ListDestinationRules(null), IstioApi.V1)));
            n.MapGet("/namespaces/{ns}/destinationrules", (string ns, TrafficPolicyController c) => Json(List("DestinationRuleList", c.ListDestinationRules(ns), IstioApi.V1)));
            n.MapGet("/namespaces/{ns}/destinationrules/{name}", (string ns, string name, TrafficPolicyController c) => Json(c.GetDestinationRule(ns, name)));
            n.MapPost("/namespaces/{ns}/destinationrules", async (string ns, HttpContext http, TrafficPolicyController c) =>
                Json(Warn(http, await c.ApplyAsync(await ReadResourceAsync<DestinationRule>(http, ns, null, "a networking.istio.io/v1 DestinationRule").ConfigureAwait(false), replace: false).ConfigureAwait(false)),
                    StatusCodes.Status201Created));
            n.MapPut("/namespaces/{ns}/destinationrules/{name}", async (string ns, string name, HttpContext http, TrafficPolicyController c) =>
                Json(Warn(http, await c.ApplyAsync(await ReadResourceAsync<DestinationRule>(http, ns, name, "a networking.istio.io/v1 DestinationRule").ConfigureAwait(false), replace: true).ConfigureAwait(false))));
            n.MapDelete("/namespaces/{ns}/destinationrules/{name}", async (string ns, string name, TrafficPolicyController c) =>
                Json(await c.DeleteDestinationRuleAsync(ns, name).ConfigureAwait(false)));
        }

        // Kinlet's own view of a service's effective rules (compiled into the route table) with their counters.
        app.MapGet("/apis/kinlet.dev/v1/namespaces/{ns}/routing/{name}", (string ns, string name, TrafficPolicyController c) => Json(c.Describe(ns, name)));

        s.MapGet("/routes", (ServiceController c) => Json(List("RouteList", c.ListRoutes(null))));
        s.MapGet("/namespaces/{ns}/routes", (string ns, ServiceController c) => Json(List("RouteList", c.ListRoutes(ns))));
        s.MapGet("/namespaces/{ns}/routes/{name}", (string ns, string name, ServiceController c) => Json(c.GetRoute(ns, name)));
        s.MapGet("/configurations", (ServiceController c) => Json(List("ConfigurationList", c.ListConfigurations(null))));
        s.MapGet("/namespaces/{ns}/configurations", (string ns, ServiceController c) => Json(List("ConfigurationList", c.ListConfigurations(ns))));
        s.MapGet("/namespaces/{ns}/configurations/{name}", (string ns, string name, ServiceController c) => Json(c.GetConfiguration(ns, name)));
    }

    /// <summary>The write's warnings as Kubernetes' <c>Warning: 299</c> headers; the resource is the body.</summary>
    private static T Warn<T>(HttpContext http, PolicyWrite<T> write)
    {
        foreach (var warning in write.Warnings)
            http.Response.Headers.Append("Warning", $"299 - \"{warning.Replace('"', '\'')}\"");
        return write.Resource;
    }

    private sealed record FailedList(IReadOnlyList<FailedEvent> Items);

    private sealed record FailedEvent(long Sequence, string? Id, string? Type, string? Source, int Attempts, int? LastStatus, string? LastError, DateTimeOffset FailedAt)
    {
        public static FailedEvent From(Kinlet.Store.Events.DeliveryRecord r) => new(r.Sequence, r.Attributes.GetValueOrDefault("id"),
            r.Attributes.GetValueOrDefault("type"), r.Attributes.GetValueOrDefault("source"), r.Attempts, r.LastStatus, r.LastError, r.DueAt);
    }

    private sealed record RedriveResult(int Redriven);

    private sealed record VersionInfo(string Version, string Domain, int IngressPort, int IngressH2cPort);

    private static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, KinletJson.Options, "application/json", status);

    private static ResourceList<T> List<T>(string kind, IReadOnlyList<T> items, string apiVersion = KnativeApi.ServingV1) =>
        new() { ApiVersion = apiVersion, Kind = kind, Items = [.. items] };

    /// <summary>Equality-based label selectors, Kubernetes style: <c>a=b,c=d</c>.</summary>
    private static IReadOnlyList<Revision> Select(IReadOnlyList<Revision> revisions, string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector)) return revisions;
        var terms = new List<(string Key, string Value)>();
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = term.Split("=", 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2) throw new ValidationException("labelSelector", $"'{term}' is not of the form key=value");
            terms.Add((parts[0].TrimEnd('='), parts[1].TrimStart('=')));
        }
        return revisions.Where(r => terms.All(t => r.Metadata.Label(t.Key) == t.Value)).ToList();
    }

    private static Task<Service> ReadServiceAsync(HttpContext http, string ns, string? name) =>
        ReadResourceAsync<Service>(http, ns, name, "a serving.knative.dev/v1 Service");

    /// <summary>A resource from the request body; its namespace and name must agree with the path's.</summary>
    private static async Task<T> ReadResourceAsync<T>(HttpContext http, string ns, string? name, string what) where T : class
    {
        var body = await ReadBodyAsync(http, what).ConfigureAwait(false);
        var bound = ManifestReader.Bind<T>(body);
        var resource = bound.Value;
        IEnumerable<string> warnings = bound.Warnings;
        if (resource is Service service) warnings = warnings.Concat(OneNodeWarnings.For(service.Spec?.Template?.Spec, "spec.template.spec"));
        foreach (var warning in warnings)
            http.Response.Headers.Append("Warning", $"299 - \"{warning.Replace('"', '\'')}\"");
        var meta = MetadataOf(resource);
        if (meta.Namespace is { } bodyNs && bodyNs != ns)
            throw new ValidationException("metadata.namespace", $"\"{bodyNs}\" does not match the namespace in the path (\"{ns}\")");
        meta.Namespace = ns;
        if (name is not null)
        {
            if (meta.Name is { } bodyName && bodyName != name)
                throw new ValidationException("metadata.name", $"\"{bodyName}\" does not match the name in the path (\"{name}\")");
            meta.Name = name;
        }
        return resource;
    }

    private static ObjectMeta MetadataOf<T>(T resource) => resource switch
    {
        Service s => s.Metadata ??= new ObjectMeta(),
        Broker b => b.Metadata ??= new ObjectMeta(),
        Trigger t => t.Metadata ??= new ObjectMeta(),
        PingSource p => p.Metadata ??= new ObjectMeta(),
        Secret x => x.Metadata ??= new ObjectMeta(),
        ConfigMap m => m.Metadata ??= new ObjectMeta(),
        VirtualService v => v.Metadata ??= new ObjectMeta(),
        DestinationRule d => d.Metadata ??= new ObjectMeta(),
        _ => throw new InvalidOperationException($"no metadata accessor for {typeof(T).Name}"),
    };

    private static async Task<string> ReadBodyAsync(HttpContext http, string what)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
            throw new BadHttpRequestException($"the body is over {MaxBodyBytes / 1024 / 1024} MiB", StatusCodes.Status413PayloadTooLarge);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
                throw new BadHttpRequestException($"the body is over {MaxBodyBytes / 1024 / 1024} MiB", StatusCodes.Status413PayloadTooLarge);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) throw new ValidationException("", $"the body is empty; send {what} as JSON");
        try
        {
            return new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new ValidationException("", "the body is not UTF-8 text");
        }
    }
}

public static class DaemonVersion
{
    public static string Current { get; } =
        typeof(DaemonVersion).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";
}
