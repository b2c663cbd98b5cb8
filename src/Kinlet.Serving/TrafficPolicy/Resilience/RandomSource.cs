namespace Kinlet.Serving.TrafficPolicy.Resilience;

/// <summary>Where the steps draw their dice (fault share, mirror share, backoff jitter); tests pass a fixed sequence.</summary>
public interface IRandomSource
{
    /// <summary>A value in [0, 1).</summary>
    double NextDouble();
}

/// <summary>The process-wide <see cref="Random.Shared"/> (thread-safe, no allocation).</summary>
public sealed class SharedRandomSource : IRandomSource
{
    public static readonly SharedRandomSource Instance = new();

    private SharedRandomSource() { }

    public double NextDouble() => Random.Shared.NextDouble();
}

/// <summary>Istio's <c>Percent</c> (a double in [0, 100]) decided per request.</summary>
public static class Share
{
    public static bool Hit(double percent, IRandomSource random) =>
        percent >= 100 || (percent > 0 && random.NextDouble() * 100 < percent);
}
