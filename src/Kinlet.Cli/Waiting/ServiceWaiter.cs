using System.Globalization;
using Kinlet.Cli.Api;
using Kinlet.Core.Model;

namespace Kinlet.Cli.Waiting;

/// <summary>Polls a service until its rollout is done; the spinner says what it is waiting for.</summary>
internal sealed class ServiceWaiter(ApiClient api, IProgressDisplay progress, TimeProvider time, TimeSpan pollInterval)
{
    /// <summary>
    /// Returns the Ready service. Throws <see cref="CliException"/> with <see cref="ExitCodes.NotReady"/> on
    /// Ready=False and <see cref="ExitCodes.Timeout"/> when <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<Service> WaitForReadyAsync(string ns, string name, long? generation, TimeSpan timeout, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        // One look before any spinner: a service that is already Ready (an unchanged apply) prints no progress.
        var service = await api.GetServiceAsync(ns, name, ct).ConfigureAwait(false);
        var readiness = Check(service, name, generation);
        if (readiness.State == ReadinessState.Ready) return service;
        return await progress.RunAsync(readiness.Waiting, async status =>
        {
            while (true)
            {
                if (time.GetElapsedTime(started) >= timeout)
                    throw new CliException(
                        $"timed out after {timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)}s {readiness.Waiting}"
                        + (readiness.Reason is { } r ? $" (last reason: {r})" : ""), ExitCodes.Timeout);
                await Task.Delay(pollInterval, time, ct).ConfigureAwait(false);
                service = await api.GetServiceAsync(ns, name, ct).ConfigureAwait(false);
                readiness = Check(service, name, generation);
                if (readiness.State == ReadinessState.Ready) return service;
                status.Update(readiness.Waiting);
            }
        }).ConfigureAwait(false);
    }

    private static Readiness Check(Service service, string name, long? generation)
    {
        var readiness = ReadinessCheck.Evaluate(service, generation);
        if (readiness.State == ReadinessState.Failed) throw NotReady(name, readiness);
        return readiness;
    }

    internal static CliException NotReady(string name, Readiness readiness)
    {
        var why = (readiness.Reason, readiness.Message) switch
        {
            ({ } r, { } m) when m.Length > 0 => $"{r}: {m}",
            ({ } r, _) => r,
            (_, { } m) => m,
            _ => "Ready is False",
        };
        return new CliException($"service {name} is not ready: {why}", ExitCodes.NotReady);
    }
}
