using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.LoadBalancing;

/// <summary>A DestinationRule's <c>RANDOM</c>: any ready instance with a free slot, starting from a random one.</summary>
internal sealed class RandomPolicy : ILoadBalancingPolicy
{
    public string Name => "Random";

    public InstanceState? Acquire(ReadOnlySpan<InstanceState> ready, int limit)
    {
        if (ready.Length == 0) return null;
        var start = Random.Shared.Next(ready.Length);
        for (var i = 0; i < ready.Length; i++)
        {
            var instance = ready[(start + i) % ready.Length];
            if (instance.TryAcquire(limit)) return instance;
        }
        return null;
    }
}
