using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.LoadBalancing;

/// <summary>For containerConcurrency above 3: round robin over instances with a free slot (one per revision, it keeps a cursor).</summary>
internal sealed class RoundRobinPolicy : ILoadBalancingPolicy
{
    private int _next = -1;

    public string Name => "RoundRobin";

    public InstanceState? Acquire(ReadOnlySpan<InstanceState> ready, int limit)
    {
        if (ready.Length == 0) return null;
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)ready.Length);
        for (var i = 0; i < ready.Length; i++)
        {
            var instance = ready[(start + i) % ready.Length];
            if (instance.TryAcquire(limit)) return instance;
        }
        return null;
    }
}
