using Kinlet.Containers.Readiness;
using Kinlet.Core.Model;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Logging;

namespace Kinlet.Serving.Reconciler;

/// <summary>
/// Watches a ready instance for as long as it runs, as the kubelet does: the manifest's livenessProbe
/// (failureThreshold failures in a row → the instance is replaced) and its readinessProbe (failing → out
/// of the balancer, passing again → back in). Kubernetes' defaults when a field is unset: every 10 s,
/// 3 failures, 1 success.
/// </summary>
public sealed partial class HealthMonitor(ReadinessProbes probes, ReconcileQueue inbox, TimeProvider time, ILogger<HealthMonitor> logger)
{
    private static readonly TimeSpan DefaultPeriod = TimeSpan.FromSeconds(10);
    private const int DefaultFailureThreshold = 3;

    /// <summary>
    /// Runs until the instance stops. What it finds goes to the reconcile loop as messages (the loop changes
    /// the balancer and replaces the instance): <see cref="LivenessFailed"/> once, <see cref="ReadinessChanged"/> on each crossing.
    /// </summary>
    public Task WatchAsync(RevisionState revision, InstanceState instance, string containerId)
    {
        // The serving container's probes; a sidecar's readiness is checked at the start only (see design-notes).
        var container = Kinlet.Core.Serving.PodLayout.Serving(revision.Revision.Spec);
        var id = containerId;
        if (container is null) return Task.CompletedTask;
        var tasks = new List<Task>(2);
        if (container.LivenessProbe is { } liveness)
            tasks.Add(LivenessAsync(revision, instance, probes.For(liveness, id), liveness));
        if (container.ReadinessProbe is { } readiness)
            tasks.Add(ReadinessAsync(revision, instance, probes.For(readiness, id), readiness));
        return tasks.Count == 0 ? Task.CompletedTask : Task.WhenAll(tasks);
    }

    private Task LivenessAsync(RevisionState revision, InstanceState instance, IReadinessProbe probe, Probe spec)
    {
        var threshold = spec.FailureThreshold is > 0 ? spec.FailureThreshold.Value : DefaultFailureThreshold;
        var failures = 0;
        var initialDelay = spec.InitialDelaySeconds is > 0 ? TimeSpan.FromSeconds(spec.InitialDelaySeconds.Value) : TimeSpan.Zero;
        return ProbeLoopAsync(instance, probe, spec, initialDelay, outcome =>
        {
            if (outcome.Ready)
            {
                failures = 0;
                return true;
            }
            if (++failures < threshold) return true;
            LogLivenessFailed(revision.Key.ToString(), instance.Name, failures, outcome.Detail ?? "");
            inbox.Post(new LivenessFailed(instance, outcome.Detail ?? "liveness probe failed"));
            return false;
        });
    }

    private Task ReadinessAsync(RevisionState revision, InstanceState instance, IReadinessProbe probe, Probe spec)
    {
        var threshold = spec.FailureThreshold is > 0 ? spec.FailureThreshold.Value : DefaultFailureThreshold;
        var successThreshold = spec.SuccessThreshold is > 0 ? spec.SuccessThreshold.Value : 1;
        var failures = 0;
        var successes = 0;
        var inBalancer = true;
        return ProbeLoopAsync(instance, probe, spec, TimeSpan.Zero, outcome =>
        {
            if (outcome.Ready)
            {
                failures = 0;
                if (!inBalancer && ++successes >= successThreshold)
                {
                    inBalancer = true;
                    LogReadyAgain(revision.Key.ToString(), instance.Name);
                    inbox.Post(new ReadinessChanged(instance, Ready: true));
                }
                return true;
            }
            successes = 0;
            if (inBalancer && ++failures >= threshold)
            {
                inBalancer = false;
                LogNotReady(revision.Key.ToString(), instance.Name, outcome.Detail ?? "");
                inbox.Post(new ReadinessChanged(instance, Ready: false));
            }
            return true;
        });
    }

    /// <summary>Probes every period while the instance is ready; <paramref name="onOutcome"/> returns false to stop.</summary>
    private async Task ProbeLoopAsync(InstanceState instance, IReadinessProbe probe, Probe spec, TimeSpan initialDelay,
        Func<ProbeOutcome, bool> onOutcome)
    {
        var ct = instance.Stopping;
        try
        {
            if (initialDelay > TimeSpan.Zero) await Task.Delay(initialDelay, time, ct).ConfigureAwait(false);
            using var timer = new PeriodicTimer(Period(spec), time);
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                if (instance.Phase != InstancePhase.Ready) return;
                var outcome = await probe.ProbeAsync(instance.HostPort, ct).ConfigureAwait(false);
                if (!onOutcome(outcome)) return;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Period(Probe spec) => spec.PeriodSeconds is > 0 ? TimeSpan.FromSeconds(spec.PeriodSeconds.Value) : DefaultPeriod;

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "Instance {Instance} of {Revision} failed its liveness probe {Failures} times ({Detail}); replacing it")]
    private partial void LogLivenessFailed(string revision, string instance, int failures, string detail);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Instance {Instance} of {Revision} is not ready ({Detail}); out of the balancer until its readiness probe passes")]
    private partial void LogNotReady(string revision, string instance, string detail);

    [LoggerMessage(EventId = 122, Level = LogLevel.Information, Message = "Instance {Instance} of {Revision} is ready again")]
    private partial void LogReadyAgain(string revision, string instance);
}
