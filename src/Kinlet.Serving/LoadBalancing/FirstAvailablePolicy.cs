using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.LoadBalancing;

/// <summary>
/// For small containerConcurrency (1–3): the first instance with a free slot. Packing requests
/// onto the first instances keeps the rest idle, which is what lets the autoscaler shrink.
/// </summary>
internal sealed class FirstAvailablePolicy : ILoadBalancingPolicy
{
    public string Name => "FirstAvailable";

    public InstanceState? Acquire(ReadOnlySpan<InstanceState> ready, int limit)
    {
        foreach (var instance in ready)
            if (instance.TryAcquire(limit)) return instance;
        return null;
    }
}
