using System.Net.Http.Headers;
using System.Text;
using Kinlet.IntegrationTests.Infrastructure;
using Kinlet.Store.Events;

namespace Kinlet.IntegrationTests.Eventing;

/// <summary>A 202 from the broker means the event is on disk: kill -9 right after loses nothing.</summary>
public sealed class BrokerDurabilityTests
{
    [Fact]
    public async Task Every_event_answered_202_is_in_the_log_after_kill_9()
    {
        await using var daemon = await KinletDaemon.StartAsync();
        using (var created = await daemon.Api.PostAsync("/apis/eventing.knative.dev/v1/namespaces/default/brokers", new StringContent(
                   """{"apiVersion":"eventing.knative.dev/v1","kind":"Broker","metadata":{"name":"durable"}}""", Encoding.UTF8, "application/json")))
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        // 200 events from 8 concurrent senders, then kill -9 at once: no shutdown path runs.
        var accepted = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{daemon.IngressPort}/default/durable")
                {
                    Content = new StringContent($$"""{"n":{{i}}}""", new MediaTypeHeaderValue("application/json")),
                };
                request.Headers.Host = $"localhost:{daemon.IngressPort}";
                request.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
                request.Headers.TryAddWithoutValidation("ce-id", $"{sender}-{i}");
                request.Headers.TryAddWithoutValidation("ce-source", "/durability");
                request.Headers.TryAddWithoutValidation("ce-type", "dev.kinlet.test");
                using var response = await daemon.Ingress.SendAsync(request);
                if ((int)response.StatusCode == 202) Interlocked.Increment(ref accepted);
            }
        })));
        await daemon.KillAsync();
        Assert.Equal(200, accepted);

        await using var log = LiteDbEventLog.Open(daemon.StateDir);
        var events = log.Read("default", "durable", 0, 1000);
        Assert.Equal(200, events.Count);
        Assert.Equal(200, events.Select(e => e.Attributes["id"]).Distinct().Count());
        Assert.All(events, e =>
        {
            Assert.Equal("dev.kinlet.test", e.Attributes["type"]);
            Assert.Equal("255", e.Attributes["knativebrokerttl"]); // set on the way in when absent
            Assert.True(e.Attributes.ContainsKey("knativearrivaltime"));
            Assert.StartsWith("{\"n\":", Encoding.UTF8.GetString(e.Data!));
        });
    }
}
