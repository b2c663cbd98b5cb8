using System.Diagnostics;
using Kinlet.Containers.Readiness;
using Kinlet.Containers.Tests.Infrastructure;

namespace Kinlet.Containers.Tests;

/// <summary>Readiness against real containers, through docker-proxy as in production.</summary>
public sealed class ReadinessTests(EngineFixture engine) : EngineTest(engine), IDisposable
{
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false });

    [Fact]
    public async Task Tcp_probe_is_not_ready_while_the_process_sleeps_and_ready_once_it_listens()
    {
        var started = await RunShellAsync("slow", "sleep 2; exec httpd -f -p 8080 -h /www");
        var port = Assert.NotNull(started.HostPort);
        var clock = Stopwatch.StartNew();

        // docker-proxy accepts the connection although nothing listens yet, then drops it: not ready.
        var probe = new TcpReadinessProbe(LoadTolerantHoldWindow);
        var early = await probe.ProbeAsync(port, CancellationToken.None).WaitAsync(Bound);
        var result = await ReadinessWaiter.WaitAsync(Runtime, started.Id, port, probe,
            new ReadinessOptions { Deadline = TimeSpan.FromSeconds(30) }, CancellationToken.None).WaitAsync(Bound);

        Assert.False(early.Ready, "ready before the app listens");
        Assert.NotNull(early.Detail);
        Assert.Equal(ReadinessOutcome.Ready, result.Outcome);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(1), $"ready after {clock.Elapsed}, while the app sleeps 2 s");
        using var client = new HttpClient();
        Assert.Equal(TestImage.Index, await client.GetStringAsync($"http://127.0.0.1:{port}/").WaitAsync(Bound));
    }

    [Fact]
    public async Task An_exit_is_reported_with_code_and_logs_long_before_the_deadline()
    {
        var started = await RunShellAsync("boom", "echo starting; echo boom >&2; exit 3");
        var clock = Stopwatch.StartNew();

        var result = await ReadinessWaiter.WaitAsync(Runtime, started.Id, started.HostPort ?? 1, new TcpReadinessProbe(LoadTolerantHoldWindow),
            new ReadinessOptions { Deadline = TimeSpan.FromSeconds(30) }, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReadinessOutcome.Exited, result.Outcome);
        Assert.Equal(3, result.ExitCode);
        Assert.False(result.OomKilled);
        Assert.Contains("boom", result.Logs, StringComparison.Ordinal);
        Assert.Contains("starting", result.Logs, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"exit reported after {clock.Elapsed}");
    }

    [Fact]
    public async Task An_oom_kill_is_reported_as_such()
    {
        // The shell holds 100 MB in a variable, against a 32 MiB limit with no swap. It waits a second first: an
        // OOM in the first milliseconds, before the engine watches the cgroup, can go unflagged on a busy machine.
        var started = await RunAsync(Spec("oom", "sh", "-c", "sleep 1; x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived") with
        {
            MemoryBytes = 32L * 1024 * 1024,
        });

        var result = await ReadinessWaiter.WaitAsync(Runtime, started.Id, started.HostPort ?? 1, new TcpReadinessProbe(LoadTolerantHoldWindow),
            new ReadinessOptions { Deadline = TimeSpan.FromSeconds(30) }, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReadinessOutcome.Exited, result.Outcome);
        Assert.True(result.OomKilled, $"exit {result.ExitCode}, logs: {result.Logs}");
        Assert.Equal(137, result.ExitCode);
    }

    [Fact]
    public async Task Http_probe_honours_status_codes()
    {
        var started = await RunAsync(Spec("http"));
        var port = Assert.NotNull(started.HostPort);
        var ready = await ReadinessWaiter.WaitAsync(Runtime, started.Id, port, new HttpReadinessProbe(_http, "/"),
            new ReadinessOptions { Deadline = TimeSpan.FromSeconds(30) }, CancellationToken.None).WaitAsync(Bound);

        var index = await new HttpReadinessProbe(_http, "index.html").ProbeAsync(port, CancellationToken.None).WaitAsync(Bound);
        var missing = await new HttpReadinessProbe(_http, "/missing", [new("X-Probe", "1")]).ProbeAsync(port, CancellationToken.None).WaitAsync(Bound);
        var timedOut = await ReadinessWaiter.WaitAsync(Runtime, started.Id, port, new HttpReadinessProbe(_http, "/missing"),
            new ReadinessOptions { Deadline = TimeSpan.FromMilliseconds(500) }, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReadinessOutcome.Ready, ready.Outcome);
        Assert.True(index.Ready);
        Assert.False(missing.Ready);
        Assert.Contains("404", missing.Detail, StringComparison.Ordinal);
        Assert.Equal(ReadinessOutcome.TimedOut, timedOut.Outcome);
        Assert.Contains("404", timedOut.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_probe_on_a_closed_port_is_not_ready()
    {
        var started = await RunShellAsync("http-closed", "sleep 60");
        var port = Assert.NotNull(started.HostPort);

        var outcome = await new HttpReadinessProbe(_http).ProbeAsync(port, CancellationToken.None).WaitAsync(Bound);

        Assert.False(outcome.Ready);
        Assert.NotNull(outcome.Detail);
    }

    [Fact]
    public async Task Exec_probe_is_ready_when_the_command_exits_zero()
    {
        var started = await RunShellAsync("exec-probe", "sleep 1; echo > /tmp/ready; sleep 60");

        var notYet = await new ExecReadinessProbe(Runtime, started.Id, ["test", "-f", "/www/nope"]).ProbeAsync(0, CancellationToken.None).WaitAsync(Bound);
        var result = await ReadinessWaiter.WaitAsync(Runtime, started.Id, 0, new ExecReadinessProbe(Runtime, started.Id, ["test", "-f", "/tmp/ready"]),
            new ReadinessOptions { Deadline = TimeSpan.FromSeconds(30) }, CancellationToken.None).WaitAsync(Bound);

        Assert.False(notYet.Ready);
        Assert.Contains("exited with 1", notYet.Detail, StringComparison.Ordinal);
        Assert.Equal(ReadinessOutcome.Ready, result.Outcome);
    }

    public void Dispose() => _http.Dispose();
}
