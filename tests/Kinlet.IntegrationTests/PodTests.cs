using System.Net;
using System.Text;
using Kinlet.Containers;
using Kinlet.Core.Model;
using Kinlet.IntegrationTests.Conformance;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

/// <summary>Sidecars, init containers and the pod fields on the real engine (issue 14 parts 4-6).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PodTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private const string Busybox = "kinlet.local/busybox:latest";

    // The sidecar serves a page on :9000 (its readiness probe, published by the serving container) and fetches the
    // serving container's page from localhost:8080: one network namespace, as in a pod.
    private const string SidecarScript =
        "mkdir -p /www && echo sidecar-ok > /www/index.html && httpd -p 9000 -h /www"
        + " && until wget -qO- http://localhost:8080/; do sleep 0.2; done && echo && echo fetched-from-app && exec sleep 1000000";

    private static string PodManifest(string name) => $$$"""
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata: {name: {{{name}}}}
        spec:
          template:
            metadata:
              annotations: {autoscaling.knative.dev/min-scale: "1"}
            spec:
              serviceAccountName: builder
              enableServiceLinks: false
              imagePullSecrets: [{name: regcred}]
              nodeSelector: {disk: ssd}
              initContainers:
                - name: setup
                  image: {{{Busybox}}}
                  command: [sh, -c, "echo init-ran-first"]
              containers:
                - name: app
                  image: {{{Images.TestFn}}}
                  ports: [{containerPort: 8080}]
                - name: cache
                  image: {{{Busybox}}}
                  command: [sh, -c, "{{{SidecarScript}}}"]
                  readinessProbe: {tcpSocket: {port: 9000}}
        """;

    private async Task CreatePullSecretAsync()
    {
        var config = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"auths":{"registry.example:5000":{"username":"u","password":"pull-pw-Vq9"}}}"""));
        using var created = await Daemon.Api.PostAsync("/api/v1/namespaces/default/secrets", new StringContent(
            """{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/dockerconfigjson","metadata":{"name":"regcred"},"data":{".dockerconfigjson":""" + "\"" + config + "\"}}",
            Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, await created.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_sidecar_shares_localhost_each_container_has_its_logs_and_its_exit_restarts_the_instance()
    {
        await CreatePullSecretAsync();
        var applied = await Daemon.CliWithInputAsync(PodManifest("pod"), "apply", "-f", "-");
        Output.WriteLine(applied.ToString());
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Contains("spec.template.spec.nodeSelector: accepted and ignored", applied.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("serviceAccountName", applied.Stderr, StringComparison.Ordinal);

        var (status, body) = await Daemon.GetAsync(Daemon.Host("pod"), "/");
        Assert.Equal(200, status);
        Assert.Contains("Hello", body, StringComparison.Ordinal);

        var containers = (await Daemon.ContainersAsync("pod")).Where(c => c.State == ContainerRunState.Running).ToList();
        Assert.Equal(2, containers.Count);
        var sidecar = containers.Single(c => c.Labels[KnownKeys.ContainerRole] == KnownKeys.RoleSidecar);
        var serving = containers.Single(c => c.Labels[KnownKeys.ContainerRole] == KnownKeys.RoleServing);
        Assert.Equal(serving.Labels[KnownKeys.ContainerInstance], sidecar.Labels[KnownKeys.ContainerInstance]);
        Assert.DoesNotContain(await Daemon.ContainersAsync("pod"), c => c.Labels[KnownKeys.ContainerRole] == KnownKeys.RoleInit);

        // The sidecar reached the serving container on localhost; its lines, the init container's and the app's are apart.
        ProcessResult logs = default!;
        await Eventually.TrueAsync(async () => (logs = await Cli("logs", "pod", "--container", "cache")).Stdout.Contains("fetched-from-app", StringComparison.Ordinal),
            "the sidecar's line in kinlet logs --container cache");
        Assert.Contains("Hello", logs.Stdout, StringComparison.Ordinal);
        Assert.Contains("/cache | ", logs.Stdout, StringComparison.Ordinal);
        var init = await Cli("logs", "pod", "--container", "setup");
        Assert.Contains("/setup | init-ran-first", init.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("fetched-from-app", init.Stdout, StringComparison.Ordinal);
        var all = await Cli("logs", "pod");
        Assert.Contains("fetched-from-app", all.Stdout, StringComparison.Ordinal);
        Assert.Contains("init-ran-first", all.Stdout, StringComparison.Ordinal);

        // The sidecar ends: the whole instance is replaced, and kinletd says why.
        var instance = serving.Labels[KnownKeys.ContainerInstance];
        await Engine.Runtime.StopAsync(sidecar.Id, TimeSpan.Zero, CancellationToken.None);
        await Eventually.TrueAsync(async () =>
        {
            var now = (await Daemon.ContainersAsync("pod")).Where(c => c.State == ContainerRunState.Running).ToList();
            return now.Count == 2 && now.All(c => c.Labels[KnownKeys.ContainerInstance] != instance);
        }, "a new instance with its sidecar");
        Assert.DoesNotContain(await Daemon.ContainersAsync("pod"), c => c.Labels[KnownKeys.ContainerInstance] == instance);
        var said = await Cli("logs", "pod");
        Assert.Contains($"sidecar cache of instance {instance} exited", said.Stdout, StringComparison.Ordinal);
        Assert.Equal(200, (await Daemon.GetAsync(Daemon.Host("pod"), "/")).Status);

        // A daemon restart adopts the instance whole: the same two containers, and the sidecar is still watched.
        var before = (await Daemon.ContainersAsync("pod")).Where(c => c.State == ContainerRunState.Running).Select(c => c.Id).Order().ToList();
        await Daemon.KillAsync(); // kill -9, then a new kinletd on the same state dir
        await Daemon.RestartAsync();
        Assert.Equal(200, (await Daemon.GetAsync(Daemon.Host("pod"), "/")).Status);
        Assert.Equal(before, (await Daemon.ContainersAsync("pod")).Where(c => c.State == ContainerRunState.Running).Select(c => c.Id).Order().ToList());
        var adoptedSidecar = (await Daemon.ContainersAsync("pod")).Single(c => c.Labels[KnownKeys.ContainerRole] == KnownKeys.RoleSidecar);
        await Engine.Runtime.StopAsync(adoptedSidecar.Id, TimeSpan.Zero, CancellationToken.None);
        await Eventually.TrueAsync(async () =>
        {
            var now = (await Daemon.ContainersAsync("pod")).Where(c => c.State == ContainerRunState.Running).ToList();
            return now.Count == 2 && now.All(c => !before.Contains(c.Id));
        }, "the adopted instance replaced after its sidecar ended");
        Assert.DoesNotContain("pull-pw-Vq9", Daemon.Logs + said.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_init_container_fails_the_revision_with_its_exit_code_and_last_lines()
    {
        var applied = await Daemon.CliWithInputAsync($$"""
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata: {name: initfail}
            spec:
              template:
                spec:
                  initContainers:
                    - name: render
                      image: {{Busybox}}
                      command: [sh, -c, "echo config-template-missing >&2; exit 3"]
                  containers:
                    - image: {{Images.TestFn}}
            """, "apply", "-f", "-", "--wait-timeout", "60");
        Output.WriteLine(applied.ToString());
        Assert.NotEqual(0, applied.ExitCode);

        Revision revision = default!;
        await Eventually.TrueAsync(async () => (revision = await Daemon.RevisionAsync("initfail-00001")).Status?.Conditions.Get(ConditionTypes.Ready)?.Status == ConditionStatus.False,
            "the revision's Ready condition false");
        var ready = revision.Status!.Conditions.Get(ConditionTypes.Ready)!;
        Output.WriteLine($"{ready.Reason}: {ready.Message}");
        Assert.StartsWith("Init:", ready.Reason, StringComparison.Ordinal);
        Assert.Contains("Init container \"render\" failed with exit code 3", ready.Message, StringComparison.Ordinal);
        Assert.Contains("config-template-missing", ready.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await Daemon.ContainersAsync("initfail"), c => c.State == ContainerRunState.Running);
    }

    [Fact]
    public async Task Security_context_maps_onto_the_engine_and_run_as_non_root_is_checked_against_the_image()
    {
        var applied = await Daemon.CliWithInputAsync($$"""
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata: {name: hardened}
            spec:
              template:
                spec:
                  securityContext: {runAsUser: 1000, runAsGroup: 1000, supplementalGroups: [4242]}
                  containers:
                    - image: {{Images.TestFn}}
                      securityContext:
                        readOnlyRootFilesystem: true
                        allowPrivilegeEscalation: false
                        capabilities: {drop: [ALL]}
            ---
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata: {name: rootimage}
            spec:
              template:
                spec:
                  securityContext: {runAsNonRoot: true}
                  containers:
                    - image: {{Busybox}}
                      command: [sh, -c, "exec httpd -f -p 8080 -h /"]
            """, "apply", "-f", "-", "--wait-timeout", "60");
        Output.WriteLine(applied.ToString());

        var (status, info) = await Daemon.GetAsync(Daemon.Host("hardened"), "/info");
        Assert.Equal(200, status);
        Assert.Contains("\"uid\":1000", info, StringComparison.Ordinal);
        Assert.Contains("\"gid\":1000", info, StringComparison.Ordinal);

        Revision revision = default!;
        await Eventually.TrueAsync(async () => (revision = await Daemon.RevisionAsync("rootimage-00001")).Status?.Conditions.Get(ConditionTypes.Ready)?.Status == ConditionStatus.False,
            "rootimage's Ready condition false");
        var ready = revision.Status!.Conditions.Get(ConditionTypes.Ready)!;
        Assert.Equal("CreateContainerConfigError", ready.Reason);
        Assert.Contains("runAsNonRoot and the image will run as root", ready.Message, StringComparison.Ordinal);
    }
}
