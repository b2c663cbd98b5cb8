// bench/tools/ForwardBench: allocated bytes per forwarded request, for bench/alloc.sh. Not part of Runtime.sln or the tests.
//
//   ForwardBench [--requests N] [--warmup W] [--connections K] [--rounds R] [--label L]
//
// One process holds three Kestrel servers on 127.0.0.1 port 0: a backend answering "hello\n", Kinlet's real ingress
// (AddKinletServing() and the daemon's ingress middleware; the serving layer's hosted service is left out, so no
// store or engine is needed: a route table and a ready instance pointing at the backend are published by hand),
// and a bare hop (YARP's IHttpForwarder alone, the same client settings, HttpTransformer.Default) as the same-run
// baseline. Each round drives N GETs over K connections (K loops, one connection each) through each path in turn and
// reads GC.GetTotalAllocatedBytes(precise: true) around them: bytes per request for the whole process (client,
// proxy and backend alike), and kinlet − bare, which is Kinlet's own part on top of YARP's forwarder.
// The activator path: a second revision is held at zero while K requests queue in the activator, then an instance
// becomes ready and takes them all; repeated until N requests went that way.
// Prints one `key=value` line per round and path on stdout, and a summary line per path (medians over rounds).

using System.Diagnostics;
using System.Globalization;
using System.Net;
using Kinlet.Core.Model;
using Kinlet.Serving;
using Kinlet.Serving.Forwarding;
using Kinlet.Serving.LoadBalancing;
using Kinlet.Serving.Revisions;
using Kinlet.Serving.Routing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Yarp.ReverseProxy.Forwarder;

// As kinletd: socket completions inline (read once, before the first socket).
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

int requests = 20_000, warmup = 5_000, connections = 32, rounds = 5;
var label = "current";
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException(args[i] + " needs a value");
        switch (args[i])
        {
            case "--requests": requests = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--warmup": warmup = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--connections": connections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--label": label = Next(); break;
            default: throw new ArgumentException("unknown option " + args[i]);
        }
    }
    if (requests < 1 || warmup < 0 || connections < 1 || rounds < 1) throw new ArgumentException("counts must be positive");
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine("ForwardBench: " + e.Message);
    return 2;
}

const string Host = "bench.localhost";
const string ActivatorHost = "cold.localhost";

// The backend: what a function answers.
await using var backend = Server(b => { }, app => app.Run(ctx => ctx.Response.WriteAsync("hello\n")));
await backend.StartAsync();
var backendPrefix = "http://127.0.0.1:" + Port(backend).ToString(CultureInfo.InvariantCulture);

// Kinlet's ingress, wired as kinletd wires it.
await using var ingressApp = Server(b =>
{
    var hosted = b.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToHashSet();
    b.Services.AddKinletServing();
    foreach (var d in b.Services.Where(d => d.ServiceType == typeof(IHostedService) && !hosted.Contains(d)).ToList())
        b.Services.Remove(d);
}, app =>
{
    var ingress = app.Services.GetRequiredService<IngressHandler>();
    app.Use(next => async context =>
    {
        if (!await ingress.TryHandleAsync(context)) context.Response.StatusCode = 404;
    });
});
var warm = NewRevision("bench-00001");
var instance = new InstanceState("bench-00001-a", warm);
instance.SetEndpoint(Port(backend));
warm.AddReady(instance);
var cold = NewRevision("cold-00001");
ingressApp.Services.GetRequiredService<Router>().Publish(new RouteTable(new Dictionary<string, RouteEntry>
{
    [Host] = new("default", "bench", null, [new RouteTarget(warm, 100, 100)], null),
    [ActivatorHost] = new("default", "cold", null, [new RouteTarget(cold, 100, 100)], null),
}, "localhost"));
await ingressApp.StartAsync();

// The baseline: YARP's forwarder alone, to the same backend, through a client with kinletd's settings.
await using var bareApp = Server(b => b.Services.AddHttpForwarder(), app =>
{
    var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
    var client = new ForwardingClient();
    app.Run(async context =>
    {
        await forwarder.SendAsync(context, backendPrefix, client.Invoker, ForwarderRequestConfig.Empty, HttpTransformer.Default);
    });
});
await bareApp.StartAsync();

var ingressUri = new Uri("http://127.0.0.1:" + Port(ingressApp).ToString(CultureInfo.InvariantCulture) + "/");
var bareUri = new Uri("http://127.0.0.1:" + Port(bareApp).ToString(CultureInfo.InvariantCulture) + "/");
var clients = Enumerable.Range(0, connections).Select(_ => new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    UseCookies = false,
    MaxConnectionsPerServer = 1,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
})).ToArray();

Console.Error.WriteLine($"ForwardBench {label}: backend {backendPrefix}, ingress {ingressUri}, bare {bareUri}; {requests} requests x {rounds} rounds over {connections} connections, {warmup} warm-up");
await Drive(ingressUri, Host, warmup);
await Drive(bareUri, Host, warmup);
await Activate(Math.Min(warmup, requests));

var results = new Dictionary<string, List<double>> { ["kinlet"] = [], ["bare"] = [], ["own"] = [], ["activator"] = [] };
for (var round = 1; round <= rounds; round++)
{
    // Alternate which path goes first, so drift within a round hits both alike.
    double kinlet, bare;
    if (round % 2 == 1) { kinlet = await Measure(() => Drive(ingressUri, Host, requests), requests); bare = await Measure(() => Drive(bareUri, Host, requests), requests); }
    else { bare = await Measure(() => Drive(bareUri, Host, requests), requests); kinlet = await Measure(() => Drive(ingressUri, Host, requests), requests); }
    var activator = await Measure(() => Activate(requests), requests);
    results["kinlet"].Add(kinlet);
    results["bare"].Add(bare);
    results["own"].Add(kinlet - bare);
    results["activator"].Add(activator);
    Console.WriteLine(FormattableString.Invariant($"round={round} label={label} kinlet_bytes_per_request={kinlet:0} bare_bytes_per_request={bare:0} own_bytes_per_request={kinlet - bare:0} activator_bytes_per_request={activator:0}"));
}
Console.WriteLine(FormattableString.Invariant(
    $"summary label={label} requests={requests} connections={connections} rounds={rounds} kinlet_bytes_per_request={Median(results["kinlet"]):0} bare_bytes_per_request={Median(results["bare"]):0} own_bytes_per_request={Median(results["own"]):0} activator_bytes_per_request={Median(results["activator"]):0}"));
foreach (var c in clients) c.Dispose();
return 0;

// N requests over the K connections; every answer must be a 200 "hello\n".
async Task Drive(Uri uri, string host, int count)
{
    var left = count;
    await Task.WhenAll(clients.Select(async client =>
    {
        while (Interlocked.Decrement(ref left) >= 0) await Get(client, uri, host);
    }));
}

async Task Get(HttpMessageInvoker client, Uri uri, string host)
{
    using var request = new HttpRequestMessage(HttpMethod.Get, uri);
    request.Headers.Host = host;
    using var response = await client.SendAsync(request, CancellationToken.None);
    var body = await response.Content.ReadAsByteArrayAsync();
    if (response.StatusCode != HttpStatusCode.OK || body.Length != 6)
        throw new InvalidOperationException($"{uri} ({host}) answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
}

// The activator path: the revision at zero while K requests queue, then one instance ready takes them; then back to zero.
async Task Activate(int count)
{
    var done = 0;
    var n = 0;
    while (done < count)
    {
        var batch = Math.Min(connections, count - done);
        var sent = clients.Take(batch).Select(c => Get(c, ingressUri, ActivatorHost)).ToArray();
        while (cold.Waiting < batch) await Task.Delay(1);
        var ready = new InstanceState("cold-00001-" + (++n).ToString(CultureInfo.InvariantCulture), cold);
        ready.SetEndpoint(Port(backend));
        cold.AddReady(ready);
        await Task.WhenAll(sent);
        cold.RemoveReady(ready);
        await ready.BeginDrain();
        ready.MarkGone();
        done += batch;
    }
}

static async Task<double> Measure(Func<Task> run, int count)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var before = GC.GetTotalAllocatedBytes(precise: true);
    await run();
    var after = GC.GetTotalAllocatedBytes(precise: true);
    return (after - before) / (double)count;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static RevisionState NewRevision(string name) =>
    new(new RevisionKey("default", name), new Revision
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Labels = new() { [KnownKeys.ServiceLabel] = name[..name.IndexOf('-')] } },
        Spec = new RevisionSpec { Containers = [new Container { Image = "bench" }] },
    }, LoadBalancingPolicies.For(0));

static WebApplication Server(Action<WebApplicationBuilder> services, Action<WebApplication> pipeline)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.ConfigureKestrel(k =>
    {
        k.AddServerHeader = false;
        k.Limits.MaxRequestBodySize = null;
        k.Listen(IPAddress.Loopback, 0);
    });
    services(builder);
    var app = builder.Build();
    pipeline(app);
    return app;
}

static int Port(WebApplication app) =>
    new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
