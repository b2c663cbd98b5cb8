using Kinlet.Serving.Revisions;

namespace Kinlet.Serving.LoadBalancing;

/// <summary>Picks a ready instance with a free slot and takes the slot (Knative's activator policies).</summary>
public interface ILoadBalancingPolicy
{
    string Name { get; }

    /// <summary>An acquired instance (the caller must <see cref="InstanceState.Release"/> it), or null when none has a free slot.</summary>
    InstanceState? Acquire(ReadOnlySpan<InstanceState> ready, int limit);
}

public static class LoadBalancingPolicies
{
    public static readonly ILoadBalancingPolicy PowerOfTwoChoices = new PowerOfTwoChoicesPolicy();
    public static readonly ILoadBalancingPolicy FirstAvailable = new FirstAvailablePolicy();
    public static readonly ILoadBalancingPolicy Random = new RandomPolicy();

    /// <summary>Knative: unlimited → power of two choices; limit 1–3 → first free slot; above → round robin over free slots.</summary>
    public static ILoadBalancingPolicy For(int containerConcurrency) => containerConcurrency switch
    {
        <= 0 => PowerOfTwoChoices,
        <= 3 => FirstAvailable,
        _ => new RoundRobinPolicy(),
    };
}
