using Kinlet.Core.Model;
using Kinlet.Serving.LoadBalancing;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Tests;

public sealed class InstanceStateTests
{
    internal static RevisionState Revision(int containerConcurrency = 0, string name = "svc-00001") =>
        new(new RevisionKey("default", name), new Revision
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default", Labels = new() { [KnownKeys.ServiceLabel] = "svc" } },
            Spec = new RevisionSpec { ContainerConcurrency = containerConcurrency, Containers = [new Container { Image = "x" }] },
        }, LoadBalancingPolicies.For(containerConcurrency));

    internal static InstanceState ReadyInstance(RevisionState revision, int port = 1000)
    {
        var i = new InstanceState($"{revision.Key.Name}-{port}", revision);
        i.SetEndpoint(port);
        revision.AddReady(i);
        return i;
    }

    [Fact]
    public void Starting_instance_takes_no_requests()
    {
        var rev = Revision();
        var i = new InstanceState("a", rev);
        Assert.False(i.TryAcquire(0));
        Assert.Equal(0, i.InFlight);
    }

    [Fact]
    public void Never_exceeds_container_concurrency()
    {
        var i = ReadyInstance(Revision(2));
        Assert.True(i.TryAcquire(2));
        Assert.True(i.TryAcquire(2));
        Assert.False(i.TryAcquire(2));
        i.Release();
        Assert.True(i.TryAcquire(2));
        Assert.Equal(2, i.InFlight);
    }

    [Fact]
    public void Concurrent_acquires_never_exceed_the_limit()
    {
        var i = ReadyInstance(Revision(3));
        var max = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (!i.TryAcquire(3)) return;
            var now = i.InFlight;
            InterlockedMax(ref max, now);
            i.Release();
        });
        Assert.InRange(max, 1, 3);
        Assert.Equal(0, i.InFlight);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    [Fact]
    public async Task Drain_waits_for_in_flight_requests_and_refuses_new_ones()
    {
        var i = ReadyInstance(Revision());
        Assert.True(i.TryAcquire(0));
        var drained = i.BeginDrain();
        Assert.False(drained.IsCompleted);
        Assert.False(i.TryAcquire(0));
        i.Release();
        await drained.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(InstancePhase.Draining, i.Phase);
    }

    [Fact]
    public async Task Drain_of_an_idle_instance_completes_at_once()
    {
        var i = ReadyInstance(Revision());
        await i.BeginDrain().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Removing_from_the_ready_set_wakes_waiters()
    {
        var rev = Revision();
        var i = ReadyInstance(rev);
        var changed = rev.Changed;
        rev.RemoveReady(i);
        Assert.True(changed.IsCompleted);
        Assert.Equal(0, rev.ReadyCount);
    }
}
