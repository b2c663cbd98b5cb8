using Docker.DotNet.Models;
using Kinlet.Containers.Docker;

namespace Kinlet.Containers.Tests.Unit;

/// <summary>The pure parts of the Docker adapter: reference splitting, progress lines, log tails, engine times.</summary>
public sealed class DockerTranslationTests
{
    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("busybox:1.36", "busybox", "1.36")]
    [InlineData("library/busybox", "library/busybox", "latest")]
    [InlineData("localhost:5000/app", "localhost:5000/app", "latest")]
    [InlineData("localhost:5000/team/app:v2", "localhost:5000/team/app", "v2")]
    [InlineData("ghcr.io/org/app@sha256:abc", "ghcr.io/org/app", "sha256:abc")]
    [InlineData("localhost:5000/app:v2@sha256:abc", "localhost:5000/app", "sha256:abc")]
    public void Splits_image_references_as_the_engine_pull_takes_them(string image, string name, string tag) =>
        Assert.Equal((name, tag), ImageReference.Split(image));

    [Fact]
    public void Pull_progress_is_throttled_per_layer_unless_the_status_changes()
    {
        var time = new ManualTime();
        var lines = new List<string>();
        var progress = new PullProgress("app:1", new Sink(lines), time);

        progress.Report(new JSONMessage { Status = "Pulling from library/app", ID = "1" });
        progress.Report(new JSONMessage { Status = "Downloading", ID = "abc", ProgressMessage = "[=>  ] 1MB/9MB" });
        progress.Report(new JSONMessage { Status = "Downloading", ID = "abc", ProgressMessage = "[==> ] 2MB/9MB" });
        progress.Report(new JSONMessage { Status = "Downloading", ID = "def", ProgressMessage = "[=>  ] 1MB/5MB" });
        time.Advance(TimeSpan.FromMilliseconds(600));
        progress.Report(new JSONMessage { Status = "Downloading", ID = "abc", ProgressMessage = "[===>] 8MB/9MB" });
        progress.Report(new JSONMessage { Status = "Pull complete", ID = "abc" });
        progress.Report(new JSONMessage { Status = "Status: Downloaded newer image for app:1" });

        Assert.Equal(
        [
            "Pulling app:1: 1: Pulling from library/app",
            "Pulling app:1: abc: Downloading [=>  ] 1MB/9MB",
            "Pulling app:1: def: Downloading [=>  ] 1MB/5MB",
            "Pulling app:1: abc: Downloading [===>] 8MB/9MB",
            "Pulling app:1: abc: Pull complete",
            "Pulling app:1: Status: Downloaded newer image for app:1",
        ], lines);
        Assert.Null(progress.Error);
    }

    [Fact]
    public void Pull_progress_keeps_the_first_error_of_the_stream()
    {
        var progress = new PullProgress("app:1", null, TimeProvider.System);

        progress.Report(new JSONMessage { Status = "Pulling fs layer", ID = "abc" });
        progress.Report(new JSONMessage { Error = new JSONError { Message = "manifest unknown" }, ErrorMessage = "manifest unknown" });
        progress.Report(new JSONMessage { ErrorMessage = "second" });

        Assert.Equal("manifest unknown", progress.Error);
    }

    [Theory]
    [InlineData("a\nb\nc\n", 2, "b\nc")]
    [InlineData("a\r\nb\r\n", 5, "a\nb")]
    [InlineData("", 3, "")]
    [InlineData("a\nb", 0, "")]
    public void Log_tails_keep_the_last_lines(string text, int lines, string expected) =>
        Assert.Equal(expected, DockerContainers.LastLines(text, lines));

    [Fact]
    public void Engine_times_parse_nanoseconds_and_never_is_null()
    {
        Assert.Null(DockerContainers.EngineTime("0001-01-01T00:00:00Z"));
        Assert.Null(DockerContainers.EngineTime(null));
        // .NET keeps 100 ns ticks: the ninth digit rounds.
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234568),
            DockerContainers.EngineTime("2024-05-01T10:00:00.123456789Z"));
    }

    [Fact]
    public void Label_selectors_become_the_engines_label_filter()
    {
        var filter = DockerContainers.LabelFilter(new Dictionary<string, string> { ["a"] = "", ["b"] = "x=y" });

        Assert.Equal(["a", "b=x=y"], filter.Keys.Order());
    }

    private sealed class Sink(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _now;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => _now;
        public void Advance(TimeSpan by) => _now += by.Ticks;
    }
}
