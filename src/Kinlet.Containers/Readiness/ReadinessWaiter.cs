namespace Kinlet.Containers.Readiness;

/// <summary>
/// Probes an instance until it is ready, its container exits, or the deadline passes. The container's
/// state is checked as it goes (every <see cref="ReadinessOptions.StateCheckInterval"/>, and after every
/// failed probe once the first second has passed), so a crash is reported within a fraction of a second
/// with its exit code and last log lines — never only when the deadline runs out.
/// </summary>
public static class ReadinessWaiter
{
    public static async Task<ReadinessResult> WaitAsync(IContainerRuntime runtime, string containerId, int hostPort,
        IReadinessProbe probe, ReadinessOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(options);
        var time = options.Time;
        var started = time.GetTimestamp();
        var lastStateCheck = started;
        string? lastDetail = null;
        using var deadline = new CancellationTokenSource(options.Deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var ct = linked.Token;
        try
        {
            if (options.InitialDelay > TimeSpan.Zero)
                await Task.Delay(options.InitialDelay, time, ct).ConfigureAwait(false);
            while (true)
            {
                ProbeOutcome outcome;
                try
                {
                    outcome = await probe.ProbeAsync(hostPort, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // A probe that throws is a probe that failed; the engine's state decides what it means.
                    outcome = ProbeOutcome.NotReady(e.Message);
                }
                if (outcome.Ready) return ReadinessResult.Ready;
                lastDetail = outcome.Detail;

                var sinceCheck = time.GetElapsedTime(lastStateCheck);
                if ((time.GetElapsedTime(started) >= options.StateCheckOnEveryFailureAfter && sinceCheck >= options.StateCheckMinGap)
                    || sinceCheck >= options.StateCheckInterval)
                {
                    lastStateCheck = time.GetTimestamp();
                    if (await ExitedAsync(runtime, containerId, options, ct).ConfigureAwait(false) is { } exited) return exited;
                }
                await Task.Delay(options.Interval, time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // One last look: a container that died just now says more than "timed out".
            return await ExitedAsync(runtime, containerId, options, cancellationToken).ConfigureAwait(false)
                ?? new ReadinessResult(ReadinessOutcome.TimedOut, Detail: lastDetail ?? "no probe answered before the deadline");
        }
    }

    private static async Task<ReadinessResult?> ExitedAsync(IContainerRuntime runtime, string containerId, ReadinessOptions options, CancellationToken cancellationToken)
    {
        var info = await runtime.InspectAsync(containerId, cancellationToken).ConfigureAwait(false);
        if (info is null) return new ReadinessResult(ReadinessOutcome.Exited, Detail: "the container no longer exists");
        var ended = info.State is ContainerRunState.Exited or ContainerRunState.Dead or ContainerRunState.Removing
            // A process that could not be started leaves the container "created", with the engine's error.
            || (info.State is ContainerRunState.Created && info.Error is not null);
        if (!ended) return null;

        var logs = "";
        try
        {
            logs = await runtime.GetLogTailAsync(containerId, options.LogTailLines, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The exit is the news; logs that cannot be read (removed meanwhile) must not hide it.
        }
        return new ReadinessResult(ReadinessOutcome.Exited, info.ExitCode, info.OomKilled,
            string.IsNullOrEmpty(logs) && info.Error is { } error ? error : logs, info.Error);
    }
}
