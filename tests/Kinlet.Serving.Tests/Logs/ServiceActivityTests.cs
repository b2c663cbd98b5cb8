using Kinlet.Containers;
using Kinlet.Core.Events;
using Kinlet.Core.Model;
using Kinlet.Serving.Logs;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Time.Testing;

namespace Kinlet.Serving.Tests.Logs;

public sealed class ServiceActivityTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RevisionRegistry registry = new();
    private readonly RecentInstanceLogs recent;
    private readonly ServiceActivity activity;

    public ServiceActivityTests()
    {
        recent = new RecentInstanceLogs(time);
        activity = new ServiceActivity(registry, recent, time);
        registry.GetOrAdd(new Revision
        {
            Metadata = new ObjectMeta { Name = "hello-00002", Namespace = "default", Labels = new Dictionary<string, string> { [KnownKeys.ServiceLabel] = "hello" } },
        });
    }

    private static PlatformEvent Scaled(string revision, int from, int to) =>
        new("dev.kinlet.revision.scaled", "default", "revision", revision, new Dictionary<string, object?> { ["from"] = from, ["to"] = to, ["reason"] = "" });

    [Fact]
    public void A_scaled_revision_is_a_line_of_its_service_found_through_the_registry()
    {
        activity.Emit(Scaled("hello-00002", 0, 1));

        var line = Assert.Single(activity.Subscribe("default", "hello", follow: false).Recent);
        Assert.Equal("revision hello-00002 scaled 0 \u2192 1", line.Line);
        Assert.Equal("hello-00002", line.Revision);
        Assert.Equal(LogSource.Kinletd, line.Source);
    }

    [Fact]
    public void Lifecycle_events_read_as_sentences()
    {
        activity.Emit(new PlatformEvent("dev.kinlet.revision.failed", "default", "revision", "hello-00003", new Dictionary<string, object?>
        {
            ["service"] = "hello",
            ["reason"] = "ExitCode1",
            ["message"] = "Container failed with exit code 1. Last log lines:\nboom",
        }));
        activity.Emit(new PlatformEvent("dev.kinlet.service.ready", "default", "service", "hello", new Dictionary<string, object?>
        {
            ["url"] = "http://hello.localhost:8080",
            ["latestReadyRevisionName"] = "hello-00002",
        }));
        activity.Emit(new PlatformEvent("dev.kinlet.broker.ready", "default", "broker", "b", new Dictionary<string, object?>()));

        Assert.Equal(["revision hello-00003 failed: ExitCode1: Container failed with exit code 1.", "service ready at http://hello.localhost:8080, serving hello-00002"],
            activity.Subscribe("default", "hello", follow: false).Recent.Select(l => l.Line));
    }

    [Fact]
    public void The_ring_keeps_the_newest_lines_within_its_bounds()
    {
        for (var i = 0; i < ServiceActivity.MaxLinesPerService + 10; i++) activity.Append("default", "hello", null, null, $"line {i}");

        var lines = activity.Subscribe("default", "hello", follow: false).Recent;
        Assert.Equal(ServiceActivity.MaxLinesPerService, lines.Count);
        Assert.Equal("line 10", lines[0].Line);

        time.Advance(ServiceActivity.MaxAge + TimeSpan.FromSeconds(1));
        Assert.Empty(activity.Subscribe("default", "hello", follow: false).Recent);
    }

    [Fact]
    public void A_follower_gets_the_recent_lines_then_each_new_one_once()
    {
        activity.Append("default", "hello", null, null, "before");
        using var subscription = activity.Subscribe("default", "hello", follow: true);
        activity.Append("default", "hello", "hello-00002", "hello-00002-a", "after");
        activity.Append("default", "other", null, null, "not mine");

        Assert.Equal("before", Assert.Single(subscription.Recent).Line);
        Assert.True(subscription.Live.TryRead(out var live));
        Assert.Equal("after", live.Line);
        Assert.Equal("hello-00002-a", live.Instance);
        Assert.False(subscription.Live.TryRead(out _));

        subscription.Dispose();
        activity.Append("default", "hello", null, null, "gone");
        Assert.False(subscription.Live.TryRead(out _));
        Assert.True(subscription.Live.Completion.IsCompleted);
    }

    [Fact]
    public void A_new_service_of_an_old_name_starts_clean()
    {
        activity.Append("default", "hello", null, null, "old");
        recent.Record("default", "hello", "hello-00001", "hello-00001-a", [new LogLine(time.GetUtcNow(), LogStream.Stdout, "old output")]);

        activity.Emit(new PlatformEvent("dev.kinlet.service.created", "default", "service", "hello", new Dictionary<string, object?> { ["revision"] = "hello-00001" }));

        Assert.Equal("service created, revision hello-00001", Assert.Single(activity.Subscribe("default", "hello", follow: false).Recent).Line);
        Assert.Empty(recent.For("default", "hello"));
    }

    [Fact]
    public void The_fan_out_reaches_every_receiver_even_when_one_throws()
    {
        var fanOut = new PlatformEventFanOut(new Throwing(), activity);
        fanOut.Emit(Scaled("hello-00002", 1, 2));
        Assert.Single(activity.Subscribe("default", "hello", follow: false).Recent);
    }

    private sealed class Throwing : IPlatformEvents
    {
        public void Emit(PlatformEvent e) => throw new InvalidOperationException("broken receiver");
    }
}
