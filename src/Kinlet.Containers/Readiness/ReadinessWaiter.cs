namespace Kinlet.Containers.Readiness;

/// <summary>
/// Probes an instance until it is ready, its container exits, or the deadline passes. The container's
/// state is checked as it goes, so a crash is reported within a fraction of a second with its exit
/// code and last log lines — never only when the deadline runs out.
/// </summary>
public static class ReadinessWaiter
{
    public static async Task<ReadinessResult> WaitAsync(IContainerRuntime runtime, string containerId, int hostPort,
        IReadinessProbe probe, ReadinessOptions options, CancellationToken cancellationToken)
    {
        var time = options.Time;
        var started = time.GetTimestamp();
        var lastStateCheck = started;
        if (options.InitialDelay > TimeSpan.Zero)
            await Task.Delay(options.InitialDelay, time, cancellationToken).ConfigureAwait(false);

        string? lastDetail = null;
        while (true)
        {
            var outcome = await probe.ProbeAsync(hostPort, cancellationToken).ConfigureAwait(false);
            if (outcome.Ready) return ReadinessResult.Ready;
            lastDetail = outcome.Detail;

            if (time.GetElapsedTime(lastStateCheck) >= options.StateCheckInterval)
            {
                lastStateCheck = time.GetTimestamp();
                if (await ExitedAsync(runtime, containerId, cancellationToken).ConfigureAwait(false) is { } exited) return exited;
            }
            if (time.GetElapsedTime(started) >= options.Deadline)
            {
                // One last look: a container that died just now says more than "timed out".
                return await ExitedAsync(runtime, containerId, cancellationToken).ConfigureAwait(false)
                    ?? new ReadinessResult(ReadinessOutcome.TimedOut, Detail: lastDetail);
            }
            await Task.Delay(options.Interval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<ReadinessResult?> ExitedAsync(IContainerRuntime runtime, string containerId, CancellationToken cancellationToken)
    {
        var info = await runtime.InspectAsync(containerId, cancellationToken).ConfigureAwait(false);
        if (info is null) return new ReadinessResult(ReadinessOutcome.Exited, Detail: "the container is gone");
        if (info.State is ContainerRunState.Running or ContainerRunState.Created or ContainerRunState.Paused) return null;
        var logs = await runtime.GetLogTailAsync(containerId, 20, cancellationToken).ConfigureAwait(false);
        return new ReadinessResult(ReadinessOutcome.Exited, info.ExitCode ?? -1, info.OomKilled,
            string.IsNullOrEmpty(logs) && info.Error is { } err ? err : logs, info.Error);
    }
}
