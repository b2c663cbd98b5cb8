using System.Diagnostics;
using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.IntegrationTests.Infrastructure;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>What the conformance tests share: apply a manifest, read a revision, call a service.</summary>
internal static class ConformanceSupport
{
    public static async Task ApplyAsync(this KinletDaemon daemon, Xunit.Abstractions.ITestOutputHelper output, string yaml)
    {
        var result = await daemon.CliWithInputAsync(yaml, "apply", "-f", "-");
        output.WriteLine($"$ kinlet apply -f - <<EOF\n{yaml}EOF\n{result}");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    public static async Task<Revision> RevisionAsync(this KinletDaemon daemon, string name) =>
        KinletJson.Deserialize<Revision>(await daemon.Api.GetStringAsync($"/apis/serving.knative.dev/v1/namespaces/default/revisions/{name}"))!;

    public static async Task<int> RunningContainersAsync(this KinletDaemon daemon, string service) =>
        (await daemon.ContainersAsync(service)).Count(c => c.State == Kinlet.Containers.ContainerRunState.Running);

    /// <summary>A GET through the ingress that reports failures as a status instead of throwing (0: no answer).</summary>
    public static async Task<(int Status, string Body, HttpResponseMessage? Response)> TryGetAsync(this KinletDaemon daemon, string service, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{daemon.IngressPort}{path}");
        request.Headers.Host = daemon.Host(service);
        try
        {
            var response = await daemon.Ingress.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
        }
        catch (HttpRequestException e)
        {
            return (0, e.Message, null);
        }
    }

    /// <summary>
    /// <paramref name="clients"/> loops calling <paramref name="path"/> until <paramref name="duration"/> passes:
    /// every answer's status and testfn's X-Max-Concurrency header (-1 when absent).
    /// </summary>
    public static async Task<List<LoadResult>> LoadAsync(this KinletDaemon daemon, string service, string path, int clients, TimeSpan duration)
    {
        var results = new List<LoadResult>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                var (status, body, response) = await daemon.TryGetAsync(service, path);
                var max = response?.Headers.TryGetValues("X-Max-Concurrency", out var values) == true
                    && int.TryParse(values.FirstOrDefault(), out var m) ? m : -1;
                response?.Dispose();
                lock (results) results.Add(new LoadResult(status, max, status == 200 ? "" : body));
            }
        }));
        return results;
    }

    /// <summary>This daemon's live containers of one revision (created, running or paused; not exited or dead).</summary>
    public static async Task<int> LiveContainersAsync(this KinletDaemon daemon, string service, string revision) =>
        (await daemon.ContainersAsync(service)).Count(c =>
            c.Labels.TryGetValue(KnownKeys.ContainerRevision, out var r) && r == revision
            && c.State is Kinlet.Containers.ContainerRunState.Created or Kinlet.Containers.ContainerRunState.Running
                or Kinlet.Containers.ContainerRunState.Paused or Kinlet.Containers.ContainerRunState.Restarting);

    /// <summary>Deletes the service and checks the daemon said yes.</summary>
    public static async Task DeleteServiceAsync(this KinletDaemon daemon, Xunit.Abstractions.ITestOutputHelper output, string name)
    {
        var result = await daemon.CliAsync("service", "delete", name);
        output.WriteLine($"$ kinlet service delete {name}\n{result}");
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}

/// <summary>One answer under load: its status, the instance's X-Max-Concurrency (-1: none), the body of a non-200.</summary>
internal sealed record LoadResult(int Status, int MaxConcurrency, string Error);

/// <summary>
/// A daemon with Knative's windows shortened, so scale-to-zero tests take seconds, not minutes, and a
/// revision GC that keeps nothing it may collect (no minimum, no retention), every second.
/// </summary>
public sealed class FastAutoscalerFixture : IAsyncLifetime
{
    public KinletDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync() => Daemon = await KinletDaemon.StartAsync(null,
        "--Kinlet:Autoscaler:StableWindow", "00:00:06",
        "--Kinlet:Autoscaler:ScaleToZeroGracePeriod", "00:00:02",
        "--Kinlet:Autoscaler:TickInterval", "00:00:01",
        "--Kinlet:Serving:ActivatorQueueDepth", "5",
        "--Kinlet:RevisionGc:Interval", "00:00:01",
        "--Kinlet:RevisionGc:MinNonActiveRevisions", "0",
        "--Kinlet:RevisionGc:RetainSinceCreateTime", "00:00:00",
        "--Kinlet:RevisionGc:RetainSinceLastActiveTime", "00:00:00");

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}
