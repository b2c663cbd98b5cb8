using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kinlet.Core.Json;
using Kinlet.Core.Manifests;
using Kinlet.Core.Model;
using Kinlet.Core.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kinlet.Cli.Tests.Support;

/// <summary>One request as the fake daemon saw it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string Body, string? Authorization, string Host);

/// <summary>
/// A small in-memory kinletd on real Kestrel (127.0.0.1, port 0): the control API contract for services,
/// revisions and routes, with rollouts that become Ready (or fail) after a few polls, and an "ingress"
/// that echoes requests whose Host is a service host. Canned answers can be forced with <see cref="Intercept"/>.
/// </summary>
public sealed partial class FakeKinletd : IAsyncDisposable
{
    public const string Token = "test-token";

    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly Dictionary<(string Ns, string Name), Entry> services = [];
    private readonly List<Revision> revisions = [];

    private FakeKinletd(WebApplication app) => this.app = app;

    public string Url { get; private set; } = "";
    public int Port { get; private set; }
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>GETs that still show the previous generation after each change, so the CLI has to poll.</summary>
    public int PendingPolls { get; set; } = 1;

    /// <summary>Makes a rollout fail with Ready=False (reason, message) instead of becoming Ready.</summary>
    public Func<Service, (string Reason, string Message)?>? FailWith { get; set; }

    /// <summary>Extra Warning texts sent with every create and replace.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Answers a request before the fake does (return true when handled).</summary>
    public Func<HttpContext, Task<bool>>? Intercept { get; set; }

    public static async Task<FakeKinletd> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeKinletd(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Url = address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        fake.Port = new Uri(fake.Url).Port;
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await app.DisposeAsync();
    }

    public IEnumerable<RecordedRequest> Calls(string method, string pathPrefix) =>
        Requests.Where(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    public static string ServicesPath(string ns = "default") => $"/apis/serving.knative.dev/v1/namespaces/{ns}/services";

    /// <summary>Puts a service in place as if created earlier, Ready, with its first revision.</summary>
    public Service Seed(Service service)
    {
        lock (gate)
        {
            var ns = service.Metadata.Namespace ??= "default";
            var stored = new Entry { Service = KinletJson.Clone(service) };
            stored.Service.Metadata.Generation = 1;
            stored.Service.Metadata.CreationTimestamp = DateTimeOffset.UtcNow.AddMinutes(-5);
            services[(ns, service.Metadata.Name!)] = stored;
            NewRevision(stored);
            stored.PollsLeft = 0;
            Observe(stored, consume: false);
            return KinletJson.Clone(stored.Service);
        }
    }

    /// <summary>Adds an extra revision (an older or newer one) to a seeded service without changing its spec.</summary>
    public void SeedRevision(string service, string revisionName, long generation, string ns = "default")
    {
        lock (gate)
        {
            revisions.Add(new Revision
            {
                Metadata = new ObjectMeta
                {
                    Name = revisionName, Namespace = ns, CreationTimestamp = DateTimeOffset.UtcNow.AddMinutes(-10),
                    Labels = new() { [KnownKeys.ServiceLabel] = service, [KnownKeys.ConfigurationGenerationLabel] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
                Spec = KinletJson.Clone(services[(ns, service)].Service.Spec.Template.Spec),
                Status = ReadyRevisionStatus(),
            });
        }
    }

    public Service? Stored(string name, string ns = "default")
    {
        lock (gate) return services.TryGetValue((ns, name), out var s) ? KinletJson.Clone(s.Service) : null;
    }

    private sealed class Entry
    {
        public Service Service = new();
        public int PollsLeft;
        public int RevisionCount;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var body = await new StreamReader(ctx.Request.Body, Encoding.UTF8).ReadToEndAsync(ctx.RequestAborted);
        var host = ctx.Request.Host.Value ?? "";
        Requests.Enqueue(new RecordedRequest(ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Request.QueryString.Value ?? "",
            body, ctx.Request.Headers.Authorization.FirstOrDefault(), host));

        if (Intercept is { } intercept && await intercept(ctx)) return;

        if (host.Contains(".localhost", StringComparison.Ordinal))
        {
            await IngressAsync(ctx, host, body);
            return;
        }
        var path = ctx.Request.Path.Value ?? "";
        if (path is "/healthz" or "/readyz")
        {
            await ctx.Response.WriteAsync("ok");
            return;
        }
        if (ctx.Request.Headers.Authorization.FirstOrDefault() != $"Bearer {Token}")
        {
            await Json(ctx, 401, new { error = "missing or wrong bearer token" });
            return;
        }
        if (path == "/version")
        {
            await Json(ctx, 200, new { version = "0.1.0", domain = "localhost", ingressPort = Port });
            return;
        }
        var m = ApiPath().Match(path);
        if (!m.Success)
        {
            await Json(ctx, 404, new { error = $"no such path {path}" });
            return;
        }
        var ns = m.Groups["ns"].Success ? m.Groups["ns"].Value : null;
        var name = m.Groups["name"].Success ? m.Groups["name"].Value : null;
        switch (m.Groups["res"].Value)
        {
            case "services": await ServicesAsync(ctx, ns, name, body); break;
            case "revisions": await RevisionsAsync(ctx, ns!, name); break;
            case "routes": await RoutesAsync(ctx, ns!, name); break;
            default: await Json(ctx, 404, new { error = "not served by the fake" }); break;
        }
    }

    private async Task ServicesAsync(HttpContext ctx, string? ns, string? name, string body)
    {
        var method = ctx.Request.Method;
        if (name is null && method == "GET")
        {
            List<Service> items;
            lock (gate)
                items = [.. services.Where(kv => ns is null || kv.Key.Ns == ns).Select(kv => KinletJson.Clone(kv.Value.Service))];
            await Json(ctx, 200, new ResourceList<Service> { ApiVersion = KnativeApi.ServingV1, Kind = "ServiceList", Items = items });
            return;
        }
        if (name is null && method == "POST")
        {
            Bound<Service> bound;
            try { bound = ManifestReader.Bind<Service>(body); }
            catch (ValidationException e) { await Json(ctx, 400, new { error = e.Errors[0].Message, field = e.Field }); return; }
            var svc = bound.Value;
            svc.Status = null;
            Service created;
            lock (gate)
            {
                if (services.ContainsKey((ns!, svc.Metadata.Name!))) created = null!;
                else
                {
                    svc.Metadata.Namespace = ns;
                    svc.Metadata.Generation = 1;
                    svc.Metadata.Uid = Guid.NewGuid().ToString();
                    svc.Metadata.CreationTimestamp = DateTimeOffset.UtcNow;
                    var stored = new Entry { Service = svc, PollsLeft = PendingPolls };
                    services[(ns!, svc.Metadata.Name!)] = stored;
                    NewRevision(stored);
                    created = KinletJson.Clone(svc);
                }
            }
            if (created is null)
            {
                await Json(ctx, 409, new { error = $"service \"{svc.Metadata.Name}\" already exists" });
                return;
            }
            AddWarnings(ctx, bound.Warnings);
            await Json(ctx, 201, created);
            return;
        }
        Entry? found;
        lock (gate) services.TryGetValue((ns!, name!), out found);
        if (found is null)
        {
            await Json(ctx, 404, new { error = $"service \"{name}\" not found" });
            return;
        }
        switch (method)
        {
            case "GET":
                Service view;
                lock (gate)
                {
                    Observe(found, consume: true);
                    view = KinletJson.Clone(found.Service);
                }
                await Json(ctx, 200, view);
                return;
            case "PUT":
                Bound<Service> bound;
                try { bound = ManifestReader.Bind<Service>(body); }
                catch (ValidationException e) { await Json(ctx, 400, new { error = e.Errors[0].Message, field = e.Field }); return; }
                Service replaced;
                lock (gate)
                {
                    var old = found.Service;
                    var next = bound.Value;
                    next.Status = old.Status;
                    next.Metadata.Namespace = ns;
                    next.Metadata.Uid = old.Metadata.Uid;
                    next.Metadata.CreationTimestamp = old.Metadata.CreationTimestamp;
                    var specChanged = KinletJson.Serialize(next.Spec) != KinletJson.Serialize(old.Spec);
                    var templateChanged = KinletJson.Serialize(next.Spec.Template) != KinletJson.Serialize(old.Spec.Template);
                    next.Metadata.Generation = old.Metadata.Generation + (specChanged ? 1 : 0);
                    found.Service = next;
                    if (templateChanged) NewRevision(found);
                    if (specChanged) found.PollsLeft = PendingPolls;
                    replaced = KinletJson.Clone(next);
                }
                AddWarnings(ctx, bound.Warnings);
                await Json(ctx, 200, replaced);
                return;
            case "DELETE":
                lock (gate)
                {
                    services.Remove((ns!, name!));
                    revisions.RemoveAll(r => r.Metadata.Namespace == ns && r.Metadata.Label(KnownKeys.ServiceLabel) == name);
                }
                await Json(ctx, 200, new { status = "Success" });
                return;
        }
        ctx.Response.StatusCode = 405;
    }

    private async Task RevisionsAsync(HttpContext ctx, string ns, string? name)
    {
        if (name is null)
        {
            var selector = ctx.Request.Query["labelSelector"].FirstOrDefault();
            List<Revision> items;
            lock (gate)
                items = [.. revisions.Where(r => r.Metadata.Namespace == ns && (selector is null || selector == $"{KnownKeys.ServiceLabel}={r.Metadata.Label(KnownKeys.ServiceLabel)}"))
                    .Select(KinletJson.Clone)];
            await Json(ctx, 200, new ResourceList<Revision> { ApiVersion = KnativeApi.ServingV1, Kind = "RevisionList", Items = items });
            return;
        }
        Revision? rev;
        lock (gate) rev = revisions.Find(r => r.Metadata.Namespace == ns && r.Metadata.Name == name);
        if (rev is null)
        {
            await Json(ctx, 404, new { error = $"revision \"{name}\" not found" });
            return;
        }
        if (ctx.Request.Method == "DELETE")
        {
            bool routed;
            lock (gate)
            {
                routed = services.Values.Any(s => s.Service.Status?.Traffic?.Any(t => t.RevisionName == name) == true);
                if (!routed) revisions.Remove(rev);
            }
            if (routed) await Json(ctx, 409, new { error = $"revision \"{name}\" gets traffic; move its traffic first" });
            else await Json(ctx, 200, new { status = "Success" });
            return;
        }
        await Json(ctx, 200, rev);
    }

    private async Task RoutesAsync(HttpContext ctx, string ns, string? name)
    {
        List<Route> routes;
        lock (gate)
            routes = [.. services.Where(kv => kv.Key.Ns == ns).Select(kv => new Route
            {
                Metadata = new ObjectMeta { Name = kv.Key.Name, Namespace = ns, CreationTimestamp = kv.Value.Service.Metadata.CreationTimestamp },
                Spec = new RouteSpec { Traffic = kv.Value.Service.Spec.Traffic },
                Status = new RouteStatus { Url = kv.Value.Service.Status?.Url, Traffic = kv.Value.Service.Status?.Traffic, Conditions = [new Condition { Type = "Ready", Status = "True" }] },
            })];
        if (name is null)
        {
            await Json(ctx, 200, new ResourceList<Route> { ApiVersion = KnativeApi.ServingV1, Kind = "RouteList", Items = routes });
            return;
        }
        var route = routes.Find(r => r.Metadata.Name == name);
        if (route is null) await Json(ctx, 404, new { error = $"route \"{name}\" not found" });
        else await Json(ctx, 200, route);
    }

    private static async Task IngressAsync(HttpContext ctx, string host, string body)
    {
        var status = ctx.Request.Query["status"].FirstOrDefault() is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 200;
        ctx.Response.StatusCode = status;
        ctx.Response.Headers["X-Echo-Host"] = host;
        await ctx.Response.WriteAsync(
            $"host={host} method={ctx.Request.Method} path={ctx.Request.Path}{ctx.Request.QueryString} x-test={ctx.Request.Headers["X-Test"]} content-type={ctx.Request.ContentType} body={body}");
    }

    /// <summary>Computes the status a real reconciler would show; <paramref name="consume"/> counts one poll.</summary>
    private void Observe(Entry stored, bool consume)
    {
        var svc = stored.Service;
        var name = svc.Metadata.Name!;
        var latest = revisions.Where(r => r.Metadata.Namespace == svc.Metadata.Namespace && r.Metadata.Label(KnownKeys.ServiceLabel) == name)
            .OrderByDescending(r => long.Parse(r.Metadata.Label(KnownKeys.ConfigurationGenerationLabel)!, System.Globalization.CultureInfo.InvariantCulture))
            .First().Metadata.Name;
        var previousReady = svc.Status?.LatestReadyRevisionName;
        if (stored.PollsLeft > 0)
        {
            if (consume) stored.PollsLeft--;
            svc.Status ??= new ServiceStatus();
            svc.Status.ObservedGeneration = svc.Metadata.Generation - 1;
            return;
        }
        var failure = FailWith?.Invoke(svc);
        var ready = failure is null ? latest : previousReady;
        var url = $"http://{name}.localhost:{Port}";
        var traffic = (svc.Spec.Traffic is { Count: > 0 } t ? t : [new TrafficTarget { LatestRevision = true, Percent = 100 }])
            .Select(x => new TrafficTarget
            {
                Tag = x.Tag, LatestRevision = x.LatestRevision, Percent = x.Percent,
                RevisionName = x.LatestRevision == true ? ready : x.RevisionName,
                Url = x.Tag is null ? null : $"http://{x.Tag}-{name}.localhost:{Port}",
            }).ToList();
        var now = DateTimeOffset.UtcNow;
        svc.Status = new ServiceStatus
        {
            ObservedGeneration = svc.Metadata.Generation,
            Url = url,
            LatestCreatedRevisionName = latest,
            LatestReadyRevisionName = ready,
            Traffic = traffic,
            Conditions = failure is { } f
                ?
                [
                    new Condition { Type = "Ready", Status = "False", Reason = f.Reason, Message = f.Message, LastTransitionTime = now },
                    new Condition { Type = "ConfigurationsReady", Status = "False", Reason = f.Reason, Message = f.Message, LastTransitionTime = now },
                    new Condition { Type = "RoutesReady", Status = "True", LastTransitionTime = now },
                ]
                :
                [
                    new Condition { Type = "Ready", Status = "True", LastTransitionTime = now },
                    new Condition { Type = "ConfigurationsReady", Status = "True", LastTransitionTime = now },
                    new Condition { Type = "RoutesReady", Status = "True", LastTransitionTime = now },
                ],
        };
    }

    private void NewRevision(Entry stored)
    {
        var svc = stored.Service;
        stored.RevisionCount++;
        var name = svc.Spec.Template.Metadata?.Name ?? $"{svc.Metadata.Name}-{stored.RevisionCount:00000}";
        revisions.Add(new Revision
        {
            Metadata = new ObjectMeta
            {
                Name = name, Namespace = svc.Metadata.Namespace, CreationTimestamp = DateTimeOffset.UtcNow,
                Labels = new()
                {
                    [KnownKeys.ServiceLabel] = svc.Metadata.Name!,
                    [KnownKeys.ConfigurationGenerationLabel] = (svc.Metadata.Generation ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
                Annotations = svc.Spec.Template.Metadata?.Annotations,
            },
            Spec = KinletJson.Clone(svc.Spec.Template.Spec),
            Status = ReadyRevisionStatus(),
        });
    }

    private static RevisionStatus ReadyRevisionStatus() => new()
    {
        Conditions = [new Condition { Type = "Ready", Status = "True" }],
        ActualReplicas = 1,
        DesiredReplicas = 1,
    };

    private void AddWarnings(HttpContext ctx, IEnumerable<string> bindWarnings)
    {
        foreach (var w in bindWarnings.Concat(Warnings))
            ctx.Response.Headers.Append("Warning", $"299 - \"{w.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
    }

    private static async Task Json<T>(HttpContext ctx, int status, T value)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(value, KinletJson.Options));
    }

    [GeneratedRegex("^/apis/serving\\.knative\\.dev/v1/(?:namespaces/(?<ns>[^/]+)/)?(?<res>services|revisions|routes|configurations)(?:/(?<name>[^/]+))?$")]
    private static partial Regex ApiPath();
}
