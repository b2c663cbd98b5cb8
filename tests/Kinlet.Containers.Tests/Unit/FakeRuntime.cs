using System.Runtime.CompilerServices;

namespace Kinlet.Containers.Tests.Unit;

/// <summary>A hand-written runtime for the waiter's own logic: the container's state is whatever the test says.</summary>
internal sealed class FakeRuntime : IContainerRuntime
{
    private int _inspections;

    /// <summary>The state for the n-th inspection (1-based).</summary>
    public Func<int, ContainerInfo?> State { get; set; } = _ => Running;
    public string Logs { get; set; } = "";
    public int Inspections => Volatile.Read(ref _inspections);

    public static ContainerInfo Running => new()
    {
        Id = "c1", Name = "c1", Image = "img", Labels = new Dictionary<string, string>(), State = ContainerRunState.Running,
    };

    public static ContainerInfo Exited(int code, bool oom = false) => Running with { State = ContainerRunState.Exited, ExitCode = code, OomKilled = oom };

    public Task<ContainerInfo?> InspectAsync(string containerId, CancellationToken cancellationToken) =>
        Task.FromResult(State(Interlocked.Increment(ref _inspections)));

    public Task<string> GetLogTailAsync(string containerId, int lines, CancellationToken cancellationToken) => Task.FromResult(Logs);

    public Task PingAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<ImageInfo> EnsureImageAsync(string image, IProgress<string>? progress, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<ContainerInfo> StartAsync(string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task StopAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task RemoveAsync(string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task PauseAsync(string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task UnpauseAsync(string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<int> ExecAsync(string containerId, IReadOnlyList<string> command, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<int> WaitAsync(string containerId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public IAsyncEnumerable<LogLine> StreamLogsAsync(string containerId, LogOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

    public async IAsyncEnumerable<ContainerEvent> WatchAsync(IReadOnlyDictionary<string, string> labels, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        throw new NotSupportedException();
#pragma warning disable CS0162 // an iterator needs a yield
        yield break;
#pragma warning restore CS0162
    }
}

/// <summary>A probe that answers from a script: one outcome per attempt, the last one repeated.</summary>
internal sealed class ScriptedProbe(params Func<ProbeOutcomeOrThrow>[] answers) : Readiness.IReadinessProbe
{
    private int _attempts;
    public int Attempts => Volatile.Read(ref _attempts);

    public Task<Readiness.ProbeOutcome> ProbeAsync(int hostPort, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _attempts);
        var answer = answers[Math.Min(n, answers.Length) - 1]();
        return answer.Throw is { } e ? Task.FromException<Readiness.ProbeOutcome>(e) : Task.FromResult(answer.Outcome);
    }
}

internal readonly record struct ProbeOutcomeOrThrow(Readiness.ProbeOutcome Outcome, Exception? Throw = null)
{
    public static implicit operator ProbeOutcomeOrThrow(Readiness.ProbeOutcome outcome) => new(outcome);
}
