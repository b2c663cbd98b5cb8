using Kinlet.Serving.LoadBalancing;
using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.Tests;

public sealed class LoadBalancingTests
{
    [Theory]
    [InlineData(0, "PowerOfTwoChoices")]
    [InlineData(1, "FirstAvailable")]
    [InlineData(3, "FirstAvailable")]
    [InlineData(4, "RoundRobin")]
    [InlineData(100, "RoundRobin")]
    public void Policy_follows_container_concurrency_as_in_Knative(int cc, string policy) =>
        Assert.Equal(policy, LoadBalancingPolicies.For(cc).Name);

    [Fact]
    public void First_available_packs_the_first_instance_until_it_is_full()
    {
        var rev = InstanceStateTests.Revision(2);
        var a = InstanceStateTests.ReadyInstance(rev, 1);
        var b = InstanceStateTests.ReadyInstance(rev, 2);
        Assert.Same(a, rev.Policy.Acquire(rev.Ready, 2));
        Assert.Same(a, rev.Policy.Acquire(rev.Ready, 2));
        Assert.Same(b, rev.Policy.Acquire(rev.Ready, 2));
        Assert.Same(b, rev.Policy.Acquire(rev.Ready, 2));
        Assert.Null(rev.Policy.Acquire(rev.Ready, 2));
    }

    [Fact]
    public void Round_robin_spreads_over_instances_with_free_slots()
    {
        var rev = InstanceStateTests.Revision(10);
        var instances = Enumerable.Range(1, 3).Select(p => InstanceStateTests.ReadyInstance(rev, p)).ToArray();
        for (var n = 0; n < 30; n++) Assert.NotNull(rev.Policy.Acquire(rev.Ready, 10));
        Assert.All(instances, i => Assert.Equal(10, i.InFlight));
        Assert.Null(rev.Policy.Acquire(rev.Ready, 10));
    }

    [Fact]
    public void Power_of_two_choices_keeps_load_even()
    {
        var rev = InstanceStateTests.Revision(0);
        var instances = Enumerable.Range(1, 4).Select(p => InstanceStateTests.ReadyInstance(rev, p)).ToArray();
        for (var n = 0; n < 400; n++) Assert.NotNull(rev.Policy.Acquire(rev.Ready, 0));
        // Always taking the less busy of two keeps every instance close to the mean of 100.
        Assert.All(instances, i => Assert.InRange(i.InFlight, 80, 120));
    }

    [Fact]
    public void No_ready_instance_means_no_pick()
    {
        var rev = InstanceStateTests.Revision(0);
        Assert.Null(rev.Policy.Acquire(rev.Ready, 0));
    }
}
