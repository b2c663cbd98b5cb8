using Kinlet.Core.Model;

namespace Kinlet.Cli.Waiting;

internal enum ReadinessState { Pending, Ready, Failed }

/// <summary>Where a rollout stands: still going (and what it waits for), done, or failed with Knative's reason.</summary>
internal sealed record Readiness(ReadinessState State, string Waiting, string? Reason = null, string? Message = null);

/// <summary>
/// Reads a service's status the way kn does: done when the daemon has observed our generation and
/// Ready is True; failed when Ready is False for that generation.
/// </summary>
internal static class ReadinessCheck
{
    public static Readiness Evaluate(Service service, long? generation)
    {
        var name = service.Metadata.Name ?? "";
        var status = service.Status;
        var want = generation ?? service.Metadata.Generation;
        if (status is null || (want is not null && (status.ObservedGeneration ?? 0) < want))
            return new(ReadinessState.Pending, $"waiting for service {name} to be reconciled");

        var ready = status.Conditions.Get(ConditionTypes.Ready);
        if (ready?.Status == ConditionStatus.True) return new(ReadinessState.Ready, "ready");
        if (ready?.Status == ConditionStatus.False)
            return new(ReadinessState.Failed, "failed", ready.Reason, ready.Message);

        var revision = status.LatestCreatedRevisionName;
        string waiting;
        if (revision is not null && (!status.Conditions.IsTrue(ConditionTypes.ConfigurationsReady) || status.LatestReadyRevisionName != revision))
            waiting = $"waiting for revision {revision} to become ready";
        else if (revision is not null && !status.Conditions.IsTrue(ConditionTypes.RoutesReady))
            waiting = $"waiting for traffic to reach revision {revision}";
        else
            waiting = $"waiting for service {name} to become ready";
        if (Short(ready?.Message) is { } hint) waiting += $" ({hint})";
        return new(ReadinessState.Pending, waiting, ready?.Reason, ready?.Message);
    }

    /// <summary>A pending message is shown beside the spinner only when it fits on the line.</summary>
    private static string? Short(string? message)
    {
        if (string.IsNullOrWhiteSpace(message)) return null;
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 80 ? line : line[..77] + "...";
    }
}
