using System.Text;
using System.Text.Json;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Eventing;

/// <summary>PingSource on a short schedule (6-field cron, every 2 s) into a broker, through a trigger, across a kill -9.</summary>
public sealed class PingSourceTests(ITestOutputHelper output)
{
    private static async Task RunAsync(KinletDaemon daemon, ITestOutputHelper output, params string[] args)
    {
        var r = await daemon.CliAsync(args);
        output.WriteLine($"$ kinlet {string.Join(' ', args)}\n{r}");
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Fact]
    public async Task A_ping_source_fires_on_its_schedule_and_a_restart_fires_no_tick_twice()
    {
        await using var sink = await EventSink.StartAsync();
        await using var daemon = await KinletDaemon.StartAsync();
        await RunAsync(daemon, output, "broker", "create", "default");
        await RunAsync(daemon, output, "trigger", "create", "beats", "--broker", "default", "--filter", "type=dev.knative.sources.ping", "--sink", sink.Url("/beats"));
        await RunAsync(daemon, output, "source", "ping", "create", "heartbeat", "--schedule", "*/2 * * * * *", "--data", """{"beat":true}""", "--sink", "broker:default");

        await Eventually.TrueAsync(() => Task.FromResult(sink.At("/beats").Count >= 2), "two ticks arrive", TimeSpan.FromSeconds(30));
        var first = sink.At("/beats")[0];
        Assert.Equal("dev.knative.sources.ping", first["ce-type"]);
        Assert.Equal("/apis/v1/namespaces/default/pingsources/heartbeat", first["ce-source"]);
        Assert.Equal("""{"beat":true}""", Encoding.UTF8.GetString(first.Body));
        var times = sink.At("/beats").Select(r => DateTimeOffset.Parse(r["ce-time"]!)).ToList();
        Assert.All(times, t => Assert.Equal(0, t.Second % 2)); // on the schedule's ticks

        var list = await daemon.CliAsync("source", "ping", "list");
        Assert.Contains("heartbeat", list.Stdout);
        Assert.Contains("*/2 * * * * *", list.Stdout);

        await daemon.KillAsync();
        await daemon.RestartAsync();
        var before = sink.At("/beats").Count;
        await Eventually.TrueAsync(() => Task.FromResult(sink.At("/beats").Count >= before + 2), "ticks resume after the restart", TimeSpan.FromSeconds(30));
        var ticks = sink.At("/beats").Select(r => r["ce-time"]).ToList();
        Assert.Equal(ticks.Count, ticks.Distinct().Count()); // no tick fired twice
        Assert.Equal(ticks.Count, sink.At("/beats").Select(r => r["ce-id"]).Distinct().Count());

        // A bad schedule is a 400 naming the field.
        var bad = await daemon.CliAsync("source", "ping", "create", "broken", "--schedule", "61 * * * *", "--sink", "broker:default");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("spec.schedule", bad.Stderr);

        await RunAsync(daemon, output, "source", "ping", "delete", "heartbeat");
        await Task.Delay(500);
        var after = sink.At("/beats").Count;
        await Task.Delay(3000);
        Assert.True(sink.At("/beats").Count <= after + 1, "a deleted source stops firing");
    }
}
