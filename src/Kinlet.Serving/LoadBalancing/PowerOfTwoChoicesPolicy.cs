using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.LoadBalancing;

/// <summary>
/// Pick two at random and take the less busy: nearly as good as searching the whole set for the
/// least loaded, without the scan, and it avoids piling onto one instance.
/// </summary>
internal sealed class PowerOfTwoChoicesPolicy : ILoadBalancingPolicy
{
    public string Name => "PowerOfTwoChoices";

    public InstanceState? Acquire(ReadOnlySpan<InstanceState> ready, int limit)
    {
        switch (ready.Length)
        {
            case 0:
                return null;
            case 1:
                return ready[0].TryAcquire(limit) ? ready[0] : null;
        }
        var a = Random.Shared.Next(ready.Length);
        var b = Random.Shared.Next(ready.Length - 1);
        if (b >= a) b++;
        var first = ready[a].InFlight <= ready[b].InFlight ? ready[a] : ready[b];
        var second = ReferenceEquals(first, ready[a]) ? ready[b] : ready[a];
        if (first.TryAcquire(limit)) return first;
        if (second.TryAcquire(limit)) return second;
        // Both lost a race with a drain: fall back to any instance that takes the request.
        foreach (var instance in ready)
            if (instance.TryAcquire(limit)) return instance;
        return null;
    }
}
