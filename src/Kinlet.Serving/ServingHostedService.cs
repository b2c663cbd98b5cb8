using Kinlet.Containers;
using Kinlet.Core.Model;
using Kinlet.Serving.Controllers;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kinlet.Serving;

/// <summary>
/// Starts serving in order — statuses and routes from the store, then adoption of this daemon's
/// running containers, then the control loops — and stops it in reverse. Containers outlive the
/// daemon on purpose: a restart adopts them instead of cold-starting every function.
/// </summary>
public sealed partial class ServingHostedService(
    ServiceController controller,
    RevisionRegistry registry,
    Kinlet.Serving.Reconciler.RevisionReconciler reconciler,
    ContainerMonitor monitor,
    Autoscaler.AutoscalerLoop autoscaler,
    RevisionGc.RevisionGcRunner revisionGc,
    InstanceLauncher launcher,
    ReconcileQueue inbox,
    IContainerRuntime runtime,
    ReadinessProbes probes,
    Microsoft.Extensions.Options.IOptions<ServingOptions> options,
    TimeProvider time,
    ILogger<ServingHostedService> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loops = Task.CompletedTask;
    private volatile bool _ready;
    private volatile string _notReadyReason = "starting";

    public bool IsReady => _ready;

    public string NotReadyReason => _notReadyReason;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await controller.InitializeAsync().ConfigureAwait(false);
        _loops = RunAsync(_stopping.Token);
    }

    // Adoption comes before the loops, or the reconciler would start duplicates of instances still running.
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await AdoptThenReadyAsync(cancellationToken).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested) return;
        await Task.WhenAll(
            Task.Run(() => reconciler.RunAsync(cancellationToken), CancellationToken.None),
            Task.Run(() => monitor.RunAsync(cancellationToken), CancellationToken.None),
            Task.Run(() => autoscaler.RunAsync(cancellationToken), CancellationToken.None),
            Task.Run(() => revisionGc.RunAsync(cancellationToken), CancellationToken.None)).ConfigureAwait(false);
    }

    private async Task AdoptThenReadyAsync(CancellationToken cancellationToken)
    {
        var backoff = new ReconnectBackoff(time, TimeSpan.FromSeconds(1));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await runtime.PingAsync(cancellationToken).ConfigureAwait(false);
                await AdoptAsync(cancellationToken).ConfigureAwait(false);
                _ready = true;
                _notReadyReason = "";
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _notReadyReason = "container engine not reachable: " + e.Message;
                LogEngineWait(e.Message);
            }
            if (!await backoff.WaitAsync(cancellationToken).ConfigureAwait(false)) return;
        }
    }

    /// <summary>
    /// This daemon's containers that belong to a live revision and still answer are taken back as
    /// ready instances; the rest (deleted revisions, exited or unanswering containers) are removed.
    /// </summary>
    private async Task AdoptAsync(CancellationToken cancellationToken)
    {
        var all = await runtime.ListAsync(reconciler.OwnLabels, cancellationToken).ConfigureAwait(false);
        // An instance is its serving container plus its sidecars: they are adopted or removed together.
        var containers = all.Where(c => Role(c) is not (KnownKeys.RoleSidecar or KnownKeys.RoleInit)).ToList();
        var instances = containers.Select(c => c.Labels.GetValueOrDefault(KnownKeys.ContainerInstance)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var sidecarsOf = new Dictionary<string, List<SidecarContainer>>(StringComparer.Ordinal);
        // Init containers cut off by the restart (their instance never started) and sidecars whose serving container is gone.
        var leftovers = new List<ContainerInfo>();
        foreach (var c in all)
        {
            var role = Role(c);
            var of = c.Labels.GetValueOrDefault(KnownKeys.ContainerInstance);
            if (role == KnownKeys.RoleInit || (role == KnownKeys.RoleSidecar && (of is null || !instances.Contains(of)))) leftovers.Add(c);
            else if (role == KnownKeys.RoleSidecar)
            {
                if (!sidecarsOf.TryGetValue(of!, out var list)) sidecarsOf[of!] = list = [];
                list.Add(new SidecarContainer(c.Labels.GetValueOrDefault(KnownKeys.ContainerName) ?? c.Name, c.Id));
            }
        }
        var adopted = 0;
        var removed = 0;
        await Parallel.ForEachAsync(containers, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (c, ct) =>
        {
            c.Labels.TryGetValue(KnownKeys.ContainerNamespace, out var ns);
            c.Labels.TryGetValue(KnownKeys.ContainerRevision, out var rev);
            c.Labels.TryGetValue(KnownKeys.ContainerInstance, out var name);
            var state = ns is null || rev is null ? null : registry.Find(ns, rev);
            var sidecars = name is not null && sidecarsOf.TryGetValue(name, out var found) ? found : null;
            // The serving port, not the first published one: a sidecar's probe ports are published by the same container.
            var hostPort = state is null ? c.HostPort
                : c.PublishedPorts is { } published && published.TryGetValue(ContainerSpecBuilder.ContainerPort(state.Revision.Spec), out var sp) ? sp : c.HostPort;
            // A frozen standby left by the previous run stays the revision's standby (the reconciler drops it if unwanted).
            if (state is { IsDeleted: false } && name is not null && c.State == ContainerRunState.Paused && hostPort is { } pausedPort
                && state.WantsFrozenStandby(options.Value.Standby))
            {
                inbox.Post(new StandbyAdopted(state, new FrozenStandby(c.Id, name, pausedPort, time.GetUtcNow(), sidecars)));
                Interlocked.Increment(ref adopted);
                return;
            }
            if (state is { IsDeleted: false } && name is not null && c.State == ContainerRunState.Running && hostPort is { } port
                && await SidecarsRunningAsync(sidecars, ct).ConfigureAwait(false))
            {
                var probe = probes.For(state.Revision.Spec, c.Id);
                var result = await Kinlet.Containers.Readiness.ReadinessWaiter.WaitAsync(runtime, c.Id, port, probe,
                    probes.AdoptionOptions(), ct).ConfigureAwait(false);
                if (result.Outcome == Kinlet.Containers.Readiness.ReadinessOutcome.Ready)
                {
                    inbox.Post(new InstanceAdopted(state, name, c.Id, port, sidecars));
                    Interlocked.Increment(ref adopted);
                    return;
                }
            }
            // What matches no live revision only needs removing; its logs are kept under its revision when there is one.
            var container = state is null
                ? new ContainerRef(c.Id, name ?? c.Name, "", "", "") { Sidecars = sidecars }
                : ContainerRef.For(state, name ?? c.Name, c.Id, sidecars);
            if (c.State == ContainerRunState.Paused)
                await launcher.RemoveStandbyAsync(container, ct).ConfigureAwait(false);
            else
                await launcher.RemoveContainerAsync(container, ct).ConfigureAwait(false);
            Interlocked.Increment(ref removed);
        }).ConfigureAwait(false);
        foreach (var c in leftovers)
        {
            await launcher.RemoveContainerAsync(new ContainerRef(c.Id, c.Labels.GetValueOrDefault(KnownKeys.ContainerInstance) ?? c.Name, "", "", ""), cancellationToken).ConfigureAwait(false);
            removed++;
        }
        if (all.Count > 0) LogAdopted(adopted, removed);
    }

    private static string? Role(ContainerInfo c) => c.Labels.GetValueOrDefault(KnownKeys.ContainerRole);

    /// <summary>An instance is adopted whole or not at all: each of its sidecars must still run.</summary>
    private async Task<bool> SidecarsRunningAsync(List<SidecarContainer>? sidecars, CancellationToken cancellationToken)
    {
        foreach (var sidecar in sidecars ?? [])
            if (await runtime.InspectAsync(sidecar.Id, cancellationToken).ConfigureAwait(false) is not { State: ContainerRunState.Running })
                return false;
        return true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _ready = false;
        _notReadyReason = "stopping";
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loops.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
        }
        await reconciler.DrainWorkAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Adopted {Adopted} running instances, removed {Removed} stale containers")]
    private partial void LogAdopted(int adopted, int removed);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Waiting for the container engine: {Error}")]
    private partial void LogEngineWait(string error);
}
