using Kinlet.Core.Model;
using Kinlet.Serving.Reconciler;
using Kinlet.Serving.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace Kinlet.Serving.Tests.Reconciler;

/// <summary>
/// The reconcile loop's message handling, through the daemon's wiring against the fake engine: duplicate
/// reports, stale outcomes and the order in which background work comes back.
/// </summary>
public sealed class ReconcileLoopTests
{
    private static Task<ServingCore> StartCoreAsync(FakeContainerRuntime runtime) =>
        ServingCore.StartAsync(o =>
        {
            o.Runtime = runtime;
            // A long backoff, so a second restart would show in the counts before any replacement.
            o.Serving = s => s.RestartBackoffInitial = s.RestartBackoffMax = TimeSpan.FromSeconds(1);
            o.Autoscaler = a =>
            {
                a.AllowZeroInitialScale = true;
                a.InitialScale = 1;
            };
        });

    private static Service MinOne(string name) =>
        ServingCore.NewService(name, configure: s => s.Spec.Template.Metadata!.Annotations![AutoscalingKeys.MinScale] = "1");

    [Fact]
    public async Task A_crash_reported_twice_is_counted_once()
    {
        var runtime = new FakeContainerRuntime();
        await using var core = await StartCoreAsync(runtime);
        core.Create(MinOne("twice"));
        await ServingCore.WaitForAsync(() => core.Revision("twice-00001")?.ReadyCount == 1, "one ready instance");
        var first = runtime.Running.Single();

        await runtime.CrashAsync(first.Id, exitCode: 3);
        // The periodic check against the engine finds the same exit again.
        core.Services.GetRequiredService<ReconcileQueue>().Post(new ContainerExited(first.Id, 3, false));

        await ServingCore.WaitForAsync(() => core.Revision("twice-00001")!.ReadyCount == 1
            && core.Revision("twice-00001")!.Ready[0].ContainerId != first.Id, "a ready replacement");
        Assert.Equal(1, core.Revision("twice-00001")!.Restarts);
        Assert.Single(runtime.Running);
    }

    [Fact]
    public async Task An_exit_of_a_container_the_loop_does_not_track_changes_nothing()
    {
        var runtime = new FakeContainerRuntime();
        await using var core = await StartCoreAsync(runtime);
        core.Create(MinOne("calm"));
        await ServingCore.WaitForAsync(() => core.Revision("calm-00001")?.ReadyCount == 1, "one ready instance");

        var inbox = core.Services.GetRequiredService<ReconcileQueue>();
        inbox.Post(new ContainerExited("no-such-container", 1, false));
        inbox.Post(new LivenessFailed(new Kinlet.Serving.Revisions.InstanceState("stranger", core.Revision("calm-00001")!), "not ours"));
        // A poke goes through the same inbox after them: once it is handled, so were they.
        inbox.Enqueue(core.Revision("calm-00001")!.Key);
        await Task.Delay(300);

        Assert.Equal(1, core.Revision("calm-00001")!.ReadyCount);
        Assert.Equal(0, core.Revision("calm-00001")!.Restarts);
        Assert.Equal(1, runtime.Starts);
    }

    [Fact]
    public async Task A_revision_deleted_while_its_instance_starts_leaves_no_container_behind()
    {
        var runtime = new FakeContainerRuntime { NewContainersAnswer = false };
        await using var core = await StartCoreAsync(runtime);
        core.Create(MinOne("brief"));
        await ServingCore.WaitForAsync(() => runtime.Starts == 1, "the start under way");

        await core.Controller.DeleteAsync("default", "brief", TimeSpan.FromSeconds(10), CancellationToken.None);

        await ServingCore.WaitForAsync(() => core.Revision("brief-00001") is null, "the revision forgotten");
        await ServingCore.WaitForAsync(() => runtime.Containers.Count == 0, "every container removed");
        Assert.Equal(runtime.Creates, runtime.Removes);
    }

    [Fact]
    public async Task The_published_view_follows_the_loop()
    {
        var runtime = new FakeContainerRuntime();
        await using var core = await StartCoreAsync(runtime);
        core.Create(MinOne("viewed"));
        await ServingCore.WaitForAsync(() => core.Revision("viewed-00001")?.ReadyCount == 1, "one ready instance");
        await ServingCore.WaitForAsync(() => core.Revision("viewed-00001")!.View.Instances.Length == 1
            && core.Revision("viewed-00001")!.View.Starting == 0, "the view of one ready instance");

        var view = core.Revision("viewed-00001")!.View;
        Assert.Equal(1, view.DesiredScale);
        Assert.Same(core.Revision("viewed-00001")!.Ready[0], view.Instances[0]);
        Assert.True(core.Revision("viewed-00001")!.IsRouted);
        Assert.True(core.Revision("viewed-00001")!.IsLatestCreated);
    }
}
