using Kinlet.Containers.Docker;
using Kinlet.Containers.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Kinlet.Containers.Tests;

/// <summary>The runtime's bounds and error paths, against a fake engine that misbehaves on purpose.</summary>
public sealed class FakeEngineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_stuck_engine_is_unavailable_after_the_call_timeout()
    {
        await using var engine = await FakeEngine.StartAsync(async (context, _) =>
            await Task.Delay(Timeout.Infinite, context.RequestAborted));
        var runtime = new DockerContainerRuntime(new DockerRuntimeOptions { DockerHost = engine.DockerHost, CallTimeout = TimeSpan.FromMilliseconds(300) });

        var e = await Assert.ThrowsAsync<EngineUnavailableException>(() => runtime.PingAsync(CancellationToken.None).WaitAsync(Bound));

        Assert.IsType<TimeoutException>(e.InnerException);
        Assert.Contains("did not answer ping", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dropped_event_stream_ends_the_watch_with_an_exception_after_its_events()
    {
        await using var engine = await FakeEngine.StartAsync((context, path) => path == "/events"
            ? FakeEngine.WriteLinesAsync(context.Response,
                """{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"dev.kinlet.revision":"r1","name":"x","image":"i"}},"time":1700000000,"timeNano":1700000000000000000}""",
                """{"Type":"container","Action":"die","Actor":{"ID":"c1","Attributes":{"dev.kinlet.revision":"r1","exitCode":"3"}},"time":1700000001,"timeNano":1700000001000000000}""")
            : FakeEngine.NotFoundAsync(context.Response, "unexpected " + path));
        var runtime = new DockerContainerRuntime(new DockerRuntimeOptions { DockerHost = engine.DockerHost });
        var seen = new List<ContainerEvent>();

        var e = await Assert.ThrowsAsync<EngineUnavailableException>(async () =>
        {
            await foreach (var ev in runtime.WatchAsync(new Dictionary<string, string> { ["dev.kinlet.revision"] = "" }, CancellationToken.None))
                seen.Add(ev);
        }).WaitAsync(Bound);

        Assert.Contains("event stream", e.Message, StringComparison.Ordinal);
        Assert.Equal(["start", "die"], seen.Select(s => s.Action));
        Assert.Equal(3, seen[1].ExitCode);
        Assert.Equal(new Dictionary<string, string> { ["dev.kinlet.revision"] = "r1" }, seen[0].Labels);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000001), seen[1].Time);
    }

    [Fact]
    public async Task A_pull_that_fails_midstream_is_unavailable_with_the_engines_reason()
    {
        await using var engine = await FakeEngine.StartAsync((context, path) => path switch
        {
            "/images/create" => FakeEngine.WriteLinesAsync(context.Response,
                """{"status":"Pulling from app","id":"1"}""",
                """{"errorDetail":{"message":"manifest for app:1 not found: manifest unknown"},"error":"manifest for app:1 not found: manifest unknown"}"""),
            _ => FakeEngine.NotFoundAsync(context.Response, "No such image: app:1"),
        });
        var runtime = new DockerContainerRuntime(new DockerRuntimeOptions { DockerHost = engine.DockerHost });
        var lines = new List<string>();

        var e = await Assert.ThrowsAsync<ImageUnavailableException>(() =>
            runtime.EnsureImageAsync("app:1", new Sink(lines), CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("not found locally and pull failed: manifest for app:1 not found: manifest unknown", e.Reason);
        Assert.Equal(["Pulling app:1", "Pulling app:1: 1: Pulling from app"], lines);
    }

    [Fact]
    public async Task A_pull_that_stalls_is_ended_by_the_pull_timeout()
    {
        await using var engine = await FakeEngine.StartAsync(async (context, path) =>
        {
            if (path != "/images/create")
            {
                await FakeEngine.NotFoundAsync(context.Response, "No such image: app:1");
                return;
            }
            await FakeEngine.WriteLinesAsync(context.Response, """{"status":"Pulling from app","id":"1"}""");
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var runtime = new DockerContainerRuntime(new DockerRuntimeOptions { DockerHost = engine.DockerHost, PullTimeout = TimeSpan.FromMilliseconds(500) });

        var e = await Assert.ThrowsAsync<ImageUnavailableException>(() =>
            runtime.EnsureImageAsync("app:1", null, CancellationToken.None).WaitAsync(Bound));

        Assert.Contains("did not finish within", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_pull_is_unavailable_with_the_engines_message()
    {
        await using var engine = await FakeEngine.StartAsync((context, path) =>
        {
            if (path != "/images/create") return FakeEngine.NotFoundAsync(context.Response, "No such image: app:1");
            context.Response.StatusCode = 500;
            return context.Response.WriteAsync("""{"message":"Get \"https://registry.example/v2/\": dial tcp: lookup registry.example: no such host"}""");
        });
        var runtime = new DockerContainerRuntime(new DockerRuntimeOptions { DockerHost = engine.DockerHost });

        var e = await Assert.ThrowsAsync<ImageUnavailableException>(() =>
            runtime.EnsureImageAsync("registry.example/app:1", null, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("not found locally and pull failed: Get \"https://registry.example/v2/\": dial tcp: lookup registry.example: no such host", e.Reason);
    }

    private sealed class Sink(List<string> lines) : IProgress<string>
    {
        public void Report(string value) { lock (lines) lines.Add(value); }
    }
}
