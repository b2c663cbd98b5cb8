using System.Text;
using System.Text.RegularExpressions;
using Kinlet.Cli;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary><c>kinlet logs</c> against a real daemon and engine: instance output with its prefix, kinletd's lines, following new instances.</summary>
public sealed class LogsTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    [Fact]
    public async Task Logs_prefix_each_instance_and_follow_instances_that_start_later()
    {
        var create = await Cli("service", "create", "logs1", "--image", Images.TestFn);
        Assert.True(create.ExitCode == 0, create.ToString());
        var (status, _) = await Daemon.GetAsync(Daemon.Host("logs1"));
        Assert.Equal(200, status);

        // What there is: the instance's output under its own name, and kinletd's lines about the service.
        var logs = await Cli("logs", "logs1");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Matches(new Regex(@"^logs1-00001-[0-9a-f]+ \| listening on 8080", RegexOptions.Multiline), logs.Stdout);
        Assert.Contains("kinletd | revision logs1-00001 ready", logs.Stdout);

        // Following, in-process so that it can be stopped the way Ctrl-C stops it: by cancellation.
        var stdout = new LineCollector();
        var stderr = new LineCollector();
        var host = new CliHost(stdout, stderr, new Dictionary<string, string?>
        {
            ["KINLET_API"] = Daemon.ApiUrl,
            ["KINLET_TOKEN"] = Daemon.Token,
            ["NO_COLOR"] = "1",
        })
        {
            HomeDirectory = "/nonexistent-home",
            SystemStateDir = "/nonexistent-state",
        };
        using var stop = new CancellationTokenSource();
        var follow = CliApp.RunAsync(["logs", "logs1", "-f"], host, stop.Token);
        try
        {
            // The backlog came, so the follower is attached (it watches for new instances before it reads the backlog).
            await Eventually.TrueAsync(() => Task.FromResult(stdout.Text.Contains("| listening on 8080", StringComparison.Ordinal)),
                "the follower prints the backlog", TimeSpan.FromSeconds(20));

            // A new revision with two instances: both start after the follower did.
            var update = await Cli("service", "update", "logs1", "--scale-min", "2");
            Assert.True(update.ExitCode == 0, update.ToString());
            var newInstance = new Regex(@"^(logs1-00002-[0-9a-f]+) \| listening on 8080", RegexOptions.Multiline);
            await Eventually.TrueAsync(() => Task.FromResult(newInstance.IsMatch(stdout.Text)
                    && stdout.Text.Contains("kinletd | revision logs1-00002 ready", StringComparison.Ordinal)),
                "the new revision's instance output and kinletd's line arrive while following", TimeSpan.FromSeconds(30));
            Assert.Contains("kinletd | service updated, new revision logs1-00002", stdout.Text);
        }
        finally
        {
            await stop.CancelAsync();
            var code = await follow.WaitAsync(TimeSpan.FromSeconds(20));
            Output.WriteLine($"$ kinlet logs logs1 -f (cancelled)\nexit {code}\nstdout:\n{stdout.Text}\nstderr:\n{stderr.Text}");
            Assert.Equal(0, code);
        }

        // The first revision's instance is scaled away once traffic moved; its last lines are kept.
        await Eventually.TrueAsync(async () => !(await Daemon.ContainersAsync("logs1")).Any(c => c.Labels["dev.kinlet.revision"] == "logs1-00001"),
            "the first revision's container is removed", TimeSpan.FromSeconds(30));
        var old = await Cli("logs", "logs1", "--revision", "logs1-00001", "--tail", "5");
        Assert.True(old.ExitCode == 0, old.ToString());
        Assert.Matches(new Regex(@"^logs1-00001-[0-9a-f]+ \| stopped\r?$", RegexOptions.Multiline), old.Stdout);
        Assert.DoesNotContain("logs1-00002-", old.Stdout);

        var missing = await Cli("logs", "no-such-service");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr);
    }

    /// <summary>A writer another thread can read while the CLI writes to it.</summary>
    private sealed class LineCollector : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get { lock (_text) return _text.ToString(); }
        }

        public override void Write(char value)
        {
            lock (_text) _text.Append(value);
        }

        public override void Write(string? value)
        {
            lock (_text) _text.Append(value);
        }

        public override Task WriteLineAsync(string? value)
        {
            lock (_text) _text.Append(value).Append(NewLine);
            return Task.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
