using Kinlet.Containers;
using Kinlet.Serving.Logs;
using Microsoft.Extensions.Time.Testing;

namespace Kinlet.Serving.Tests.Logs;

public sealed class RecentInstanceLogsTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static List<LogLine> Lines(int count, int length = 10) =>
        [.. Enumerable.Range(0, count).Select(i => new LogLine(DateTimeOffset.UnixEpoch.AddSeconds(i), LogStream.Stdout, i.ToString("D" + length, System.Globalization.CultureInfo.InvariantCulture)))];

    [Fact]
    public void An_instance_keeps_its_last_lines_up_to_the_line_bound()
    {
        var logs = new RecentInstanceLogs(time);
        logs.Record("default", "web", "web-00001", "web-00001-a", Lines(800));

        var kept = Assert.Single(logs.For("default", "web"));
        Assert.Equal(RecentInstanceLogs.MaxLinesPerInstance, kept.Lines.Count);
        Assert.Equal(Lines(800)[^1], kept.Lines[^1]);
        Assert.Equal(Lines(800)[300], kept.Lines[0]);
        Assert.Equal("web-00001", kept.Revision);
    }

    [Fact]
    public void An_instance_keeps_its_last_lines_up_to_the_byte_bound()
    {
        var logs = new RecentInstanceLogs(time);
        logs.Record("default", "web", "web-00001", "web-00001-a", Lines(100, length: 10_000));

        var kept = Assert.Single(logs.For("default", "web")).Lines;
        Assert.InRange(kept.Sum(l => 2L * l.Text.Length), 1, RecentInstanceLogs.MaxBytesPerInstance);
        Assert.True(kept.Count < 100);
        Assert.Equal(Lines(100, length: 10_000)[^1], kept[^1]);
    }

    [Fact]
    public void A_service_keeps_its_newest_instances_only()
    {
        var logs = new RecentInstanceLogs(time);
        for (var i = 0; i < 30; i++) logs.Record("default", "web", "web-00001", $"web-00001-{i:D2}", Lines(1));
        logs.Record("default", "other", "other-00001", "other-00001-a", Lines(1));

        var kept = logs.For("default", "web");
        Assert.Equal(RecentInstanceLogs.MaxInstancesPerService, kept.Count);
        Assert.Equal("web-00001-10", kept[0].Instance);
        Assert.Equal("web-00001-29", kept[^1].Instance);
        Assert.Single(logs.For("default", "other"));
        Assert.Empty(logs.For("prod", "web"));
    }

    [Fact]
    public void Instances_are_dropped_after_the_age_bound()
    {
        var logs = new RecentInstanceLogs(time);
        logs.Record("default", "web", "web-00001", "web-00001-a", Lines(3));
        time.Advance(RecentInstanceLogs.MaxAge - TimeSpan.FromMinutes(1));
        logs.Record("default", "web", "web-00001", "web-00001-b", Lines(3));

        Assert.Equal(2, logs.For("default", "web").Count);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("web-00001-b", Assert.Single(logs.For("default", "web")).Instance);
        time.Advance(RecentInstanceLogs.MaxAge);
        Assert.Empty(logs.For("default", "web"));
        Assert.Equal(0, logs.Bytes);
    }

    [Fact]
    public void The_total_is_bounded_across_services()
    {
        var logs = new RecentInstanceLogs(time);
        for (var i = 0; i < RecentInstanceLogs.MaxInstances + 50; i++) logs.Record("default", $"svc{i}", $"svc{i}-00001", $"svc{i}-00001-a", Lines(1));

        Assert.Equal(RecentInstanceLogs.MaxInstances, logs.Count);
        Assert.Empty(logs.For("default", "svc0"));
        Assert.Single(logs.For("default", $"svc{RecentInstanceLogs.MaxInstances + 49}"));
    }

    [Fact]
    public void Recording_an_instance_again_replaces_it_and_forget_clears_a_service()
    {
        var logs = new RecentInstanceLogs(time);
        logs.Record("default", "web", "web-00001", "web-00001-a", Lines(3));
        logs.Record("default", "web", "web-00001", "web-00001-a", Lines(5));

        Assert.Equal(5, Assert.Single(logs.For("default", "web")).Lines.Count);
        logs.Forget("default", "web");
        Assert.Empty(logs.For("default", "web"));
        Assert.Equal(0, logs.Bytes);
    }
}
