using System.Diagnostics;
using Kinlet.Containers.Readiness;

namespace Kinlet.Containers.Tests.Unit;

/// <summary>The waiter's decisions, with a hand-written runtime and probe (no engine).</summary>
public sealed class ReadinessWaiterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly ProbeOutcome Refused = ProbeOutcome.NotReady("connection closed at once");

    [Fact]
    public async Task Ready_on_the_first_successful_probe()
    {
        var runtime = new FakeRuntime();
        var probe = new ScriptedProbe(() => Refused, () => Refused, () => ProbeOutcome.Success);

        var result = await ReadinessWaiter.WaitAsync(runtime, "c1", 1, probe, new ReadinessOptions { Interval = TimeSpan.FromMilliseconds(1) }, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReadinessOutcome.Ready, result.Outcome);
        Assert.Equal(3, probe.Attempts);
    }

    [Fact]
    public async Task An_exit_is_found_by_the_state_check_not_at_the_deadline()
    {
        var runtime = new FakeRuntime { State = n => n >= 2 ? FakeRuntime.Exited(3) : FakeRuntime.Running, Logs = "boom" };
        var clock = Stopwatch.StartNew();

        var result = await ReadinessWaiter.WaitAsync(runtime, "c1", 1, new ScriptedProbe(() => Refused),
            new ReadinessOptions { Interval = TimeSpan.FromMilliseconds(10), StateCheckInterval = TimeSpan.FromMilliseconds(50), Deadline = TimeSpan.FromSeconds(60) },
            CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReadinessOutcome.Exited, result.Outcome);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("boom", result.Logs);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task After_the_first_second_every_failed_probe_checks_the_state()
    {
        var runtime = new FakeRuntime();
        var probe = new ScriptedProbe(() => Refused);

        await ReadinessWaiter.WaitAsync(runtime, "c1", 1, probe, new ReadinessOptions
        {
            Interval = TimeSpan.FromMilliseconds(5),
            StateCheckInterval = TimeSpan.FromHours(1),
            StateCheckOnEveryFailureAfter = TimeSpan.Zero,
            StateCheckMinGap = TimeSpan.Zero,
            Deadline = TimeSpan.FromMilliseconds(300),
        }, CancellationToken.None).WaitAsync(Bound);

        // One inspection per failed probe, plus the last look at the deadline.
        Assert.InRange(runtime.Inspections, probe.Attempts, probe.Attempts + 1);
    }

    [Fact]
    public async Task Slow_starts_check_the_state_no_more_often_than_the_minimum_gap()
    {
        var runtime = new FakeRuntime();
        var probe = new ScriptedProbe(() => Refused);

        await ReadinessWaiter.WaitAsync(runtime, "c1", 1, probe, new ReadinessOptions
        {
            Interval = TimeSpan.FromMilliseconds(5),
            StateCheckInterval = TimeSpan.FromHours(1),
            StateCheckOnEveryFailureAfter = TimeSpan.Zero,
            StateCheckMinGap = TimeSpan.FromMilliseconds(100),
            Deadline = TimeSpan.FromMilliseconds(300),
        }, CancellationToken.None).WaitAsync(Bound);

        // The gap bounds the checks however many probes fail: at most 300 / 100 + 1, plus the last look at the deadline.
        Assert.InRange(runtime.Inspections, 1, 5);
    }

    [Fact]
    public async Task Timed_out_carries_the_last_probe_failure()
    {
        var runtime = new FakeRuntime();
        var probe = new ScriptedProbe(() => ProbeOutcome.NotReady("first"), () => ProbeOutcome.NotReady("GET / answered 503"));

        var result = await ReadinessWaiter.WaitAsync(runtime, "c1", 1, probe,
            new ReadinessOptions { Interval = TimeSpan.FromMilliseconds(5), Deadline = TimeSpan.FromMilliseconds(200) }, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReadinessOutcome.TimedOut, result.Outcome);
        Assert.Equal("GET / answered 503", result.Detail);
    }

    [Fact]
    public async Task A_probe_that_throws_is_a_failed_probe()
    {
        var runtime = new FakeRuntime();
        var probe = new ScriptedProbe(() => new ProbeOutcomeOrThrow(default, new InvalidOperationException("probe broke")), () => ProbeOutcome.Success);

        var result = await ReadinessWaiter.WaitAsync(runtime, "c1", 1, probe, new ReadinessOptions { Interval = TimeSpan.FromMilliseconds(1) }, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReadinessOutcome.Ready, result.Outcome);
    }

    [Fact]
    public async Task A_container_that_vanished_has_exited()
    {
        var runtime = new FakeRuntime { State = _ => null };

        var result = await ReadinessWaiter.WaitAsync(runtime, "c1", 1, new ScriptedProbe(() => Refused),
            new ReadinessOptions { Interval = TimeSpan.FromMilliseconds(5), StateCheckInterval = TimeSpan.FromMilliseconds(10) }, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReadinessOutcome.Exited, result.Outcome);
        Assert.Null(result.ExitCode);
    }

    [Fact]
    public async Task A_process_that_could_not_start_has_exited_with_the_engines_error()
    {
        var runtime = new FakeRuntime { State = _ => FakeRuntime.Running with { State = ContainerRunState.Created, ExitCode = 127, Error = "exec: \"/nope\": not found" } };

        var result = await ReadinessWaiter.WaitAsync(runtime, "c1", 1, new ScriptedProbe(() => Refused),
            new ReadinessOptions { Interval = TimeSpan.FromMilliseconds(5), StateCheckInterval = TimeSpan.FromMilliseconds(10) }, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReadinessOutcome.Exited, result.Outcome);
        Assert.Equal(127, result.ExitCode);
        Assert.Contains("/nope", result.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_cancellation_not_a_timeout()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadinessWaiter.WaitAsync(new FakeRuntime(), "c1", 1, new ScriptedProbe(() => Refused),
            new ReadinessOptions { Interval = TimeSpan.FromMilliseconds(5) }, cts.Token).WaitAsync(Bound));
    }
}
