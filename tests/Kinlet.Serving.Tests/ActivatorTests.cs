using Kinlet.Serving.Activator;
using Kinlet.Serving.Revisions;
using Microsoft.Extensions.Options;

namespace Kinlet.Serving.Tests;

public sealed class ActivatorTests
{
    private sealed class RecordingDemand : IDemandSignal
    {
        public int Count;
        public void DemandFor(RevisionState revision) => Interlocked.Increment(ref Count);
    }

    private static RevisionActivator Activator(IDemandSignal demand, int depth = 10000) =>
        new(demand, Options.Create(new ServingOptions { ActivatorQueueDepth = depth }));

    [Fact]
    public async Task Waiting_request_gets_the_instance_the_moment_it_is_ready_and_pokes_the_loop_at_once()
    {
        var demand = new RecordingDemand();
        var activator = Activator(demand);
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
        var activator = Activator(new RecordingDemand());
        var rev = InstanceStateTests.Revision();
        var waiting = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        rev.Fail(new RevisionFailure("ExitCode3", "boom", DateTimeOffset.UnixEpoch));
        var e = await Assert.ThrowsAsync<RevisionUnavailableException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("ExitCode3", e.Reason);
    }

    [Fact]
    public async Task A_failed_revision_answers_new_requests_at_once()
    {
        var activator = Activator(new RecordingDemand());
        var rev = InstanceStateTests.Revision();
        rev.Fail(new RevisionFailure("ContainerMissing", "no image", DateTimeOffset.UnixEpoch));
        await Assert.ThrowsAsync<RevisionUnavailableException>(() => activator.AcquireAsync(rev, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Waiting_is_bounded_by_the_callers_deadline()
    {
        var activator = Activator(new RecordingDemand());
        var rev = InstanceStateTests.Revision();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => activator.AcquireAsync(rev, cts.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, rev.Waiting);
    }

    [Fact]
    public async Task Request_queued_behind_container_concurrency_goes_when_a_slot_frees()
    {
        var activator = Activator(new RecordingDemand());
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

    [Fact]
    public async Task Queued_requests_get_freed_slots_in_arrival_order()
    {
        var activator = Activator(new RecordingDemand());
        var rev = InstanceStateTests.Revision(1);
        var instance = InstanceStateTests.ReadyInstance(rev);
        Assert.True(instance.TryAcquire(1));
        var first = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        var second = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        var third = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        Assert.Equal(3, rev.Waiting);

        instance.Release();
        await first.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);
        instance.Release();
        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(third.IsCompleted);
        instance.Release();
        await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, instance.InFlight);
        Assert.Equal(0, rev.Waiting);
    }

    [Fact]
    public async Task A_full_queue_answers_at_once()
    {
        var activator = Activator(new RecordingDemand(), depth: 2);
        var rev = InstanceStateTests.Revision(1);
        _ = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        _ = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        var e = await Assert.ThrowsAsync<ActivatorQueueFullException>(() => activator.AcquireAsync(rev, CancellationToken.None).AsTask());
        Assert.Equal(2, e.Depth);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_the_next_one_gets_the_slot()
    {
        var activator = Activator(new RecordingDemand());
        var rev = InstanceStateTests.Revision(1);
        var instance = InstanceStateTests.ReadyInstance(rev);
        Assert.True(instance.TryAcquire(1));
        using var cts = new CancellationTokenSource();
        var cancelled = activator.AcquireAsync(rev, cts.Token).AsTask();
        var next = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, rev.Waiting);
        instance.Release();
        Assert.Same(instance, await next.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, instance.InFlight);
    }

    [Fact]
    public async Task Deleting_the_revision_answers_its_waiters()
    {
        var activator = Activator(new RecordingDemand());
        var rev = InstanceStateTests.Revision();
        var waiting = activator.AcquireAsync(rev, CancellationToken.None).AsTask();
        new Kinlet.Serving.Reconciler.ReconcileQueue(new RevisionRegistry()).Deleted(rev); // what the service controller does on delete
        var e = await Assert.ThrowsAsync<RevisionUnavailableException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("RevisionDeleted", e.Reason);
    }

    [Fact]
    public async Task Many_waiters_and_releases_never_exceed_the_limit_nor_lose_a_request()
    {
        var activator = Activator(new RecordingDemand());
        var rev = InstanceStateTests.Revision(2);
        var a = InstanceStateTests.ReadyInstance(rev, 1);
        var b = InstanceStateTests.ReadyInstance(rev, 2);
        var max = 0;
        var tasks = Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            var instance = rev.Queue.Count == 0 ? rev.Policy.Acquire(rev.Ready, 2) : null;
            instance ??= await activator.AcquireAsync(rev, CancellationToken.None);
            var seen = instance.InFlight;
            int current;
            do current = Volatile.Read(ref max); while (seen > current && Interlocked.CompareExchange(ref max, seen, current) != current);
            await Task.Yield();
            instance.Release();
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.InRange(max, 1, 2);
        Assert.Equal(0, a.InFlight + b.InFlight);
        Assert.Equal(0, rev.Waiting);
    }

    [Fact]
    public async Task A_waiter_leaves_the_queue_when_the_deadline_fires()
    {
        var activator = Activator(new RecordingDemand());
        var rev = InstanceStateTests.Revision(1);
        using var aborted = new CancellationTokenSource();
        using var deadline = new CancellationTokenSource();
        var waiting = activator.AcquireAsync(rev, aborted.Token, deadline.Token).AsTask();
        Assert.Equal(1, rev.Waiting);
        deadline.Cancel();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(deadline.Token, e.CancellationToken);
        Assert.Equal(0, rev.Waiting);
    }

    [Fact]
    public async Task A_waiter_leaves_the_queue_when_the_client_goes()
    {
        var activator = Activator(new RecordingDemand());
        var rev = InstanceStateTests.Revision(1);
        using var aborted = new CancellationTokenSource();
        using var deadline = new CancellationTokenSource();
        var waiting = activator.AcquireAsync(rev, aborted.Token, deadline.Token).AsTask();
        aborted.Cancel();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(aborted.Token, e.CancellationToken);
        Assert.Equal(0, rev.Waiting);
        Assert.False(deadline.IsCancellationRequested);
    }
}
