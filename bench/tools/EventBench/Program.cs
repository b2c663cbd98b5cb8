// bench/tools/EventBench: the broker figures of bench/eventing.sh, measured in-process (no curl or shell in a
// timing). Not part of Runtime.sln or the tests. Talks only to 127.0.0.1.
//
//   EventBench --ingress-port P --api-port A --token-file F --seconds S --connections C --batch B
//              --rate R --burst N --out DIR
//
// Suites, one after the other, on one kinletd:
//   floor    C closed-loop connections POST a binary-mode event to a broker path that does not exist
//            (404 before the body is read): the ingress's HTTP floor, nothing parsed, nothing stored.
//   single   the same request to a real broker (no triggers): 202 after the group commit. events/s.
//   batch    C connections POST application/cloudevents-batch+json arrays of B events. events/s.
//   direct   the baseline for delivery latency: R events/s sent straight to this tool's own subscriber,
//            latency = the HTTP round trip.
//   deliver  R events/s (open loop, paced every 10 ms) into a broker whose trigger delivers to the same
//            subscriber; latency = the time the subscriber got it − ce-knativearrivaltime (stamped by the
//            broker's ingress before the commit): ingress + durable commit + dispatch + one HTTP hop.
//   drain    N events stored at once (batches), then timed until the trigger has delivered them all:
//            the delivery rate at saturation.
// Prints key=value lines on stdout, progress on stderr. Exit 0 when measured; 1 when something broke
// (an answer other than the expected status, events missing after the drain bound); 2 for bad usage.

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

var o = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2) o[args[i].TrimStart('-')] = args[i + 1];
int Int(string k, int d) => o.TryGetValue(k, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : d;
if (!o.ContainsKey("ingress-port") || !o.ContainsKey("api-port") || !o.ContainsKey("token-file"))
{
    Console.Error.WriteLine("EventBench: --ingress-port, --api-port and --token-file are required");
    return 2;
}
var ingress = Int("ingress-port", 0);
var apiPort = Int("api-port", 0);
var token = (await File.ReadAllTextAsync(o["token-file"])).Trim();
var seconds = Int("seconds", 10);
var connections = Int("connections", 32);
var batchSize = Int("batch", 100);
var rate = Int("rate", 3000);
var burst = Int("burst", 30000);
var outDir = o.GetValueOrDefault("out", ".");

using var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpMessageInvoker(handler);
var ingressBase = $"http://127.0.0.1:{ingress}";

// ---- the subscriber: 202 with no body, records arrival − knativearrivaltime ----
var subscriberPort = FreePort();
var received = new ConcurrentQueue<(long Id, double LatencyMs)>();
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, subscriberPort));
var app = builder.Build();
app.Run(ctx =>
{
    var now = DateTimeOffset.UtcNow;
    var arrived = ctx.Request.Headers["ce-knativearrivaltime"].ToString();
    var latency = arrived.Length > 0 && DateTimeOffset.TryParse(arrived, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
        ? (now - at).TotalMilliseconds : -1;
    long.TryParse(ctx.Request.Headers["ce-id"].ToString().AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var id);
    received.Enqueue((id, latency));
    ctx.Response.StatusCode = 202;
    return Task.CompletedTask;
});
await app.StartAsync();

await ApiAsync(HttpMethod.Post, "/apis/eventing.knative.dev/v1/namespaces/default/brokers",
    """{"apiVersion":"eventing.knative.dev/v1","kind":"Broker","metadata":{"name":"ingest"}}""");
await ApiAsync(HttpMethod.Post, "/apis/eventing.knative.dev/v1/namespaces/default/brokers",
    """{"apiVersion":"eventing.knative.dev/v1","kind":"Broker","metadata":{"name":"deliver"}}""");
await ApiAsync(HttpMethod.Post, "/apis/eventing.knative.dev/v1/namespaces/default/triggers",
    """{"apiVersion":"eventing.knative.dev/v1","kind":"Trigger","metadata":{"name":"bench"},"spec":{"broker":"deliver","subscriber":{"uri":"http://127.0.0.1:"""
    + subscriberPort.ToString(CultureInfo.InvariantCulture) + """/"}}}""");

var data = Encoding.UTF8.GetBytes("""{"order":12345,"items":["a","b","c"],"total":42.5}""");
long nextId = 0;

// ---- floor, single, batch: closed loops ----
var skipIngest = Int("skip-ingest", 0) == 1;
var floor = skipIngest ? default : await ClosedLoopAsync("floor", "/default/no-such-broker", 404, 1, () => SingleContent());
var single = skipIngest ? default : await ClosedLoopAsync("single", "/default/ingest", 202, 1, () => SingleContent());
var batch = skipIngest ? default : await ClosedLoopAsync("batch", "/default/ingest", 202, batchSize, () => BatchContent(batchSize));
Console.WriteLine($"floor_rps={floor.Rate:F0}");
Console.WriteLine($"floor_p50_ms={floor.P50:F3}");
Console.WriteLine($"single_events_per_s={single.Rate:F0}");
Console.WriteLine($"single_p50_ms={single.P50:F3}");
Console.WriteLine($"single_p99_ms={single.P99:F3}");
Console.WriteLine($"batch_events_per_s={batch.Rate:F0}");
Console.WriteLine($"batch_requests_per_s={batch.Rate / batchSize:F0}");
Console.WriteLine($"batch_p50_ms={batch.P50:F3}");

// ---- direct and deliver: open loop at `rate` ----
// Each with 3 s of the same load first (JIT, connection pools), not measured.
await PacedAsync("direct warm-up", $"http://127.0.0.1:{subscriberPort}/", 202, viaBroker: false, 3);
var direct = await PacedAsync("direct", $"http://127.0.0.1:{subscriberPort}/", 202, viaBroker: false, seconds);
await PacedAsync("ingest warm-up", ingressBase + "/default/ingest", 202, viaBroker: false, 3);
var ingestPaced = await PacedAsync("ingest", ingressBase + "/default/ingest", 202, viaBroker: false, seconds);
received.Clear();
await PacedAsync("deliver warm-up", ingressBase + "/default/deliver", 202, viaBroker: true, 3);
received.Clear();
var deliver = await PacedAsync("deliver", ingressBase + "/default/deliver", 202, viaBroker: true, seconds);
Console.WriteLine($"rate={rate}");
Console.WriteLine($"direct_p50_ms={direct.P50:F3}");
Console.WriteLine($"direct_p99_ms={direct.P99:F3}");
Console.WriteLine($"ingest_alone_p50_ms={ingestPaced.P50:F3}");
Console.WriteLine($"ingest_alone_p99_ms={ingestPaced.P99:F3}");
Console.WriteLine($"deliver_sent={deliver.Sent}");
Console.WriteLine($"deliver_received={deliver.Received}");
Console.WriteLine($"deliver_events_per_s={deliver.Rate:F0}");
Console.WriteLine($"deliver_p50_ms={deliver.P50:F3}");
Console.WriteLine($"deliver_p99_ms={deliver.P99:F3}");
Console.WriteLine($"deliver_max_ms={deliver.Max:F3}");
Console.WriteLine($"ingest_p50_ms_during_deliver={deliver.IngestP50:F3}");
Console.WriteLine($"ingest_p99_ms_during_deliver={deliver.IngestP99:F3}");

// ---- drain: a stored backlog, delivered as fast as the dispatcher goes ----
received.Clear();
var drainStart = Stopwatch.GetTimestamp();
for (var sent = 0; sent < burst; sent += batchSize)
{
    using var r = await SendAsync(ingressBase + "/default/deliver", BatchContent(Math.Min(batchSize, burst - sent)));
    if ((int)r.StatusCode != 202) return Fail($"drain: batch answered {(int)r.StatusCode}");
}
var stored = Stopwatch.GetElapsedTime(drainStart);
var bound = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 120;
while (received.Count < burst && Stopwatch.GetTimestamp() < bound) await Task.Delay(20);
var drained = Stopwatch.GetElapsedTime(drainStart);
if (received.Count < burst) return Fail($"drain: {received.Count} of {burst} delivered within 120 s");
Console.WriteLine($"drain_events={burst}");
Console.WriteLine($"drain_store_s={stored.TotalSeconds:F2}");
Console.WriteLine($"drain_total_s={drained.TotalSeconds:F2}");
Console.WriteLine($"drain_events_per_s={burst / drained.TotalSeconds:F0}");

await app.StopAsync();
return 0;

int Fail(string message)
{
    Console.Error.WriteLine("EventBench: " + message);
    return 1;
}

HttpContent SingleContent()
{
    var content = new ByteArrayContent(data);
    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    var id = Interlocked.Increment(ref nextId);
    content.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
    content.Headers.TryAddWithoutValidation("ce-id", "e-" + id.ToString(CultureInfo.InvariantCulture));
    content.Headers.TryAddWithoutValidation("ce-source", "/bench");
    content.Headers.TryAddWithoutValidation("ce-type", "dev.kinlet.bench");
    return content;
}

HttpContent BatchContent(int n)
{
    var sb = new StringBuilder("[");
    for (var i = 0; i < n; i++)
    {
        if (i > 0) sb.Append(',');
        var id = Interlocked.Increment(ref nextId);
        sb.Append("{\"specversion\":\"1.0\",\"id\":\"e-").Append(id.ToString(CultureInfo.InvariantCulture))
          .Append("\",\"source\":\"/bench\",\"type\":\"dev.kinlet.bench\",\"datacontenttype\":\"application/json\",\"data\":")
          .Append(Encoding.UTF8.GetString(data)).Append('}');
    }
    var content = new StringContent(sb.Append(']').ToString(), Encoding.UTF8);
    content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents-batch+json");
    return content;
}

async Task<HttpResponseMessage> SendAsync(string url, HttpContent content)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
    return await http.SendAsync(request, CancellationToken.None);
}

async Task<(double Rate, double P50, double P99)> ClosedLoopAsync(string name, string path, int expect, int eventsPerRequest, Func<HttpContent> content)
{
    // 2 s of warm-up with the same loop, then `seconds` measured.
    foreach (var (measured, length) in new[] { (false, 2), (true, seconds) })
    {
        var latencies = new ConcurrentBag<double>();
        long done = 0, bad = 0;
        var end = Stopwatch.GetTimestamp() + Stopwatch.Frequency * length;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var t0 = Stopwatch.GetTimestamp();
                using var r = await SendAsync(ingressBase + path, content());
                if ((int)r.StatusCode != expect) Interlocked.Increment(ref bad);
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                Interlocked.Increment(ref done);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (bad > 0) throw new InvalidOperationException($"{name}: {bad} answers were not {expect}");
        if (!measured) continue;
        var sorted = latencies.Order().ToArray();
        Console.Error.WriteLine($"{name}: {done} requests in {elapsed:F1} s");
        return (done * eventsPerRequest / elapsed, Pct(sorted, 50), Pct(sorted, 99));
    }
    throw new UnreachableException();
}

async Task<(long Sent, long Received, double Rate, double P50, double P99, double Max, double IngestP50, double IngestP99)> PacedAsync(string name, string url, int expect, bool viaBroker, int length)
{
    var latencies = new ConcurrentBag<double>();
    long sent = 0, bad = 0;
    var inflight = new List<Task>();
    var perTick = Math.Max(1, rate / 100);
    var start = Stopwatch.GetTimestamp();
    var ticks = length * 100;
    for (var tick = 0; tick < ticks; tick++)
    {
        var due = start + Stopwatch.Frequency * tick / 100;
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        for (var i = 0; i < perTick; i++)
        {
            sent++;
            inflight.Add(Task.Run(async () =>
            {
                var t0 = Stopwatch.GetTimestamp();
                using var r = await SendAsync(url, SingleContent());
                if ((int)r.StatusCode != expect) Interlocked.Increment(ref bad);
                latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }));
        }
        if (inflight.Count > 4096) inflight.RemoveAll(t => t.IsCompleted);
    }
    await Task.WhenAll(inflight);
    var sendElapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
    if (bad > 0) throw new InvalidOperationException($"{name}: {bad} answers were not {expect}");
    var http = latencies.Order().ToArray();
    if (!viaBroker)
    {
        Console.Error.WriteLine($"{name}: {sent} requests at {sent / sendElapsed:F0}/s");
        return (sent, sent, sent / sendElapsed, Pct(http, 50), Pct(http, 99), http[^1], 0, 0);
    }
    var bound = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
    while (received.Count < sent && Stopwatch.GetTimestamp() < bound) await Task.Delay(20);
    var total = Stopwatch.GetElapsedTime(start).TotalSeconds;
    var delivered = received.Select(r => r.LatencyMs).Where(l => l >= 0).Order().ToArray();
    Console.Error.WriteLine($"{name}: {sent} sent, {received.Count} delivered in {total:F1} s");
    return (sent, received.Count, received.Count / total, Pct(delivered, 50), Pct(delivered, 99), delivered.Length > 0 ? delivered[^1] : 0, Pct(http, 50), Pct(http, 99));
}

static double Pct(double[] sorted, int p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)];

static int FreePort()
{
    using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

async Task ApiAsync(HttpMethod method, string path, string json)
{
    using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{apiPort}{path}") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var response = await http.SendAsync(request, CancellationToken.None);
    if (!response.IsSuccessStatusCode)
        throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
}
