using Kinlet.Core.Model;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests.Conformance;

/// <summary>Knative's ProbeRuntime and LivenessWithFail.</summary>
public sealed class ProbeTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private static string SlowStarter(string name, string probe) => $"""
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: {name}
        spec:
          template:
            metadata:
              annotations:
                autoscaling.knative.dev/min-scale: "1"
            spec:
              containers:
                - image: kinlet.local/testfn:latest
                  env:
                    - name: STARTUP_DELAY_MS
                      value: "10000"
                  readinessProbe:
        {probe}

        """;

    [Fact]
    public async Task Once_ready_after_a_10s_start_the_first_request_succeeds_with_http_tcp_and_exec_probes()
    {
        var probes = new Dictionary<string, string>
        {
            ["probehttp"] = "            httpGet:\n              path: /ready",
            ["probetcp"] = "            tcpSocket:\n              port: 8080",
            ["probeexec"] = "            exec:\n              command: [\"cat\", \"/tmp/ready\"]",
        };
        // The three start together: one 10 s wait instead of three.
        await Task.WhenAll(probes.Select(p => Daemon.ApplyAsync(Output, SlowStarter(p.Key, p.Value))));
        foreach (var name in probes.Keys)
        {
            var (status, body, _) = await Daemon.TryGetAsync(name, "/");
            Assert.True(status == 200, $"{name}: {status} {body}");
            await Daemon.DeleteServiceAsync(Output, name);
        }
    }

    [Fact]
    public async Task A_failing_liveness_probe_replaces_the_container_and_counts_a_restart()
    {
        await Daemon.ApplyAsync(Output, """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: liveness
            spec:
              template:
                metadata:
                  annotations:
                    autoscaling.knative.dev/min-scale: "1"
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest
                      livenessProbe:
                        httpGet:
                          path: /healthz
                        periodSeconds: 1
                        failureThreshold: 1

            """);
        var before = (await Daemon.ContainersAsync("liveness")).Select(c => c.Id).ToHashSet();
        Assert.Equal(200, (await Daemon.TryGetAsync("liveness", "/healthz/fail")).Status);

        await Eventually.TrueAsync(async () => (await Daemon.RevisionAsync("liveness-00001")).Status?.Restarts >= 1,
            "the revision to count a restart", TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(async () =>
        {
            var running = (await Daemon.ContainersAsync("liveness")).Where(c => c.State == Kinlet.Containers.ContainerRunState.Running).ToList();
            return running.Count == 1 && !before.Contains(running[0].Id);
        }, "a new container in place of the unhealthy one", TimeSpan.FromSeconds(60));
        Assert.Equal(200, (await Daemon.TryGetAsync("liveness", "/healthz")).Status);
        await Daemon.DeleteServiceAsync(Output, "liveness");
    }
}
