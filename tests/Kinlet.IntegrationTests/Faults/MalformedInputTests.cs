using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Faults;

/// <summary>
/// Over a thousand generated bad inputs (manifests of every kind, CloudEvents with every attribute broken, HTTP
/// that breaks the protocol's limits, bodies that trickle in): every answer is a 4xx or a clean close within the
/// server's timeouts, kinletd stays healthy, and what the store held before is all still there.
/// The generator is seeded: a failure names the input, and the same seed gives the same inputs.
/// </summary>
public sealed class MalformedInputTests(ITestOutputHelper output)
{
    private const int Seed = 20261129;
    private const string Serving = "/apis/serving.knative.dev/v1/namespaces/default";
    private const string Eventing = "/apis/eventing.knative.dev/v1/namespaces/default";

    [Fact]
    public async Task A_thousand_malformed_inputs_get_4xx_and_change_nothing()
    {
        await using var daemon = await KinletDaemon.StartAsync();
        // What must survive: a service, a broker with events, a trigger, a ping source, a secret.
        Assert.Equal(0, (await daemon.CliAsync("service", "create", "keep", "--image", Images.TestFn)).ExitCode);
        Assert.Equal(0, (await daemon.CliAsync("broker", "create", "fuzz")).ExitCode);
        Assert.Equal(0, (await daemon.CliAsync("trigger", "create", "keep-t", "--broker", "fuzz", "--sink", "ksvc:keep")).ExitCode);
        Assert.Equal(0, (await daemon.CliAsync("source", "ping", "create", "keep-p", "--schedule", "0 0 1 1 *", "--sink", "broker:fuzz")).ExitCode);
        Assert.Equal(0, (await daemon.CliAsync("secret", "create", "keep-s", "--from-literal", "k=v")).ExitCode);
        for (var i = 0; i < 5; i++)
            Assert.Equal(202, (int)(await daemon.Ingress.SendAsync(Event(daemon, new() { ["ce-id"] = $"good-{i}" }))).StatusCode);
        var before = await SnapshotAsync(daemon);

        var random = new Random(Seed);
        var cases = new List<(string Name, Func<HttpRequestMessage> Make)>();
        cases.AddRange(Manifests(random, daemon));
        cases.AddRange(CloudEvents(random, daemon));
        output.WriteLine($"{cases.Count} generated requests");
        Assert.True(cases.Count >= 1000, $"only {cases.Count} cases");

        var wrong = new List<string>();
        foreach (var (name, make) in cases)
        {
            using var request = make();
            using var response = await (request.RequestUri!.Port == daemon.IngressPort ? daemon.Ingress : daemon.Api).SendAsync(request);
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500) wrong.Add($"{name}: {status} {Trim(await response.Content.ReadAsStringAsync())}");
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} inputs not answered 4xx:\n" + string.Join("\n", wrong.Take(20)));

        // Protocol-level abuse on both ports: a clean 4xx or a closed connection, within a bound.
        foreach (var port in new[] { daemon.IngressPort, daemon.ApiPort })
        {
            Assert.StartsWith("HTTP/1.1 400", await RawAsync(port, "GET / HTTP/1.1\r\n\r\n"));                        // no Host
            Assert.StartsWith("HTTP/1.1 400", await RawAsync(port, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"));          // bad Host
            Assert.StartsWith("HTTP/1.1 400", await RawAsync(port, "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n")); // two Hosts
            Assert.StartsWith("HTTP/1.1 431", await RawAsync(port, $"GET / HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 70_000)}\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 414", await RawAsync(port, $"GET /{new string('a', 20_000)} HTTP/1.1\r\nHost: x\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 400", await RawAsync(port, "BREW /pot HTCPCP/1.0\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 400", await RawAsync(port, "\u0001\u0002garbage\r\n\r\n"));
        }
        // Slowloris: headers, then a body that trickles in below the minimum data rate: the server gives up.
        var slow = await SlowBodyAsync(daemon.IngressPort, $"POST /default/fuzz HTTP/1.1\r\nHost: localhost:{daemon.IngressPort}\r\nContent-Length: 100000\r\nce-id: slow\r\nce-source: /s\r\nce-type: t\r\nce-specversion: 1.0\r\n\r\n");
        output.WriteLine("slow body: " + slow);

        Assert.Equal(200, (int)(await daemon.Api.GetAsync("/healthz")).StatusCode);
        Assert.Equal(200, (int)(await daemon.Api.GetAsync("/readyz")).StatusCode);
        var after = await SnapshotAsync(daemon);
        Assert.Equal(before, after);
        Assert.Equal(200, (await daemon.GetAsync(daemon.Host("keep"))).Status);
    }

    // ---------------------------------------------------------------------------------------------
    // Manifests: a valid body per kind, then one mutation that makes it certainly invalid.
    // ---------------------------------------------------------------------------------------------

    private static IEnumerable<(string, Func<HttpRequestMessage>)> Manifests(Random random, KinletDaemon daemon)
    {
        // Each kind: a valid body, and its fields with their JSON type (S string, I integer, O object, A array) and
        // whether leaving them out is an error.
        var kinds = new (string Kind, string Path, Func<string, JsonObject> Valid, (string Path, char Type, bool Required)[] Fields)[]
        {
            ("Service", $"{Serving}/services", n => Named("""{"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"NAME"},"spec":{"template":{"spec":{"containerConcurrency":0,"timeoutSeconds":30,"containers":[{"image":"kinlet.local/testfn:latest","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":8080}]}]}}}}""", n),
                [("spec.template.spec.containerConcurrency", 'I', false), ("spec.template.spec.timeoutSeconds", 'I', false), ("spec.template.spec.containers", 'A', true),
                 ("spec.template.spec.containers[0].image", 'S', true), ("spec.template.spec.containers[0].env", 'A', false),
                 ("spec.template.spec.containers[0].ports[0].containerPort", 'I', false), ("spec.template", 'O', true), ("spec", 'O', true)]),
            ("Broker", $"{Eventing}/brokers", n => Named("""{"apiVersion":"eventing.knative.dev/v1","kind":"Broker","metadata":{"name":"NAME"}}""", n),
                [("metadata", 'O', true), ("metadata.name", 'S', true)]),
            ("Trigger", $"{Eventing}/triggers", n => Named("""{"apiVersion":"eventing.knative.dev/v1","kind":"Trigger","metadata":{"name":"NAME"},"spec":{"broker":"fuzz","filter":{"attributes":{"type":"x"}},"subscriber":{"uri":"http://127.0.0.1:1/"}}}""", n),
                [("spec.broker", 'S', true), ("spec.subscriber", 'O', true), ("spec.subscriber.uri", 'S', true), ("spec.filter", 'O', false),
                 ("spec.filter.attributes", 'O', false), ("spec", 'O', true)]),
            ("PingSource", "/apis/sources.knative.dev/v1/namespaces/default/pingsources", n => Named("""{"apiVersion":"sources.knative.dev/v1","kind":"PingSource","metadata":{"name":"NAME"},"spec":{"schedule":"* * * * *","sink":{"uri":"http://127.0.0.1:1/"}}}""", n),
                [("spec.schedule", 'S', true), ("spec.sink", 'O', true), ("spec.sink.uri", 'S', true), ("spec", 'O', true)]),
            ("Secret", "/api/v1/namespaces/default/secrets", n => Named("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"NAME"},"stringData":{"k":"v"}}""", n),
                [("stringData", 'O', false), ("metadata.name", 'S', true)]),
        };
        var badNames = new[] { "", "UPPER", "-lead", "trail-", "a_b", "a.b.c/d", "../etc", "sp ace", "ünï", new string('b', 300), "x\u0000y" };
        // Values certainly wrong for a field of each type. Strings take unquoted scalars on purpose (YAML users write
        // `value: 8080`), and objects ignore unknown keys with a warning, as Kubernetes does: neither is here.
        var wrongFor = new Dictionary<char, Func<Random, JsonNode?>[]>
        {
            ['S'] = [_ => new JsonArray("a"), _ => new JsonObject { ["x"] = 1 }],
            ['I'] = [_ => JsonValue.Create(true), _ => new JsonArray(1, 2), _ => new JsonObject { ["x"] = 1 }, r => JsonValue.Create(-r.Next(1, 1000)),
                _ => JsonValue.Create(1e300), _ => JsonValue.Create(new string('z', 70_000)), _ => JsonValue.Create(1.5)],
            ['O'] = [_ => JsonValue.Create(true), _ => new JsonArray(1), _ => JsonValue.Create(42), _ => JsonValue.Create("text")],
            ['A'] = [_ => JsonValue.Create(true), _ => new JsonObject { ["x"] = 1 }, _ => JsonValue.Create(42), _ => JsonValue.Create("text")],
        };
        var n = 0;
        foreach (var k in kinds)
        {
            foreach (var (field, type, required) in k.Fields)
            {
                foreach (var wrong in wrongFor[type])
                {
                    var name = $"fz{n++}";
                    var value = wrong(random);
                    yield return ($"{k.Kind} {field} = {Trim(value?.ToJsonString() ?? "null")}", () => Post(daemon, k.Path, Set(k.Valid(name), field, value?.DeepClone())));
                }
                if (!required) continue;
                var missing = $"fz{n++}";
                yield return ($"{k.Kind} without {field}", () => Post(daemon, k.Path, Set(k.Valid(missing), field, null, remove: true)));
            }
            foreach (var bad in badNames)
                yield return ($"{k.Kind} named '{Trim(bad)}'", () => Post(daemon, k.Path, Set(k.Valid("placeholder"), "metadata.name", bad)));
            // Wrong apiVersion / kind, and documents that are not JSON objects at all.
            yield return ($"{k.Kind} with another apiVersion", () => Post(daemon, k.Path, Set(k.Valid($"fz{n++}"), "apiVersion", "v9")));
            yield return ($"{k.Kind} with another kind", () => Post(daemon, k.Path, Set(k.Valid($"fz{n++}"), "kind", "Pod")));
            var text = k.Valid($"fz{n++}").ToJsonString();
            for (var cut = 1; cut < text.Length; cut += Math.Max(1, text.Length / 25))
            {
                var truncated = text[..cut];
                yield return ($"{k.Kind} cut at {cut}", () => Raw(daemon, k.Path, Encoding.UTF8.GetBytes(truncated)));
            }
            for (var i = 0; i < 60; i++)
            {
                var bytes = new byte[random.Next(1, 2000)];
                random.NextBytes(bytes);
                yield return ($"{k.Kind} random bytes #{i}", () => Raw(daemon, k.Path, bytes));
            }
            yield return ($"{k.Kind} nested 5000 deep", () => Raw(daemon, k.Path, Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000))));
            yield return ($"{k.Kind} over 4 MiB", () => Raw(daemon, k.Path, Encoding.UTF8.GetBytes("{\"x\":\"" + new string('q', 4_300_000) + "\"}")));
            yield return ($"{k.Kind} invalid UTF-8", () => Raw(daemon, k.Path, [0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
            yield return ($"{k.Kind} empty body", () => Raw(daemon, k.Path, []));
            yield return ($"{k.Kind} a JSON array", () => Raw(daemon, k.Path, "[{}]"u8.ToArray()));
            yield return ($"{k.Kind} name mismatch on PUT", () =>
            {
                var r = Post(daemon, k.Path + "/other-name", k.Valid($"fz{n++}"));
                r.Method = HttpMethod.Put;
                return r;
            });
        }
    }

    private static JsonObject Named(string template, string name) => Set(Node(template), "metadata.name", name);

    // ---------------------------------------------------------------------------------------------
    // CloudEvents: each attribute missing, empty or wrong, in binary, structured and batched mode.
    // ---------------------------------------------------------------------------------------------

    private static IEnumerable<(string, Func<HttpRequestMessage>)> CloudEvents(Random random, KinletDaemon daemon)
    {
        string[] required = ["ce-id", "ce-source", "ce-type", "ce-specversion"];
        foreach (var attr in required)
        {
            yield return ($"binary without {attr}", () => Event(daemon, new() { [attr] = null }));
            yield return ($"binary with empty {attr}", () => Event(daemon, new() { [attr] = "" }));
        }
        foreach (var version in new[] { "0.3", "2.0", "1", "abc", "1.0.0", "1.0x" })
            yield return ($"specversion '{version}'", () => Event(daemon, new() { ["ce-specversion"] = version }));
        foreach (var time in new[] { "yesterday", "2026-13-01T00:00:00Z", "12:00", "2026-11-29" })
            yield return ($"time '{time}'", () => Event(daemon, new() { ["ce-time"] = time }));
        foreach (var uri in new[] { "http://[::1", "a b", "%zz" })
            yield return ($"dataschema '{uri}'", () => Event(daemon, new() { ["ce-dataschema"] = uri }));
        yield return ("an event to a broker that does not exist", () => Event(daemon, new(), "/default/nosuch"));

        // Structured mode: a valid event with one attribute broken, removed or of the wrong JSON type.
        JsonObject Valid() => Node("""{"specversion":"1.0","id":"s1","source":"/fuzz","type":"t","datacontenttype":"application/json","data":{"a":1}}""");
        foreach (var attr in new[] { "specversion", "id", "source", "type" })
        {
            yield return ($"structured without {attr}", () => Structured(daemon, Set(Valid(), attr, null, remove: true).ToJsonString()));
            foreach (var wrong in new JsonNode?[] { JsonValue.Create(7), JsonValue.Create(false), new JsonArray(), new JsonObject(), null, JsonValue.Create("") })
                yield return ($"structured {attr} = {wrong?.ToJsonString() ?? "null"}", () => Structured(daemon, Set(Valid(), attr, wrong?.DeepClone()).ToJsonString()));
        }
        yield return ("structured data and data_base64", () => Structured(daemon, Set(Valid(), "data_base64", "AAAA").ToJsonString()));
        yield return ("structured data_base64 not base64", () => Structured(daemon, Set(Set(Valid(), "data", null, remove: true), "data_base64", "!!!").ToJsonString()));
        yield return ("structured extension with a bad name", () => Structured(daemon, Set(Valid(), "Bad-Name", "x").ToJsonString()));
        var text = Valid().ToJsonString();
        for (var cut = 1; cut < text.Length; cut += 3)
        {
            var truncated = text[..cut];
            yield return ($"structured cut at {cut}", () => Structured(daemon, truncated));
        }
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(1, 800)];
            random.NextBytes(bytes);
            var asText = Encoding.Latin1.GetString(bytes);
            yield return ($"structured random bytes #{i}", () => Structured(daemon, asText));
        }
        // Batched: one bad event in the batch, or not an array.
        for (var bad = 0; bad < 5; bad++)
        {
            var batch = new JsonArray();
            for (var i = 0; i < 5; i++) batch.Add(i == bad ? Set(Valid(), "type", null, remove: true) : Set(Valid(), "id", $"b{i}"));
            var body = batch.ToJsonString();
            yield return ($"batch with event {bad} broken", () => Batch(daemon, body));
        }
        yield return ("batch that is an object", () => Batch(daemon, Valid().ToJsonString()));
        yield return ("batch of numbers", () => Batch(daemon, "[1,2,3]"));
        yield return ("event over 4 MiB", () =>
        {
            var r = Event(daemon, new());
            r.Content = new StringContent("\"" + new string('x', 4_300_000) + "\"", new MediaTypeHeaderValue("application/json"));
            return r;
        });
        yield return ("a GET to the broker", () =>
        {
            var r = Event(daemon, new());
            r.Method = HttpMethod.Get;
            r.Content = null;
            return r;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    private static JsonObject Node(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>Sets (or removes) a dotted path like <c>spec.template.spec.containers[0].image</c>.</summary>
    private static JsonObject Set(JsonObject root, string path, JsonNode? value, bool remove = false)
    {
        var parts = path.Replace("[", ".[").Split('.');
        JsonNode node = root;
        for (var i = 0; i < parts.Length - 1; i++) node = Step(node, parts[i]) ?? throw new InvalidOperationException($"no {path} in the base body");
        var last = parts[^1];
        if (last.StartsWith('['))
        {
            var index = int.Parse(last[1..^1]);
            if (remove) node.AsArray().RemoveAt(index);
            else node.AsArray()[index] = value;
        }
        else if (remove)
        {
            node.AsObject().Remove(last);
        }
        else
        {
            node.AsObject()[last] = value;
        }
        return root;
    }

    private static JsonNode? Step(JsonNode node, string part) =>
        part.StartsWith('[') ? node.AsArray()[int.Parse(part[1..^1])] : node.AsObject()[part];

    private static HttpRequestMessage Post(KinletDaemon daemon, string path, JsonObject body) =>
        Raw(daemon, path, Encoding.UTF8.GetBytes(body.ToJsonString()));

    private static HttpRequestMessage Raw(KinletDaemon daemon, string path, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{daemon.ApiPort}{path}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    private static HttpRequestMessage Event(KinletDaemon daemon, Dictionary<string, string?> changes, string path = "/default/fuzz")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{daemon.IngressPort}{path}")
        {
            Content = new StringContent("{\"fuzz\":true}", new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Host = $"localhost:{daemon.IngressPort}";
        var headers = new Dictionary<string, string?> { ["ce-id"] = "e1", ["ce-source"] = "/fuzz", ["ce-type"] = "dev.kinlet.fuzz", ["ce-specversion"] = "1.0" };
        foreach (var (k, v) in changes) headers[k] = v;
        foreach (var (k, v) in headers)
            if (v is not null) request.Headers.TryAddWithoutValidation(k, v);
        return request;
    }

    private static HttpRequestMessage Structured(KinletDaemon daemon, string body) => Posted(daemon, body, "application/cloudevents+json");

    private static HttpRequestMessage Batch(KinletDaemon daemon, string body) => Posted(daemon, body, "application/cloudevents-batch+json");

    private static HttpRequestMessage Posted(KinletDaemon daemon, string body, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{daemon.IngressPort}/default/fuzz")
        {
            Content = new ByteArrayContent(Encoding.Latin1.GetBytes(body)),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Host = $"localhost:{daemon.IngressPort}";
        return request;
    }

    /// <summary>Every resource list and the broker's event count, as JSON text without volatile status.</summary>
    private static async Task<string> SnapshotAsync(KinletDaemon daemon)
    {
        var sb = new StringBuilder();
        foreach (var path in new[] { $"{Serving}/services", $"{Serving}/revisions", $"{Eventing}/brokers", $"{Eventing}/triggers",
                     "/apis/sources.knative.dev/v1/namespaces/default/pingsources", "/api/v1/namespaces/default/secrets" })
        {
            using var doc = JsonDocument.Parse(await daemon.Api.GetStringAsync(path));
            foreach (var item in doc.RootElement.GetProperty("items").EnumerateArray())
            {
                var meta = item.GetProperty("metadata");
                sb.Append(meta.GetProperty("name").GetString()).Append(' ')
                    .Append(meta.TryGetProperty("generation", out var g) ? g.ToString() : "-").Append(' ')
                    .Append(item.TryGetProperty("spec", out var spec) ? spec.GetRawText() : item.TryGetProperty("keys", out var keys) ? keys.GetRawText() : "").Append('\n');
            }
        }
        var metrics = await daemon.Api.GetStringAsync("/metrics");
        foreach (var line in metrics.Split('\n'))
            if (line.StartsWith("kinlet_broker_events_accepted_total", StringComparison.Ordinal)) sb.Append(line).Append('\n');
        return sb.ToString();
    }

    /// <summary>Sends raw bytes, returns the first line of the answer ("" when the server just closed).</summary>
    private static async Task<string> RawAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request), bound.Token);
        var buffer = new byte[512];
        var read = await stream.ReadAsync(buffer, bound.Token);
        return Encoding.Latin1.GetString(buffer, 0, read).Split("\r\n")[0];
    }

    /// <summary>Headers at once, then a byte every 2 s: the server must drop it (or answer 4xx) within 30 s.</summary>
    private static async Task<string> SlowBodyAsync(int port, string head)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head), bound.Token);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reading = stream.ReadAsync(new byte[512], bound.Token).AsTask();
        try
        {
            while (!reading.IsCompleted)
            {
                await stream.WriteAsync("x"u8.ToArray(), bound.Token);
                await Task.WhenAny(reading, Task.Delay(2000, bound.Token));
            }
        }
        catch (IOException)
        {
            // The server closed the connection while we were still trickling: what the test wants.
        }
        var read = reading.IsCompletedSuccessfully ? await reading : 0;
        Assert.False(bound.IsCancellationRequested, "the slow body was still accepted after 30 s");
        return $"ended after {clock.Elapsed.TotalSeconds:0.0} s ({(read > 0 ? "an answer" : "closed")})";
    }

    private static string Trim(string s) => s.Length <= 120 ? s : s[..120] + "…";
}
