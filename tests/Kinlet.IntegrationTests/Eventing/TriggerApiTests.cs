using System.Net;
using System.Text;
using System.Text.Json;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Eventing;

/// <summary>Trigger resources through the control API: validated when applied (filters, CESQL, delivery), status on read.</summary>
public sealed class TriggerApiTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string Triggers = "/apis/eventing.knative.dev/v1/namespaces/default/triggers";

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var response = await Daemon.Api.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Output.WriteLine($"POST {path}\n{json}\n-> {(int)response.StatusCode} {text}");
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string Trigger(string name, string spec) =>
        $$$"""{"apiVersion":"eventing.knative.dev/v1","kind":"Trigger","metadata":{"name":"{{{name}}}"},"spec":{{{spec}}}}""";

    [Fact]
    public async Task A_trigger_is_validated_when_applied_and_reports_its_broker_and_subscriber()
    {
        var (status, body) = await PostAsync(Triggers, Trigger("orders",
            """{"broker":"tbroker","filters":[{"cesql":"type LIKE 'com.example.%' AND EXISTS source"}],"subscriber":{"ref":{"apiVersion":"serving.knative.dev/v1","kind":"Service","name":"order-processor"}}}"""));
        Assert.Equal(HttpStatusCode.Created, status);
        var ready = body.GetProperty("status").GetProperty("conditions")[0];
        Assert.Equal("False", ready.GetProperty("status").GetString());
        Assert.Equal("BrokerDoesNotExist", ready.GetProperty("reason").GetString());
        Assert.Equal($"http://order-processor.localhost:{Daemon.IngressPort}", body.GetProperty("status").GetProperty("subscriberUri").GetString());

        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/apis/eventing.knative.dev/v1/namespaces/default/brokers",
            """{"apiVersion":"eventing.knative.dev/v1","kind":"Broker","metadata":{"name":"tbroker"}}""")).Status);
        var got = JsonDocument.Parse(await Daemon.Api.GetStringAsync($"{Triggers}/orders")).RootElement;
        Assert.Equal("True", got.GetProperty("status").GetProperty("conditions")[0].GetProperty("status").GetString());

        foreach (var (spec, field) in new[]
        {
            ("""{"broker":"tbroker","filters":[{"cesql":"type LIKE 5"}],"subscriber":{"uri":"http://127.0.0.1:9/x"}}""", "spec.filters[0].cesql"),
            ("""{"broker":"tbroker","filters":[{"exact":{"type":"a"},"prefix":{"type":"b"}}],"subscriber":{"uri":"http://127.0.0.1:9/x"}}""", "spec.filters[0]"),
            ("""{"broker":"tbroker","filter":{"attributes":{"Type":"a"}},"subscriber":{"uri":"http://127.0.0.1:9/x"}}""", "spec.filter.attributes.Type"),
            ("""{"broker":"tbroker","delivery":{"backoffDelay":"0.2s"},"subscriber":{"uri":"http://127.0.0.1:9/x"}}""", "spec.delivery.backoffDelay"),
            ("""{"broker":"tbroker","subscriber":{"uri":"not a url"}}""", "spec.subscriber.uri"),
            ("""{"subscriber":{"uri":"http://127.0.0.1:9/x"}}""", "spec.broker"),
        })
        {
            var (badStatus, error) = await PostAsync(Triggers, Trigger("bad", spec));
            Assert.Equal(HttpStatusCode.BadRequest, badStatus);
            Assert.Equal(field, error.GetProperty("field").GetString());
        }

        using var deleted = await Daemon.Api.DeleteAsync($"{Triggers}/orders");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var gone = await Daemon.Api.GetAsync($"{Triggers}/orders");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var brokerGone = await Daemon.Api.DeleteAsync("/apis/eventing.knative.dev/v1/namespaces/default/brokers/tbroker");
    }

    [Fact]
    public async Task Cli_creates_lists_describes_and_deletes_triggers()
    {
        Assert.Equal(0, (await Cli("broker", "create", "clitb")).ExitCode);
        var created = await Cli("trigger", "create", "orders", "--broker", "clitb", "--filter", "type=com.example.order.created",
            "--sink", "ksvc:order-processor", "--retry", "3", "--backoff-delay", "PT0.5S");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains($"http://order-processor.localhost:{Daemon.IngressPort}", created.Stdout);
        var audit = await Cli("trigger", "create", "audit", "--broker", "clitb", "--sink", "http://127.0.0.1:9999/audit",
            "--filter-sql", "source LIKE '/shop%'");
        Assert.True(audit.ExitCode == 0, audit.ToString());

        var list = await Cli("trigger", "list");
        Assert.Contains("orders", list.Stdout);
        Assert.Contains("ksvc:order-processor", list.Stdout);
        Assert.Contains("http://127.0.0.1:9999/audit", list.Stdout);
        var describe = await Cli("trigger", "describe", "audit");
        Assert.Contains("source LIKE '/shop%'", describe.Stdout);

        var bad = await Cli("trigger", "create", "bad", "--broker", "clitb", "--sink", "ksvc:x", "--filter-sql", "type LIKE");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("spec.filters[0].cesql", bad.Stderr);
        var badSink = await Cli("trigger", "create", "bad", "--broker", "clitb", "--sink", "ftp://x");
        Assert.NotEqual(0, badSink.ExitCode);
        Assert.Contains("--sink", badSink.Stderr);

        Assert.Equal(0, (await Cli("trigger", "delete", "orders")).ExitCode);
        Assert.Equal(0, (await Cli("trigger", "delete", "audit")).ExitCode);
        Assert.DoesNotContain("orders", (await Cli("trigger", "list")).Stdout);
        await Cli("broker", "delete", "clitb");
    }
}
