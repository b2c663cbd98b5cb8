using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Eventing;

/// <summary>The broker's ingress on a real daemon: what it accepts (202 after storing), and the 4xx it answers otherwise.</summary>
public sealed class BrokerIngressTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string Brokers = "/apis/eventing.knative.dev/v1/namespaces/default/brokers";

    private async Task CreateBrokerAsync(string name)
    {
        using var response = await Daemon.Api.PostAsync(Brokers, new StringContent(
            $$$"""{"apiVersion":"eventing.knative.dev/v1","kind":"Broker","metadata":{"name":"{{{name}}}"}}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Output.WriteLine(body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var url = JsonDocument.Parse(body).RootElement.GetProperty("status").GetProperty("address").GetProperty("url").GetString();
        Assert.Equal($"http://localhost:{Daemon.IngressPort}/default/{name}", url);
    }

    private async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(string path, HttpMethod method, HttpContent? content = null,
        params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, $"http://127.0.0.1:{Daemon.IngressPort}{path}") { Content = content };
        request.Headers.Host = $"localhost:{Daemon.IngressPort}";
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        var response = await Daemon.Ingress.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private static (string, string)[] Ce(string id) => [("ce-specversion", "1.0"), ("ce-id", id), ("ce-source", "/shop"), ("ce-type", "com.example.order.created")];

    private static StringContent Json(string json, string type = "application/json") =>
        new(json, new MediaTypeHeaderValue(type));

    [Fact]
    public async Task Accepts_binary_structured_and_batched_events_and_answers_4xx_naming_what_is_wrong()
    {
        await CreateBrokerAsync("shop");
        // Everything the broker stores reaches this trigger: what it never sees was never stored.
        await using var sink = await EventSink.StartAsync();
        var trigger = await Cli("trigger", "create", "shop-all", "--broker", "shop", "--sink", sink.Url("/all"));
        Assert.True(trigger.ExitCode == 0, trigger.ToString());

        Assert.Equal(202, (await SendAsync("/default/shop", HttpMethod.Post, Json("""{"id":1}"""), Ce("1"))).Status);
        Assert.Equal(202, (await SendAsync("/default/shop", HttpMethod.Post,
            Json("""{"specversion":"1.0","id":"2","source":"/shop","type":"t","data":{"a":1}}""", "application/cloudevents+json"))).Status);
        Assert.Equal(202, (await SendAsync("/default/shop", HttpMethod.Post,
            Json("""[{"specversion":"1.0","id":"3","source":"/s","type":"t"},{"specversion":"1.0","id":"4","source":"/s","type":"t"}]""",
                "application/cloudevents-batch+json"))).Status);

        foreach (var missing in new[] { "ce-id", "ce-source", "ce-type", "ce-specversion" })
        {
            var (status, body, _) = await SendAsync("/default/shop", HttpMethod.Post, Json("{}"), [.. Ce("5").Where(h => h.Item1 != missing)]);
            Assert.Equal(400, status);
            Assert.Equal(missing[3..], JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
        }
        Assert.Equal(400, (await SendAsync("/default/shop", HttpMethod.Post, Json("{not json", "application/cloudevents+json"))).Status);
        Assert.Equal(400, (await SendAsync("/default/shop", HttpMethod.Post, Json("{}"),
            [.. Ce("6").Where(h => h.Item1 != "ce-specversion"), ("ce-specversion", "0.3")])).Status);
        // A batch is stored all or none: one bad event and the good one beside it is not kept either.
        Assert.Equal(400, (await SendAsync("/default/shop", HttpMethod.Post,
            Json("""[{"specversion":"1.0","id":"9","source":"/s","type":"t"},{"specversion":"1.0","id":"10","source":"/s"}]""",
                "application/cloudevents-batch+json"))).Status);
        Assert.Equal(202, (await SendAsync("/default/shop", HttpMethod.Post, Json("{}"), Ce("last"))).Status);
        await Eventually.TrueAsync(() => Task.FromResult(sink.At("/all").Any(r => r["ce-id"] == "last")), "the last good event is delivered");
        await Task.Delay(500);
        Assert.Equal(["1", "2", "3", "4", "last"], sink.At("/all").Select(r => r["ce-id"]!).Order(StringComparer.Ordinal));

        Assert.Equal(404, (await SendAsync("/default/nope", HttpMethod.Post, Json("{}"), Ce("7"))).Status);
        Assert.Equal(405, (await SendAsync("/default/shop", HttpMethod.Get)).Status);
        var options = await SendAsync("/default/shop", HttpMethod.Options);
        Assert.Equal(200, options.Status);
        Assert.Equal("*", options.Response.Headers.GetValues("WebHook-Allowed-Origin").Single());

        using var deleted = await Daemon.Api.DeleteAsync($"{Brokers}/shop");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(404, (await SendAsync("/default/shop", HttpMethod.Post, Json("{}"), Ce("8"))).Status);
    }

    [Fact]
    public async Task Cli_creates_lists_describes_and_deletes_brokers()
    {
        var created = await Cli("broker", "create", "clibroker");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains($"http://localhost:{Daemon.IngressPort}/default/clibroker", created.Stdout);

        var list = await Cli("broker", "list");
        Assert.Contains("clibroker", list.Stdout);
        var describe = await Cli("broker", "describe", "clibroker");
        Assert.Contains("URL:", describe.Stdout);
        Assert.Contains("Ready", describe.Stdout);
        Assert.Equal(202, (await SendAsync("/default/clibroker", HttpMethod.Post, Json("{}"), Ce("1"))).Status);

        Assert.Equal(0, (await Cli("broker", "delete", "clibroker")).ExitCode);
        var missing = await Cli("broker", "describe", "clibroker");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("clibroker", missing.Stderr);
        var bad = await Cli("broker", "create", "Bad_Name");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("metadata.name", bad.Stderr);
    }

    [Fact]
    public async Task Cli_sends_events_built_with_the_cloudevents_sdk()
    {
        Assert.Equal(0, (await Cli("broker", "create", "sendto")).ExitCode);
        var sent = await Cli("event", "send", "--broker", "sendto", "--type", "com.example.order.created", "--source", "/shop",
            "--data", "{\"id\":1}", "--id", "order-1", "--extension", "myext=blue");
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Contains("order-1", sent.Stdout);

        var notJson = await Cli("event", "send", "--broker", "sendto", "--type", "t", "--source", "/s", "--data", "{oops");
        Assert.Equal(2, notJson.ExitCode);
        Assert.Contains("--data", notJson.Stderr);
        var noBroker = await Cli("event", "send", "--broker", "nobroker", "--type", "t", "--source", "/s");
        Assert.NotEqual(0, noBroker.ExitCode);
        Assert.Contains("nobroker", noBroker.Stderr);
        await Cli("broker", "delete", "sendto");
    }
}
