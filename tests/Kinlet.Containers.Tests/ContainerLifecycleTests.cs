using Docker.DotNet.Models;
using Kinlet.Containers.Readiness;
using Kinlet.Containers.Tests.Infrastructure;

namespace Kinlet.Containers.Tests;

public sealed class ContainerLifecycleTests(EngineFixture engine) : EngineTest(engine)
{
    [Fact]
    public async Task Start_publishes_on_loopback_and_the_image_command_serves_through_the_host_port()
    {
        var started = await RunAsync(Spec("web"));

        Assert.Equal(ContainerRunState.Running, started.State);
        var port = Assert.NotNull(started.HostPort);
        var raw = await Engine.Client.Containers.InspectContainerAsync(started.Id).WaitAsync(Bound);
        var binding = Assert.Single(raw.NetworkSettings.Ports["8080/tcp"]);
        Assert.Equal("127.0.0.1", binding.HostIP);
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), binding.HostPort);

        var ready = await ReadinessWaiter.WaitAsync(Runtime, started.Id, port, new TcpReadinessProbe(LoadTolerantHoldWindow), new ReadinessOptions(), CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(ReadinessOutcome.Ready, ready.Outcome);
        using var http = new HttpClient();
        var body = await http.GetStringAsync($"http://127.0.0.1:{port}/").WaitAsync(Bound);
        Assert.Equal(TestImage.Index, body);
    }

    [Fact]
    public async Task Env_labels_and_command_are_passed_as_given()
    {
        var spec = Spec("env") with
        {
            Labels = new Dictionary<string, string>(RunLabels) { ["dev.kinlet.revision"] = "hello-00001" },
            Env = [new("GREETING", "hello world"), new("EMPTY", ""), new("EQUALS", "a=b")],
            Command = ["sh", "-c"],
            Args = ["sleep 30"],
            WorkingDir = "/www",
            User = "1000:1000",
        };
        var id = await Runtime.CreateAsync(spec, CancellationToken.None).WaitAsync(Bound);

        var raw = await Engine.Client.Containers.InspectContainerAsync(id).WaitAsync(Bound);
        Assert.Equal("/" + spec.Name, raw.Name);
        Assert.Contains("GREETING=hello world", raw.Config.Env);
        Assert.Contains("EMPTY=", raw.Config.Env);
        Assert.Contains("EQUALS=a=b", raw.Config.Env);
        Assert.Equal("hello-00001", raw.Config.Labels["dev.kinlet.revision"]);
        Assert.Equal(RunId, raw.Config.Labels[TestLabel]);
        Assert.Equal(["sh", "-c"], raw.Config.Entrypoint);
        Assert.Equal(["sleep 30"], raw.Config.Cmd);
        Assert.Equal("/www", raw.Config.WorkingDir);
        Assert.Equal("1000:1000", raw.Config.User);

        var info = await Runtime.InspectAsync(id, CancellationToken.None).WaitAsync(Bound);
        Assert.NotNull(info);
        Assert.Equal(spec.Name, info.Name);
        Assert.Equal(TestImage.Name, info.Image);
        Assert.Equal("hello-00001", info.Labels["dev.kinlet.revision"]);
        Assert.Equal(ContainerRunState.Created, info.State);
        Assert.Null(info.ExitCode);
        Assert.Null(info.StartedAt);
    }

    [Fact]
    public async Task Limits_and_hardening_are_applied()
    {
        var spec = Spec("limits") with
        {
            MemoryBytes = 64L * 1024 * 1024,
            NanoCpus = 500_000_000,
            PidsLimit = 64,
            ReadOnlyRootFilesystem = true,
        };
        var id = await Runtime.CreateAsync(spec, CancellationToken.None).WaitAsync(Bound);

        var host = (await Engine.Client.Containers.InspectContainerAsync(id).WaitAsync(Bound)).HostConfig;
        Assert.Equal(64L * 1024 * 1024, host.Memory);
        Assert.Equal(64L * 1024 * 1024, host.MemorySwap);
        Assert.Equal(500_000_000, host.NanoCPUs);
        Assert.Equal(64, host.PidsLimit);
        Assert.True(host.ReadonlyRootfs);
        Assert.False(host.Privileged);
        Assert.Contains("no-new-privileges", host.SecurityOpt);
        Assert.Contains("host.docker.internal:host-gateway", host.ExtraHosts);
        Assert.Equal(RestartPolicyKind.No, host.RestartPolicy.Name);
        Assert.False(host.AutoRemove);
        Assert.Equal("json-file", host.LogConfig.Type);
        Assert.Equal("10m", host.LogConfig.Config["max-size"]);
        Assert.Equal("2", host.LogConfig.Config["max-file"]);
    }

    [Fact]
    public async Task Inspect_reports_exit_code_and_times_of_an_ended_container()
    {
        var started = await RunShellAsync("exit5", "exit 5");

        var ended = await WaitForExitAsync(started.Id);

        Assert.Equal(ContainerRunState.Exited, ended.State);
        Assert.Equal(5, ended.ExitCode);
        Assert.False(ended.OomKilled);
        Assert.Null(ended.HostPort);
        Assert.NotNull(ended.StartedAt);
        Assert.NotNull(ended.FinishedAt);
        // No order between the two: for a process this short the engine records StartedAt after FinishedAt.
        Assert.True(ended.StartedAt > DateTimeOffset.UtcNow.AddHours(-1));
    }

    [Fact]
    public async Task Start_of_a_missing_executable_fails_with_the_engines_message()
    {
        var id = await Runtime.CreateAsync(Spec("noexec") with { Command = ["/nope"] }, CancellationToken.None).WaitAsync(Bound);

        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => Runtime.StartAsync(id, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("start", e.Operation);
        Assert.Contains("/nope", e.EngineMessage, StringComparison.Ordinal);
        var info = await Runtime.InspectAsync(id, CancellationToken.None).WaitAsync(Bound);
        Assert.NotNull(info);
        Assert.Equal(ContainerRunState.Created, info.State);
        Assert.NotNull(info.Error);
        Assert.Equal(127, info.ExitCode);
    }

    [Fact]
    public async Task A_name_in_use_is_a_conflict()
    {
        var spec = Spec("twice");
        await Runtime.CreateAsync(spec, CancellationToken.None).WaitAsync(Bound);

        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => Runtime.CreateAsync(spec, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(409, e.StatusCode);
    }

    [Fact]
    public async Task Creating_from_a_missing_image_is_an_unavailable_image()
    {
        var e = await Assert.ThrowsAsync<ImageUnavailableException>(() =>
            Runtime.CreateAsync(Spec("noimage") with { Image = "kinlet.local/does-not-exist:nope" }, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("kinlet.local/does-not-exist:nope", e.Image);
    }

    [Fact]
    public async Task Stop_and_remove_leave_nothing_and_tolerate_repeats()
    {
        var started = await RunShellAsync("stop", "trap 'exit 0' TERM; while true; do sleep 1; done");

        await Runtime.StopAsync(started.Id, TimeSpan.FromSeconds(5), CancellationToken.None).WaitAsync(Bound);
        var stopped = await Runtime.InspectAsync(started.Id, CancellationToken.None).WaitAsync(Bound);
        Assert.NotNull(stopped);
        Assert.Equal(ContainerRunState.Exited, stopped.State);

        await Runtime.StopAsync(started.Id, TimeSpan.FromSeconds(1), CancellationToken.None).WaitAsync(Bound);
        await Runtime.RemoveAsync(started.Id, CancellationToken.None).WaitAsync(Bound);

        Assert.Null(await Runtime.InspectAsync(started.Id, CancellationToken.None).WaitAsync(Bound));
        Assert.Empty(await Runtime.ListAsync(RunLabels, CancellationToken.None).WaitAsync(Bound));
        await Runtime.RemoveAsync(started.Id, CancellationToken.None).WaitAsync(Bound);
        await Runtime.StopAsync(started.Id, TimeSpan.FromSeconds(1), CancellationToken.None).WaitAsync(Bound);
    }

    [Fact]
    public async Task Stop_kills_after_the_grace_period_when_sigterm_is_ignored()
    {
        var started = await RunShellAsync("stubborn", "trap '' TERM; while true; do sleep 1; done");

        await Runtime.StopAsync(started.Id, TimeSpan.FromMilliseconds(200), CancellationToken.None).WaitAsync(Bound);

        var stopped = await Runtime.InspectAsync(started.Id, CancellationToken.None).WaitAsync(Bound);
        Assert.NotNull(stopped);
        Assert.Equal(ContainerRunState.Exited, stopped.State);
        Assert.Equal(137, stopped.ExitCode);
    }

    [Fact]
    public async Task Remove_takes_a_running_container_down()
    {
        var started = await RunShellAsync("running", "sleep 60");

        await Runtime.RemoveAsync(started.Id, CancellationToken.None).WaitAsync(Bound);

        Assert.Null(await Runtime.InspectAsync(started.Id, CancellationToken.None).WaitAsync(Bound));
    }

    [Fact]
    public async Task List_by_label_finds_exactly_the_labelled_containers()
    {
        var group = "dev.kinlet.test.group-" + RunId;
        var a1 = await Runtime.CreateAsync(Spec("a1") with { Labels = new Dictionary<string, string>(RunLabels) { [group] = "a" } }, CancellationToken.None).WaitAsync(Bound);
        var a2 = await RunAsync(Spec("a2", "sleep", "60") with { Labels = new Dictionary<string, string>(RunLabels) { [group] = "a" } });
        var b = await Runtime.CreateAsync(Spec("b") with { Labels = new Dictionary<string, string>(RunLabels) { [group] = "b" } }, CancellationToken.None).WaitAsync(Bound);

        var byValue = await Runtime.ListAsync(new Dictionary<string, string> { [group] = "a" }, CancellationToken.None).WaitAsync(Bound);
        var byPresence = await Runtime.ListAsync(new Dictionary<string, string> { [group] = "" }, CancellationToken.None).WaitAsync(Bound);
        var byBoth = await Runtime.ListAsync(new Dictionary<string, string> { [group] = "b", [TestLabel] = RunId }, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(new[] { a1, a2.Id }.Order(), byValue.Select(c => c.Id).Order());
        Assert.Equal(new[] { a1, a2.Id, b }.Order(), byPresence.Select(c => c.Id).Order());
        Assert.Equal(b, Assert.Single(byBoth).Id);
        var running = byValue.Single(c => c.Id == a2.Id);
        Assert.Equal(ContainerRunState.Running, running.State);
        Assert.Equal(a2.HostPort, running.HostPort);
        Assert.Equal(Spec("a2").Name, running.Name);
        Assert.Equal("a", running.Labels[group]);
        Assert.Equal(ContainerRunState.Created, byValue.Single(c => c.Id == a1).State);
    }

    [Fact]
    public async Task Pause_and_unpause()
    {
        var started = await RunShellAsync("pause", "sleep 60");

        await Runtime.PauseAsync(started.Id, CancellationToken.None).WaitAsync(Bound);
        var paused = await Runtime.InspectAsync(started.Id, CancellationToken.None).WaitAsync(Bound);
        await Runtime.UnpauseAsync(started.Id, CancellationToken.None).WaitAsync(Bound);
        var resumed = await Runtime.InspectAsync(started.Id, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ContainerRunState.Paused, paused?.State);
        Assert.Equal(ContainerRunState.Running, resumed?.State);
    }

    [Fact]
    public async Task Pausing_a_missing_container_is_not_found()
    {
        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => Runtime.PauseAsync("kinlet-test-missing-" + RunId, CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(404, e.StatusCode);
    }

    [Fact]
    public async Task Log_tail_returns_the_last_lines_of_both_streams()
    {
        // The engine copies stdout and stderr separately, so lines written close together may swap: the
        // error line comes first and the others a moment later.
        var started = await RunShellAsync("logs", "echo err >&2; sleep 1; for i in 1 2 3 4 5 6; do echo out$i; done; echo 'ünïcödé ✓'");
        await WaitForExitAsync(started.Id);

        var tail = await Runtime.GetLogTailAsync(started.Id, 3, CancellationToken.None).WaitAsync(Bound);
        var all = await Runtime.GetLogTailAsync(started.Id, 100, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(["out5", "out6", "ünïcödé ✓"], tail.Split('\n'));
        Assert.Equal(["err", "out1", "out2", "out3", "out4", "out5", "out6", "ünïcödé ✓"], all.Split('\n'));
    }

    [Fact]
    public async Task Streamed_logs_are_timestamped_lines_per_stream_with_tail()
    {
        var started = await RunShellAsync("stream", "echo err >&2; sleep 1; for i in 1 2 3; do echo out$i; done; echo 'ünïcödé ✓'");
        await WaitForExitAsync(started.Id);

        var all = await ReadAllAsync(started.Id, new LogOptions());
        var tail = await ReadAllAsync(started.Id, new LogOptions { Tail = 2 });
        var none = await ReadAllAsync(started.Id, new LogOptions { Since = DateTimeOffset.UtcNow.AddMinutes(5) });

        Assert.Equal([("err", LogStream.Stderr), ("out1", LogStream.Stdout), ("out2", LogStream.Stdout), ("out3", LogStream.Stdout), ("ünïcödé ✓", LogStream.Stdout)],
            all.Select(l => (l.Text, l.Stream)));
        Assert.All(all, l => Assert.InRange(l.Time, started.StartedAt!.Value.AddSeconds(-5), DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Equal(["out3", "ünïcödé ✓"], tail.Select(l => l.Text));
        Assert.Empty(none);
    }

    [Fact]
    public async Task Following_logs_reads_new_lines_until_the_container_exits()
    {
        var started = await RunShellAsync("follow", "echo first; sleep 2; echo second");

        var lines = await ReadAllAsync(started.Id, new LogOptions { Follow = true });

        Assert.Equal(["first", "second"], lines.Select(l => l.Text));
    }

    [Fact]
    public async Task Following_a_quiet_container_ends_quietly_when_cancelled()
    {
        var started = await RunShellAsync("quiet", "echo hello; sleep 60");
        using var cts = new CancellationTokenSource();
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var line in Runtime.StreamLogsAsync(started.Id, new LogOptions { Follow = true }, cts.Token)) lines.Enqueue(line.Text);
        });

        await EventuallyAsync(() => lines.Contains("hello"));
        await cts.CancelAsync();
        await reading.WaitAsync(Bound);

        Assert.Equal(["hello"], lines);
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }

    private async Task<List<LogLine>> ReadAllAsync(string id, LogOptions options)
    {
        var lines = new List<LogLine>();
        using var cts = new CancellationTokenSource(Bound);
        await foreach (var line in Runtime.StreamLogsAsync(id, options, cts.Token)) lines.Add(line);
        return lines;
    }

    [Fact]
    public async Task Exec_returns_the_commands_exit_code()
    {
        var started = await RunShellAsync("exec", "sleep 60");

        Assert.Equal(0, await Runtime.ExecAsync(started.Id, ["test", "-f", "/www/index.html"], CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(4, await Runtime.ExecAsync(started.Id, ["sh", "-c", "echo some output; exit 4"], CancellationToken.None).WaitAsync(Bound));
    }
}
