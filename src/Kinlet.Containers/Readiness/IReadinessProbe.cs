namespace Kinlet.Containers.Readiness;

/// <summary>One readiness check of an instance through its published port (testcontainers' wait strategies, as objects).</summary>
public interface IReadinessProbe
{
    /// <summary>One attempt, bounded by the probe's own attempt timeout. Failures are outcomes, not exceptions.</summary>
    Task<ProbeOutcome> ProbeAsync(int hostPort, CancellationToken cancellationToken);
}

/// <summary>The answer of one probe attempt; <see cref="Detail"/> says why it is not ready.</summary>
public readonly record struct ProbeOutcome(bool Ready, string? Detail)
{
    public static readonly ProbeOutcome Success = new(true, null);

    public static ProbeOutcome NotReady(string detail) => new(false, detail);
}
