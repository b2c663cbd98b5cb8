namespace Kinlet.Containers.Readiness;

/// <summary>Kubernetes' exec probe: the command, run inside the container, exits 0.</summary>
public sealed class ExecReadinessProbe(IContainerRuntime runtime, string containerId, IReadOnlyList<string> command) : IReadinessProbe
{
    public async Task<ProbeOutcome> ProbeAsync(int hostPort, CancellationToken cancellationToken)
    {
        var exit = await runtime.ExecAsync(containerId, command, cancellationToken).ConfigureAwait(false);
        return exit == 0 ? ProbeOutcome.Success : ProbeOutcome.NotReady($"{string.Join(' ', command)} exited with {exit}");
    }
}
