namespace Kinlet.Containers.Readiness;

/// <summary>Kubernetes' exec probe: the command, run inside the container, exits 0. Each attempt is bounded.</summary>
public sealed class ExecReadinessProbe : IReadinessProbe
{
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(1);

    private readonly IContainerRuntime _runtime;
    private readonly string _containerId;
    private readonly IReadOnlyList<string> _command;
    private readonly TimeSpan _attemptTimeout;

    /// <param name="attemptTimeout">Bound on one attempt (default 1 s, Kubernetes' timeoutSeconds). The command itself is not killed when it runs longer.</param>
    public ExecReadinessProbe(IContainerRuntime runtime, string containerId, IReadOnlyList<string> command, TimeSpan? attemptTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        ArgumentNullException.ThrowIfNull(command);
        _runtime = runtime;
        _containerId = containerId;
        _command = command;
        _attemptTimeout = attemptTimeout ?? DefaultAttemptTimeout;
    }

    public async Task<ProbeOutcome> ProbeAsync(int hostPort, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_attemptTimeout);
        try
        {
            var exit = await _runtime.ExecAsync(_containerId, _command, attempt.Token).ConfigureAwait(false);
            return exit == 0 ? ProbeOutcome.Success : ProbeOutcome.NotReady($"{string.Join(' ', _command)} exited with {exit}");
        }
        catch (ContainerEngineException e)
        {
            // e.g. 409 "container is not running": the waiter's state check will tell why.
            return ProbeOutcome.NotReady(e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.NotReady($"{string.Join(' ', _command)}: no exit within {_attemptTimeout.TotalMilliseconds:0} ms");
        }
    }
}
