using Kinlet.Core.Model;
using Kinlet.Serving.Tests.Fakes;

namespace Kinlet.Serving.Tests.StatefulCore;

/// <summary>Instances of several containers (sidecars, init containers) against the fake engine: one unit for the loop.</summary>
public sealed class MultiContainerTests
{
    private static Task<ServingCore> StartCoreAsync(FakeContainerRuntime runtime) =>
        ServingCore.StartAsync(o =>
        {
            o.Runtime = runtime;
            o.Autoscaler = a =>
            {
                a.AllowZeroInitialScale = true;
                a.InitialScale = 1;
            };
        });

    private static Service WithSidecar(string name, Action<RevisionSpec>? configure = null) =>
        ServingCore.NewService(name, configure: s =>
        {
            var spec = s.Spec.Template.Spec;
            spec.Containers =
            [
                new Container { Name = "proxy", Image = "fake/proxy:1" },
                new Container { Name = "app", Image = "fake/hello:1", Ports = [new ContainerPortSpec { ContainerPort = 8080 }] },
            ];
            configure?.Invoke(spec);
        });

    private static string? Role(FakeContainer c) => c.Label(KnownKeys.ContainerRole);

    [Fact]
    public async Task Init_containers_run_first_and_go_then_the_sidecar_joins_the_serving_containers_network()
    {
        var runtime = new FakeContainerRuntime();
        await using var core = await StartCoreAsync(runtime);
        core.Create(WithSidecar("pod", spec => spec.InitContainers =
        [
            new Container { Name = "fetch", Image = "fake/tools:1" },
            new Container { Name = "render", Image = "fake/tools:1" },
        ]));

        await ServingCore.WaitForAsync(() => core.Revision("pod-00001")?.ReadyCount == 1, "one ready instance");
        var running = runtime.Running;
        Assert.Equal(2, running.Count);
        var serving = running.Single(c => Role(c) == KnownKeys.RoleServing);
        var sidecar = running.Single(c => Role(c) == KnownKeys.RoleSidecar);
        Assert.Equal("app", serving.Label(KnownKeys.ContainerName));
        Assert.Equal("proxy", sidecar.Label(KnownKeys.ContainerName));
        Assert.Equal(serving.Id, sidecar.Spec.NetworkOf);
        Assert.Equal(0, sidecar.Spec.ContainerPort);
        Assert.Equal(serving.Label(KnownKeys.ContainerInstance), sidecar.Label(KnownKeys.ContainerInstance));
        Assert.Equal(serving.Name + "-proxy", sidecar.Name);
        Assert.DoesNotContain(sidecar.Spec.Env, e => e.Key == "PORT");
        // Both init containers ran, in order, and were removed once done.
        Assert.DoesNotContain(runtime.Containers, c => Role(c) == KnownKeys.RoleInit);
        Assert.Equal(4, runtime.Creates);
    }

    [Fact]
    public async Task A_crashing_sidecar_restarts_the_whole_instance_with_the_reason()
    {
        var runtime = new FakeContainerRuntime();
        await using var core = await StartCoreAsync(runtime);
        core.Create(WithSidecar("crashy"));
        await ServingCore.WaitForAsync(() => core.Revision("crashy-00001")?.ReadyCount == 1, "one ready instance");
        var first = runtime.Running.Single(c => Role(c) == KnownKeys.RoleSidecar);
        var firstInstance = first.Label(KnownKeys.ContainerInstance);

        await runtime.CrashAsync(first.Id, exitCode: 3);

        await ServingCore.WaitForAsync(() => runtime.Running.Count == 2
            && runtime.Running.All(c => c.Label(KnownKeys.ContainerInstance) != firstInstance)
            && core.Revision("crashy-00001")?.ReadyCount == 1, "a new instance (serving container and sidecar)");
        Assert.Equal(1, core.Revision("crashy-00001")!.View.Restarts);
        // The old instance's serving container went with its sidecar.
        Assert.DoesNotContain(runtime.Containers, c => c.Label(KnownKeys.ContainerInstance) == firstInstance);
    }

    [Fact]
    public async Task A_failing_init_container_fails_the_instance_with_its_exit_code_and_last_lines()
    {
        var runtime = new FakeContainerRuntime
        {
            ExitOnStart = spec => spec.Labels.GetValueOrDefault(KnownKeys.ContainerRole) == KnownKeys.RoleInit ? 7 : null,
        };
        await using var core = await StartCoreAsync(runtime);
        core.Create(WithSidecar("broken", spec => spec.InitContainers = [new Container { Name = "setup", Image = "fake/tools:1" }]));

        await ServingCore.WaitForAsync(() => core.Revision("broken-00001")?.Failure is not null, "the revision's failure");
        var failure = core.Revision("broken-00001")!.Failure!;
        Assert.StartsWith("Init:", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("Init container \"setup\" failed with exit code 7", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ran to completion with exit code 7", failure.Message, StringComparison.Ordinal);
        // Retried with a backoff: the next failures are Kubernetes' CrashLoopBackOff.
        await ServingCore.WaitForAsync(() => core.Revision("broken-00001")?.Failure?.Reason == "Init:CrashLoopBackOff", "Init:CrashLoopBackOff");
        Assert.Empty(runtime.Running);
    }

    [Fact]
    public async Task Deleting_the_service_removes_every_container_of_its_instances()
    {
        var runtime = new FakeContainerRuntime();
        await using var core = await StartCoreAsync(runtime);
        core.Create(WithSidecar("gone"));
        await ServingCore.WaitForAsync(() => core.Revision("gone-00001")?.ReadyCount == 1, "one ready instance");

        await core.Controller.DeleteAsync("default", "gone", TimeSpan.FromSeconds(20), CancellationToken.None);

        await ServingCore.WaitForAsync(() => runtime.Containers.Count == 0, "no container left");
    }
}
