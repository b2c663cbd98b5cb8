using Kinlet.Serving.Activator;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Tests;

public sealed class ActivatorTests
{
    private sealed class RecordingDemand : IDemandSignal
    {
        public int Count;
        public void DemandFor(RevisionState revision) => Interlocked.Increment(ref Count);
    }

    [Fact]
    public async Task Waiting_request_gets_the_instance_the_moment_it_is_ready_and_pokes_the_loop_at_once()
    {
        var demand = new RecordingDemand();
        var activator = new RevisionActivator(demand);
        var rev = InstanceStateTests.Revision();
        var waiting = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, demand.Count);
        Assert.Equal(1, rev.Waiting);

        var instance = InstanceStateTests.ReadyInstance(rev);
        Assert.Same(instance, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, instance.InFlight);
        Assert.Equal(0, rev.Waiting);
    }

    [Fact]
    public async Task A_revision_that_cannot_start_fails_its_waiters_with_the_reason()
    {
        var activator = new RevisionActivator(new RecordingDemand());
        var rev = InstanceStateTests.Revision();
        var waiting = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        rev.Fail(new RevisionFailure("ExitCode3", "boom", DateTimeOffset.UnixEpoch));
        var e = await Assert.ThrowsAsync<RevisionUnavailableException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("ExitCode3", e.Reason);
    }

    [Fact]
    public async Task A_failed_revision_answers_new_requests_at_once()
    {
        var activator = new RevisionActivator(new RecordingDemand());
        var rev = InstanceStateTests.Revision();
        rev.Fail(new RevisionFailure("ContainerMissing", "no image", DateTimeOffset.UnixEpoch));
        await Assert.ThrowsAsync<RevisionUnavailableException>(() => activator.AcquireAsync(rev, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Waiting_is_bounded_by_the_callers_deadline()
    {
        var activator = new RevisionActivator(new RecordingDemand());
        var rev = InstanceStateTests.Revision();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => activator.AcquireAsync(rev, cts.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, rev.Waiting);
    }

    [Fact]
    public async Task Request_queued_behind_container_concurrency_goes_when_a_slot_frees()
    {
        var activator = new RevisionActivator(new RecordingDemand());
        var rev = InstanceStateTests.Revision(1);
        var instance = InstanceStateTests.ReadyInstance(rev);
        Assert.True(instance.TryAcquire(1));
        var waiting = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        instance.Release();
        Assert.Same(instance, await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, instance.InFlight);
    }
}
