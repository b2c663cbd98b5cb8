using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kinlet.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Eventing;

/// <summary>
/// Triggers deliver what their broker stores, over real HTTP to a real server in the test process: fan-out,
/// filters, retries and dead letters, failures kept, replies back into the broker with the loop guard.
/// </summary>
public sealed class DeliveryTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string Triggers = "/apis/eventing.knative.dev/v1/namespaces/default/triggers";

    private async Task BrokerAsync(string name)
    {
        var r = await Cli("broker", "create", name);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    private async Task TriggerAsync(params string[] args)
    {
        var r = await Cli(["trigger", "create", .. args]);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    private async Task<int> SendAsync(string broker, string id, string type, string data = "{}", int? ttl = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{Daemon.IngressPort}/default/{broker}")
        {
            Content = new StringContent(data, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
        request.Headers.TryAddWithoutValidation("ce-id", id);
        request.Headers.TryAddWithoutValidation("ce-source", "/tests");
        request.Headers.TryAddWithoutValidation("ce-type", type);
        if (ttl is { } t) request.Headers.TryAddWithoutValidation("ce-knativebrokerttl", t.ToString());
        using var response = await Daemon.Ingress.SendAsync(request);
        return (int)response.StatusCode;
    }

    private async Task<JsonElement> StatusAsync(string trigger) =>
        JsonDocument.Parse(await Daemon.Api.GetStringAsync($"{Triggers}/{trigger}")).RootElement.GetProperty("status").Clone();

    [Fact]
    public async Task Every_matching_trigger_gets_the_event_and_others_do_not()
    {
        await using var sink = await EventSink.StartAsync();
        await BrokerAsync("fan");
        await TriggerAsync("fan-orders", "--broker", "fan", "--filter", "type=com.example.order.created", "--sink", sink.Url("/orders"));
        await TriggerAsync("fan-all", "--broker", "fan", "--sink", sink.Url("/all"));
        await TriggerAsync("fan-sql", "--broker", "fan", "--filter-sql", "type LIKE '%.shipped' AND source = '/tests'", "--sink", sink.Url("/sql"));

        Assert.Equal(202, await SendAsync("fan", "o-1", "com.example.order.created", """{"id":1}"""));
        Assert.Equal(202, await SendAsync("fan", "s-1", "com.example.order.shipped"));
        Assert.Equal(202, await SendAsync("fan", "x-1", "com.example.other"));

        await Eventually.TrueAsync(() => Task.FromResult(sink.At("/all").Count >= 3), "the unfiltered trigger gets all three", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => Task.FromResult(sink.At("/orders").Count >= 1 && sink.At("/sql").Count >= 1), "the filtered triggers get theirs", TimeSpan.FromSeconds(30));
        await Task.Delay(1000); // anything that should not arrive has had time to
        Assert.Equal(["o-1"], sink.At("/orders").Select(r => r["ce-id"]));
        Assert.Equal(["s-1"], sink.At("/sql").Select(r => r["ce-id"]));
        Assert.Equal(["o-1", "s-1", "x-1"], sink.At("/all").Select(r => r["ce-id"]).Order());

        // Binary mode as Knative delivers it: attributes in ce- headers, the data as the body, no loop-guard header.
        var order = sink.At("/orders")[0];
        Assert.Equal("1.0", order["ce-specversion"]);
        Assert.Equal("/tests", order["ce-source"]);
        Assert.Equal("com.example.order.created", order["ce-type"]);
        Assert.StartsWith("application/json", order["content-type"]);
        Assert.Equal("""{"id":1}""", Encoding.UTF8.GetString(order.Body));
        Assert.Equal("reply", order["prefer"]);
        Assert.Equal("default", order["kn-namespace"]);
        Assert.NotNull(order["ce-knativearrivaltime"]);
        Assert.Null(order["ce-knativebrokerttl"]);

        await Eventually.TrueAsync(async () => (await StatusAsync("fan-all")).GetProperty("delivered").GetInt64() == 3, "describe counts 3 delivered");
        var describe = await Cli("trigger", "describe", "fan-all");
        Assert.Matches(@"Delivered:\s+3", describe.Stdout);

        var metrics = await Daemon.Api.GetStringAsync("/metrics");
        Assert.Contains("kinlet_broker_events_accepted_total{namespace=\"default\",broker=\"fan\"} 3", metrics);
        Assert.Contains("kinlet_trigger_events_delivered_total{namespace=\"default\",trigger=\"fan-all\"} 3", metrics);
        Assert.Contains("kinlet_trigger_delivery_duration_seconds_count{namespace=\"default\",trigger=\"fan-all\"} 3", metrics);
        Assert.Contains("kinlet_trigger_backlog_events{namespace=\"default\",trigger=\"fan-all\"} 0", metrics);
    }

    [Fact]
    public async Task A_failing_subscriber_is_retried_then_the_event_is_dead_lettered_with_the_error_extensions()
    {
        await using var sink = await EventSink.StartAsync();
        sink.Respond("/fail", 503, "boom");
        await BrokerAsync("retries");
        await TriggerAsync("retries-dls", "--broker", "retries", "--sink", sink.Url("/fail"), "--retry", "2",
            "--backoff-policy", "linear", "--backoff-delay", "PT0.1S", "--dead-letter-sink", sink.Url("/dls"));

        Assert.Equal(202, await SendAsync("retries", "r-1", "com.example.flaky", """{"n":1}"""));
        await Eventually.TrueAsync(() => Task.FromResult(sink.At("/dls").Count >= 1), "the event reaches the dead-letter sink", TimeSpan.FromSeconds(30));
        Assert.Equal(3, sink.At("/fail").Count); // the first attempt and two retries
        var dead = sink.At("/dls")[0];
        Assert.Equal("r-1", dead["ce-id"]);
        Assert.Equal(sink.Url("/fail"), dead["ce-knativeerrordest"]);
        Assert.Equal("503", dead["ce-knativeerrorcode"]);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("boom")), dead["ce-knativeerrordata"]);
        Assert.Equal("""{"n":1}""", Encoding.UTF8.GetString(dead.Body));

        await Eventually.TrueAsync(async () => (await StatusAsync("retries-dls")).GetProperty("deadLettered").GetInt64() == 1, "describe counts the dead letter");
        var status = await StatusAsync("retries-dls");
        Assert.Contains("503", status.GetProperty("lastError").GetString());
        Assert.Equal(0, status.GetProperty("retrying").GetInt64());
    }

    [Fact]
    public async Task Without_a_dead_letter_sink_a_failed_event_is_kept_and_counted()
    {
        await using var sink = await EventSink.StartAsync();
        sink.Respond("/reject", 400, "no thanks");
        sink.Respond("/text", 200, "not an event"); // a 2xx body that is not a CloudEvent is a failure (Knative: 502)
        await BrokerAsync("failing");
        await TriggerAsync("failing-400", "--broker", "failing", "--sink", sink.Url("/reject"), "--retry", "3", "--backoff-delay", "PT0.1S");
        await TriggerAsync("failing-text", "--broker", "failing", "--sink", sink.Url("/text"), "--retry", "1", "--backoff-delay", "PT0.1S");

        Assert.Equal(202, await SendAsync("failing", "f-1", "com.example.rejected"));
        await Eventually.TrueAsync(async () => (await StatusAsync("failing-400")).GetProperty("failed").GetInt64() == 1, "the 400 is a failure at once");
        await Eventually.TrueAsync(async () => (await StatusAsync("failing-text")).GetProperty("failed").GetInt64() == 1, "the text answer fails after its retry");
        Assert.Single(sink.At("/reject")); // 400 is not retried
        Assert.Equal(2, sink.At("/text").Count);
        Assert.Contains("400", (await StatusAsync("failing-400")).GetProperty("lastError").GetString());
        Assert.Contains("502", (await StatusAsync("failing-text")).GetProperty("lastError").GetString());
        var metrics = await Daemon.Api.GetStringAsync("/metrics");
        Assert.Contains("kinlet_trigger_events_failed_total{namespace=\"default\",trigger=\"failing-400\"} 1", metrics);
        Assert.Contains("kinlet_trigger_events_retried_total{namespace=\"default\",trigger=\"failing-text\"} 1", metrics);
        var describe = await Cli("trigger", "describe", "failing-400");
        Assert.Contains("400", describe.Stdout);

        // The failed event is kept: listed, and sent again once the subscriber is fixed.
        var failed = await Cli("trigger", "failed", "failing-400");
        Assert.Contains("f-1", failed.Stdout);
        Assert.Contains("com.example.rejected", failed.Stdout);
        sink.Respond("/reject", 202);
        var redrive = await Cli("trigger", "redrive", "failing-400");
        Assert.Contains("1 failed event(s)", redrive.Stdout);
        await Eventually.TrueAsync(async () => (await StatusAsync("failing-400")).GetProperty("delivered").GetInt64() == 1, "the redriven event is delivered");
        Assert.Equal(0, (await StatusAsync("failing-400")).GetProperty("failed").GetInt64());
        Assert.Equal(2, sink.At("/reject").Count);
        Assert.Contains("No failed events.", (await Cli("trigger", "failed", "failing-400")).Stdout);
    }

    [Fact]
    public async Task A_reply_goes_back_into_the_broker_and_the_ttl_ends_a_loop()
    {
        await using var sink = await EventSink.StartAsync();
        // /reply answers every event with a new one of type "pong"; /loop answers with one of its own type.
        sink.Respond("/reply", Reply("com.example.pong"));
        sink.Respond("/loop", Reply("com.example.loop"));
        await BrokerAsync("chain");
        await TriggerAsync("chain-ping", "--broker", "chain", "--filter", "type=com.example.ping", "--sink", sink.Url("/reply"));
        await TriggerAsync("chain-pong", "--broker", "chain", "--filter", "type=com.example.pong", "--sink", sink.Url("/pong"));
        await TriggerAsync("chain-loop", "--broker", "chain", "--filter", "type=com.example.loop", "--sink", sink.Url("/loop"));

        Assert.Equal(202, await SendAsync("chain", "p-1", "com.example.ping"));
        await Eventually.TrueAsync(() => Task.FromResult(sink.At("/pong").Count >= 1), "the reply reaches the second trigger", TimeSpan.FromSeconds(30));
        var pong = sink.At("/pong")[0];
        Assert.Equal("com.example.pong", pong["ce-type"]);
        Assert.Equal("reply-to-p-1", pong["ce-id"]);

        // Stored with ttl 4 (5 - 1); each reply comes back one lower: deliveries with 4, 3, 2, 1, then the reply is dropped.
        Assert.Equal(202, await SendAsync("chain", "l-1", "com.example.loop", ttl: 5));
        await Eventually.TrueAsync(() => Task.FromResult(sink.At("/loop").Count >= 4), "the loop runs", TimeSpan.FromSeconds(30));
        await Task.Delay(1500);
        Assert.Equal(4, sink.At("/loop").Count);
    }

    private static Func<ReceivedRequest, HttpContext, Task> Reply(string type) => (request, ctx) =>
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.Headers["ce-specversion"] = "1.0";
        ctx.Response.Headers["ce-id"] = "reply-to-" + request["ce-id"];
        ctx.Response.Headers["ce-source"] = "/sink";
        ctx.Response.Headers["ce-type"] = type;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync("{}");
    };
}

/// <summary>A subscriber that is a Kinlet service is reached through the router, so an event starts it from zero.</summary>
public sealed class SubscriberFromZeroTests(Conformance.FastAutoscalerFixture fixture, ITestOutputHelper output) : IClassFixture<Conformance.FastAutoscalerFixture>
{
    private async Task<ProcessResult> Cli(params string[] args)
    {
        var result = await fixture.Daemon.CliAsync(args);
        output.WriteLine($"$ kinlet {string.Join(' ', args)}\n{result}");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    [Fact]
    public async Task A_subscriber_service_at_zero_is_started_by_its_event()
    {
        var daemon = fixture.Daemon;
        await Cli("broker", "create", "wake");
        await Cli("service", "create", "evsub", "--image", Images.TestFn, "--scale-min", "0", "--scale-max", "1");
        await Eventually.TrueAsync(async () => (await daemon.ContainersAsync("evsub")).Count == 0, "the subscriber scales to zero", TimeSpan.FromSeconds(60));

        await Cli("trigger", "create", "wake-evsub", "--broker", "wake", "--sink", "ksvc:evsub/events");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{daemon.IngressPort}/default/wake") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
        request.Headers.TryAddWithoutValidation("ce-id", "w-1");
        request.Headers.TryAddWithoutValidation("ce-source", "/tests");
        request.Headers.TryAddWithoutValidation("ce-type", "com.example.wake");
        using (var sent = await daemon.Ingress.SendAsync(request)) Assert.Equal(202, (int)sent.StatusCode);

        await Eventually.TrueAsync(async () =>
        {
            var (status, body) = await daemon.GetAsync(daemon.Host("evsub"), "/events");
            return status == 200 && body.Split('\n').Contains("w-1");
        }, "the service started and received the event", TimeSpan.FromSeconds(60));
        // The subscriber records the event before it answers; the count follows the answer.
        await Eventually.TrueAsync(async () => JsonDocument.Parse(await daemon.Api.GetStringAsync("/apis/eventing.knative.dev/v1/namespaces/default/triggers/wake-evsub"))
            .RootElement.GetProperty("status").GetProperty("delivered").GetInt64() == 1, "the trigger counts the delivery", TimeSpan.FromSeconds(10));
        await Cli("service", "delete", "evsub");
    }
}
