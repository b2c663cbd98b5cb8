using System.Text;
using System.Text.Json;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Eventing;

/// <summary>With --lifecycle-broker, kinletd's own lifecycle reaches triggers as dev.kinlet.* CloudEvents.</summary>
public sealed class LifecycleEventTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Service_and_revision_lifecycle_reach_a_trigger()
    {
        await using var sink = await EventSink.StartAsync();
        await using var daemon = await KinletDaemon.StartAsync(null, "--lifecycle-broker", "platform");
        foreach (var args in new[]
        {
            new[] { "broker", "create", "platform" },
            ["trigger", "create", "watch", "--broker", "platform", "--filter-sql", "type LIKE 'dev.kinlet.%'", "--sink", sink.Url("/platform")],
            ["service", "create", "lc", "--image", Images.TestFn],
            ["service", "delete", "lc"],
        })
        {
            var r = await daemon.CliAsync(args);
            output.WriteLine($"$ kinlet {string.Join(' ', args)}\n{r}");
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        string[] expected = ["dev.kinlet.service.created", "dev.kinlet.revision.ready", "dev.kinlet.service.ready", "dev.kinlet.service.deleted"];
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(expected.All(t => sink.At("/platform").Any(r => r["ce-type"] == t))),
                "the service's lifecycle arrives", TimeSpan.FromSeconds(30));
        }
        finally
        {
            foreach (var r in sink.At("/platform")) output.WriteLine($"{r["ce-type"]} {r["ce-source"]} {Encoding.UTF8.GetString(r.Body)}");
            output.WriteLine(daemon.Logs);
        }

        var ready = sink.At("/platform").First(r => r["ce-type"] == "dev.kinlet.revision.ready");
        Assert.Equal("/apis/serving.knative.dev/v1/namespaces/default/revisions/lc-00001", ready["ce-source"]);
        Assert.Equal("lc-00001", ready["ce-subject"]);
        Assert.Equal("lc", JsonDocument.Parse(ready.Body).RootElement.GetProperty("service").GetString());
        var serviceReady = sink.At("/platform").First(r => r["ce-type"] == "dev.kinlet.service.ready");
        Assert.Equal("lc-00001", JsonDocument.Parse(serviceReady.Body).RootElement.GetProperty("latestReadyRevisionName").GetString());
    }
}
