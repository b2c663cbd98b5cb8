using Kinlet.Containers;
using Kinlet.Containers.Readiness;
using Kinlet.Core.Model;
using Kinlet.Core.Serving;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Reconciler;

/// <summary>Picks an instance's readiness probe from its revision: the user's httpGet/exec/tcpSocket, else TCP (Knative's default).</summary>
public sealed class ReadinessProbes(IContainerRuntime runtime, IOptions<ServingOptions> options, TimeProvider time) : IDisposable
{
    private readonly ServingOptions _options = options.Value;

    // One small pool for all HTTP probes; never the data plane's client, so probes never queue behind traffic.
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(1),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2),
    });

    public IReadinessProbe For(RevisionSpec spec, string containerId) =>
        PodLayout.Serving(spec)?.ReadinessProbe is { } probe ? For(probe, containerId) : new TcpReadinessProbe(_options.TcpProbeHoldWindow);

    /// <summary>One probe from the manifest (readiness or liveness): httpGet, exec through the engine, else TCP on the port.</summary>
    public IReadinessProbe For(Probe probe, string containerId)
    {
        if (probe.HttpGet is { } http)
        {
            var headers = http.HttpHeaders?.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList();
            return new HttpReadinessProbe(_client, http.Path ?? "/", headers, AttemptTimeout(probe));
        }
        if (probe.Exec?.Command is { Count: > 0 } command)
            return new ExecReadinessProbe(runtime, containerId, command);
        return new TcpReadinessProbe(_options.TcpProbeHoldWindow, AttemptTimeout(probe));
    }

    private static TimeSpan AttemptTimeout(Probe probe) =>
        probe.TimeoutSeconds is > 0 ? TimeSpan.FromSeconds(probe.TimeoutSeconds.Value) : TimeSpan.FromSeconds(1);

    public ReadinessOptions OptionsFor(RevisionSpec spec) => OptionsFor(PodLayout.Serving(spec)?.ReadinessProbe);

    public ReadinessOptions OptionsFor(Probe? probe)
    {
        return new ReadinessOptions
        {
            Interval = probe?.PeriodSeconds is > 0 ? TimeSpan.FromSeconds(probe.PeriodSeconds.Value) : _options.ReadinessInterval,
            InitialDelay = probe?.InitialDelaySeconds is > 0 ? TimeSpan.FromSeconds(probe.InitialDelaySeconds.Value) : TimeSpan.Zero,
            Deadline = _options.ProgressDeadline,
            Time = time,
        };
    }

    /// <summary>For containers found running at daemon start: they answer at once or they are replaced.</summary>
    public ReadinessOptions AdoptionOptions() => new()
    {
        Interval = TimeSpan.FromMilliseconds(100),
        Deadline = TimeSpan.FromSeconds(3),
        Time = time,
    };

    public void Dispose() => _client.Dispose();
}
