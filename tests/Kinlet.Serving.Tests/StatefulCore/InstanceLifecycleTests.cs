using System.Net;
using Kinlet.Core.Model;
using Kinlet.Serving.Tests.Fakes;

namespace Kinlet.Serving.Tests.StatefulCore;

/// <summary>Starting, probing and replacing instances against the fake engine, seen from the engine and the revision.</summary>
public sealed class InstanceLifecycleTests
{
    private static Task<ServingCore> StartCoreAsync(FakeContainerRuntime? runtime = null, int initialScale = 1) =>
        ServingCore.StartAsync(o =>
        {
            o.Runtime = runtime;
            o.Autoscaler = a =>
            {
                a.AllowZeroInitialScale = true;
                a.InitialScale = initialScale;
            };
        });

    private static bool RevisionReady(ServingCore core, string name) =>
        core.Controller.GetRevision("default", name).Status?.Conditions.Get(ConditionTypes.Ready)?.Status == ConditionStatus.True;

    [Fact]
    public async Task A_new_service_starts_its_initial_instance_and_its_revision_becomes_ready()
    {
        await using var core = await StartCoreAsync();
        core.Create(ServingCore.NewService("hello"));

        await ServingCore.WaitForAsync(() => core.Revision("hello-00001")?.ReadyCount == 1, "one ready instance");
        await ServingCore.WaitForAsync(() => RevisionReady(core, "hello-00001"), "the revision's Ready condition");
        Assert.Equal(1, core.Runtime.Creates);
        Assert.Equal(1, core.Runtime.Starts);
        var container = core.Runtime.Running.Single();
        Assert.Equal("hello", container.Label(KnownKeys.ContainerService));
        Assert.Equal("hello-00001", container.Label(KnownKeys.ContainerRevision));

        using var response = await core.GetAsync("hello");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_missing_image_is_pulled_then_the_instance_starts()
    {
        var runtime = new FakeContainerRuntime();
        runtime.RemoveImage("fake/pulled:1");
        await using var core = await StartCoreAsync(runtime);
        core.Create(ServingCore.NewService("pulled", image: "fake/pulled:1"));

        await ServingCore.WaitForAsync(() => core.Revision("pulled-00001")?.ReadyCount == 1, "one ready instance after the pull");
        Assert.Equal(1, runtime.Pulls);
        Assert.Equal(2, runtime.Creates);
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_fails_the_revision_with_the_reason()
    {
        var runtime = new FakeContainerRuntime();
        runtime.MakeUnpullable("fake/ghost:1", "manifest unknown");
        await using var core = await StartCoreAsync(runtime);
        core.Create(ServingCore.NewService("ghost", image: "fake/ghost:1"));

        await ServingCore.WaitForAsync(() => core.Revision("ghost-00001")?.Failure is not null, "the revision's failure");
        var failure = core.Revision("ghost-00001")!.Failure!;
        Assert.Equal("ContainerMissing", failure.Reason);
        Assert.Contains("manifest unknown", failure.Message);
        Assert.Empty(runtime.Running);
    }

    [Fact]
    public async Task A_failed_start_is_retried_with_a_new_container()
    {
        var runtime = new FakeContainerRuntime();
        runtime.FailNextStart();
        await using var core = await StartCoreAsync(runtime);
        core.Create(ServingCore.NewService("retry"));

        await ServingCore.WaitForAsync(() => core.Revision("retry-00001")?.ReadyCount == 1, "a ready instance after the failed start");
        Assert.True(runtime.Starts >= 2);
        Assert.Single(runtime.Running);
    }

    [Fact]
    public async Task A_request_scales_a_revision_from_zero_and_the_instance_serves_it()
    {
        var runtime = new FakeContainerRuntime();
        await using var core = await StartCoreAsync(runtime, initialScale: 0);
        core.Create(ServingCore.NewService("cold"));
        Assert.Equal(0, core.Revision("cold-00001")!.ReadyCount);

        using var response = await core.GetAsync("cold");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, runtime.Starts);
        Assert.Equal(1, core.Revision("cold-00001")!.ReadyCount);
    }

    [Fact]
    public async Task A_crashed_instance_leaves_the_ready_set_and_a_replacement_starts()
    {
        var runtime = new FakeContainerRuntime();
        await using var core = await StartCoreAsync(runtime);
        core.Create(ServingCore.NewService("crashy", configure: s => s.Spec.Template.Metadata!.Annotations![AutoscalingKeys.MinScale] = "1"));
        await ServingCore.WaitForAsync(() => core.Revision("crashy-00001")?.ReadyCount == 1, "one ready instance");
        var first = runtime.Running.Single();

        await runtime.CrashAsync(first.Id, exitCode: 3);

        await ServingCore.WaitForAsync(() => runtime.Running.Any(c => c.Id != first.Id)
            && core.Revision("crashy-00001")!.ReadyCount == 1
            && core.Revision("crashy-00001")!.Ready[0].ContainerId != first.Id, "a ready replacement");
        Assert.True(runtime.Creates >= 2);
        using var response = await core.GetAsync("crashy");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual("hello from " + first.Name, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_readiness_probe_takes_an_instance_out_of_the_balancer_and_puts_it_back()
    {
        var runtime = new FakeContainerRuntime();
        await using var core = await StartCoreAsync(runtime);
        core.Create(ServingCore.NewService("probed", configure: s =>
        {
            s.Spec.Template.Metadata!.Annotations![AutoscalingKeys.MinScale] = "1";
            s.Spec.Template.Spec.Containers[0].ReadinessProbe = new Probe
            {
                HttpGet = new HttpGetAction { Path = "/healthz" },
                PeriodSeconds = 1,
                FailureThreshold = 1,
                SuccessThreshold = 1,
            };
        }));
        await ServingCore.WaitForAsync(() => core.Revision("probed-00001")?.ReadyCount == 1, "one ready instance");
        var container = runtime.Running.Single();

        runtime.SetHealthy(container.Id, false);
        await ServingCore.WaitForAsync(() => core.Revision("probed-00001")!.ReadyCount == 0, "the instance out of the balancer");
        Assert.Equal(ContainerRunStateRunning, runtime.Get(container.Id).State);

        runtime.SetHealthy(container.Id, true);
        await ServingCore.WaitForAsync(() => core.Revision("probed-00001")!.ReadyCount == 1, "the instance back in the balancer");
        Assert.Equal(1, runtime.Starts);
    }

    private const Kinlet.Containers.ContainerRunState ContainerRunStateRunning = Kinlet.Containers.ContainerRunState.Running;
}
