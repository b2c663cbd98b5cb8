// tests/images/testfn: the function the integration tests deploy (kinlet.local/testfn:latest).
// Every endpoint and environment switch is listed in README.md beside this file.

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using TestFn;

var sinceStart = Stopwatch.StartNew();

// EXIT_AT_START=N: die at once with code N (a revision whose container exits).
if (Env("EXIT_AT_START") is { } exitAtStart)
{
    var code = int.TryParse(exitAtStart, out var c) ? c : 1;
    Console.Error.WriteLine($"exiting with {code}");
    return code;
}

var port = Env("PORT") ?? "8080";
var target = Env("TARGET") ?? "World";
var readyAfterMs = long.TryParse(Env("READY_AFTER_MS"), out var r) ? r : 0;

// STARTUP_DELAY_MS=N: a slow starter, nothing listens for N ms.
if (int.TryParse(Env("STARTUP_DELAY_MS"), out var delayMs) && delayMs > 0)
{
    Console.WriteLine($"delaying start by {delayMs} ms");
    Thread.Sleep(delayMs);
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var app = builder.Build();
app.UseWebSockets();

// Requests in flight, as this process sees them: every path but /concurrency and the probe paths
// (/ready, /healthz), which the daemon's prober calls beside the traffic. Every response carries the
// high-water mark so far as X-Max-Concurrency, so a test that cannot address one instance still sees
// each instance's figure in the answers it gets.
app.Use(async (ctx, next) =>
{
    var path = ctx.Request.Path;
    if (path.StartsWithSegments("/concurrency") || path.StartsWithSegments("/ready") || path.StartsWithSegments("/healthz"))
    {
        await next(ctx);
        return;
    }
    InFlight.Enter();
    ctx.Response.OnStarting(() =>
    {
        ctx.Response.Headers["X-Max-Concurrency"] = InFlight.Snapshot().Max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    });
    try
    {
        await next(ctx);
    }
    finally
    {
        InFlight.Leave();
    }
});

var hello = $"Hello {target}!\n";
// Plain JSON: "a=1&b=2", not "a=1\u0026b=2".
var json = new AppJson(new JsonSerializerOptions(JsonSerializerDefaults.Web)
{
    Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
});

Get("/", ctx => Text(ctx, hello));

Get("/env", ctx =>
{
    var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
    foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
    {
        env[(string)e.Key] = (string?)e.Value ?? "";
    }
    return ctx.Response.WriteAsJsonAsync(env, json.SortedDictionaryStringString);
});

Get("/headers", ctx =>
{
    var req = ctx.Request;
    var headers = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    foreach (var h in req.Headers)
    {
        headers[h.Key] = string.Join(", ", h.Value.ToArray());
    }
    var info = new HeadersInfo(req.Method, req.PathBase + req.Path, req.QueryString.Value?.TrimStart('?') ?? "",
        req.Host.Value ?? "", headers);
    return ctx.Response.WriteAsJsonAsync(info, json.HeadersInfo);
});

Get("/sleep", async ctx =>
{
    var ms = IntQuery(ctx, "ms", 0);
    if (ms > 0)
    {
        await Task.Delay(ms, ctx.RequestAborted);
    }
    await Text(ctx, $"slept {ms}");
});

// Nothing at all for N ms (no headers either), then `stalled N`: a late first byte.
Get("/stall", async ctx =>
{
    var ms = IntQuery(ctx, "ms", 0);
    if (ms > 0)
    {
        await Task.Delay(ms, ctx.RequestAborted);
    }
    await Text(ctx, $"stalled {ms}");
});

// Headers and `first\n` at once (flushed), then nothing for stallMs, then `rest\n`: an early first byte
// followed by a long gap.
Get("/firstbyte", async ctx =>
{
    var stallMs = IntQuery(ctx, "stallMs", 0);
    ctx.Response.ContentType = "text/plain; charset=utf-8";
    await ctx.Response.StartAsync(ctx.RequestAborted);
    await ctx.Response.WriteAsync("first\n", ctx.RequestAborted);
    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    if (stallMs > 0)
    {
        await Task.Delay(stallMs, ctx.RequestAborted);
    }
    await ctx.Response.WriteAsync("rest\n", ctx.RequestAborted);
});

Get("/stream", async ctx =>
{
    var chunks = IntQuery(ctx, "chunks", 5);
    var intervalMs = IntQuery(ctx, "intervalMs", 100);
    ctx.Response.ContentType = "text/plain; charset=utf-8";
    await ctx.Response.StartAsync(ctx.RequestAborted);
    for (var i = 0; i < chunks; i++)
    {
        if (i > 0 && intervalMs > 0)
        {
            await Task.Delay(intervalMs, ctx.RequestAborted);
        }
        await ctx.Response.WriteAsync($"chunk {i}\n", ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }
});

// Server-sent events paced by the caller: `data: chunk 0` at once, then each next chunk only after a
// POST /sse/next?id=ID (and pauseMs more), so a test can read a chunk before the next one even exists.
var sseSignals = new System.Collections.Concurrent.ConcurrentDictionary<string, System.Threading.Channels.Channel<bool>>();
System.Threading.Channels.Channel<bool> SseSignal(string id) =>
    sseSignals.GetOrAdd(id, _ => System.Threading.Channels.Channel.CreateUnbounded<bool>());
Get("/sse", async ctx =>
{
    var id = ctx.Request.Query["id"].ToString();
    var chunks = IntQuery(ctx, "chunks", 3);
    var pauseMs = IntQuery(ctx, "pauseMs", 0);
    var signal = SseSignal(id);
    ctx.Response.ContentType = "text/event-stream";
    ctx.Response.Headers.CacheControl = "no-cache";
    await ctx.Response.StartAsync(ctx.RequestAborted);
    for (var i = 0; i < chunks; i++)
    {
        if (i > 0)
        {
            await signal.Reader.ReadAsync(ctx.RequestAborted);
            if (pauseMs > 0) await Task.Delay(pauseMs, ctx.RequestAborted);
        }
        await ctx.Response.WriteAsync($"data: chunk {i}\n\n", ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }
    sseSignals.TryRemove(id, out _);
});
app.MapPost("/sse/next", (RequestDelegate)(ctx =>
{
    SseSignal(ctx.Request.Query["id"].ToString()).Writer.TryWrite(true);
    return Text(ctx, "next");
}));

// A WebSocket echo: every message comes back as it was sent; a close from the client is answered with a close.
// The first message after connecting is `hello <hostname>` so a test knows which instance it reached.
Get("/ws", async ctx =>
{
    if (!ctx.WebSockets.IsWebSocketRequest)
    {
        ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
        await Text(ctx, "a WebSocket request is needed here");
        return;
    }
    using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
    var greeting = System.Text.Encoding.UTF8.GetBytes($"hello {Environment.MachineName}");
    await socket.SendAsync(greeting, System.Net.WebSockets.WebSocketMessageType.Text, true, ctx.RequestAborted);
    var buffer = new byte[64 * 1024];
    try
    {
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, ctx.RequestAborted);
            if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(received.CloseStatus ?? System.Net.WebSockets.WebSocketCloseStatus.NormalClosure,
                    received.CloseStatusDescription, ctx.RequestAborted);
                return;
            }
            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, ctx.RequestAborted);
        }
    }
    catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException)
    {
        // The peer went away without a close.
    }
});

// /alloc is the conformance tests' name for it; /bloat stays for older callers.
foreach (var pattern in new[] { "/bloat", "/alloc" })
{
    Get(pattern, ctx =>
    {
        var mb = IntQuery(ctx, "mb", 0);
        Bloat.Allocate(mb);
        return Text(ctx, $"allocated {mb}");
    });
}

// A CloudEvents subscriber: POST /events records the event's ce-id and answers 202 with no body (not a reply);
// GET /events lists the ids this instance received.
var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
app.MapPost("/events", (RequestDelegate)(ctx =>
{
    received.Enqueue(ctx.Request.Headers["ce-id"].ToString());
    ctx.Response.StatusCode = 202;
    return Task.CompletedTask;
}));
Get("/events", ctx => Text(ctx, string.Join('\n', received)));

app.MapPost("/echo", (RequestDelegate)(async ctx =>
{
    if (ctx.Request.ContentType is { } contentType)
    {
        ctx.Response.ContentType = contentType;
    }
    if (ctx.Request.ContentLength is { } length)
    {
        ctx.Response.ContentLength = length;
    }
    await ctx.Request.Body.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
}));

Get("/exit", ctx =>
{
    var code = IntQuery(ctx, "code", 0);
    ctx.Response.OnCompleted(() =>
    {
        _ = Task.Run(async () =>
        {
            await Task.Delay(100);
            Console.Error.WriteLine($"exiting with {code}");
            Native.Exit(code);
        });
        return Task.CompletedTask;
    });
    return Text(ctx, $"exiting with {code}");
});

// A crash in the middle of a request: no answer, the process ends at once with code 3.
Get("/crash", _ =>
{
    Console.Error.WriteLine("crashing with 3");
    Native.Exit(3);
    return Task.CompletedTask;
});

Get("/concurrency", ctx =>
    ctx.Response.WriteAsJsonAsync(InFlight.Snapshot(), json.ConcurrencyInfo));

app.MapPost("/concurrency/reset", (RequestDelegate)(ctx =>
{
    InFlight.Reset();
    return ctx.Response.WriteAsJsonAsync(InFlight.Snapshot(), json.ConcurrencyInfo);
}));

// /ready/fail and /ready/ok switch /ready (a readinessProbe path) off and on; /healthz/fail makes /healthz
// (a livenessProbe path) answer 500 from then on.
var readyFailing = false;
var healthFailing = false;
Get("/ready/fail", ctx => { readyFailing = true; return Text(ctx, "readiness now fails"); });
Get("/ready/ok", ctx => { readyFailing = false; return Text(ctx, "readiness now passes"); });
Get("/healthz", ctx =>
{
    if (!healthFailing) return Text(ctx, "ok");
    ctx.Response.StatusCode = StatusCodes.Status500InternalServerError;
    return Text(ctx, "unhealthy");
});
Get("/healthz/fail", ctx => { healthFailing = true; return Text(ctx, "liveness now fails"); });

// A chosen status: /status?code=418.
Get("/status", ctx =>
{
    ctx.Response.StatusCode = IntQuery(ctx, "code", 200);
    return Text(ctx, $"status {ctx.Response.StatusCode}");
});

// What the process runs as: for command/args, workingDir and runAsUser.
Get("/info", ctx =>
{
    var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
    foreach (var name in new[] { "PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION" })
    {
        if (Environment.GetEnvironmentVariable(name) is { } value)
        {
            env[name] = value;
        }
    }
    var info = new ProcessInfo(Environment.CurrentDirectory, Native.Uid(), Native.Gid(), Environment.GetCommandLineArgs(),
        Environment.MachineName, env);
    return ctx.Response.WriteAsJsonAsync(info, json.ProcessInfo);
});

Get("/ready", ctx =>
{
    if (!readyFailing && sinceStart.ElapsedMilliseconds >= readyAfterMs)
    {
        return Text(ctx, "ready");
    }
    ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
    return Text(ctx, "not ready");
});

Get("/whoami", ctx => Text(ctx, $"{Environment.MachineName} {Env("K_REVISION") ?? ""}"));

// Any other path: the greeting, like the hello sample.
app.MapFallback((RequestDelegate)(ctx => Text(ctx, hello)));

app.Lifetime.ApplicationStarted.Register(() =>
{
    Console.WriteLine($"listening on {port} (started in {sinceStart.ElapsedMilliseconds} ms)");
    // For exec readiness probes: `cat /tmp/ready` succeeds once the server listens.
    try
    {
        File.WriteAllText("/tmp/ready", "ready\n");
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"could not write /tmp/ready: {e.Message}");
    }
});
app.Lifetime.ApplicationStopping.Register(() =>
    Console.WriteLine($"stopping: {InFlight.Snapshot().Current} request(s) in flight"));
app.Lifetime.ApplicationStopped.Register(() => Console.WriteLine("stopped"));

await app.RunAsync();
return 0;

void Get(string pattern, RequestDelegate handler) => app.MapGet(pattern, handler);

static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

static int IntQuery(HttpContext ctx, string name, int fallback) =>
    int.TryParse(ctx.Request.Query[name].ToString(), out var v) ? v : fallback;

static Task Text(HttpContext ctx, string body)
{
    var bytes = System.Text.Encoding.UTF8.GetBytes(body);
    ctx.Response.ContentType = "text/plain; charset=utf-8";
    ctx.Response.ContentLength = bytes.Length;
    return ctx.Response.Body.WriteAsync(bytes).AsTask();
}

namespace TestFn
{
    internal sealed record HeadersInfo(
        string Method, string Path, string Query, string Host, SortedDictionary<string, string> Headers);

    internal sealed record ConcurrencyInfo(int Current, int Max);

    internal sealed record ProcessInfo(string Cwd, uint Uid, uint Gid, string[] Args, string Hostname,
        SortedDictionary<string, string> Env);

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(HeadersInfo))]
    [JsonSerializable(typeof(ConcurrencyInfo))]
    [JsonSerializable(typeof(ProcessInfo))]
    [JsonSerializable(typeof(SortedDictionary<string, string>))]
    internal sealed partial class AppJson : JsonSerializerContext;

    internal static class InFlight
    {
        private static int current;
        private static int max;
        private static readonly Lock Gate = new();

        public static void Enter()
        {
            lock (Gate)
            {
                current++;
                if (current > max)
                {
                    max = current;
                }
            }
        }

        public static void Leave()
        {
            lock (Gate)
            {
                current--;
            }
        }

        // The high-water mark starts again from what is in flight now.
        public static void Reset()
        {
            lock (Gate)
            {
                max = current;
            }
        }

        public static ConcurrencyInfo Snapshot()
        {
            lock (Gate)
            {
                return new ConcurrencyInfo(current, max);
            }
        }
    }

    // Native memory, outside the GC heap: its limit (75 % of the container's) does not apply, so
    // the container really goes over its memory limit and the kernel's OOM killer ends it.
    internal static class Bloat
    {
        private static readonly List<IntPtr> Blocks = [];
        private const int BlockSize = 1 << 20;
        private const int PageSize = 4096;

        public static void Allocate(int mb)
        {
            for (var i = 0; i < mb; i++)
            {
                var block = Marshal.AllocHGlobal(BlockSize);
                for (var offset = 0; offset < BlockSize; offset += PageSize)
                {
                    Marshal.WriteByte(block, offset, 1);
                }
                lock (Blocks)
                {
                    Blocks.Add(block);
                }
            }
        }
    }

    internal static partial class Native
    {
        // _exit(2): ends the process at once with this code, as a crash would (no shutdown hooks).
        [DllImport("libc", EntryPoint = "_exit")]
        private static extern void SysExit(int code);

        [DllImport("libc", EntryPoint = "getuid")]
        public static extern uint Uid();

        [DllImport("libc", EntryPoint = "getgid")]
        public static extern uint Gid();

        public static void Exit(int code)
        {
            Console.Out.Flush();
            Console.Error.Flush();
            SysExit(code);
        }
    }
}
