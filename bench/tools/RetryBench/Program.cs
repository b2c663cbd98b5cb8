// bench/tools/RetryBench: bench/retry-memory.sh's tool. One process: the daemon's eventing wiring
// (AddKinletEventing() over a LiteDB resource store and event log in a temp dir, as src/Kinlet.Daemon/Program.cs
// wires them), a broker, and a trigger whose subscriber (Kestrel on 127.0.0.1, port 0) always answers 500.
// Events go in at --rate per second for --minutes; each is tried 1 + --retries times (linear backoff from
// --backoff) and then kept as failed. Every --sample seconds, after a full GC, it prints one line:
//
//   sample t_s=… rss_mb=… gc_heap_mb=… timers=… registrations=… published=… attempts=…
//
// rss from /proc/self/status (VmRSS); gc_heap = GC.GetTotalMemory(true); timers = Timer.ActiveCount (every
// System.Threading.Timer and TimeProvider timer alive, Task.Delay's included); registrations = callbacks
// registered on the dispatchers' own CancellationTokenSources (read by reflection; -1 where the runtime's
// fields are not found). Talks only to 127.0.0.1. Exit 0 when measured, 1 when something broke.

using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using CloudNative.CloudEvents;
using Kinlet.Core.Model;
using Kinlet.Eventing;
using Kinlet.Eventing.Controllers;
using Kinlet.Eventing.Dispatcher;
using Kinlet.Eventing.Ingress;
using Kinlet.Store;
using Kinlet.Store.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var o = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2) o[args[i].TrimStart('-')] = args[i + 1];
double Num(string k, double d) => o.TryGetValue(k, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : d;
var minutes = Num("minutes", 10);
var sampleSeconds = Num("sample", 30);
var rate = Num("rate", 20);
var retries = (int)Num("retries", 3);
var backoff = o.GetValueOrDefault("backoff", "PT0.2S");

// ---- the subscriber: always 500 ----
long attempts = 0;
var sb = WebApplication.CreateSlimBuilder();
sb.Logging.ClearProviders();
sb.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
var subscriber = sb.Build();
subscriber.Run(ctx =>
{
    Interlocked.Increment(ref attempts);
    ctx.Response.StatusCode = 500;
    return Task.CompletedTask;
});
await subscriber.StartAsync();
var subscriberUri = subscriber.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

// ---- the eventing layer, wired as the daemon wires it ----
var stateDir = Directory.CreateTempSubdirectory("retrybench-").FullName;
var hb = Host.CreateApplicationBuilder();
hb.Logging.ClearProviders();
hb.Services.AddSingleton<IResourceStore>(_ => LiteDbResourceStore.Open(stateDir));
hb.Services.AddSingleton(_ => LiteDbEventLog.Open(stateDir));
hb.Services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<LiteDbEventLog>());
hb.Services.AddSingleton<IDeliveryStore>(sp => sp.GetRequiredService<LiteDbEventLog>());
hb.Services.AddKinletEventing();
using var host = hb.Build();
await host.StartAsync();

var brokers = host.Services.GetRequiredService<BrokerController>();
var triggers = host.Services.GetRequiredService<TriggerController>();
brokers.Apply(new Broker { Metadata = new ObjectMeta { Name = "bench" } }, "default");
await triggers.ApplyAsync(new Trigger
{
    Metadata = new ObjectMeta { Name = "failing" },
    Spec = new TriggerSpec
    {
        Broker = "bench",
        Subscriber = new Destination { Uri = subscriberUri },
        Delivery = new DeliverySpec { Retry = retries, BackoffPolicy = "linear", BackoffDelay = backoff },
    },
}, "default", CancellationToken.None);
var publisher = host.Services.GetRequiredService<EventPublisher>();
var counters = host.Services.GetRequiredService<TriggerCounters>();

// Wait for the dispatcher to load its checkpoint: events before that would be skipped (a new trigger starts at the end).
var bound = DateTime.UtcNow.AddSeconds(30);
while (counters.Running("default", "failing")?.Cursor is null)
{
    if (DateTime.UtcNow > bound) return Fail("the trigger's dispatcher did not start within 30 s");
    await Task.Delay(50);
}
Console.Error.WriteLine($"RetryBench: subscriber {subscriberUri}, {rate}/s for {minutes} min, retry {retries} linear {backoff}, state {stateDir}");

long published = 0;
var start = DateTime.UtcNow;
var end = start.AddMinutes(minutes);
var nextSample = start;
var interval = TimeSpan.FromSeconds(1 / rate);
var nextSend = start;
Sample(0);
nextSample = start.AddSeconds(sampleSeconds);
while (DateTime.UtcNow < end)
{
    var now = DateTime.UtcNow;
    if (now >= nextSample)
    {
        Sample((now - start).TotalSeconds);
        nextSample = nextSample.AddSeconds(sampleSeconds);
    }
    // Paced: the events due by now, sent together (at most a second's worth).
    var due = new List<CloudEvent>();
    while (nextSend <= now && due.Count < Math.Max(1, rate))
    {
        due.Add(new CloudEvent
        {
            Id = "e-" + published.ToString(CultureInfo.InvariantCulture),
            Source = new Uri("urn:retrybench"),
            Type = "dev.kinlet.bench.retry",
            Data = "{\"n\":1}",
            DataContentType = "application/json",
        });
        published++;
        nextSend += interval;
    }
    if (due.Count > 0) await publisher.PublishAsync("default", "bench", due, CancellationToken.None);
    await Task.Delay(20);
}
Sample((DateTime.UtcNow - start).TotalSeconds);
var counts = counters.Running("default", "failing")?.Counts();
Console.WriteLine($"summary published={published} attempts={Interlocked.Read(ref attempts)} failed={counts?.Failed} retrying={counts?.Retrying} delivered={counts?.Delivered}");

await host.StopAsync();
await subscriber.StopAsync();
try { Directory.Delete(stateDir, recursive: true); } catch (IOException) { }
return 0;

void Sample(double t)
{
    var heap = GC.GetTotalMemory(forceFullCollection: true);
    GC.WaitForPendingFinalizers();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"sample t_s={t:F0} rss_mb={Rss() / 1048576.0:F1} gc_heap_mb={heap / 1048576.0:F2} timers={Timer.ActiveCount} registrations={Registrations()} published={published} attempts={Interlocked.Read(ref attempts)}"));
}

static long Rss()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    return -1;
}

// Callbacks registered on every CancellationTokenSource reachable from the running dispatchers (their own fields
// and their parts' fields, one level down): where a wait that never finishes leaves its registration behind.
long Registrations()
{
    var field = typeof(TriggerCounters).GetField("Dispatchers", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
    if (field?.GetValue(counters) is not IDictionary dispatchers) return -1;
    var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
    long total = 0;
    foreach (var d in dispatchers.Values)
    {
        if (d is null) continue;
        foreach (var cts in Sources(d, depth: 2, seen))
        {
            var n = CountCallbacks(cts);
            if (n < 0) return -1;
            total += n;
        }
    }
    return total;
}

static IEnumerable<CancellationTokenSource> Sources(object owner, int depth, HashSet<object> seen)
{
    if (!seen.Add(owner)) yield break;
    for (var t = owner.GetType(); t is not null && t != typeof(object); t = t.BaseType)
    {
        foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
        {
            var v = f.GetValue(owner);
            if (v is CancellationTokenSource cts) { if (seen.Add(cts)) yield return cts; }
            else if (depth > 0 && v is not null && v.GetType().Namespace?.StartsWith("Kinlet.Eventing", StringComparison.Ordinal) == true)
                foreach (var inner in Sources(v, depth - 1, seen)) yield return inner;
        }
    }
}

static long CountCallbacks(CancellationTokenSource cts)
{
    var regField = typeof(CancellationTokenSource).GetField("_registrations", BindingFlags.Instance | BindingFlags.NonPublic);
    if (regField is null) return -1;
    var regs = regField.GetValue(cts);
    if (regs is null) return 0;
    var callbacks = regs.GetType().GetField("Callbacks", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
    if (callbacks is null) return -1;
    var node = callbacks.GetValue(regs);
    long n = 0;
    FieldInfo? next = null;
    while (node is not null && n < 100_000_000)
    {
        n++;
        next ??= node.GetType().GetField("Next", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        if (next is null) return -1;
        node = next.GetValue(node);
    }
    return n;
}

static int Fail(string message)
{
    Console.Error.WriteLine("RetryBench: " + message);
    return 1;
}
