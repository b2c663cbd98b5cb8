using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Kinlet.Core.Json;
using Kinlet.Core.Model;
using Kinlet.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace Kinlet.IntegrationTests;

public sealed class ServiceLifecycleTests(DaemonFixture fixture, ITestOutputHelper output) : DaemonTest(fixture, output)
{
    private async Task<Service> GetServiceAsync(string name)
    {
        var json = await Daemon.Api.GetStringAsync($"/apis/serving.knative.dev/v1/namespaces/default/services/{name}");
        return KinletJson.Deserialize<Service>(json)!;
    }

    [Fact]
    public async Task Create_invoke_update_with_zero_failed_requests_then_delete_leaves_no_containers()
    {
        var created = await Cli("service", "create", "echo", "--image", Images.TestFn, "--env", "TARGET=you", "--port", "8080");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains($"http://echo.localhost:{Daemon.IngressPort}", created.Stdout + created.Stderr);

        var invoked = await Cli("invoke", "echo");
        Assert.Equal(0, invoked.ExitCode);
        Assert.Equal("Hello you!", invoked.Stdout.Trim());

        var list = await Cli("service", "list");
        Assert.Contains("echo", list.Stdout);
        Assert.Contains("echo-00001", list.Stdout);

        // A background prober must see no failure while the update rolls out.
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentBag<string>();
        var bodies = new ConcurrentDictionary<string, int>();
        var prober = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var (status, body) = await Daemon.GetAsync(Daemon.Host("echo"));
                    if (status != 200) failures.Add($"{status}: {body}");
                    else bodies.AddOrUpdate(body.Trim(), 1, (_, n) => n + 1);
                }
                catch (Exception e)
                {
                    failures.Add(e.Message);
                }
            }
        });

        // Knative's ServiceCreateAndUpdate: an env, an annotation and an image change each make a revision.
        var updated = await Cli("service", "update", "echo", "--env", "TARGET=again");
        Assert.True(updated.ExitCode == 0, updated.ToString());
        var annotated = await Cli("service", "update", "echo", "--annotation", "example.com/note=changed");
        Assert.True(annotated.ExitCode == 0, annotated.ToString());
        var reimaged = await Cli("service", "update", "echo", "--image", Images.Hello);
        Assert.True(reimaged.ExitCode == 0, reimaged.ToString());
        // Keep probing a moment after the switch, while the old instance drains.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await prober.WaitAsync(Timeouts.Test);

        Assert.Empty(failures);
        Assert.Contains("Hello you!", bodies.Keys);
        Assert.Contains("Hello again!", bodies.Keys);
        Output.WriteLine(string.Join(", ", bodies.Select(kv => $"{kv.Key}={kv.Value}")));

        var service = await GetServiceAsync("echo");
        Assert.Equal("echo-00004", service.Status!.LatestReadyRevisionName);
        Assert.Equal("echo-00004", service.Status.LatestCreatedRevisionName);
        Assert.True(service.Status.Conditions.IsTrue(ConditionTypes.Ready));
        Assert.Equal("Hello again!", (await Daemon.GetAsync(Daemon.Host("echo"))).Body.Trim());

        // The old revisions drain and stop: one container left, of the newest revision.
        await Eventually.TrueAsync(async () => (await Daemon.ContainersAsync("echo")).Count == 1, "one container after the updates");
        var remaining = await Daemon.ContainersAsync("echo");
        Assert.Equal("echo-00004", remaining[0].Labels[KnownKeys.ContainerRevision]);

        var yaml = await Cli("service", "describe", "echo", "-o", "yaml");
        Assert.Equal(0, yaml.ExitCode);
        Assert.Contains("apiVersion: serving.knative.dev/v1", yaml.Stdout);
        Assert.Contains("latestReadyRevisionName: echo-00004", yaml.Stdout);

        var deleted = await Cli("service", "delete", "echo");
        Assert.Equal(0, deleted.ExitCode);
        Assert.Empty(await Daemon.ContainersAsync("echo"));
        var gone = await Daemon.GetAsync(Daemon.Host("echo"));
        Assert.Equal(404, gone.Status);
        Assert.Contains("echo.localhost", gone.Body);
    }

    [Fact]
    public async Task Export_then_apply_round_trips_unchanged()
    {
        var created = await Cli("service", "create", "roundtrip", "--image", Images.TestFn, "--env", "TARGET=rt",
            "--annotation", "autoscaling.knative.dev/max-scale=3");
        Assert.True(created.ExitCode == 0, created.ToString());

        var export = await Cli("export", "roundtrip");
        Assert.Equal(0, export.ExitCode);
        Assert.Contains("kind: Service", export.Stdout);
        Assert.DoesNotContain("status:", export.Stdout);
        Assert.DoesNotContain("uid:", export.Stdout);
        Assert.DoesNotContain("generation:", export.Stdout);

        var file = Path.Combine(Daemon.StateDir, "roundtrip.yaml");
        await File.WriteAllTextAsync(file, export.Stdout);
        var apply = await Cli("apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("unchanged", apply.Stdout + apply.Stderr);
        Assert.Equal("roundtrip-00001", (await GetServiceAsync("roundtrip")).Status!.LatestCreatedRevisionName);
    }

    [Fact]
    public async Task Apply_takes_a_multi_document_manifest()
    {
        var manifest = """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: multi-a
            spec:
              template:
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest
                      env:
                        - name: TARGET
                          value: A
            ---
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: multi-b
            spec:
              template:
                spec:
                  containers:
                    - image: kinlet.local/testfn:latest
                      ports:
                        - containerPort: 9000
                      env:
                        - name: TARGET
                          value: B
            """;
        var file = Path.Combine(Daemon.StateDir, "multi.yaml");
        await File.WriteAllTextAsync(file, manifest);
        var apply = await Cli("apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal("Hello A!", (await Daemon.GetAsync(Daemon.Host("multi-a"))).Body.Trim());
        Assert.Equal("Hello B!", (await Daemon.GetAsync(Daemon.Host("multi-b"))).Body.Trim());
    }

    [Fact]
    public async Task Bad_image_makes_the_service_not_ready_with_a_reason_and_requests_fail_fast()
    {
        var created = await Cli("service", "create", "badimage", "--image", Images.Missing);
        Assert.NotEqual(0, created.ExitCode);
        Assert.Contains($"Unable to fetch image \"{Images.Missing}\"", created.Stderr);

        var service = await GetServiceAsync("badimage");
        var ready = service.Status!.Conditions.Get(ConditionTypes.Ready)!;
        Assert.Equal(ConditionStatus.False, ready.Status);
        Assert.Contains(Images.Missing, ready.Message);

        var revision = KinletJson.Deserialize<Revision>(await Daemon.Api.GetStringAsync("/apis/serving.knative.dev/v1/namespaces/default/revisions/badimage-00001"))!;
        Assert.Equal("ContainerMissing", revision.Status!.Conditions.Get(ConditionTypes.Ready)!.Reason);

        // Fails fast with the reason, instead of holding the request until the timeout.
        var (status, body) = await Daemon.GetAsync(Daemon.Host("badimage")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(503, status);
        Assert.Contains("ContainerMissing", body);
    }

    [Fact]
    public async Task Exiting_container_reports_its_exit_code_and_log()
    {
        var created = await Cli("service", "create", "crasher", "--image", Images.TestFn, "--env", "EXIT_AT_START=3");
        Assert.NotEqual(0, created.ExitCode);

        var service = await GetServiceAsync("crasher");
        Assert.Equal(ConditionStatus.False, service.Status!.Conditions.Get(ConditionTypes.Ready)!.Status);
        var revision = KinletJson.Deserialize<Revision>(await Daemon.Api.GetStringAsync("/apis/serving.knative.dev/v1/namespaces/default/revisions/crasher-00001"))!;
        var condition = revision.Status!.Conditions.Get(ConditionTypes.Ready)!;
        Assert.Equal("ExitCode3", condition.Reason);
        Assert.Contains("exiting with 3", condition.Message);
    }

    [Fact]
    public async Task Unknown_host_gets_404_naming_the_host_and_the_ingress_never_serves_the_control_api()
    {
        var (status, body) = await Daemon.GetAsync($"nosuch.localhost:{Daemon.IngressPort}");
        Assert.Equal(404, status);
        Assert.Contains("nosuch.localhost", body);

        var control = await Daemon.GetAsync($"127.0.0.1:{Daemon.IngressPort}", "/apis/serving.knative.dev/v1/services");
        Assert.Equal(404, control.Status);
        var health = await Daemon.GetAsync($"localhost:{Daemon.IngressPort}", "/healthz");
        Assert.Equal(200, health.Status);
    }

    [Fact]
    public async Task Control_api_refuses_requests_without_the_token()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(Daemon.ApiUrl) };
        using var response = await anonymous.GetAsync("/apis/serving.knative.dev/v1/namespaces/default/services");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains("token", error);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/apis/serving.knative.dev/v1/services");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);

        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Daemon.StateDir, "token")));
    }

    [Fact]
    public async Task Bad_manifest_gets_400_naming_the_field()
    {
        var body = """{"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"badspec"},"spec":{"template":{"spec":{"containers":[{"image":""}]}}}}""";
        using var response = await Daemon.Api.PostAsync("/apis/serving.knative.dev/v1/namespaces/default/services",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("spec.template.spec.containers[0].image", error.GetProperty("field").GetString());

        var typed = """{"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"badspec"},"spec":{"template":{"spec":{"containerConcurrency":"lots","containers":[{"image":"x"}]}}}}""";
        using var r2 = await Daemon.Api.PostAsync("/apis/serving.knative.dev/v1/namespaces/default/services",
            new StringContent(typed, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r2.StatusCode);
        Assert.Equal("spec.template.spec.containerConcurrency", JsonDocument.Parse(await r2.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
    }
}
